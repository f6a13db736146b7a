//! Machine snapshots (`--save-state`, `--state`; F9 on the desktop): a run
//! of N frames saved, then restored and run M more frames, gives the same
//! bytes as one run of N + M frames: the screen, the sound, the console
//! output and the files written. Checked on Left, Noodle and Orca (from
//! `../shared/roms/apps`) and on an audio ROM, each saved in the middle of
//! what it does (a selection, a stroke, a note playing). A damaged
//! snapshot, one of another ROM, or something else is refused with one
//! line, before anything runs.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::golden::assert_exit;
use support::{TempDir, hop_in};

/// 2026-01-01 00:00:00 UTC.
const CLOCK: &str = "1767225600";

fn shared_rom(path: &str) -> Option<PathBuf> {
    let rom = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/roms")
        .join(path);
    if rom.is_file() {
        Some(rom)
    } else {
        eprintln!(
            "SKIPPED: {} is missing (the shared ROMs are not beside the repository)",
            rom.display()
        );
        None
    }
}

/// The sample bytes of a WAV file (its `data` chunk).
fn wav_data(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == b"data")
        .expect("a data chunk")
        + 8;
    bytes[at..].to_vec()
}

/// What a folder holds, but for the run's own outputs (`*.png`, `*.wav`,
/// `*.state`, the script).
fn documents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !(name.ends_with(".png")
                || name.ends_with(".wav")
                || name.ends_with(".state")
                || name == "input.txt")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// One frames run of `rom` in `dir`: `--frames frames --input input.txt
/// --clock --screenshot NAME.png --wav NAME.wav`, plus `extra`, then `args`.
fn run(dir: &Path, rom: &Path, frames: u64, name: &str, extra: &[&str], args: &[&str]) -> Output {
    let (frames, png, wav) = (
        frames.to_string(),
        format!("{name}.png"),
        format!("{name}.wav"),
    );
    let rom = rom.display().to_string();
    let mut all = vec![
        "--frames",
        &frames,
        "--clock",
        CLOCK,
        "--input",
        "input.txt",
        "--screenshot",
        &png,
        "--wav",
        &wav,
    ];
    all.extend(extra);
    all.push(&rom);
    all.extend(args);
    hop_in(dir, &all, b"")
}

/// Runs `rom` for `n + m` frames in one go, and for `n` frames saved and
/// `m` more restored, with the same script (`files` are put in both
/// folders first, `args` given to every run), and checks that both end
/// alike. Returns the whole run's output, for the caller to check it did
/// something.
fn check_split(
    rom: &Path,
    script: &str,
    n: u64,
    m: u64,
    files: &[(&str, &str)],
    args: &[&str],
) -> (Output, Vec<u8>) {
    let whole = TempDir::new("snapshot-whole");
    let split = TempDir::new("snapshot-split");
    for dir in [&whole.0, &split.0] {
        std::fs::write(dir.join("input.txt"), script).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let one = run(&whole.0, rom, n + m, "one", &[], args);
    assert_exit(&one, 0);
    let first = run(
        &split.0,
        rom,
        n,
        "first",
        &["--save-state", "at-n.state"],
        args,
    );
    assert_exit(&first, 0);
    let second = run(&split.0, rom, m, "second", &["--state", "at-n.state"], args);
    assert_exit(&second, 0);

    let name = rom.file_name().unwrap().to_string_lossy();
    assert!(
        std::fs::read(whole.0.join("one.png")).unwrap()
            == std::fs::read(split.0.join("second.png")).unwrap(),
        "{name}: the screen after {n} + {m} frames differs from the screen after {} frames",
        n + m
    );
    let sound = wav_data(&whole.0.join("one.wav"));
    let (a, b) = (
        wav_data(&split.0.join("first.wav")),
        wav_data(&split.0.join("second.wav")),
    );
    assert_eq!(a.len() + b.len(), sound.len(), "{name}: samples");
    assert!(sound == [a, b].concat(), "{name}: the sound differs");
    assert_eq!(
        one.stdout,
        [first.stdout, second.stdout].concat(),
        "{name}: stdout"
    );
    assert_eq!(
        documents(&whole.0),
        documents(&split.0),
        "{name}: the files written"
    );
    (one, sound)
}

#[test]
fn left_saved_mid_selection_ends_as_one_run() {
    let Some(rom) = shared_rom("apps/left.rom") else {
        return;
    };
    // Type, select with Shift+Left across the save (frame 20), type over
    // the selection, save with Ctrl+S.
    let mut script = String::new();
    let mut frame = 3;
    let mut then = |event: &str| {
        script.push_str(&format!("{frame} {event}\n"));
        frame += 1;
    };
    for event in ["press down", "release down", "text , pears", "press select"] {
        then(event);
    }
    for _ in 0..5 {
        then("press left");
        then("release left");
    }
    for event in [
        "release select",
        "text plums",
        "press a",
        "key s",
        "release a",
    ] {
        then(event);
    }
    let notes = "Notes\napples\n@ Tools\nhammer\n";
    let (_, _) = check_split(
        &rom,
        &script,
        20,
        30,
        &[("notes.txt", notes)],
        &["notes.txt"],
    );
    let saved = TempDir::new("snapshot-left-check");
    std::fs::write(saved.0.join("input.txt"), &script).unwrap();
    std::fs::write(saved.0.join("notes.txt"), notes).unwrap();
    assert_exit(&run(&saved.0, &rom, 50, "x", &[], &["notes.txt"]), 0);
    let text = std::fs::read_to_string(saved.0.join("notes.txt")).unwrap();
    assert!(
        text.contains("plums"),
        "the session edited and saved: {text:?}"
    );
}

#[test]
fn noodle_saved_mid_stroke_ends_as_one_run() {
    let Some(rom) = shared_rom("apps/noodle.rom") else {
        return;
    };
    let mut script = String::from("2 mouse 100 120\n3 mousedown 1\n");
    for i in 1..=30 {
        script.push_str(&format!(
            "{} mouse {} {}\n",
            3 + i,
            100 + i * 6,
            120 + (i * 7) % 40
        ));
    }
    script.push_str("34 mouseup 1\n35 mouse 500 360\n36 press a\n37 key s\n38 release a\n");
    check_split(&rom, &script, 17, 30, &[], &[]);
}

#[test]
fn orca_saved_between_notes_ends_as_one_run() {
    let Some(rom) = shared_rom("apps/orca.rom") else {
        return;
    };
    // The apps test's program: "1C8", "D4" and ":03C", which bangs a note
    // every 4 of Orca's frames, on stdout as MIDI bytes.
    let events = [
        "press a",
        "key h",
        "release a",
        "",
        "key 1",
        "press right",
        "release right",
        "key C",
        "press right",
        "release right",
        "key 8",
        "press down",
        "release down",
        "press down",
        "release down",
        "press left",
        "release left",
        "press left",
        "release left",
        "key D",
        "press right",
        "release right",
        "key 4",
        "press down",
        "release down",
        "key :",
        "press right",
        "release right",
        "key 0",
        "press right",
        "release right",
        "key 3",
        "press right",
        "release right",
        "key C",
    ];
    let script: String = events
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.is_empty())
        .map(|(i, e)| format!("{} {e}\n", i + 2))
        .collect();
    let (one, _) = check_split(&rom, &script, 80, 60, &[], &[]);
    assert!(
        one.stdout.len() >= 12,
        "Orca played notes: {:?}",
        one.stdout
    );
}

