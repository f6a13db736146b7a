//! `--record OUT` in frames mode: OUT.gif holds one frame per change of
//! the screen, each exactly the screenshot of the frame it appeared at,
//! with delays on the 60 Hz clock; OUT.wav is the run's sound, the same
//! bytes as `--wav`; a long recording is streamed to disk.

mod support;

use std::path::Path;

use support::golden::{assert_exit, decode_png};
use support::{TempDir, hop_in};

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .display()
        .to_string()
}

/// A decoded GIF frame: its delay and its pixels as 0xRRGGBB.
struct Frame {
    delay: u16,
    width: usize,
    height: usize,
    pixels: Vec<u32>,
}

/// `rom`'s screen after `n` frames, as `--frames N --screenshot` saves it:
/// its size and its pixels, row by row.
fn screenshot_after(dir: &TempDir, rom: &str, n: usize) -> ((usize, usize), Vec<u32>) {
    let n = n.to_string();
    let out = hop_in(
        &dir.0,
        &["--frames", &n, "--screenshot", "shot.png", rom],
        b"",
    );
    assert_exit(&out, 0);
    let shot = decode_png(&std::fs::read(dir.path("shot.png")).unwrap());
    let pixels = (0..shot.width * shot.height)
        .map(|i| shot.pixel(i % shot.width, i / shot.width))
        .collect();
    ((shot.width, shot.height), pixels)
}

fn decode_gif(path: &Path) -> Vec<Frame> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(path).unwrap())
        .unwrap();
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        frames.push(Frame {
            delay: frame.delay,
            width: frame.width as usize,
            height: frame.height as usize,
            pixels: frame
                .buffer
                .chunks(4)
                .map(|p| u32::from_be_bytes([0, p[0], p[1], p[2]]))
                .collect(),
        });
    }
    frames
}

/// steps.tal changes its picture at frames 1, 3, 5 and 7: eight frames
/// give four GIF frames of 3, 4, 3 and 3 hundredths (the 60 Hz clock in
/// hundredths: 0, 3, 7, 10, 13), each the screenshot after 1, 3, 5 and 7
/// frames.
#[test]
fn a_frames_recording_is_each_changed_frame_as_its_screenshot() {
    let dir = TempDir::new("record");
    let rom = repo("tests/record/steps.tal");
    let out = hop_in(&dir.0, &["--frames", "8", "--record", "run", &rom], b"");
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let frames = decode_gif(&dir.path("run.gif"));
    assert_eq!(frames.len(), 4, "one GIF frame per change");
    let delays: Vec<u16> = frames.iter().map(|f| f.delay).collect();
    assert_eq!(delays, [3, 4, 3, 3]);
    for (k, frame) in frames.iter().enumerate() {
        let n = 2 * k + 1;
        let (size, expected) = screenshot_after(&dir, &rom, n);
        assert_eq!((frame.width, frame.height), size);
        assert!(
            frame.pixels == expected,
            "GIF frame {k} is not the screenshot after {n} frames"
        );
    }
    // The sound beside it: what --wav writes for the same run.
    let out = hop_in(&dir.0, &["--frames", "8", "--wav", "alone.wav", &rom], b"");
    assert_exit(&out, 0);
    let wav = std::fs::read(dir.path("run.wav")).unwrap();
    assert_eq!(wav, std::fs::read(dir.path("alone.wav")).unwrap());
    assert!(wav[44..].iter().any(|&b| b != 0), "the note is in it");
}

/// 6000 frames (100 s) of a screen that changes at every frame, under 100
/// MiB of address space: kept in memory, the frames alone would take
/// 240 MB.
#[test]
fn a_long_recording_is_streamed_to_disk() {
    let dir = TempDir::new("record-long");
    let rom = repo("tests/record/fill.tal");
    let out = support::hop()
        .dir(&dir.0)
        .args(["--frames", "6000", "--record", "long.gif", &rom])
        .memory_limit(100 * 1024)
        .output();
    assert_exit(&out, 0);
    let frames = decode_gif(&dir.path("long.gif"));
    assert_eq!(frames.len(), 6000);
    // Pixel n is lit by frame n.
    let last = &frames[5999];
    assert_eq!(last.pixels[5999], last.pixels[0]);
    assert_ne!(last.pixels[6000], last.pixels[0]);
    let wav = std::fs::metadata(dir.path("long.wav")).unwrap().len();
    assert_eq!(wav, 44 + 6000 * 735 * 4);
}

