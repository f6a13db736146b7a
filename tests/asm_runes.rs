//! `tests/tal/runes.tal` checks the assembler from the inside: assembled by
//! hop, it runs on both engines and every group of checks prints ok.

use std::path::Path;

use hop::uxn::Engine;
use hop::varvara::{Captured, Config, Varvara};

const EXPECTED: &str = "lit-hex ok\nraw-hex ok\nopcodes ok\nstrings ok\nreferences ok\n\
                        jumps ok\nblocks ok\nmacros ok\npadding ok\nscopes ok\nincluded ok\n";

#[test]
fn runes_program_passes_every_check() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tal/runes.tal");
    let assembly = hop::asm::assemble_file(&path).unwrap_or_else(|e| panic!("{}", e[0]));
    for engine in Engine::ALL {
        let stdout = Captured::default();
        let config = Config {
            settings: hop::varvara::Settings {
                engine,
                ..Default::default()
            },
            stdout: Box::new(stdout.clone()),
            stderr: Box::new(std::io::sink()),
            ..Config::default()
        };
        let mut machine = Varvara::new(&assembly.rom, config).expect("the ROM loads");
        machine.boot(false).expect("reaches BRK");
        assert_eq!(stdout.text(), EXPECTED, "on {engine}");
        assert!(machine.halted());
        assert_eq!(machine.exit_code(), 0, "on {engine}: failed groups");
    }
}
