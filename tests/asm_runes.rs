//! `tests/tal/runes.tal` checks the assembler from the inside: assembled by
//! hop, it runs on both engines and every group of checks prints ok.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::Path;
use std::rc::Rc;

use hop::uxn::Engine;
use hop::varvara::{Config, Varvara};

/// A `Write` that appends to a buffer the test can still read afterwards.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const EXPECTED: &str = "lit-hex ok\nraw-hex ok\nopcodes ok\nstrings ok\nreferences ok\n\
                        jumps ok\nblocks ok\nmacros ok\npadding ok\nscopes ok\nincluded ok\n";

#[test]
fn runes_program_passes_every_check() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tal/runes.tal");
    let assembly = hop::asm::assemble_file(&path).unwrap_or_else(|e| panic!("{}", e[0]));
    for engine in Engine::ALL {
        let stdout = Capture::default();
        let config = Config {
            engine,
            stdout: Box::new(stdout.clone()),
            stderr: Box::new(io::sink()),
            ..Config::default()
        };
        let mut machine = Varvara::new(&assembly.rom, config).expect("the ROM loads");
        machine.boot(false).expect("reaches BRK");
        assert_eq!(
            String::from_utf8_lossy(&stdout.0.borrow()),
            EXPECTED,
            "on {engine}"
        );
        assert!(machine.halted());
        assert_eq!(machine.exit_code(), 0, "on {engine}: failed groups");
    }
}
