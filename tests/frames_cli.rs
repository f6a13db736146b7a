//! `hop --frames`: the command line, the input script's errors, console
//! input from the script only, halting, screenshots and determinism.

mod support;
use std::io::Write;
use std::path::Path;
use support::{TempDir, hop_in};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A ROM whose screen vector prints `.` and halts with exit code 5 in its
/// third frame, and whose console vector echoes each byte to stdout.
const DOTS: &[u8] = &[
    // 0100 reset: screen vector 0110, console vector 0130
    0xa0, 0x01, 0x10, 0x80, 0x20, 0x37, // LIT2 0110 LIT 20 DEO2
    0xa0, 0x01, 0x30, 0x80, 0x10, 0x37, // LIT2 0130 LIT 10 DEO2
    0x00, 0x00, 0x00, 0x00, // BRK, padding
    // 0110 screen: print '.', count frames in zp 00, halt 0x85 at 3
    0x80, 0x2e, 0x80, 0x18, 0x17, // LIT '.' LIT 18 DEO
    0x80, 0x00, 0x10, 0x01, 0x80, 0x00, 0x11, // zp00 += 1
    0x80, 0x00, 0x10, 0x80, 0x03, 0x08, // zp00 == 3
    0x80, 0x85, 0x1a, 0x80, 0x0f, 0x17, // * 0x85 -> System/state
    0x00, // BRK
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // padding to 0130
    // 0130 console: echo the byte
    0x80, 0x12, 0x16, 0x80, 0x18, 0x17, 0x00, // LIT 12 DEI LIT 18 DEO BRK
];

#[test]
fn the_dots_rom_is_laid_out_as_its_comments_say() {
    assert_eq!(DOTS[0x10], 0x80);
    assert_eq!(DOTS[0x30], 0x80);
    assert_eq!(DOTS.len(), 0x37);
}

#[test]
fn frames_stop_when_the_rom_halts_with_its_exit_code() {
    let dir = TempDir::new("halt");
    let rom = dir.file("dots.rom", DOTS);
    let out = hop_in(&dir.0, &["--frames", "10", rom.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(5), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "...");
    // Fewer frames than it takes to halt: exit 0.
    let out = hop_in(&dir.0, &["--frames", "2", rom.to_str().unwrap()], b"");
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "..".into())
    );
}

