//! The device test programs of `tests/tal/devices/`, one Uxntal program
//! per device area, each run through the `hop` binary (which assembles
//! it) in a fresh working directory, in console or frames mode with an
//! input script. What they print, draw and play must match the golden
//! files in `tests/golden/devices/` byte for byte and pixel for pixel.
//!
//! The programs check most things themselves and print one line per check
//! (`name: value ok`, or `FAIL` with the value wanted, and `failed: NN`
//! at the end), so a golden stdout reads as a list of what was checked;
//! the exit code is the number of failed checks. Each golden file was
//! made by hop, then checked by eye and against the spec
//! (`../shared/spec/varvara.md` §2): what each picture must show is
//! written at the top of its program, the WAV was measured (pitch from
//! zero crossings, peak levels from the envelope and volume), and where
//! the spec follows the 2026 test ROMs rather than the Sep-2025 reference
//! (wst during DEI, delete results, the stdin end byte) the golden file
//! does too.
//!
//! These goldens are the 2025 profile's (`--compat 2025`, hop's behaviour
//! before uxn2): every run of them says so. The `compat-*` programs show
//! each behaviour that differs between the profiles and are run under
//! both, each with its own golden files (`compat-NAME.2025.*` and
//! `compat-NAME.2026.*`).

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::TempDir;
use support::golden::{assert_exit, check_bytes, check_png, check_text, golden};

/// hop, in the 2025 profile that the goldens of the device programs were
/// made in.
fn hop(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let run = support::hop()
        .dir(dir)
        .args(["--compat", "2025"])
        .args(args);
    let run = env
        .iter()
        .fold(run, |run, (key, value)| run.env(key, value));
    run.stdin(stdin).output()
}

/// Both profiles, for the compat programs.
const PROFILES: [&str; 2] = ["2025", "2026"];

fn program(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tal/devices")
        .join(name)
        .display()
        .to_string()
}

fn expected(name: &str) -> PathBuf {
    golden("devices", name)
}

/// Runs hop with `args` in a fresh folder; returns the output and the
/// folder (screenshots and recordings are written there).
fn run(tag: &str, args: &[&str], stdin: &[u8]) -> (Output, TempDir) {
    let dir = TempDir::new(tag);
    let out = hop(&dir.0, args, &[], stdin);
    (out, dir)
}

/// Frames mode: `frames` frames of `tal` with the input script `script`
/// (a file next to the program), saving the screen; returns the output
/// and the screenshot's bytes.
fn frames(tal: &str, frames: u32, script: Option<&str>) -> (Output, Vec<u8>) {
    let dir = TempDir::new(tal);
    let shot = dir.path("screen.png").display().to_string();
    let count = frames.to_string();
    let mut args = vec!["--frames", &count, "--screenshot", &shot];
    let script = script.map(program);
    if let Some(script) = &script {
        args.extend(["--input", script]);
    }
    let tal = program(tal);
    args.push(&tal);
    let out = hop(&dir.0, &args, &[], b"");
    let png = std::fs::read(dir.path("screen.png")).unwrap_or_default();
    (out, png)
}

/// Expansion fill and copies (in and across banks, wrapping inside the
/// bank, banks past 15 and length 0 ignored, an unknown opcode reported on
/// stderr as the reference does), the stack pointer ports, ports that
/// read back, the debug port's two lines on stderr, and the halt: state
/// 80 01 00 in one vector does not halt, the vector that writes aa goes
/// on to its BRK, no vector runs after it (stdin is not read), exit 42.
#[test]
fn system_program() {
    let (out, _dir) = run(
        "system",
        &["--headless", &program("system.tal")],
        b"stdin that no vector may read\n",
    );
    assert_exit(&out, 42);
    check_text(&expected("system.stdout"), &out.stdout);
    check_text(&expected("system.stderr"), &out.stderr);
}

/// The palette: four bars in colours 0-3 (black, white, red, azure) on
/// both layers, then from frame 10 the same screen in #115599, #2266aa,
/// #3377bb and #4488cc without being redrawn.
#[test]
fn system_palette_program() {
    let (out, before) = frames("system-palette.tal", 5, None);
    assert_exit(&out, 0);
    check_png(&expected("system-palette-5.png"), &before);
    let (out, after) = frames("system-palette.tal", 15, None);
    assert_exit(&out, 0);
    check_png(&expected("system-palette-15.png"), &after);
}

