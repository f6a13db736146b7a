//! Left, Noodle and Orca (from `../shared/roms/apps`), driven through the
//! `hop` binary in frames mode by input scripts, each in a temporary
//! working directory that is also its file root: what they draw must match
//! the golden screenshots in `tests/golden/apps/` pixel for pixel, and the
//! files they save must hold what the session typed or drew. Every golden
//! picture was looked at and judged right; what each shows is written on
//! its test. The runs use `--clock` so that nothing depends on the time.
//!
//! Every session runs under both compatibility profiles (`--compat 2025`
//! and `--compat 2026`) and must give the same pictures and files.
//!
//! Without the shared ROMs these tests say so and pass.

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::golden::{assert_exit, check_png, decode_png, golden};
use support::{TempDir, hop_in};

/// 2026-01-01 00:00:00 UTC.
const CLOCK: &str = "1767225600";

/// The compatibility profiles every session runs under.
const PROFILES: [&str; 2] = ["2025", "2026"];

fn app(name: &str) -> Option<PathBuf> {
    let rom = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/roms/apps")
        .join(format!("{name}.rom"));
    if rom.is_file() {
        Some(rom)
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {} is missing (the shared ROMs are not beside the repository)",
            rom.display()
        );
        None
    }
}

/// An input script written one event per frame, in order.
struct Script {
    frame: u64,
    text: String,
}

impl Script {
    fn starting_at(frame: u64) -> Script {
        Script {
            frame,
            text: String::new(),
        }
    }

    /// `event` in the next frame.
    fn then(&mut self, event: &str) -> &mut Script {
        writeln!(self.text, "{} {event}", self.frame).unwrap();
        self.frame += 1;
        self
    }

    /// Presses and releases `button`, `times` times.
    fn tap(&mut self, button: &str, times: usize) -> &mut Script {
        for _ in 0..times {
            self.then(&format!("press {button}"))
                .then(&format!("release {button}"));
        }
        self
    }

    /// Ctrl+`key`, as the desktop sends it: button A held around the key.
    fn ctrl(&mut self, key: char) -> &mut Script {
        self.then("press a")
            .then(&format!("key {key}"))
            .then("release a")
    }
}

/// Runs `rom` for `frames` frames in `dir` with the script and arguments,
/// in the `compat` profile; returns the output and the screenshot's bytes.
fn session(
    compat: &str,
    dir: &Path,
    rom: &Path,
    frames: u64,
    script: &Script,
    args: &[&str],
) -> (Output, Vec<u8>) {
    std::fs::write(dir.join("input.txt"), &script.text).unwrap();
    let shot = std::env::temp_dir().join(format!(
        "hop-apps-shot-{}-{}.png",
        std::process::id(),
        dir.file_name().unwrap().to_string_lossy()
    ));
    let frames = frames.to_string();
    let (rom, shot_arg) = (rom.display().to_string(), shot.display().to_string());
    let mut all = vec![
        "--compat",
        compat,
        "--frames",
        &frames,
        "--clock",
        CLOCK,
        "--input",
        "input.txt",
        "--screenshot",
        &shot_arg,
        &rom,
    ];
    all.extend(args);
    let out = hop_in(dir, &all, b"");
    let png = std::fs::read(&shot).unwrap_or_default();
    let _ = std::fs::remove_file(&shot);
    std::fs::remove_file(dir.join("input.txt")).unwrap();
    (out, png)
}

/// What a folder holds: file names and their contents, sorted.
fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap_or_default())
        })
        .collect();
    files.sort();
    files
}

/// The Left session: open `notes.txt` (given as the ROM's argument, so it
/// arrives through the console), go down two lines and right to the end
/// of "apples", type ", pears", select "pears" with Shift+Left five times
/// (the frame `SELECTED` is taken here), type "plums" over it, go down
/// two lines (the cursor lands at the end of the shorter "hammer"),
/// select "hammer" with Shift+Left six times, type "saw", Return, "glue",
/// and save with Ctrl+S.
fn left_script() -> (Script, u64) {
    let mut s = Script::starting_at(3);
    s.tap("down", 2).tap("right", 6).then("text , pears");
    s.then("press select").tap("left", 5);
    let selected = s.frame + 5;
    s.frame += 10;
    s.then("release select").then("text plums");
    s.tap("down", 2);
    s.then("press select").tap("left", 6).then("release select");
    s.then("text saw").then("key 0x0d").then("text glue");
    s.ctrl('s');
    (s, selected)
}

const NOTES: &str = "Notes\n@ Fruit\napples\n@ Tools\nhammer\n";