#[test]
fn an_audio_rom_saved_mid_note_ends_as_one_run() {
    let Some(rom) = shared_rom("tests/raven/piano.rom") else {
        return;
    };
    let mut script = String::from("0 mouse 192 112\n");
    for (i, key) in ["a", "s", "d", "f", "g"].iter().enumerate() {
        script.push_str(&format!("{} key {key}\n", 5 + i * 12));
    }
    let (_, sound) = check_split(&rom, &script, 23, 50, &[], &[]);
    assert!(sound.iter().any(|&b| b != 0), "the piano played");
}

#[test]
fn damaged_foreign_and_other_files_are_refused_before_anything_runs() {
    let dir = TempDir::new("snapshot-refused");
    let tal = |name: &str, colour: &str| {
        let path = dir.0.join(name);
        std::fs::write(&path, format!("|100 #{colour} #08 DEO2 #01 #0f DEO BRK\n")).unwrap();
        path.display().to_string()
    };
    let (one, other) = (tal("one.tal", "f000"), tal("other.tal", "0f00"));
    std::fs::write(dir.0.join("input.txt"), "").unwrap();
    let save = hop_in(
        &dir.0,
        &["--frames", "1", "--save-state", "one.state", &one],
        b"",
    );
    assert_exit(&save, 1); // the ROM's own exit code
    let state = std::fs::read(dir.0.join("one.state")).unwrap();
    assert!(state.starts_with(b"hopstate"));

    let refused = |bytes: &[u8], rom: &str| {
        std::fs::write(dir.0.join("try.state"), bytes).unwrap();
        let out = hop_in(
            &dir.0,
            &[
                "--frames",
                "5",
                "--state",
                "try.state",
                "--screenshot",
                "never.png",
                rom,
            ],
            b"",
        );
        assert_exit(&out, 1);
        assert!(!dir.0.join("never.png").exists(), "nothing ran");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let mut damaged = state.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x40;
    assert_eq!(
        refused(&damaged, &one),
        "hop: try.state: the snapshot is damaged (its checksum does not match)\n"
    );
    assert_eq!(
        refused(&state[..state.len() / 2], &one),
        "hop: try.state: the snapshot is damaged (its checksum does not match)\n"
    );
    assert_eq!(
        refused(&state, &other),
        "hop: try.state: the snapshot is of another ROM\n"
    );
    assert_eq!(
        refused(b"left.rom", &one),
        "hop: try.state: not a hop snapshot\n"
    );
    let mut future = state.clone();
    future[9] = 9;
    assert_eq!(
        refused(&future, &one),
        "hop: try.state: a snapshot of format version 9; this hop reads version 1\n"
    );
    let out = hop_in(
        &dir.0,
        &["--frames", "1", "--state", "missing.state", &one],
        b"",
    );
    assert_exit(&out, 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "hop: missing.state: no such file\n"
    );
}
