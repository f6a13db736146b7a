//! The assembler through the `hop` binary: `hop asm IN [OUT]`, and running
//! a `.tal` source directly.

mod support;
use std::process::Output;
use support::{TempDir, hop_in};

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
    let output = hop_in(&dir.0, &["asm", "prog.tal"], b"");
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
    let output = hop_in(&dir.0, &["asm", "src/prog.tal", "out/p.rom"], b"");
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
    let output = hop_in(&dir.0, &["asm", "bad.tal"], b"");
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
    let output = hop_in(&dir.0, &["asm"], b"");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = hop_in(&dir.0, &["asm", "missing.tal"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "hop: missing.tal: no such file\n");
    dir.file("ok.tal", "#01");
    let output = hop_in(&dir.0, &["asm", "ok.tal", "no/such/dir/ok.rom"], b"");
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
    let output = hop_in(&dir.0, &["asm", "app/main.tal", "main.rom"], b"");
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
            b"",
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
    let output = hop_in(&dir.0, &["--headless", "bad.tal"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "bad.tal:1:5: unknown label nope (;nope)\nhop: bad.tal: 1 assembly error\n"
    );
    assert!(output.stdout.is_empty());
    let output = hop_in(&dir.0, &["--headless", "missing.tal"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr(&output), "hop: missing.tal: no such file\n");
}

#[test]
fn asm_will_not_overwrite_its_source() {
    let dir = TempDir::new("overwrite");
    dir.file("prog.tal", "#01");
    let output = hop_in(&dir.0, &["asm", "prog.tal", "prog.tal"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.0.join("prog.tal")).unwrap(),
        "#01"
    );
}

/// Asserts that `hop asm` refused with exit code 2 and one `hop:` line.
fn assert_refused(output: &Output, what: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{what}: {err}");
    assert!(
        err.starts_with("hop: asm: ") && err.lines().count() == 1,
        "{what}: {err:?}"
    );
    assert!(err.contains("refusing to overwrite"), "{what}: {err:?}");
}

#[test]
fn asm_will_not_overwrite_a_source_named_another_way() {
    let dir = TempDir::new("same-file");
    let source = "|0100 #01 BRK\n";
    dir.file("x.tal", source);
    dir.file("lib/inc.tal", "#02\n");
    dir.file("main.tal", "~lib/inc.tal\n");
    dir.file("q.rom.sym", source);
    std::os::unix::fs::symlink("x.tal", dir.0.join("link.rom")).unwrap();
    let absolute = dir.0.join("x.tal").to_str().unwrap().to_string();
    let cases: [(&str, &[&str]); 5] = [
        ("./x.tal and x.tal", &["asm", "./x.tal", "x.tal"]),
        ("an absolute path", &["asm", "x.tal", &absolute]),
        ("a symlink to the source", &["asm", "x.tal", "link.rom"]),
        (
            "the symbol file on the source",
            &["asm", "q.rom.sym", "q.rom"],
        ),
        ("an included file", &["asm", "main.tal", "lib/inc.tal"]),
    ];
    for (what, args) in cases {
        let output = hop_in(&dir.0, args, b"");
        assert_refused(&output, what);
    }
    for (name, text) in [
        ("x.tal", source),
        ("q.rom.sym", source),
        ("lib/inc.tal", "#02\n"),
    ] {
        assert_eq!(std::fs::read_to_string(dir.0.join(name)).unwrap(), text);
    }
    assert!(!dir.0.join("q.rom").exists());
    // A ROM is replaced whole, through a temporary file that does not stay.
    dir.file("y.rom", "old");
    let output = hop_in(&dir.0, &["asm", "x.tal", "y.rom"], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(dir.0.join("y.rom")).unwrap(),
        [0x80, 0x01, 0x00]
    );
    let mut names: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "lib",
            "link.rom",
            "main.tal",
            "q.rom.sym",
            "x.tal",
            "y.rom",
            "y.rom.sym"
        ]
    );
}