/// `left-selected.png`: Left at 1360x716, the menu bar (Left Edit Go
/// Find Select Format View) and the file name notes.txt; the text
/// "Notes / @ Fruit / apples, pears / @ Tools / hammer" with "pears"
/// highlighted in teal; the navigation column on the left lists the two
/// markers "@ Fruit" and "@ Tools"; the diamond at the top left is teal
/// (unsaved changes).
///
/// `left-saved.png`: the same after the edits, "apples, plums", "saw" and
/// "glue" on lines of their own, the cursor after "glue", the byte count
/// below, and the diamond black again: saved. The file in the root then
/// holds exactly the edited text, and nothing else was written.
#[test]
fn left_edits_and_saves_a_file() {
    let Some(rom) = app("left") else { return };
    let (script, selected) = left_script();
    for compat in PROFILES {
        let dir = TempDir::new("left-selected");
        std::fs::write(dir.path("notes.txt"), NOTES).unwrap();
        let (out, png) = session(compat, &dir.0, &rom, selected, &script, &["notes.txt"]);
        assert_exit(&out, 0);
        check_png(&golden("apps", "left-selected.png"), &png);
        assert_eq!(files_in(&dir.0), [("notes.txt".into(), NOTES.into())]);

        let dir = TempDir::new("left-saved");
        std::fs::write(dir.path("notes.txt"), NOTES).unwrap();
        let frames = script.frame + 5;
        let (out, png) = session(compat, &dir.0, &rom, frames, &script, &["notes.txt"]);
        assert_exit(&out, 0);
        check_png(&golden("apps", "left-saved.png"), &png);
        assert_eq!(
            files_in(&dir.0),
            [(
                "notes.txt".into(),
                b"Notes\n@ Fruit\napples, plums\n@ Tools\nsaw\nglue\n".to_vec()
            )]
        );
    }
}

/// Issue 11: `cd root && hop left.rom ../notes.txt`, the document outside
/// the root. Named on the command line, it is the person's grant: Left
/// opens it (the edits land on its text) and Ctrl+S saves it there; the
/// root stays empty.
#[test]
fn left_saves_a_file_named_outside_its_root() {
    let Some(rom) = app("left") else { return };
    let (script, _) = left_script();
    for compat in PROFILES {
        let dir = TempDir::new("left-outside");
        let root = dir.path("root");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path("notes.txt"), NOTES).unwrap();
        let frames = script.frame + 5;
        let (out, _) = session(compat, &root, &rom, frames, &script, &["../notes.txt"]);
        assert_exit(&out, 0);
        assert_eq!(
            files_in(&dir.0),
            [
                (
                    "notes.txt".into(),
                    b"Notes\n@ Fruit\napples, plums\n@ Tools\nsaw\nglue\n".to_vec()
                ),
                ("root".into(), Vec::new())
            ]
        );
        assert!(files_in(&root).is_empty());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    }
}

/// The Noodle session: with the pen (the tool at start) a stroke shaped
/// like a sine wave from 100,120; the rectangle tool (key t), dragged from
/// 320,200 to 416,264; the line tool (key e), dragged from 120,300 to
/// 248,252; the pointer moved off the canvas; Ctrl+S.
fn noodle_script() -> Script {
    let mut s = Script::starting_at(2);
    s.then("mouse 100 120").then("mousedown 1");
    for i in 1..=30 {
        let y = 120.0 + 25.0 * (i as f64 / 5.0).sin();
        s.then(&format!("mouse {} {}", 100 + i * 6, y as i32));
    }
    s.then("mouseup 1").then("key t");
    s.then("mouse 320 200").then("mousedown 1");
    for i in 1..=8 {
        s.then(&format!("mouse {} {}", 320 + i * 12, 200 + i * 8));
    }
    s.then("mouseup 1").then("key e");
    s.then("mouse 120 300").then("mousedown 1");
    for i in 1..=8 {
        s.then(&format!("mouse {} {}", 120 + i * 16, 300 - i * 6));
    }
    s.then("mouseup 1").then("mouse 500 360");
    s.ctrl('s');
    s
}

/// Where Noodle shows the top left pixel of its canvas.
const CANVAS_AT: (usize, usize) = (60, 56);

/// `noodle.png`: Noodle at 648x384 on its green desktop, the menu bar
/// (Noodle Edit Move Tool Pattern), the tool palette at the left with the
/// line tool, the full pattern and the brush size picked out in pink, the
/// window titled "untitled44x24.icn" (the size in
/// tiles, in hex: 68x36) whose white canvas holds the wave, a black filled
/// rectangle 320..415 x 200..263 and the line; the arrow pointer at
/// 500,360 on the window's border. The saved file is the canvas as 1bpp
/// tiles, row by row: its every bit must be the colour of the canvas
/// pixel on screen (1 black, 0 white).
#[test]
fn noodle_draws_and_saves_a_picture() {
    let Some(rom) = app("noodle") else { return };
    let script = noodle_script();
    for compat in PROFILES {
        noodle_session(compat, &rom, &script);
    }
}

