//! The console runner and the command line, through the `hop` binary.
//!
//! The ROMs here are written by hand as bytes, each byte explained in a
//! comment, and saved into a fresh temporary folder per test. Every ROM
//! test runs on both engines.

mod support;
use std::io::Write;
use std::path::Path;
use std::process::Output;
use support::{TempDir, hop};

const ENGINES: [&str; 2] = ["tailcall", "model"];

/// Runs a ROM headless on one engine with ROM arguments and stdin.
fn run_rom(engine: &str, rom: &Path, rom_args: &[&str], stdin: &[u8]) -> Output {
    let mut args = vec!["--headless", "--engine", engine];
    args.push(rom.to_str().unwrap());
    args.extend_from_slice(rom_args);
    hop().args(&args).stdin(stdin).output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts that hop failed with exactly one `hop:` line on stderr.
fn assert_one_error_line(out: &Output, code: i32, what: &str) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: exit code; stderr: {stderr}"
    );
    assert!(
        !stderr.contains("panicked"),
        "{what}: hop panicked: {stderr}"
    );
    assert!(
        stderr.starts_with("hop: "),
        "{what}: stderr should start with `hop: `: {stderr:?}"
    );
    assert!(
        stderr.ends_with('\n') && stderr.lines().count() == 1,
        "{what}: one line expected: {stderr:?}"
    );
    assert!(out.stdout.is_empty(), "{what}: nothing on stdout");
    stderr
}

/// Prints, for every console event, `TT BB\n`: Console/type and
/// Console/read as hex. At reset it prints Console/type alone.
#[rustfmt::skip]
const ECHO_ROM: &[u8] = &[
    // @reset (0x0100)
    0x80, 0x17,       // 0100 #17          Console/type
    0x16,             // 0102 DEI
    0x60, 0x00, 0x23, // 0103 JSI phex     0x0106 + 0x0023 = 0x0129
    0x80, 0x0a,       // 0106 #0a          newline
    0x80, 0x18,       // 0108 #18          Console/write
    0x17,             // 010a DEO
    0xa0, 0x01, 0x12, // 010b ;on-console  0x0112
    0x80, 0x10,       // 010e #10          Console/vector
    0x37,             // 0110 DEO2
    0x00,             // 0111 BRK
    // @on-console (0x0112)
    0x80, 0x17,       // 0112 #17          Console/type
    0x16,             // 0114 DEI
    0x60, 0x00, 0x11, // 0115 JSI phex     0x0118 + 0x0011 = 0x0129
    0x80, 0x20,       // 0118 #20          space
    0x80, 0x18,       // 011a #18
    0x17,             // 011c DEO
    0x80, 0x12,       // 011d #12          Console/read
    0x16,             // 011f DEI
    0x60, 0x00, 0x06, // 0120 JSI phex     0x0123 + 0x0006 = 0x0129
    0x80, 0x0a,       // 0123 #0a          newline
    0x80, 0x18,       // 0125 #18
    0x17,             // 0127 DEO
    0x00,             // 0128 BRK
    // @phex ( byte -- ) (0x0129)
    0x06,             // 0129 DUP
    0x80, 0x04,       // 012a #04
    0x1f,             // 012c SFT          high nibble
    0x60, 0x00, 0x07, // 012d JSI pdigit   0x0130 + 0x0007 = 0x0137
    0x80, 0x0f,       // 0130 #0f
    0x1c,             // 0132 AND          low nibble
    0x60, 0x00, 0x01, // 0133 JSI pdigit   0x0136 + 0x0001 = 0x0137
    0x6c,             // 0136 JMP2r
    // @pdigit ( nibble -- ) (0x0137)
    0x80, 0x00,       // 0137 #00
    0x04,             // 0139 SWP          00 nibble: a short
    0xa0, 0x01, 0x43, // 013a ;digits      0x0143
    0x38,             // 013d ADD2
    0x14,             // 013e LDA
    0x80, 0x18,       // 013f #18
    0x17,             // 0141 DEO
    0x6c,             // 0142 JMP2r
    // @digits (0x0143)
    b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7',
    b'8', b'9', b'a', b'b', b'c', b'd', b'e', b'f',
];