/// Console/type 01 at reset with arguments, then each argument byte as
/// type 02, `\n` as type 03 between arguments and 04 after the last, stdin
/// bytes as type 01 and its end as type 04 with `\n`; every byte echoed on
/// stderr through Console/error.
#[test]
fn console_program_with_arguments_and_stdin() {
    let (out, _dir) = run(
        "console-args",
        &["--headless", &program("console.tal"), "one", "two 2"],
        b"hi\n",
    );
    assert_exit(&out, 0);
    check_text(&expected("console-args.stdout"), &out.stdout);
    assert_eq!(out.stderr, b"one\ntwo 2\nhi\n\n");
}

/// Without arguments Console/type reads 00 at reset and only stdin's end
/// arrives.
#[test]
fn console_program_without_input() {
    let (out, _dir) = run(
        "console-none",
        &["--headless", &program("console.tal")],
        b"",
    );
    assert_exit(&out, 0);
    check_text(&expected("console-none.stdout"), &out.stdout);
    assert_eq!(out.stderr, b"\n");
}

/// In frames mode the arguments come after reset as in the GUI, and
/// console input only from the script's `stdin` events.
#[test]
fn console_program_in_frames_mode() {
    let dir = TempDir::new("console-frames");
    let out = hop(
        &dir.0,
        &[
            "--frames",
            "10",
            "--input",
            &program("console.script"),
            &program("console.tal"),
            "arg",
        ],
        &[],
        b"never read",
    );
    assert_exit(&out, 0);
    check_text(&expected("console-frames.stdout"), &out.stdout);
}

/// Sizes clamped to 8..2048, layers cleared only when the size changes,
/// pixels with auto x/y (and their registers), fills in the four
/// directions on both layers, clamped at far coordinates: the picture
/// described at the top of `screen-pixels.tal`.
#[test]
fn screen_pixels_program() {
    let (out, png) = frames("screen-pixels.tal", 1, None);
    assert_exit(&out, 0);
    check_text(&expected("screen-pixels.stdout"), &out.stdout);
    check_png(&expected("screen-pixels.png"), &png);
}

/// 1bpp and 2bpp tiles with their four flips, the 16 blend modes on both
/// layers over a striped background, clipping at the four edges: the
/// picture described at the top of `screen-sprites.tal`.
#[test]
fn screen_sprites_program() {
    let (out, png) = frames("screen-sprites.tal", 1, None);
    assert_exit(&out, 0);
    check_text(&expected("screen-sprites.stdout"), &out.stdout);
    check_png(&expected("screen-sprites.png"), &png);
}

/// The auto byte with sprites: the length nibble, auto x (repeats go
/// down), auto y (repeats go right), auto addr (also past the end of
/// memory), with flips; the registers after each write.
#[test]
fn screen_auto_program() {
    let (out, png) = frames("screen-auto.tal", 1, None);
    assert_exit(&out, 0);
    check_text(&expected("screen-auto.stdout"), &out.stdout);
    check_png(&expected("screen-auto.png"), &png);
}

/// A second of music, one voice at a time, recorded: a 440 Hz square
/// (single-cycle mode) in the middle, a 329.6 Hz square on the left then
/// on the right, a 344.5 Hz sawtooth looping (sample mode), the same
/// sample once at half speed with its finish vector one frame later, and
/// a 220 Hz triangle through its envelope (1/15 s attack, decay and
/// sustain, 2/15 s release) with the output port following it and the
/// finish vector at frame 53. Measured on the golden file: 440.2, 329.7,
/// 344.5 and 220.0 Hz; peaks 2912, 5460, 8736 and 10890 as the volumes
/// and envelope give.
#[test]
fn audio_program() {
    let dir = TempDir::new("audio");
    let wav = dir.path("audio.wav").display().to_string();
    let out = hop(
        &dir.0,
        &["--frames", "60", "--wav", &wav, &program("audio.tal")],
        &[],
        b"",
    );
    assert_exit(&out, 0);
    check_text(&expected("audio.stdout"), &out.stdout);
    check_bytes(
        &expected("audio.wav"),
        &std::fs::read(dir.path("audio.wav")).unwrap(),
    );
}

