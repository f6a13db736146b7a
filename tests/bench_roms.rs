//! The CPU benchmark programs in `roms/bench/`: each `.tal` source,
//! assembled by hop, runs on both engines, prints exactly its expected line
//! and exits with code 0. (That hop assembles them as drifblim does is
//! checked with every other source in `tests/asm_drifblim.rs`.)
//!
//! The tail-call engine's x86 instructions per Uxn instruction on them,
//! counted by `benches/x86-per-uxn.sh` under valgrind (instruction counts,
//! not times: the same on a loaded machine), must stay under a ceiling, so
//! that a codegen regression from a new nightly fails here loudly.

mod support;

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
            settings: hop::varvara::Settings {
                engine,
                ..Default::default()
            },
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

/// The average x86 instructions per Uxn instruction the tail-call engine
/// may spend on the bench programs: the README's figure plus a margin for
/// a compiler's ordinary drift.
const X86_PER_UXN_CEILING: &str = "9";

#[test]
fn x86_per_uxn_instruction_stays_under_the_ceiling() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/x86-per-uxn.sh");
    let valgrind = std::process::Command::new("valgrind")
        .arg("--version")
        .output();
    if !valgrind.is_ok_and(|out| out.status.success()) {
        // CI installs valgrind (.ci/run); a developer's machine may not have it.
        eprintln!("SKIPPED: valgrind is not installed; x86 per Uxn instruction not checked");
        return;
    }
    let out = std::process::Command::new("bash")
        .arg(&script)
        .args(["--ceiling", X86_PER_UXN_CEILING])
        .env("HOP", support::HOP)
        .output()
        .expect("bash runs");
    let table = String::from_utf8_lossy(&out.stdout);
    eprintln!("{table}");
    assert!(
        out.status.success(),
        "x86 per Uxn instruction above {X86_PER_UXN_CEILING}:\n{table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
