//! The CPU benchmark programs in `roms/bench/`.
//!
//! For each program:
//! - the committed `.rom` runs headless on both engines, prints exactly its
//!   expected line and exits with code 0;
//! - its `.tal` source, assembled by the reference assembler drifblim running
//!   on hop, reproduces the committed `.rom` byte for byte (this needs
//!   drifblim from `../shared`; without it the check is skipped, loudly).

use std::cell::RefCell;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
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

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("roms/bench")
}

/// Runs the committed ROM from boot to halt on `engine`, and checks the
/// console output and the exit code.
fn check_output(name: &str, expected: &str) {
    let path = bench_dir().join(format!("{name}.rom"));
    let rom = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for engine in Engine::ALL {
        let stdout = Capture::default();
        let stderr = Capture::default();
        let config = Config {
            engine,
            stdout: Box::new(stdout.clone()),
            stderr: Box::new(stderr.clone()),
            ..Config::default()
        };
        let mut machine = Varvara::new(&rom, config).expect("the ROM loads");
        machine
            .boot(false)
            .unwrap_or_else(|r| panic!("{name} on {engine}: no BRK within the budget: {r:?}"));
        assert!(machine.halted(), "{name} on {engine}: did not halt");
        assert_eq!(
            stdout.text(),
            expected,
            "{name} on {engine}: console output"
        );
        assert_eq!(
            stderr.text(),
            "",
            "{name} on {engine}: console error output"
        );
        assert_eq!(machine.exit_code(), 0, "{name} on {engine}: exit code");
    }
}

/// Assembles `roms/bench/NAME.tal` with drifblim on hop and compares the
/// result with the committed `roms/bench/NAME.rom`.
fn check_assembly(name: &str) {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let drifblim = shared.join("roms/apps/drifblim.rom");
    if !shared.is_dir() {
        // Straight to stderr: the test harness would swallow an eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {name}.tal not reassembled: ../shared not found"
        );
        return;
    }
    assert!(drifblim.is_file(), "{} is missing", drifblim.display());
    let drifblim = drifblim.canonicalize().unwrap();

    // drifblim reaches files through hop's file device, which is confined to
    // the working directory: assemble inside a scratch directory.
    let tmp = std::env::temp_dir().join(format!("hop-bench-roms-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).unwrap();
    let source = format!("{name}.tal");
    let target = format!("{name}.rom");
    fs::copy(bench_dir().join(&source), tmp.join(&source)).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_hop"))
        .arg("--headless")
        .arg(&drifblim)
        .arg(&source)
        .arg(&target)
        .current_dir(&tmp)
        .output()
        .expect("hop runs");
    let assembled = fs::read(tmp.join(&target));
    let _ = fs::remove_dir_all(&tmp);
    assert!(
        output.status.success(),
        "drifblim failed on {source} ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let assembled = assembled.unwrap_or_else(|e| panic!("drifblim wrote no {target}: {e}"));
    let committed = fs::read(bench_dir().join(&target)).unwrap();
    assert!(
        assembled == committed,
        "roms/bench/{target} is not what drifblim makes of {source} \
         ({} bytes assembled, {} committed): reassemble and commit it",
        assembled.len(),
        committed.len()
    );
}

macro_rules! bench_rom {
    ($name:ident, $expected:expr) => {
        mod $name {
            #[test]
            fn output() {
                super::check_output(stringify!($name), $expected);
            }

            #[test]
            fn source_reproduces_rom() {
                super::check_assembly(stringify!($name));
            }
        }
    };
}

bench_rom!(fib, "fib(32) mod 65536 = 15621\n");
bench_rom!(primes, "primes below 65535: 6542\n");
bench_rom!(sieve, "primes below 32768: 3512\n");
bench_rom!(sort, "sort checksum: 0x2408\n");
bench_rom!(crc, "crc32: 0xd58f3fe8\n");
bench_rom!(interp, "interp total: 11136\n");