/// Says loudly that a test could not run here. Written straight to the
/// process's stderr: the test harness would swallow an `eprintln!`.
fn skip(why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

/// The run exited 0; otherwise the failure shows the ROM's stderr.
fn assert_success(out: &Output, engine: &str) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{engine}: {}",
        text(&out.stderr)
    );
}

#[test]
fn console_streams_arguments_then_stdin() {
    let dir = TempDir::new("args");
    let rom = dir.file("echo.rom", ECHO_ROM);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &["ab", "cd"], b"xy");
        assert_success(&out, engine);
        assert_eq!(
            text(&out.stdout),
            concat!(
                "01\n",    // Console/type at reset: there are arguments
                "02 61\n", // a
                "02 62\n", // b
                "03 0a\n", // \n between arguments
                "02 63\n", // c
                "02 64\n", // d
                "04 0a\n", // \n after the last argument
                "01 78\n", // stdin x
                "01 79\n", // stdin y
                "04 0a\n", // end of stdin
            ),
            "{engine}"
        );
        assert!(out.stderr.is_empty(), "{engine}: {}", text(&out.stderr));
    }
}

#[test]
fn console_type_is_0_at_reset_without_arguments() {
    let dir = TempDir::new("noargs");
    let rom = dir.file("echo.rom", ECHO_ROM);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &[], b"");
        assert_eq!(out.status.code(), Some(0), "{engine}");
        // No arguments: type 0 at reset, then only the end of (empty) stdin.
        assert_eq!(text(&out.stdout), "00\n04 0a\n", "{engine}");
        let out = run_rom(engine, &rom, &[], b"\x00\xff");
        assert_eq!(
            text(&out.stdout),
            "00\n01 00\n01 ff\n04 0a\n",
            "{engine}: binary stdin"
        );
    }
}

#[test]
fn arguments_that_look_like_flags_go_to_the_rom() {
    let dir = TempDir::new("flagargs");
    let rom = dir.file("echo.rom", ECHO_ROM);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &["-x", ""], b"");
        assert_success(&out, engine);
        // An empty argument is just its separator.
        assert_eq!(
            text(&out.stdout),
            "01\n02 2d\n02 78\n03 0a\n04 0a\n04 0a\n",
            "{engine}"
        );
    }
}

#[test]
fn exit_code_is_the_state_without_its_high_bit() {
    let dir = TempDir::new("exit");
    for (state, code) in [
        (0x81u8, 1),
        (0x80, 0),
        (0x01, 1),
        (0x7f, 127),
        (0xff, 127),
        (0x00, 0),
    ] {
        // #ss #0f DEO BRK
        let rom = dir.file("exit.rom", [0x80, state, 0x80, 0x0f, 0x17, 0x00]);
        for engine in ENGINES {
            let out = run_rom(engine, &rom, &[], b"");
            assert_eq!(
                out.status.code(),
                Some(code),
                "{engine}: state {state:#04x}"
            );
            assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{engine}");
        }
    }
}

#[test]
fn halt_waits_for_the_end_of_the_vector() {
    let dir = TempDir::new("halt");
    #[rustfmt::skip]
    let rom = dir.file("halt.rom", [
        0x80, 0x01, 0x80, 0x0f, 0x17, // 0100 #01 #0f DEO   halt, exit code 1
        0x80, 0x68, 0x80, 0x18, 0x17, // 0105 #68 #18 DEO   'h': still runs
        0x80, 0x69, 0x80, 0x18, 0x17, // 010a #69 #18 DEO   'i'
        0x00,                         // 010f BRK
    ]);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &[], b"");
        assert_eq!(out.status.code(), Some(1), "{engine}");
        assert_eq!(text(&out.stdout), "hi", "{engine}");
    }
}