fn noodle_session(compat: &str, rom: &Path, script: &Script) {
    let dir = TempDir::new("noodle");
    let (out, png) = session(compat, &dir.0, rom, script.frame + 5, script, &[]);
    assert_exit(&out, 0);
    check_png(&golden("apps", "noodle.png"), &png);

    let files = files_in(&dir.0);
    assert_eq!(
        files.len(),
        1,
        "one file saved: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let (name, icn) = &files[0];
    assert_eq!(name, "untitled44x24.icn");
    let (tiles_x, tiles_y) = (0x44, 0x24);
    assert_eq!(icn.len(), tiles_x * tiles_y * 8);
    let screen = decode_png(&png);
    let mut ink = 0;
    for y in 0..tiles_y * 8 {
        for x in 0..tiles_x * 8 {
            let byte = icn[((y / 8) * tiles_x + x / 8) * 8 + y % 8];
            let bit = byte >> (7 - x % 8) & 1;
            let pixel = screen.pixel(CANVAS_AT.0 + x, CANVAS_AT.1 + y);
            let expected = if bit == 1 { 0x000000 } else { 0xffffff };
            assert_eq!(pixel, expected, "canvas pixel {x},{y}: the file has {bit}");
            ink += bit as usize;
        }
    }
    // The rectangle alone is 96 x 64 pixels.
    assert!(ink > 96 * 64, "only {ink} black pixels saved");
}

/// Noodle's pen erases with any button but the left. The right button is
/// Mouse/state 04 in the 2025 profile and 02 in the 2026 one (as
/// compat-mouse.tal shows): either way, four pen strokes along rows 120,
/// 122, 124 and 126 from x 100 to 400, crossed by a right-button drag
/// down x 200, are cut there and only there.
#[test]
fn noodle_erases_with_the_right_button_in_both_profiles() {
    let Some(rom) = app("noodle") else { return };
    let mut s = Script::starting_at(2);
    for y in [120, 122, 124, 126] {
        s.then(&format!("mouse 100 {y}")).then("mousedown 1");
        for i in 1..=30 {
            s.then(&format!("mouse {} {y}", 100 + i * 10));
        }
        s.then("mouseup 1");
    }
    s.then("mouse 200 100").then("mousedown 3");
    for i in 1..=8 {
        s.then(&format!("mouse 200 {}", 100 + i * 5));
    }
    s.then("mouseup 3").then("mouse 500 360");
    for compat in PROFILES {
        let dir = TempDir::new("noodle-erase");
        let (out, png) = session(compat, &dir.0, &rom, s.frame + 5, &s, &[]);
        assert_exit(&out, 0);
        let screen = decode_png(&png);
        for y in [120, 122, 124, 126] {
            let row: String = (196..205)
                .map(|x| if screen.pixel(x, y) == 0 { '#' } else { '.' })
                .collect();
            assert_eq!(row, "####.####", "--compat {compat}: row {y} from x 196");
        }
    }
}

/// The Orca session: Ctrl+H hides the guide; then at the top left, moving
/// with the arrows, "1C8" (a counter: C outputs the frame number modulo 8
/// below itself), two rows down "D4" (a bang every 4 frames, below D),
/// and on the row below that, right of the bang, ":03C" (a MIDI note:
/// channel 0, octave 3, C, sent when banged).
fn orca_script() -> Script {
    let mut s = Script::starting_at(2);
    s.ctrl('h');
    s.frame += 1;
    s.then("key 1")
        .tap("right", 1)
        .then("key C")
        .tap("right", 1)
        .then("key 8");
    s.tap("down", 2)
        .tap("left", 2)
        .then("key D")
        .tap("right", 1)
        .then("key 4");
    s.tap("down", 1).then("key :").tap("right", 1).then("key 0");
    s.tap("right", 1)
        .then("key 3")
        .tap("right", 1)
        .then("key C");
    s
}

/// One MIDI note as Orca writes it on the console: channel 0, note 36
/// (octave 3, C) at velocity 7f, then the same with velocity 0.
const NOTE: [u8; 6] = [0x00, 0x24, 0x7f, 0x00, 0x24, 0x00];

/// Three screenshots, one Orca frame (11 or so of ours) apart, all black
/// with the grid's dots: "1C8" with the counter below C reading 6, 7 and
/// then 0; "D4" below, with the cell below D showing "." and, in the
/// third, the bang "*"; ":03C.." right of it, the ":" lit in the third
/// (it sent a note); the cursor (white) on the C of ":03C"; at the bottom
/// the cursor position 0403, the frame counter 0006, 0007, 0008 and
/// "untitled.orca*", and at the bottom right a row of eight dashes. On
/// the console: one note after the bang of frame 4,
/// a second after the bang of frame 8.
#[test]
fn orca_ticks_and_plays_notes() {
    let Some(rom) = app("orca") else { return };
    let script = orca_script();
    for (frames, name, notes) in [
        (72, "orca-72.png", 1),
        (83, "orca-83.png", 1),
        (94, "orca-94.png", 2),
    ] {
        for compat in PROFILES {
            let dir = TempDir::new("orca");
            let (out, png) = session(compat, &dir.0, &rom, frames, &script, &[]);
            assert_exit(&out, 0);
            check_png(&golden("apps", name), &png);
            assert_eq!(out.stdout, NOTE.repeat(notes), "MIDI after {frames} frames");
            assert_eq!(files_in(&dir.0), [], "Orca wrote no file");
        }
    }
}