/// Buttons ORed and ANDed, chords, keys with and without modifiers (Ctrl+s
/// as button 01 key 73), Return, Escape, Backspace, Delete, key 0
/// ignored, the key byte back to 0 after each vector.
#[test]
fn controller_program() {
    let (out, _png) = frames("controller.tal", 20, Some("controller.script"));
    assert_exit(&out, 0);
    check_text(&expected("controller.stdout"), &out.stdout);
}

/// Position, buttons (a click the ROM consumes by writing 0 to the state,
/// whose release leaves it at 0), scroll deltas (wheel up -1) that last
/// one vector; a white pixel where each event happened.
#[test]
fn mouse_program() {
    let (out, png) = frames("mouse.tal", 12, Some("mouse.script"));
    assert_exit(&out, 0);
    check_text(&expected("mouse.stdout"), &out.stdout);
    check_png(&expected("mouse.png"), &png);
}

/// Write, append (on File1), read, rewrite, nested folders, stat at every
/// length, listings in whole entries with a NUL after them, delete, and
/// transfers cut at the end of memory, in an empty root; what is left in
/// the root is checked too.
#[test]
fn file_program() {
    let root = TempDir::new("file-root");
    let (out, _dir) = run(
        "file",
        &[
            "--headless",
            "--root",
            &root.0.display().to_string(),
            &program("file.tal"),
        ],
        b"",
    );
    assert_exit(&out, 0);
    check_text(&expected("file.stdout"), &out.stdout);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let mut left = Vec::new();
    let mut stack = vec![root.0.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(&root.0).unwrap().display().to_string();
            if path.is_dir() {
                left.push(format!("{name}/"));
                stack.push(path);
            } else {
                left.push(format!(
                    "{name}: {:?}",
                    std::fs::read_to_string(&path).unwrap()
                ));
            }
        }
    }
    left.sort();
    assert_eq!(
        left,
        [
            "sub/",
            "sub/deep/",
            "sub/deep/c.txt: \"bye\\n\"",
            "sub/made/"
        ]
    );
}

/// With `--clock`, every port over the turn of a (leap) year and over a
/// leap day, one second per 60 frames, in UTC whatever the time zone: the
/// runs are made with TZ set to a zone that has DST in effect all year,
/// and the DST flag still reads 0.
#[test]
fn datetime_program_with_a_clock() {
    for (epoch, name) in [
        ("1735689598", "datetime-new-year.stdout"),
        ("1709164799", "datetime-leap-day.stdout"),
    ] {
        let dir = TempDir::new("datetime");
        let out = hop(
            &dir.0,
            &[
                "--frames",
                "200",
                "--clock",
                epoch,
                &program("datetime.tal"),
            ],
            &[("TZ", ALWAYS_DST)],
            b"",
        );
        assert_exit(&out, 0);
        check_text(&expected(name), &out.stdout);
    }
}

/// A POSIX TZ rule whose summer time runs from 1 January 00:00 to
/// 31 December 25:00, that is all year: UTC+3 with DST.
const ALWAYS_DST: &str = "XST-2XDT,J1/0,J365/25";

/// Console mode reads the local time. For several TZ values, the
/// program's date, time, weekday and day of the year must be what
/// `date` says in the same second, and its DST flag set exactly when
/// `date`'s UTC offset is not the zone's standard one. The zones are
/// POSIX rules (they need no tz database): with and without DST, northern
/// and southern summers (so at any date one of them is in DST), and one in
/// DST all year; named zones too when the tz database is installed.
#[test]
fn datetime_program_reads_local_time_and_dst() {
    if std::process::Command::new("date")
        .arg("+%s")
        .output()
        .is_err()
    {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: no `date` command to compare the local time with"
        );
        return;
    }
    let mut zones = vec![
        ("UTC0", "+0000"),
        ("<+0530>-5:30", "+0530"),
        ("EST5EDT,M3.2.0,M11.1.0", "-0500"),
        ("AEST-10AEDT,M10.1.0,M4.1.0/3", "+1000"),
        (ALWAYS_DST, "+0200"),
    ];
    if Path::new("/usr/share/zoneinfo/America/New_York").is_file() {
        zones.extend([("America/New_York", "-0500"), ("Australia/Sydney", "+1000")]);
    } else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: named time zones (no tz database in /usr/share/zoneinfo)"
        );
    }
    let mut summers = 0;
    for (tz, standard) in zones {
        let (ours, theirs, offset) = local_time_twice(tz);
        let dst = (offset != standard) as u8;
        summers += dst;
        assert_eq!(
            ours,
            format!("{theirs} dst {dst}"),
            "TZ={tz} (offset {offset})"
        );
    }
    // At least the all-year zone, and one of the two hemispheres.
    assert!(summers >= 2, "only {summers} zones had DST in effect");
}