#[test]
fn includes_stay_inside_the_source_tree() {
    let dir = TempDir::new("confined");
    dir.file("secret.txt", "SECRET-LINE-ONE\nSECRET-LINE-TWO\n");
    dir.file("app/lib/ok.tal", "#02\n");
    let secret = dir.0.join("secret.txt");
    let include_absolute = format!("~{}\n", secret.display());
    dir.file("app/up.tal", "~../secret.txt\n");
    dir.file("app/deep.tal", "~lib/../../secret.txt\n");
    dir.file("app/absolute.tal", &include_absolute);
    dir.file("app/passwd.tal", "~/etc/passwd\n");
    dir.file("app/inside.tal", "~lib/ok.tal ~./lib/../lib/ok.tal\n");
    for name in ["up", "deep", "absolute", "passwd"] {
        let output = hop_in(&dir.0, &["asm", &format!("app/{name}.tal"), "out.rom"], b"");
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("outside the source tree"), "{name}: {err:?}");
        assert!(
            !err.contains("SECRET") && !err.contains("root:"),
            "{name}: {err:?}"
        );
        assert_eq!(err.lines().count(), 2, "{name}: {err:?}");
    }
    let output = hop_in(&dir.0, &["asm", "app/inside.tal", "out.rom"], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(dir.0.join("out.rom")).unwrap(),
        [0x80, 2, 0x80, 2]
    );
}

#[test]
fn sources_are_read_up_to_a_cap() {
    let dir = TempDir::new("cap");
    // Endless, under a memory limit: unbounded reading runs out of memory.
    let output = support::hop()
        .dir(&dir.0)
        .args(["asm", "/dev/zero", "zero.rom"])
        .memory_limit(support::MEMORY_LIMIT_KIB)
        .output();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "hop: /dev/zero: larger than 1 MiB, the most hop reads from one source file\n"
    );
    // A valid program just over the cap, as the main file and as an include.
    let big = "#01 ".repeat((1 << 20) / 4 + 1);
    dir.file("big.tal", &big);
    let output = hop_in(&dir.0, &["asm", "big.tal"], b"");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "hop: big.tal: larger than 1 MiB, the most hop reads from one source file\n"
    );
    dir.file("main.tal", "~big.tal\n");
    let output = hop_in(&dir.0, &["asm", "main.tal"], b"");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "main.tal:1:1: cannot include big.tal: larger than 1 MiB, the most hop reads \
         from one source file (~big.tal)\nhop: main.tal: 1 assembly error\n"
    );
    assert!(!dir.0.join("big.rom").exists() && !dir.0.join("main.rom").exists());
}

#[test]
fn macro_expansion_is_bounded_in_bytes() {
    let dir = TempDir::new("amplify");
    // A 1,000,000-byte name, used 1,000 times through a macro: under a
    // gigabyte of text expanded, it once took 19 GB and a minute.
    let name = "g".repeat(1_000_000);
    let source = format!("%m {{ ;{name} }}\n{}\n", "m ".repeat(1000));
    dir.file("amp.tal", &source);
    let output = support::hop()
        .dir(&dir.0)
        .args(["asm", "amp.tal"])
        .memory_limit(support::MEMORY_LIMIT_KIB)
        .output();
    let err = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.contains("64 MiB of text"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.ends_with(" assembly errors\n"),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(err.len() < 20_000, "{} bytes of messages", err.len());
}

#[test]
fn messages_quote_a_short_excerpt_of_a_token() {
    let dir = TempDir::new("excerpt");
    let token = format!("#{}", "g".repeat(1 << 19));
    dir.file("bad.tal", format!("{token}\n@{}\n", "h".repeat(300)));
    let output = hop_in(&dir.0, &["asm", "bad.tal"], b"");
    assert_eq!(output.status.code(), Some(1));
    let excerpt = format!("#{}... (524289 bytes)", "g".repeat(47));
    let name = format!("@{}... (301 bytes)", "h".repeat(47));
    assert_eq!(
        stderr(&output),
        format!(
            "bad.tal:1:1: invalid hex literal: `#` takes 2 or 4 lowercase hex digits ({excerpt})\n\
             bad.tal:2:1: invalid label name: a name is at most 255 bytes long ({name})\n\
             hop: bad.tal: 2 assembly errors\n"
        )
    );
}
