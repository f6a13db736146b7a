//! The ROMs hop ships as Uxntal (roms/*.tal and the launcher) run in the
//! headless runner with scripted input and draw what they should.

mod support;

use std::path::{Path, PathBuf};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs `rom` for `frames` frames with `script` in `dir`; the screenshot's
/// pixels (0RGB) and stdout.
fn run(dir: &Path, rom: &Path, frames: u32, script: &str, extra: &[&str]) -> (Vec<u32>, String) {
    std::fs::create_dir_all(dir).unwrap();
    let input = dir.join("input.txt");
    std::fs::write(&input, script).unwrap();
    let shot = dir.join("shot.png");
    let out = support::hop()
        .args(["--frames", &frames.to_string(), "--input"])
        .arg(&input)
        .arg("--screenshot")
        .arg(&shot)
        .args(extra)
        .arg(rom)
        .dir(dir)
        .output();
    assert!(
        out.status.success(),
        "{}: {}",
        rom.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(3)
        .map(|p| u32::from_be_bytes([0, p[0], p[1], p[2]]))
        .collect();
    (pixels, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn colours(pixels: &[u32]) -> usize {
    let mut seen: Vec<u32> = pixels.to_vec();
    seen.sort();
    seen.dedup();
    seen.len()
}

fn scratch(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("hop-demo-{}-{test}", std::process::id()))
}

#[test]
fn the_piano_lights_the_keys_it_plays() {
    let dir = scratch("piano");
    let rom = repo("roms/piano.tal");
    let (quiet, _) = run(&dir, &rom, 2, "", &[]);
    let (playing, _) = run(
        &dir,
        &rom,
        10,
        "2 key a\n4 key u\n6 mouse 150 40\n7 mousedown 1\n8 mouseup 1\n",
        &[],
    );
    assert_eq!(colours(&quiet), 3, "night, ivory and black keys");
    assert_eq!(colours(&playing), 4, "and teal for the keys that sound");
    // (That the keys go dark when their notes end is checked on the
    // desktop, tests/desktop.rs: here the piano reads each voice's
    // loudness once a frame, and an envelope always ends on a frame's last
    // sample, where that read stops the note without a finish event, as in
    // the reference.)
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_clock_shows_the_emulated_time() {
    let dir = scratch("clock");
    let rom = repo("roms/clock.tal");
    let (one, _) = run(&dir, &rom, 2, "", &["--clock", "1795000000"]);
    let (same, _) = run(&dir, &rom, 2, "", &["--clock", "1795000000"]);
    let (later, _) = run(&dir, &rom, 2, "", &["--clock", "1795000001"]);
    assert!(one == same, "the same time, the same picture");
    assert!(one != later, "a second later");
    assert_eq!(colours(&one), 4);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_sketch_draws_strokes() {
    let dir = scratch("sketch");
    let rom = repo("roms/sketch.tal");
    let (blank, _) = run(&dir, &rom, 2, "", &[]);
    let stroke = "0 mouse 20 20\n1 mousedown 1\n2 mouse 120 60\n3 mouseup 1\n";
    let (drawn, _) = run(&dir, &rom, 5, stroke, &[]);
    assert!(blank != drawn, "the stroke shows");
    // `c` clears the page; the pointer stays where it was.
    let (cleared, _) = run(
        &dir,
        &rom,
        8,
        &format!("{stroke}4 mouse 0 0\n5 key c\n"),
        &[],
    );
    let (pointer_only, _) = run(&dir, &rom, 3, "0 mouse 0 0\n", &[]);
    assert!(cleared == pointer_only, "c clears the page");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_launcher_prints_the_picked_path() {
    let dir = scratch("launcher");
    std::fs::create_dir_all(dir.join("roms/sub")).unwrap();
    for name in [
        "b.rom",
        "a.tal",
        "notes.txt",
        "roms/c.tal",
        "roms/sub/d.rom",
    ] {
        std::fs::write(dir.join(name), b"\x00").unwrap();
    }
    let launcher = repo("assets/launcher.tal");
    // a.tal, b.rom, roms/c.tal: the third by the keyboard, the second by a
    // click on its row (rows are 12 pixels from y = 28).
    let (_, out) = run(
        &dir,
        &launcher,
        10,
        "1 press down\n2 release down\n3 press down\n4 key 0x0d\n",
        &[],
    );
    assert_eq!(out, "roms/c.tal\n");
    let (_, out) = run(&dir, &launcher, 10, "1 mouse 40 45\n2 mousedown 1\n", &[]);
    assert_eq!(out, "b.rom\n");
    let (_, out) = run(&dir, &launcher, 10, "1 key 0x1b\n", &[]);
    assert_eq!(out, "", "Escape picks nothing");
    let _ = std::fs::remove_dir_all(dir);
}