/// The program's first line in console mode under `TZ=tz` (without the
/// "frame 0: " prefix), `date`'s version of it in the same second (with
/// no DST flag), and `date`'s UTC offset then; retried when a second
/// boundary falls between the runs.
fn local_time_twice(tz: &str) -> (String, String, String) {
    let date = || {
        let out = std::process::Command::new("date")
            .arg("+%Y-%m-%d %H:%M:%S %w %j %z")
            .env("TZ", tz)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    for _ in 0..5 {
        let before = date();
        let dir = TempDir::new("datetime-local");
        let out = hop(
            &dir.0,
            &["--headless", &program("datetime.tal")],
            &[("TZ", tz)],
            b"",
        );
        let after = date();
        if before != after {
            continue;
        }
        assert_exit(&out, 0);
        let text = String::from_utf8(out.stdout).unwrap();
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("frame 0: "))
            .expect("a time line")
            .to_string();
        let fields: Vec<&str> = before.split(' ').collect();
        let yday: u32 = fields[3].parse::<u32>().unwrap() - 1;
        let theirs = format!(
            "{} {} weekday {} yearday {yday}",
            fields[0], fields[1], fields[2]
        );
        return (line, theirs, fields[4].to_string());
    }
    panic!("the clock kept changing second around every run");
}

/// Runs a compat program under `profile` (None: hop's own choice) with
/// `args` before the program and `after` behind it, in a fresh folder
/// that is also its file root.
fn compat_run(
    profile: Option<&str>,
    args: &[&str],
    tal: &str,
    after: &[&str],
) -> (Output, TempDir) {
    let dir = TempDir::new(tal);
    let tal = program(tal);
    let mut all: Vec<&str> = Vec::new();
    if let Some(profile) = profile {
        all.extend(["--compat", profile]);
    }
    all.extend(args);
    all.push(&tal);
    all.extend(after);
    let out = support::hop_in(&dir.0, &all, b"");
    (out, dir)
}

/// One call per short (2026) or per byte (2025): DEO2 on System/debug,
/// Console/write and Screen/pixel, a byte to the high half of Screen/x,
/// the low half read alone (Screen/x and, at 2026-01-01, Datetime/year);
/// and the debug line's `|` after WST when the
/// stack holds exactly 8 bytes (2026). Without metadata, hop picks 2026.
#[test]
fn compat_shorts_program() {
    for profile in PROFILES.map(Some).into_iter().chain([None]) {
        let args = ["--headless", "--clock", "1767225600"];
        let (out, _dir) = compat_run(profile, &args, "compat-shorts.tal", &[]);
        let name = format!("compat-shorts.{}", profile.unwrap_or("2026"));
        assert_exit(&out, 1);
        check_text(&expected(&format!("{name}.stdout")), &out.stdout);
        check_text(&expected(&format!("{name}.stderr")), &out.stderr);
    }
}

/// Oversized widths (2025 clamps to 2048, 2026 keeps 12 bits), pixels'
/// auto x/y with the flip bits (2026 steps back), a pixel off the screen
/// (2026 does not step), a fill from off the screen (2025 clamps it on,
/// 2026 draws nothing) and a colour's high byte written alone (2026 waits
/// for the low byte): the pictures are described in `compat-screen.tal`.
#[test]
fn compat_screen_program() {
    for profile in PROFILES {
        let (out, dir) = compat_run(
            Some(profile),
            &["--frames", "1", "--screenshot", "shot.png"],
            "compat-screen.tal",
            &[],
        );
        assert_exit(&out, 0);
        let name = format!("compat-screen.{profile}");
        check_text(&expected(&format!("{name}.stdout")), &out.stdout);
        let png = std::fs::read(dir.path("shot.png")).unwrap_or_default();
        check_png(&expected(&format!("{name}.png")), &png);
    }
}