#[test]
fn console_input_comes_from_the_arguments_and_the_script_only() {
    let dir = TempDir::new("console");
    let rom = dir.file("dots.rom", DOTS);
    let script = dir.file("in.txt", b"# console\n0 stdin hi\\x21\n1 stdin-eof\n");
    let out = hop_in(
        &dir.0,
        &[
            "--frames",
            "2",
            "--input",
            script.to_str().unwrap(),
            rom.to_str().unwrap(),
            "a",
            "b",
        ],
        b"real stdin is not read",
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    // Boot: the arguments; frame 0: "hi!" then the screen's dot; frame 1:
    // the end-of-input newline, then a dot.
    assert_eq!(text(&out.stdout), "a\nb\nhi!.\n.");
}

#[test]
fn a_bad_script_line_is_reported_with_its_number() {
    let dir = TempDir::new("badscript");
    let rom = dir.file("dots.rom", DOTS);
    let script = dir.file("in.txt", b"0 key a\n\n2 jump high\n");
    let out = hop_in(
        &dir.0,
        &[
            "--frames",
            "2",
            "--input",
            script.to_str().unwrap(),
            rom.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "hop: {}:3: unknown event `jump`",
            script.display()
        )),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing runs");

    let missing = dir.path("missing.txt").display().to_string();
    let out = hop_in(
        &dir.0,
        &["--frames", "2", "--input", &missing, rom.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("hop: "),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("no such file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn input_needs_frames() {
    let dir = TempDir::new("usage");
    let rom = dir.file("dots.rom", DOTS);
    let script = dir.file("in.txt", b"");
    let out = hop_in(
        &dir.0,
        &[
            "--headless",
            "--input",
            script.to_str().unwrap(),
            rom.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_unwritable_screenshot_is_an_error() {
    let dir = TempDir::new("shot");
    let rom = dir.file("dots.rom", DOTS);
    let shot = dir.path("no/such/dir/out.png").display().to_string();
    let out = hop_in(
        &dir.0,
        &[
            "--frames",
            "1",
            "--screenshot",
            &shot,
            rom.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with(&format!("hop: cannot write {shot}")),
        "{stderr}"
    );
}

/// A ROM that sets colour 1 to #ff0000 and colour 2 to #008800, resizes
/// the screen to 16x8, then paints it with two fills: background colour 1
/// from x = 4 rightwards, foreground colour 2 left of x = 4.
const FILL: &[u8] = &[
    0xa0, 0x0f, 0x00, 0x80, 0x08, 0x37, // red   0f00: colour 1 red f
    0xa0, 0x00, 0x80, 0x80, 0x0a, 0x37, // green 0080: colour 2 green 8
    0xa0, 0x00, 0x04, 0x80, 0x0c, 0x37, // blue  0004: colour 3 blue 4
    0xa0, 0x00, 0x10, 0x80, 0x22, 0x37, // width 16
    0xa0, 0x00, 0x08, 0x80, 0x24, 0x37, // height 8
    0xa0, 0x00, 0x04, 0x80, 0x28, 0x37, // x 4
    0x80, 0x81, 0x80, 0x2e, 0x17, // fill colour 1 from x 4 to the right
    0x80, 0xd2, 0x80, 0x2e, 0x17, // fill foreground colour 2 left of x 4
    0x00,
];

#[test]
fn the_screenshot_is_the_final_screen_as_rgb() {
    let dir = TempDir::new("fill");
    let rom = dir.file("fill.rom", FILL);
    let shot = dir.path("out.png").display().to_string();
    let out = hop_in(
        &dir.0,
        &[
            "--frames",
            "1",
            "--screenshot",
            &shot,
            rom.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (16, 8));
    assert_eq!(
        (info.color_type, info.bit_depth),
        (png::ColorType::Rgb, png::BitDepth::Eight)
    );
    for y in 0..8 {
        for x in 0..16 {
            let at = (y * 16 + x) * 3;
            let want: [u8; 3] = if x < 4 {
                [0x00, 0x88, 0x00]
            } else {
                [0xff, 0x00, 0x00]
            };
            assert_eq!(buf[at..at + 3], want, "pixel ({x}, {y})");
        }
    }
    // --screenshot also works in console mode (the screen after the run).
    let shot2 = dir.path("out2.png").display().to_string();
    let out = hop_in(
        &dir.0,
        &["--headless", "--screenshot", &shot2, rom.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&shot).unwrap(),
        std::fs::read(&shot2).unwrap()
    );
}

#[test]
fn runs_are_reproducible_and_the_clock_is_the_given_one() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let rom = shared.join("roms/tests/raven/drool.rom");
    if !rom.exists() {
        let _ = writeln!(std::io::stderr(), "SKIPPED: {} is absent", rom.display());
        return;
    }
    let dir = TempDir::new("determinism");
    let script = dir.file(
        "in.txt",
        b"0 mouse 256 160\n0 mousedown 1\n0 press right\n0 key a\n",
    );
    let run = |clock: &str, name: &str| {
        let shot = dir.path(name).display().to_string();
        let args = [
            "--frames",
            "60",
            "--clock",
            clock,
            "--input",
            script.to_str().unwrap(),
            "--screenshot",
            &shot,
            rom.to_str().unwrap(),
        ];
        let out = hop_in(&dir.0, &args, b"");
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        (out.stdout, std::fs::read(&shot).unwrap())
    };
    let first = run("1758974400", "a.png");
    assert_eq!(first, run("1758974400", "b.png"), "same inputs, same bytes");
    assert_ne!(
        first.1,
        run("1700000000", "c.png").1,
        "drool's picture depends on the clock"
    );
}

/// The device labels the runaway sources below use.
const DEVICES: &str = "
|00 @System &vector $2 &expansion $2 &wst $1 &rst $1 &metadata $2 &r $2 &g $2 &b $2 &debug $1 &state $1
|10 @Console &vector $2 &read $1 &pad $4 &type $1 &write $1 &error $1
|20 @Screen &vector $2 &width $2 &height $2 &auto $1 &pad $1 &x $2 &y $2 &addr $2 &pixel $1 &sprite $1
|30 @Audio0 &vector $2 &position $2 &output $1 &pad $3 &adsr $2 &length $2 &addr $2 &volume $1 &pitch $1
|80 @Controller &vector $2 &button $1 &key $1
|90 @Mouse &vector $2 &x $2 &y $2 &state $1
";

/// Each vector a ROM can get stuck in, and a source that gets stuck there:
/// `@stuck !stuck` (or, in the last, code with no jump at all), with the
/// frame script that leads it there.
const RUNAWAYS: &[(&str, &str, &str)] = &[
    ("reset", "|0100 @stuck !stuck", ""),
    (
        "screen",
        "|0100 ;stuck .Screen/vector DEO2 BRK @stuck !stuck",
        "",
    ),
    (
        "controller",
        "|0100 ;stuck .Controller/vector DEO2 BRK @stuck !stuck",
        "3 press a\n",
    ),
    (
        "key",
        "|0100 ;on-key .Controller/vector DEO2 BRK
         @on-key .Controller/key DEI ?stuck BRK @stuck !stuck",
        "3 key q\n",
    ),
    (
        "mouse",
        "|0100 ;stuck .Mouse/vector DEO2 BRK @stuck !stuck",
        "2 mouse 10 20\n",
    ),
    (
        "console",
        "|0100 ;stuck .Console/vector DEO2 BRK @stuck !stuck",
        "4 stdin x\n",
    ),
    // A play-once note of 300 bytes lasts 300 samples: it ends in frame 0,
    // and its finish vector runs at the start of frame 1.
    (
        "audio finish",
        "|0100 ;stuck .Audio0/vector DEO2
         #012c .Audio0/length DEO2 ;stuck .Audio0/addr DEO2
         #ff .Audio0/volume DEO #bc .Audio0/pitch DEO BRK
         @stuck !stuck",
        "",
    ),
    // The screen vector fills RAM from 0x0001 with INC (0x01) through the
    // System expansion port, 0x0000 too, then runs on into the INCs after
    // its DEO2: through 0xffff and around, never jumping.
    (
        "screen, no jump",
        "|0100 ;on-screen .Screen/vector DEO2 BRK
         @on-screen #01 #00 STZ ;fill .System/expansion DEO2
         @fill 00 ffff 0000 0001 01",
        "",
    ),
];

#[test]
fn a_runaway_vector_stops_the_frames_run_with_one_line() {
    let dir = TempDir::new("runaways");
    for (what, source, script) in RUNAWAYS {
        let tal = dir.file("stuck.tal", format!("{DEVICES}{source}\n").as_bytes());
        let input = dir.file("script.txt", script.as_bytes());
        for engine in ["tailcall", "model"] {
            let started = std::time::Instant::now();
            let out = hop_in(
                &dir.0,
                &[
                    "--frames",
                    "10",
                    "--engine",
                    engine,
                    "--budget",
                    "200000",
                    "--input",
                    input.to_str().unwrap(),
                    tal.to_str().unwrap(),
                ],
                b"",
            );
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(124), "{what} on {engine}: {stderr}");
            assert!(
                stderr.starts_with("hop: ")
                    && stderr.lines().count() == 1
                    && stderr.contains("without reaching BRK"),
                "{what} on {engine}: {stderr:?}"
            );
            // 200000 jumps (or three passes through RAM) take well under a second.
            assert!(
                started.elapsed().as_secs() < 20,
                "{what} on {engine}: {:?}",
                started.elapsed()
            );
        }
    }
}

#[test]
fn a_jump_free_rom_stops_at_the_budget_headless() {
    // The reset vector sets the zero page to 01 with 128 `LIT2 0101 LIT
    // xx STZ2`, then runs through INCs (0x01) to 0xffff, the zero page,
    // and around: there is no jump anywhere, and no BRK.
    let dir = TempDir::new("inc-soup");
    let mut bytes = Vec::new();
    for at in (0..=0xfe).step_by(2) {
        bytes.extend_from_slice(&[0xa0, 0x01, 0x01, 0x80, at, 0x31]);
    }
    bytes.resize(0xff00, 0x01);
    let rom = dir.file("inc.rom", &bytes);
    // The product with the default budget (2^31 jumps: 2048 passes through
    // RAM), and the other engine and frames mode with a smaller one.
    for (engine, mode, budget) in [
        ("tailcall", "--headless", "2147483648"),
        ("model", "--headless", "16777216"),
        ("tailcall", "--frames=5", "16777216"),
    ] {
        let started = std::time::Instant::now();
        let out = hop_in(
            &dir.0,
            &[
                mode,
                "--engine",
                engine,
                "--budget",
                budget,
                rom.to_str().unwrap(),
            ],
            b"",
        );
        let _ = writeln!(
            std::io::stderr(),
            "jump-free ROM, budget {budget}, {engine} {mode}: {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(124), "{engine} {mode}: {stderr}");
        assert!(
            stderr.contains("0x0100"),
            "names the reset vector: {stderr}"
        );
        assert!(
            started.elapsed().as_secs() < 30,
            "{engine} {mode}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_recording_is_streamed_to_disk() {
    let dir = TempDir::new("wav-stream");
    dir.file("silent.tal", "|0100 BRK\n");
    // Ten minutes of audio, under 100 MiB of address space: kept in memory
    // it took 207 MB (and 13 GB for ten hours).
    let output = support::hop()
        .dir(&dir.0)
        .args(["--frames", "36000", "--wav", "out.wav", "silent.tal"])
        .memory_limit(100 * 1024)
        .output();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
    let wav = std::fs::read(dir.0.join("out.wav")).unwrap();
    let data = 36000 * 735 * 4;
    assert_eq!(wav.len(), 44 + data);
    assert_eq!(&wav[36..40], b"data");
    assert_eq!(
        u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize,
        data
    );
    assert_eq!(
        u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize,
        36 + data
    );
    assert!(wav[44..].iter().all(|&b| b == 0), "silence");
}
