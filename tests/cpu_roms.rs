//! CPU test ROMs run through the `hop` binary, on both engines.
//!
//! The ROMs live in the shared folder beside the repository
//! (`../shared/roms/tests`). A fresh clone without it still passes: each
//! test then prints a line starting with `SKIPPED:` and returns.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

const ENGINES: [&str; 2] = ["tailcall", "model"];

/// The test ROM folder, or `None` (after saying so loudly) when it is absent.
fn roms_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/roms/tests");
    if dir.is_dir() {
        Some(dir)
    } else {
        // Straight to stderr: the test harness would swallow an eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {} is absent, so the CPU test ROMs cannot run",
            dir.display()
        );
        None
    }
}

/// Runs a ROM headless on one engine, with no standard input.
fn run(rom: &Path, engine: &str) -> Output {
    support::hop()
        .args(["--headless", "--engine", engine])
        .arg(rom)
        .output()
}

/// Runs a ROM on both engines and checks they behave identically; returns the tail-call run.
fn run_both(rom: &Path) -> Output {
    let a = run(rom, ENGINES[0]);
    let b = run(rom, ENGINES[1]);
    let name = rom.file_name().unwrap().to_string_lossy();
    assert_eq!(
        a.status.code(),
        b.status.code(),
        "{name}: exit codes differ between engines"
    );
    assert!(
        a.stdout == b.stdout,
        "{name}: stdout differs between engines"
    );
    assert!(
        a.stderr == b.stderr,
        "{name}: stderr differs between engines"
    );
    assert!(
        !String::from_utf8_lossy(&a.stderr).contains("panicked"),
        "{name}: hop panicked"
    );
    a
}

fn opctest(file: &str) {
    let Some(dir) = roms_dir() else { return };
    let rom = dir.join(file);
    for engine in ENGINES {
        let out = run(&rom, engine);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("Result: passed!"),
            "{file} on {engine}: no `Result: passed!` in\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!stdout.contains("fail"), "{file} on {engine}: {stdout}");
        assert_eq!(out.status.code(), Some(0), "{file} on {engine}");
    }
}

#[test]
fn opctest_current() {
    opctest("opctest.rom");
}

#[test]
fn opctest_2024_02_18() {
    opctest("opctest-2024-02-18.rom");
}

#[test]
fn opctest_2023_11_01() {
    opctest("opctest-2023-11-01.rom");
}

/// The tests.tal family prints one `1` per passing check (a `0` per failing
/// one), in groups separated by spaces and newlines.
fn ones_only(file: &str) {
    let Some(dir) = roms_dir() else { return };
    let out = run_both(&dir.join(file));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains('1'), "{file}: no checks printed:\n{stdout}");
    let bad: Vec<(usize, char)> = stdout
        .char_indices()
        .filter(|&(_, c)| !matches!(c, '1' | ' ' | '\n'))
        .collect();
    assert!(
        bad.is_empty(),
        "{file}: failed checks (or stray output) at {bad:?} in\n{stdout}"
    );
}

#[test]
fn tests_rom() {
    ones_only("tests.rom");
}

#[test]
fn tests_extended_rom() {
    ones_only("tests_extended.rom");
}

#[test]
fn tests_java_uxn_rom() {
    ones_only("tests-java-uxn.rom");
}

#[test]
fn tests_roms_run_every_check() {
    // The number of `1`s each ROM printed when this test was written (all
    // passes). Fewer would mean that part of a ROM stopped running.
    let Some(dir) = roms_dir() else { return };
    for (file, expected) in [
        ("tests.rom", 268),
        ("tests_extended.rom", 268),
        ("tests-java-uxn.rom", 146),
    ] {
        let out = run_both(&dir.join(file));
        let ones = out.stdout.iter().filter(|&&c| c == b'1').count();
        assert_eq!(
            ones,
            expected,
            "{file}:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// The DeltaF1 instruction tests print raw result bytes; each ROM also
/// holds its expected output, as a string of lowercase hex digits.
#[test]
fn insn_roms_print_their_expected_bytes() {
    let Some(dir) = roms_dir() else { return };
    let mut roms: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("insn-")
        })
        .collect();
    roms.sort();
    assert_eq!(
        roms.len(),
        5,
        "expected five insn-*.rom files in {}",
        dir.display()
    );
    for rom in roms {
        let out = run_both(&rom);
        assert!(!out.stdout.is_empty(), "{}: printed nothing", rom.display());
        let hex: String = out.stdout.iter().map(|b| format!("{b:02x}")).collect();
        let image = std::fs::read(&rom).unwrap();
        assert!(
            image.windows(hex.len()).any(|w| w == hex.as_bytes()),
            "{}: printed {hex}, which is not the expected string in the ROM",
            rom.display()
        );
    }
}