#[test]
fn halt_in_the_console_vector_stops_further_events() {
    let dir = TempDir::new("halt-console");
    #[rustfmt::skip]
    let rom = dir.file("halt.rom", [
        0xa0, 0x01, 0x07,             // 0100 ;on-console (0x0107)
        0x80, 0x10, 0x37,             // 0103 #10 DEO2     Console/vector
        0x00,                         // 0106 BRK
        // @on-console (0x0107)
        0x80, 0x12, 0x16,             // 0107 #12 DEI      Console/read
        0x80, 0x18, 0x17,             // 010a #18 DEO      echo it
        0x80, 0x01, 0x80, 0x0f, 0x17, // 010d #01 #0f DEO  halt
        0x80, 0x21, 0x80, 0x18, 0x17, // 0112 #21 #18 DEO  '!': the vector goes on
        0x00,                         // 0117 BRK
    ]);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &["xyz"], b"uvw");
        assert_eq!(out.status.code(), Some(1), "{engine}");
        assert_eq!(text(&out.stdout), "x!", "{engine}: one event, then nothing");
        let out = run_rom(engine, &rom, &[], b"uvw");
        assert_eq!(text(&out.stdout), "u!", "{engine}: stdin stops too");
    }
}

#[test]
fn halt_at_reset_skips_the_console() {
    let dir = TempDir::new("halt-reset");
    #[rustfmt::skip]
    let rom = dir.file("halt.rom", [
        0xa0, 0x01, 0x0c,             // 0100 ;on-console (0x010c)
        0x80, 0x10, 0x37,             // 0103 #10 DEO2     Console/vector
        0x80, 0x02, 0x80, 0x0f, 0x17, // 0106 #02 #0f DEO  halt, exit code 2
        0x00,                         // 010b BRK
        // @on-console (0x010c): must never run
        0x80, 0x3f, 0x80, 0x18, 0x17, // 010c #3f #18 DEO  '?'
        0x00,                         // 0111 BRK
    ]);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &["arg"], b"in");
        assert_eq!(out.status.code(), Some(2), "{engine}");
        assert!(out.stdout.is_empty(), "{engine}: {}", text(&out.stdout));
    }
}

#[test]
fn runaway_vectors_are_stopped() {
    let dir = TempDir::new("runaway");
    // @loop !loop: JMI by -3 (0x0103 - 3 = 0x0100), forever.
    let rom = dir.file("loop.rom", [0x40, 0xff, 0xfd]);
    for engine in ENGINES {
        let out = hop()
            .args(["--headless", "--engine", engine, "--budget", "1000"])
            .arg(&rom)
            .output();
        let stderr = assert_one_error_line(&out, 124, engine);
        assert!(
            stderr.contains("0x0100"),
            "{engine}: names the vector: {stderr}"
        );
    }
    // The console vector at 0x0107 loops: the message names it.
    #[rustfmt::skip]
    let rom = dir.file("loop2.rom", [
        0xa0, 0x01, 0x07, // 0100 ;on-console (0x0107)
        0x80, 0x10, 0x37, // 0103 #10 DEO2     Console/vector
        0x00,             // 0106 BRK
        0x40, 0xff, 0xfd, // 0107 @on-console !on-console  (0x010a - 3)
    ]);
    for engine in ENGINES {
        let out = hop()
            .args(["--headless", "--engine", engine, "--budget", "1000"])
            .arg(&rom)
            .arg("a")
            .output();
        let stderr = assert_one_error_line(&out, 124, engine);
        assert!(
            stderr.contains("0x0107"),
            "{engine}: names the console vector: {stderr}"
        );
    }
}

#[test]
fn debug_port_prints_both_stacks() {
    let dir = TempDir::new("debug");
    #[rustfmt::skip]
    let rom = dir.file("debug.rom", [
        0x80, 0x12,       // 0100 #12
        0x80, 0x34,       // 0102 #34
        0xc0, 0x56,       // 0104 LITr 56
        0x80, 0x01,       // 0106 #01
        0x80, 0x0e,       // 0108 #0e          System/debug
        0x17,             // 010a DEO
        0x00,             // 010b BRK
    ]);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &[], b"");
        assert_eq!(out.status.code(), Some(0), "{engine}");
        assert!(out.stdout.is_empty(), "{engine}");
        // Eight bytes below each pointer, oldest first; slot 0xff is
        // followed by `|`; then `<` and the pointer.
        assert_eq!(
            text(&out.stderr),
            "WST 00 00 00 00 00 00|12 34 <02\nRST 00 00 00 00 00 00 00|56 <01\n",
            "{engine}"
        );
    }
}

