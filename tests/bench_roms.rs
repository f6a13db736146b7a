//! The CPU benchmark programs in `roms/bench/`: each `.tal` source,
//! assembled by hop, runs on both engines, prints exactly its expected line
//! and exits with code 0. (That hop assembles them as drifblim does is
//! checked with every other source in `tests/asm_drifblim.rs`.)

use std::path::{Path, PathBuf};

use hop::uxn::Engine;
use hop::varvara::{Captured, Config, Varvara};

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("roms/bench")
}

/// Assembles the program and runs it from boot to halt on each engine, and
/// checks the console output and the exit code.
fn check_output(name: &str, expected: &str) {
    let path = bench_dir().join(format!("{name}.tal"));
    let rom = match hop::asm::assemble_file(&path) {
        Ok(assembly) => assembly.rom,
        Err(errors) => panic!("{} does not assemble: {}", path.display(), errors[0]),
    };
    for engine in Engine::ALL {
        let stdout = Captured::default();
        let stderr = Captured::default();
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

macro_rules! bench_rom {
    ($name:ident, $expected:expr) => {
        mod $name {
            #[test]
            fn output() {
                super::check_output(stringify!($name), $expected);
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
bench_rom!(tak, "tak(24,16,8) = 9\n");
bench_rom!(loops, "loop sum: 0x8860\n");
bench_rom!(mandel, "mandel iterations: 24897\n");