/// Listings (2026: TAB, no `..`), File/success after a name (2026: 0),
/// DEO2 on delete (2026: only the append byte acts, so nothing is
/// deleted), deleting an empty folder (2026: files only).
#[test]
fn compat_file_program() {
    for profile in PROFILES {
        let (out, dir) = compat_run(Some(profile), &["--headless"], "compat-file.tal", &[]);
        assert_exit(&out, 1);
        let name = format!("compat-file.{profile}");
        check_text(&expected(&format!("{name}.stdout")), &out.stdout);
        assert_eq!(
            dir.path("sub/f").exists(),
            profile == "2026",
            "sub/f is left only in 2026"
        );
        assert_eq!(
            dir.path("empty").is_dir(),
            profile == "2026",
            "the empty folder is left only in 2026"
        );
    }
}

/// Expansion fills and copies at the end of the bank and overlapping
/// copies (2026: cut at the bank's end, moved as a whole), and how an
/// unknown opcode is reported on stderr.
#[test]
fn compat_expansion_program() {
    for profile in PROFILES {
        let (out, _dir) = compat_run(Some(profile), &["--headless"], "compat-expansion.tal", &[]);
        assert_exit(&out, 1);
        let name = format!("compat-expansion.{profile}");
        check_text(&expected(&format!("{name}.stdout")), &out.stdout);
        check_text(&expected(&format!("{name}.stderr")), &out.stderr);
    }
}

/// Audio/position: the playing position in 2025, what was stored (0000)
/// in 2026.
#[test]
fn compat_audio_program() {
    for profile in PROFILES {
        let (out, _dir) = compat_run(Some(profile), &["--frames", "10"], "compat-audio.tal", &[]);
        assert_exit(&out, 1);
        check_text(
            &expected(&format!("compat-audio.{profile}.stdout")),
            &out.stdout,
        );
    }
}

/// Arguments for a ROM without a console vector: 2025 stores their
/// bytes anyway, 2026 does not send them.
#[test]
fn compat_args_program() {
    for profile in PROFILES {
        let (out, _dir) = compat_run(Some(profile), &["--frames", "2"], "compat-args.tal", &["x"]);
        assert_exit(&out, 1);
        check_text(
            &expected(&format!("compat-args.{profile}.stdout")),
            &out.stdout,
        );
    }
}

/// The right button is 04 and the middle one 02 in 2025, the other way
/// round in 2026.
#[test]
fn compat_mouse_program() {
    for profile in PROFILES {
        let script = program("compat-mouse.script");
        let (out, _dir) = compat_run(
            Some(profile),
            &["--frames", "8", "--input", &script],
            "compat-mouse.tal",
            &[],
        );
        assert_exit(&out, 0);
        check_text(
            &expected(&format!("compat-mouse.{profile}.stdout")),
            &out.stdout,
        );
    }
}

/// The metadata's Varvara version picks the profile when `--compat` is
/// not given: 0040 the 2025 one (DEO2 on Console/write prints A on
/// stdout), 0050 the 2026 one (it does not); `--compat` wins either way.
#[test]
fn compat_follows_the_metadata_version_unless_told() {
    for (tal, chosen) in [
        ("compat-meta-0040.tal", "A\n"),
        ("compat-meta-0050.tal", "\n"),
    ] {
        for (profile, stdout) in [(None, chosen), (Some("2025"), "A\n"), (Some("2026"), "\n")] {
            let (out, _dir) = compat_run(profile, &["--headless"], tal, &[]);
            assert_exit(&out, 0);
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                stdout,
                "{tal} with --compat {profile:?}"
            );
            assert_eq!(String::from_utf8_lossy(&out.stderr), "B", "{tal}");
        }
    }
}