// ---------------------------------------------------------------------------
// Files that are not ROMs, and bad command lines.

#[test]
fn missing_file() {
    let dir = TempDir::new("missing");
    let out = hop()
        .arg("--headless")
        .arg(dir.0.join("nothing-here.rom"))
        .output();
    let stderr = assert_one_error_line(&out, 1, "missing file");
    assert!(stderr.contains("nothing-here.rom"), "{stderr}");
}

#[test]
fn empty_file() {
    let dir = TempDir::new("empty");
    let out = hop()
        .arg("--headless")
        .arg(dir.file("empty.rom", []))
        .output();
    assert_one_error_line(&out, 1, "empty file");
}

#[test]
fn a_directory() {
    let dir = TempDir::new("directory");
    let out = hop().arg("--headless").arg(&dir.0).output();
    assert_one_error_line(&out, 1, "a directory");
}

#[test]
fn rom_size_limit_is_16_banks() {
    let dir = TempDir::new("large");
    let max = 16 * 65536 - 256;
    let out = hop()
        .arg("--headless")
        .arg(dir.file("large.rom", vec![0; max + 1]))
        .output();
    let stderr = assert_one_error_line(&out, 1, "a file larger than 16 banks");
    assert!(
        stderr.contains(&(max + 1).to_string()),
        "gives the size: {stderr}"
    );
    // Exactly 16 banks is fine (BRK at 0x0100, exit 0).
    let out = hop()
        .arg("--headless")
        .arg(dir.file("max.rom", vec![0; max]))
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("unreadable");
    let rom = dir.file("secret.rom", [0x00]);
    std::fs::set_permissions(&rom, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = if std::fs::File::open(&rom).is_ok() {
        // Root reads anything: run hop as `nobody` so permissions apply.
        use std::os::unix::process::CommandExt;
        let run = hop()
            .arg("--headless")
            .arg(&rom)
            .with(|command| {
                command.uid(65534).gid(65534);
            })
            .try_output();
        match run {
            Ok(out) if out.status.code() != Some(126) => out,
            _ => {
                skip("unreadable_file: the file stays readable and hop cannot run as nobody");
                return;
            }
        }
    } else {
        hop().arg("--headless").arg(&rom).output()
    };
    let stderr = assert_one_error_line(&out, 1, "unreadable file");
    assert!(stderr.contains("permission denied"), "{stderr}");
}

#[test]
fn root_must_be_a_directory() {
    let dir = TempDir::new("root");
    let rom = dir.file("ok.rom", [0x00]);
    let out = hop()
        .args(["--headless", "--root", rom.to_str().unwrap()])
        .arg(&rom)
        .output();
    let stderr = assert_one_error_line(&out, 2, "--root at a file");
    assert!(stderr.contains("--root"), "{stderr}");
    let out = hop()
        .args([
            "--headless",
            "--root",
            dir.0.join("absent").to_str().unwrap(),
        ])
        .arg(&rom)
        .output();
    assert_one_error_line(&out, 2, "--root at nothing");
    // A real directory is fine.
    let out = hop()
        .args(["--headless", "--root", dir.0.to_str().unwrap()])
        .arg(&rom)
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn bad_command_lines_are_one_line_usage_errors() {
    let dir = TempDir::new("flag");
    let rom = dir.file("ok.rom", [0x00]);
    let rom = rom.to_str().unwrap();
    for (args, says) in [
        (vec!["--bogus", "--headless", rom], "--bogus"),
        (vec!["-x", rom], "-x"),
        (vec!["--headless", "--engine", "fast", rom], "fast"),
        (vec!["--headless", "--budget", "lots", rom], "lots"),
        (vec!["--headless", "--budget", "-1", rom], "-1"),
        (vec!["--frames", "1e9", rom], "1e9"),
        (
            vec!["--frames", "99999999999999999999", rom],
            "99999999999999999999",
        ),
        (vec!["--headless", "--clock", "yesterday", rom], "yesterday"),
        // Past the years -9999 to 9999 the clock read 1970 and stood still.
        (
            vec!["--headless", "--clock", "253402300800", rom],
            "years -9999 to 9999",
        ),
        (
            vec!["--headless", "--clock", "-377705116801", rom],
            "years -9999 to 9999",
        ),
        (vec!["--input", "events.txt", rom], "--frames"),
        (vec!["--wav", "out.wav", rom], "--frames"),
        (vec!["--headless", "--root"], "--root"),
        (vec!["asm"], "INPUT"),
    ] {
        let out = hop().args(&args).output();
        let what = args.join(" ");
        let stderr = assert_one_error_line(&out, 2, &what);
        assert!(stderr.contains(says), "{what}: names {says}: {stderr}");
    }
    // --help and --version still print in full and succeed.
    for flag in ["--help", "--version"] {
        let out = hop().arg(flag).output();
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert!(text(&out.stdout).contains("hop"), "{flag}");
    }
}

#[test]
fn a_one_byte_rom_runs() {
    let dir = TempDir::new("one-byte");
    // BRK: exits 0 at once. INC: runs on into the zeroes after it (BRK).
    for byte in [0x00, 0x01] {
        let rom = dir.file("one.rom", [byte]);
        for engine in ENGINES {
            let out = run_rom(engine, &rom, &[], b"");
            assert_success(&out, engine);
            assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{engine}");
        }
    }
}

#[test]
fn a_path_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("non-utf8");
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff\xfe.rom");
    // Missing: one line, with the name shown as well as it can be.
    let out = hop().arg("--headless").arg(dir.0.join(name)).output();
    let stderr = assert_one_error_line(&out, 1, "a missing non-UTF-8 path");
    assert!(
        stderr.contains("bad-") && stderr.contains("no such file"),
        "{stderr}"
    );
    // Present: it runs, and so does a root with such a name.
    let rom = dir.0.join(name);
    std::fs::write(&rom, [0x00]).unwrap();
    let out = hop().arg("--headless").arg(&rom).output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let root = dir.0.join(std::ffi::OsStr::from_bytes(b"root-\xff"));
    std::fs::create_dir(&root).unwrap();
    let out = hop()
        .args(["--headless", "--root"])
        .arg(&root)
        .arg(&rom)
        .output();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// Random bytes from a seed (xorshift), for files that are not what they claim.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn random_bytes_as_a_rom_never_panic() {
    let dir = TempDir::new("random-rom");
    let root = dir.0.join("root");
    std::fs::create_dir(&root).unwrap();
    let root = root.to_str().unwrap();
    for seed in 0..12u64 {
        let rom = dir.file("random.rom", random_bytes(seed, 64 + 300 * seed as usize));
        let rom = rom.to_str().unwrap();
        for mode in [
            vec![
                "--headless",
                "--budget",
                "20000",
                "--root",
                root,
                rom,
                "arg",
            ],
            vec!["--frames", "30", "--budget", "20000", "--root", root, rom],
        ] {
            let out = hop().args(&mode).stdin(b"random stdin\n").output();
            let stderr = text(&out.stderr);
            assert!(!stderr.contains("panicked"), "seed {seed}: {stderr}");
            // The ROM's own exit code (0..=127), or 124 when it ran away.
            let code = out.status.code().expect("an exit code, not a signal");
            assert!((0..=127).contains(&code), "seed {seed}: {code}");
            if code == 124 {
                assert!(stderr.contains("without reaching BRK"), "{stderr}");
            }
        }
    }
    // Whatever the ROMs wrote stayed in the root.
    let beside: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(beside, ["random.rom", "root"]);
}

#[test]
fn random_bytes_as_a_source_or_a_script_are_errors() {
    let dir = TempDir::new("random-text");
    let rom = dir.file("ok.rom", [0x00]);
    for seed in 0..8u64 {
        let bytes = random_bytes(seed, 2000);
        // As Uxntal: assembly errors (or, rarely, a program), never a panic.
        let tal = dir.file("random.tal", &bytes);
        let out = hop()
            .args(["--headless", "--budget", "20000"])
            .arg(&tal)
            .output();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        if out.status.code() == Some(1) {
            assert!(
                stderr.lines().last().unwrap().starts_with("hop: "),
                "{stderr}"
            );
        }
        // As an input script: one line naming the script's line.
        let script = dir.file("random.txt", &bytes);
        let out = hop()
            .args(["--frames", "2", "--input", script.to_str().unwrap()])
            .arg(&rom)
            .output();
        let stderr = assert_one_error_line(&out, 1, "a random script");
        assert!(stderr.contains("random.txt:"), "{stderr}");
    }
    // A script that is a directory, or missing.
    for script in [dir.0.clone(), dir.0.join("missing.txt")] {
        let out = hop()
            .args(["--frames", "2", "--input", script.to_str().unwrap()])
            .arg(&rom)
            .output();
        assert_one_error_line(&out, 1, "a script that is not a file");
    }
}

#[test]
fn no_rom_is_a_usage_error() {
    let out = hop().arg("--headless").output();
    assert_one_error_line(&out, 2, "no ROM");
}

#[test]
fn help_lists_the_flags_and_the_keys() {
    let out = hop().arg("--help").output();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--headless",
        "--frames",
        "--scale",
        "--fullscreen",
        "--mute",
        "--budget",
        "--root",
        "--record",
        "--midi",
        "--list-midi",
        "--no-clipboard",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
    for key in [
        "F1", "F2", "F3", "F4", "F5", "F6", "F10", "F11", "F12", "Ctrl", "Home",
    ] {
        assert!(help.contains(key), "{key} in {help}");
    }
}

#[test]
#[cfg(feature = "desktop")]
fn no_arguments_start_the_launcher_which_needs_a_display() {
    // (The launcher itself is tested in tests/desktop.rs, under Xvfb.)
    let out = hop().env_remove("DISPLAY").output();
    assert_one_error_line(&out, 1, "no display (DISPLAY is not set); use --headless");
}

/// Built without the desktop (`--no-default-features`), hop still knows
/// the desktop's flags, and anything that needs the window says so in one
/// line, exit code 2: the launcher, a ROM, the desktop's flags, MIDI.
#[test]
#[cfg(not(feature = "desktop"))]
fn without_the_desktop_a_window_run_says_how_to_run_instead() {
    let dir = TempDir::new("no-desktop");
    let rom = dir.file("brk.rom", [0x00]);
    let rom = rom.to_str().unwrap();
    let expected = "hop: this hop was built without the desktop (cargo feature \"desktop\"); \
                    run the ROM with --headless or --frames N\n";
    for args in [
        &[][..],
        &[rom],
        &[
            "--scale",
            "2",
            "--mute",
            "--fullscreen",
            "--no-clipboard",
            rom,
        ],
        &["--midi", rom],
        &["--list-midi"],
    ] {
        let out = hop().args(args).output();
        assert_one_error_line(&out, 2, &format!("{args:?}"));
        assert_eq!(text(&out.stderr), expected, "{args:?}");
    }
    // The same ROM runs headless.
    let out = hop().args(["--headless", rom]).output();
    assert_success(&out, "tailcall");
}

#[test]
fn system_wst_counts_the_port_byte_during_dei() {
    // Spec 2.1 [2026Δ]: `#12 .System/wst DEI` reads 02 on the real device.
    let dir = TempDir::new("system-wst");
    #[rustfmt::skip]
    let rom = dir.file("wst.rom", [
        0x80, 0x12,       // 0100 #12
        0x80, 0x04,       // 0102 #04          System/wst
        0x16,             // 0104 DEI          -> 12 02
        0x80, 0x30,       // 0105 #30
        0x18,             // 0107 ADD          '0' + 2
        0x80, 0x18, 0x17, // 0108 #18 DEO      prints '2'
        0xc0, 0x00,       // 010b LITr 00
        0x80, 0x05,       // 010d #05          System/rst
        0x16,             // 010f DEI          -> 12 01: rst is the plain depth
        0x80, 0x30, 0x18, // 0110 #30 ADD
        0x80, 0x18, 0x17, // 0113 #18 DEO      prints '1'
        0x00,             // 0116 BRK
    ]);
    for engine in ENGINES {
        let out = run_rom(engine, &rom, &[], b"");
        assert_success(&out, engine);
        assert_eq!(text(&out.stdout), "21", "{engine}");
    }
}

#[test]
fn an_endless_device_is_refused_not_read_forever() {
    let zero = Path::new("/dev/zero");
    if !zero.exists() {
        skip("an_endless_device_is_refused_not_read_forever: no /dev/zero here");
        return;
    }
    // It has no size to check first: hop reads one byte more than a ROM
    // can hold, and stops.
    let out = hop().arg("--headless").arg(zero).output();
    let stderr = assert_one_error_line(&out, 1, "/dev/zero as a ROM");
    assert!(stderr.contains("too large"), "{stderr}");
    // The same for an input script (64 MiB at most).
    let dir = TempDir::new("dev-zero");
    let rom = dir.file("ok.rom", [0x00]);
    let out = hop()
        .args(["--frames", "1", "--input", "/dev/zero"])
        .arg(&rom)
        .output();
    let stderr = assert_one_error_line(&out, 1, "/dev/zero as a script");
    assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
}

/// Prints `y` lines forever, in its reset vector (like yes(1)).
const YES: &str = "|0100 @loop LIT \"y #18 DEO #0a18 DEO !loop\n";
/// The same on stderr.
const YES_STDERR: &str = "|0100 @loop LIT \"y #19 DEO #0a19 DEO !loop\n";
/// A budget large enough that, were the run not ended by the failed
/// write, it would end with the runaway code 124 instead.
const LONG_BUDGET: &str = "100000000";

#[test]
fn a_closed_stdout_ends_the_run() {
    let dir = TempDir::new("epipe");
    let source = dir.file("yes.tal", YES);
    for engine in ENGINES {
        let mut child = hop()
            .args(["--headless", "--engine", engine, "--budget", LONG_BUDGET])
            .arg(&source)
            .spawn();
        drop(child.stdin.take());
        // Read one line, then close the pipe, as `| head -1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut line = [0u8; 2];
        std::io::Read::read_exact(&mut stdout, &mut line).unwrap();
        assert_eq!(&line, b"y\n");
        drop(stdout);
        let out = child.finish();
        assert_eq!(
            out.status.code(),
            Some(141),
            "{engine}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{engine}");
    }
}

#[test]
fn a_full_disk_on_stdout_or_stderr_ends_the_run() {
    let dir = TempDir::new("full");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    for engine in ENGINES {
        let source = dir.file("yes.tal", YES);
        let out = hop()
            .args(["--headless", "--engine", engine, "--budget", LONG_BUDGET])
            .arg(&source)
            .stdout(full())
            .output();
        assert_eq!(
            out.status.code(),
            Some(74),
            "{engine}: {}",
            text(&out.stderr)
        );
        assert_eq!(
            text(&out.stderr),
            "hop: cannot write to stdout: no storage space\n"
        );
        let source = dir.file("yes-stderr.tal", YES_STDERR);
        let out = hop()
            .args(["--headless", "--engine", engine, "--budget", LONG_BUDGET])
            .arg(&source)
            .stderr(full())
            .output();
        assert_eq!(out.status.code(), Some(74), "{engine}");
        assert!(out.stdout.is_empty(), "{engine}");
    }
}

#[test]
fn diagnostics_about_a_rom_are_limited() {
    let dir = TempDir::new("diagnostics");
    // An unknown expansion command, 300 bytes long, issued in a loop until
    // the budget ends it: every one was written in full.
    let command = "a".repeat(300);
    let source = dir.file(
        "cmd.tal",
        format!("|0100 @loop ;cmd #02 DEO2 !loop\n@cmd 07 \"{command} 00\n"),
    );
    for engine in ENGINES {
        let out = hop()
            .args([
                "--compat",
                "2025",
                "--headless",
                "--engine",
                engine,
                "--budget",
                "100000",
            ])
            .arg(&source)
            .output();
        assert_eq!(out.status.code(), Some(124), "{engine}");
        let stderr = text(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        // As the 2025 reference prints it: from the opcode byte to the NUL;
        // cut at 200 bytes.
        let shown = format!("Unknown command: \u{7}{}...", &command[..182]);
        assert_eq!(
            lines.len(),
            12,
            "{engine}: {}",
            &stderr[..stderr.len().min(3000)]
        );
        assert!(
            lines[..10].iter().all(|l| *l == shown),
            "{engine}: {}",
            lines[0]
        );
        assert_eq!(
            lines[10], "hop: 99991 more diagnostics about the ROM were not shown",
            "{engine}"
        );
        assert!(
            lines[11].contains("ran 100000 jumps"),
            "{engine}: {}",
            lines[11]
        );
    }
}

/// `--timeout` stops a vector by the time it has run, whatever its jump
/// budget: a slow loop with no budget at all ends with exit 124 and a
/// line that names the flag, in the console runner and in frames mode.
#[test]
fn a_vector_is_stopped_by_the_time_limit() {
    let dir = TempDir::new("timeout");
    let rom = dir.file("stuck.tal", "|0100 @l !l\n");
    for mode in [&["--headless"][..], &["--frames", "10"][..]] {
        let mut args = mode.to_vec();
        args.extend(["--budget", "0", "--timeout", "0.5"]);
        let out = hop().args(&args).arg(&rom).output();
        assert_eq!(out.status.code(), Some(124), "{mode:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("the vector at 0x0100 ran for 0.5 s without reaching BRK")
                && stderr.contains("(--timeout raises the limit)"),
            "{stderr}"
        );
    }
    let out = hop()
        .args(["--headless", "--timeout", "-1"])
        .arg(&rom)
        .output();
    assert_one_error_line(&out, 2, "");
}

/// `--trace N`: a vector stopped on its budget prints its last N
/// instructions with their labels, from the assembly of a `.tal` run
/// directly and from the `.sym` file `hop asm` writes beside a ROM.
#[test]
fn trace_prints_the_last_instructions_of_a_runaway_vector() {
    let dir = TempDir::new("trace");
    let source = dir.path("stuck.tal");
    std::fs::write(&source, "|0100 @on-reset #00 &loop INC !&loop\n").unwrap();
    let rom = dir.path("stuck.rom");
    let out = hop().arg("asm").args([&source, &rom]).output();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path("stuck.rom.sym").exists());
    let runs = [
        (&source, "--headless"),
        (&rom, "--headless"),
        (&rom, "--frames=3"),
    ];
    for (program, mode) in runs {
        let path = program.to_str().unwrap();
        let out = hop()
            .args([mode, "--budget", "2", "--trace", "4", path])
            .output();
        assert_eq!(out.status.code(), Some(124));
        assert_eq!(
            text(&out.stderr),
            format!(
                "hop: {path}: the vector at 0x0100 ran 2 jumps without reaching BRK \
                 (stopped at 0x0103); giving up (--budget raises the limit)\n\
                 hop: its last 4 instructions, oldest first (address, label, instruction, \
                 working and return stacks before it ran):\n\
                 0103 on-reset/loop+1  JMI 0102 on-reset/loop wst 01  rst -\n\
                 0102 on-reset/loop    INC              wst 01  rst -\n\
                 0103 on-reset/loop+1  JMI 0102 on-reset/loop wst 02  rst -\n\
                 0102 on-reset/loop    INC              wst 02  rst -\n"
            )
        );
    }
    // Stopped on its timeout: where it was is the loop, wherever in it.
    let path = source.to_str().unwrap();
    let out = hop()
        .args(["--frames=3", "--timeout", "0.2", "--trace", "3", path])
        .output();
    assert_eq!(out.status.code(), Some(124));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{stderr}");
    assert!(
        lines[0].contains("ran for 0.2 s without reaching BRK"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("hop: its last 3 instructions"),
        "{stderr}"
    );
    for line in &lines[2..] {
        assert!(
            line.starts_with("0102 on-reset/loop    INC ")
                || line.starts_with("0103 on-reset/loop+1  JMI 0102 on-reset/loop wst "),
            "{stderr}"
        );
    }
}
