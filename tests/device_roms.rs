//! The console device test ROMs of `../shared/roms/tests/devices`, run
//! headless through the `hop` binary, each in a fresh temporary root, with
//! their output compared byte for byte with what the reference prints
//! (worked out from each ROM's source and the spec, §2.2, §2.7 and §3).
//!
//! Without the shared folder beside the repository these tests say so and
//! pass: a fresh clone has no ROMs to run.

mod support;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::TempDir;

fn devices_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/roms/tests/devices");
    if dir.is_dir() {
        Some(dir)
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {} is missing (the shared ROMs are not beside the repository)",
            dir.display()
        );
        None
    }
}

/// Runs `rom` headless with `cwd` as working directory and file root, in
/// the 2025 profile, which these ROMs' expectations describe (in uxn2's,
/// file.rom's DEO2 on File/delete reaches only the append port, and
/// listings differ, see `file_list_in_the_2026_profile`).
fn run(rom: &Path, cwd: &Path, args: &[&str], stdin: &[u8]) -> Output {
    run_as("2025", rom, cwd, args, stdin)
}

fn run_as(compat: &str, rom: &Path, cwd: &Path, args: &[&str], stdin: &[u8]) -> Output {
    support::hop()
        .args(["--compat", compat, "--headless"])
        .arg(rom)
        .args(args)
        .dir(cwd)
        .stdin(stdin)
        .output()
}

fn assert_output(out: &Output, expected: &[u8]) {
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(expected),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, expected);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn console_rom_reports_arguments_then_the_end_of_stdin() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("console");
    let out = run(&dir.join("console.rom"), &root.0, &["arg1", "arg 2"], b"");
    // Reset sees type 1 (arguments follow) and says "(queue)"; each
    // argument ends with a type 3 or 4 '\n'; stdin's EOF is a type-4 '\n'
    // with nothing typed, which the ROM answers as an empty line.
    assert_output(
        &out,
        b"Welcome to Uxn!\n(queue)\n(arg)You sent: \"arg1\"\n(arg)You sent: \"arg 2\"\n\
          (argend)\n(arg)You said: \"\"\n",
    );
}

#[test]
fn console_read_echoes_each_stdin_byte_on_its_own_line() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("console-read");
    let out = run(&dir.join("console.read.rom"), &root.0, &[], b"hi\nyo");
    // Every byte, then the EOF's '\n' (type 4), each followed by a newline.
    assert_output(&out, b"h\ni\n\n\ny\no\n\n\n");
}

#[test]
fn console_write_prints_hello() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("console-write");
    let out = run(&dir.join("console.write.rom"), &root.0, &[], b"");
    assert_output(&out, b"Hello");
}

#[test]
fn system_expansion_copies_across_banks() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("expansion");
    let out = run(&dir.join("system.expansion.rom"), &root.0, &[], b"");
    assert_output(&out, b"Hello World");
}

#[test]
fn file_rom_saves_appends_and_loads_in_its_root() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("file");
    let out = run(&dir.join("file.rom"), &root.0, &[], b"");
    let first = "Your sacred plants, if here below,\nOnly among the plants will grow.\n";
    let second = "Society is all but rude,\nTo this delicious solitude.\n";
    // Two writes on one open handle (0x44 and 0x35 bytes), then the whole
    // file read back, 0x7a bytes, as one string.
    let expected = format!(
        "{first}Saved 0044 bytes.\n{second}Saved 0035 bytes.\n{first}{second}\nLoaded 007a bytes.\n"
    );
    assert_output(&out, expected.as_bytes());
    // Last, the ROM deletes its file (File/delete): the root is empty again.
    assert_eq!(std::fs::read_dir(&root.0).unwrap().count(), 0);
}

#[test]
fn unsafe_file_cannot_write_outside_the_root() {
    let Some(dir) = devices_dir() else { return };
    let outer = TempDir::new("unsafe");
    let root = outer.0.join("root");
    std::fs::create_dir_all(&root).unwrap();
    let out = run(&dir.join("unsafe_file.rom"), &root, &[], b"");
    assert_eq!(out.status.code(), Some(0));
    // The ROM tries `../file-output.txt`: nothing appears beside the root,
    // nor inside it.
    let beside: Vec<_> = std::fs::read_dir(&outer.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("root")]);
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0);
    // And the user is told why.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("hop: file: refused \"../file-output.txt\""),
        "{stderr}"
    );
}

#[test]
fn file_list_lists_a_directory_below_the_root() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("file-list");
    let listed = root.0.join("roms/devices");
    std::fs::create_dir_all(listed.join("sub")).unwrap();
    std::fs::write(listed.join("a.txt"), b"abc").unwrap();
    let out = run(&dir.join("file_list.rom"), &root.0, &[], b"");
    // The ROM ends with `#01 .System/state DEO`: exit code 1 by design.
    assert_eq!(out.status.code(), Some(1));
    // Below the root, `..` is listed; directories show `----` and a slash,
    // files their size in hex.
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = text.split('\n').take(3).collect();
    lines.sort();
    assert_eq!(lines, ["---- ../", "---- sub/", "0003 a.txt"], "{text:?}");
}

/// The same in uxn2's profile: a TAB after the size, and no `..`.
#[test]
fn file_list_in_the_2026_profile() {
    let Some(dir) = devices_dir() else { return };
    let root = TempDir::new("file-list-2026");
    let listed = root.0.join("roms/devices");
    std::fs::create_dir_all(listed.join("sub")).unwrap();
    std::fs::write(listed.join("a.txt"), b"abc").unwrap();
    let out = run_as("2026", &dir.join("file_list.rom"), &root.0, &[], b"");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines: Vec<&str> = text.split('\n').take(2).collect();
    lines.sort();
    assert_eq!(lines, ["----\tsub/", "0003\ta.txt"], "{text:?}");
}