#[test]
fn record_needs_a_screen_and_a_writable_place() {
    let dir = TempDir::new("record-bad");
    let rom = repo("tests/record/steps.tal");
    let out = hop_in(&dir.0, &["--headless", "--record", "x", &rom], b"");
    assert_exit(&out, 2);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "hop: --record needs --frames (or the desktop): the console runner has no screen\n"
    );
    let out = hop_in(
        &dir.0,
        &["--frames", "2", "--record", "no/such/dir/x", &rom],
        b"",
    );
    assert_exit(&out, 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("hop: cannot write no/such/dir/x.gif: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

/// The desktop under Xvfb: `--record` records from the start (the title
/// says so) and F10 stops it: every picture steps.tal shows (it stops
/// changing after 63 frames) is in the GIF, each the headless screenshot
/// of its frame. F10 again starts `hop-rec-1`, and quitting with F3
/// finishes it.
#[test]
#[cfg(feature = "desktop")]
fn the_desktop_records_from_the_start_and_f10_stops_and_starts() {
    use support::xvfb::{Hop, X, settle, wait_for};
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("record-desktop");
    let rom = repo("tests/record/steps.tal");
    let mut hop = Hop::start(&x, &dir.0, &["--mute", "--record", "run", &rom]);
    let window = x.window("steps.tal (recording)", &mut hop);
    x.point(&window, 10, 10);
    // 63 frames and more.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    x.keys(&["F10"]);
    x.window("steps.tal", &mut hop);
    wait_for("the saved line", || {
        hop.stderr()
            .contains("hop: saved run.gif and run.wav\n")
            .then_some(())
    });
    let frames = decode_gif(&dir.path("run.gif"));
    assert_eq!(frames.len(), 32, "x = 1, 3 ... 63");
    for k in [0, 1, 2, 31] {
        let (_, expected) = screenshot_after(&dir, &rom, 2 * k + 1);
        assert!(frames[k].pixels == expected, "GIF frame {k}");
    }
    let wav = std::fs::read(dir.path("run.wav")).unwrap();
    assert!(wav.len() > 44 + 60 * 735 * 4, "a second of sound at least");
    assert!(wav[44..].iter().any(|&b| b != 0), "the note is in it");

    x.keys(&["F10"]);
    x.window("steps.tal (recording)", &mut hop);
    settle();
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
    let frames = decode_gif(&dir.path("hop-rec-1.gif"));
    assert!(!frames.is_empty());
    assert!(std::fs::metadata(dir.path("hop-rec-1.wav")).unwrap().len() >= 44);
}

/// With a sound device (ALSA's null device standing in for a card: its
/// thread pulls samples faster than real time), the recording's sound is
/// what the stream played: the note of steps.tal is in the WAV.
#[test]
#[cfg(feature = "desktop")]
fn the_desktop_records_what_the_sound_device_plays() {
    use std::process::Stdio;
    use support::xvfb::{Hop, X};
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("record-sound");
    let home = dir.path("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(".asoundrc"), "pcm.!default { type null }\n").unwrap();
    let stderr = dir.path("stderr.txt");
    let child = x
        .command(support::HOP)
        .args(["--record", "run", &repo("tests/record/steps.tal")])
        .current_dir(&dir.0)
        .env("HOME", &home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let mut hop = Hop { child, stderr };
    let window = x.window("steps.tal (recording)", &mut hop);
    x.point(&window, 10, 10);
    std::thread::sleep(std::time::Duration::from_millis(1000));
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
    assert_eq!(hop.stderr(), "", "a device, no complaint");
    let wav = std::fs::read(dir.path("run.wav")).unwrap();
    assert!(wav.len() > 44 + 735 * 4, "{} bytes", wav.len());
    assert!(wav[44..].iter().any(|&b| b != 0), "the note is in it");
    assert!(!decode_gif(&dir.path("run.gif")).is_empty());
}
