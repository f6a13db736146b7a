//! The assembler through the `hop` binary: `hop asm IN [OUT]`, and running
//! a `.tal` source directly.

mod support;
use std::path::Path;
use std::process::{Command, Output};
use support::TempDir;

fn hop_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hop"))
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("cannot start hop")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Echoes its arguments, one per line, then exits with code 3.
const ECHO: &str = "
|0f @System/state
|10 @Console/vector $2 &read $1 &pad $4 &type $1 &write $1
|0100
	;on-console .Console/vector DEO2
	BRK
@on-console ( -> )
	.Console/type DEI #04 EQU ?{ .Console/read DEI .Console/write DEO BRK }
	#0a .Console/write DEO
	#83 .System/state DEO
	BRK
";

#[test]
fn asm_writes_the_rom_and_symbols_beside_the_source() {
    let dir = TempDir::new("beside");
    dir.file("prog.tal", "|0100 @main #01 ;main BRK");
    let output = hop_in(&dir.0, &["asm", "prog.tal"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "hop: assembled prog.tal into prog.rom (6 bytes, 2 labels)\n"
    );
    assert_eq!(
        std::fs::read(dir.0.join("prog.rom")).unwrap(),
        [0x80, 0x01, 0xa0, 0x01, 0x00, 0x00]
    );
    assert_eq!(
        std::fs::read(dir.0.join("prog.rom.sym")).unwrap(),
        b"\x01\x00Top\x00\x01\x00main\x00"
    );
}

#[test]
fn asm_writes_where_it_is_told() {
    let dir = TempDir::new("told");
    dir.file("src/prog.tal", "#02");
    std::fs::create_dir_all(dir.0.join("out")).unwrap();
    let output = hop_in(&dir.0, &["asm", "src/prog.tal", "out/p.rom"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(dir.0.join("out/p.rom")).unwrap(),
        [0x80, 0x02]
    );
    assert!(dir.0.join("out/p.rom.sym").is_file());
    assert!(!dir.0.join("src/prog.rom").exists());
}

#[test]
fn asm_reports_every_error_and_writes_nothing() {
    let dir = TempDir::new("errors");
    dir.file("bad.tal", "@main ;nowhere\n\t#1\n@main");
    let output = hop_in(&dir.0, &["asm", "bad.tal"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "bad.tal:2:2: invalid hex literal: `#` takes 2 or 4 lowercase hex digits (#1)\n\
         bad.tal:3:1: duplicate label main (@main)\n\
         bad.tal:1:7: unknown label nowhere (;nowhere)\n\
         hop: bad.tal: 3 assembly errors\n"
    );
    assert!(!dir.0.join("bad.rom").exists());
    assert!(!dir.0.join("bad.rom.sym").exists());
}

#[test]
fn asm_usage_and_file_errors() {
    let dir = TempDir::new("usage");
    let output = hop_in(&dir.0, &["asm"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = hop_in(&dir.0, &["asm", "missing.tal"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "hop: missing.tal: no such file\n");
    dir.file("ok.tal", "#01");
    let output = hop_in(&dir.0, &["asm", "ok.tal", "no/such/dir/ok.rom"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).starts_with("hop: cannot write no/such/dir/ok.rom:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn includes_are_found_beside_the_including_file() {
    let dir = TempDir::new("includes");
    dir.file("app/main.tal", "#01 ~lib/a.tal #04");
    dir.file("app/lib/a.tal", "#02 ~b.tal");
    dir.file("app/lib/b.tal", "#03");
    // Run from elsewhere: the paths are not relative to the working folder.
    let output = hop_in(&dir.0, &["asm", "app/main.tal", "main.rom"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(dir.0.join("main.rom")).unwrap(),
        [0x80, 1, 0x80, 2, 0x80, 3, 0x80, 4]
    );
}

#[test]
fn a_source_runs_directly_with_its_arguments() {
    let dir = TempDir::new("run");
    dir.file("echo.tal", ECHO);
    for engine in ["tailcall", "model"] {
        let output = hop_in(
            &dir.0,
            &[
                "--headless",
                "--engine",
                engine,
                "echo.tal",
                "-v",
                "--x",
                "a b",
            ],
        );
        assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout), "-v\n--x\na b\n");
        assert_eq!(stderr(&output), "");
    }
    // Nothing written beside the source.
    assert!(!dir.0.join("echo.rom").exists());
}

#[test]
fn a_source_that_does_not_assemble_does_not_run() {
    let dir = TempDir::new("norun");
    dir.file("bad.tal", "#01 ;nope");
    let output = hop_in(&dir.0, &["--headless", "bad.tal"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "bad.tal:1:5: unknown label nope (;nope)\nhop: bad.tal: 1 assembly error\n"
    );
    assert!(output.stdout.is_empty());
    let output = hop_in(&dir.0, &["--headless", "missing.tal"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "hop: missing.tal: no such file\n");
}

#[test]
fn asm_will_not_overwrite_its_source() {
    let dir = TempDir::new("overwrite");
    dir.file("prog.tal", "#01");
    let output = hop_in(&dir.0, &["asm", "prog.tal", "prog.tal"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.0.join("prog.tal")).unwrap(),
        "#01"
    );
}
