//! Input that must not be lost, under Xvfb with real X events: clicks
//! shorter than a frame, fast strokes, quick key taps a ROM polls for,
//! keys held when the window loses focus, non-ASCII text, and standard
//! input piped to a desktop ROM.
//!
//! `tests/desktop/events.tal` prints every event it gets on the console,
//! one line each, and what its screen vector sees change, and plots a
//! pixel where the pointer is while a button is down; the tests read hop's
//! standard output and the window's pixels.
//! Needs Xvfb, xdotool and xwd (see tests/support/xvfb.rs); without them
//! the tests say SKIPPED and pass.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::TempDir;
use support::xvfb::*;

/// events.tal running at zoom 2, its stdout in a file.
struct Events {
    hop: Hop,
    window: String,
    stdout: PathBuf,
}

impl Events {
    fn start(x: &X, dir: &TempDir, stdin: Stdio) -> Events {
        Events::start_with(x, dir, stdin, &[])
    }

    /// The same with more options before the ROM.
    fn start_with(x: &X, dir: &TempDir, stdin: Stdio, options: &[&str]) -> Events {
        let stdout = dir.path("stdout.txt");
        let rom = repo("tests/desktop/events.tal");
        let mut args = vec!["--mute", "--scale", "2"];
        args.extend(options);
        args.push(rom.to_str().unwrap());
        let mut hop = Hop::start_with(
            x,
            &dir.0,
            &args,
            stdin,
            std::fs::File::create(&stdout).unwrap().into(),
        );
        let window = x.window("input events", &mut hop);
        Events {
            hop,
            window,
            stdout,
        }
    }

    /// The lines printed so far.
    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.stdout)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The lines starting with `tag` (without it), once `done` says they
    /// are complete or after a few seconds.
    fn wait_lines(&self, tag: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let start = Instant::now();
        loop {
            let lines: Vec<String> = self
                .lines()
                .iter()
                .filter_map(|l| l.strip_prefix(tag).map(str::to_string))
                .collect();
            if done(&lines) || start.elapsed() > Duration::from_secs(3) {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The Mouse/state of each `M` line, with repeats removed: the button
/// changes the ROM saw, in order.
fn button_changes(mouse: &[String]) -> Vec<String> {
    let mut states: Vec<String> = mouse
        .iter()
        .map(|l| l.split(' ').nth(2).unwrap().to_string())
        .collect();
    states.dedup();
    states
}

/// A real right click is Mouse/state 02 in the 2026 profile (events.tal
/// names no Varvara version, so hop picks 2026) and 04 with `--compat
/// 2025`, and stays so after F4 reloads the ROM.
#[test]
fn the_right_button_follows_the_profile_after_a_reload() {
    let Some(x) = X::start() else { return };
    for (options, right) in [(&[][..], "02"), (&["--compat", "2025"][..], "04")] {
        let dir = TempDir::new("right-button");
        let events = Events::start_with(&x, &dir, Stdio::null(), options);
        x.point(&events.window, 100, 80);
        x.xdo(&["click", "3"]);
        let before = events.wait_lines("M ", |m| button_changes(m).len() >= 3);
        assert_eq!(button_changes(&before), ["00", right, "00"], "{options:?}");
        x.keys(&["F4"]);
        x.point(&events.window, 90, 70);
        x.xdo(&["click", "3"]);
        let after = events.wait_lines("M ", |m| button_changes(m).len() >= 5);
        assert_eq!(
            button_changes(&after),
            ["00", right, "00", right, "00"],
            "{options:?}, after F4"
        );
    }
}

#[test]
fn clicks_shorter_than_a_frame_all_reach_the_mouse_vector() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("clicks");
    let mut events = Events::start(&x, &dir, Stdio::null());
    x.point(&events.window, 100, 80);
    // xdotool presses and releases at once: far less than a 60 Hz frame,
    // like a tap on a touchpad.
    for _ in 0..20 {
        x.xdo(&["click", "1"]);
        std::thread::sleep(Duration::from_millis(30));
    }
    let mouse = events.wait_lines("M ", |m| button_changes(m).len() >= 41);
    let changes = button_changes(&mouse);
    let presses = changes.iter().filter(|s| *s == "01").count();
    let releases = changes.iter().filter(|s| *s == "00").count();
    let mut expected = vec!["00".to_string()];
    for _ in 0..20 {
        expected.extend(["01".to_string(), "00".to_string()]);
    }
    assert_eq!(
        changes, expected,
        "presses seen: {presses} of 20, releases {releases} of 20"
    );
    // Every press and release ran the vector at the click's place.
    assert!(
        mouse.iter().all(|l| l.starts_with("0032 0028 ")),
        "{mouse:?}"
    );
    // And a screen vector that polls Mouse/state saw each click.
    let polled = events.wait_lines("P ", |p| p.len() >= 40);
    let expected: Vec<String> = ["0032 0028 01", "0032 0028 00"]
        .repeat(20)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(polled, expected, "clicks seen by the screen vector");
    assert!(events.hop.running());
    assert_eq!(events.hop.stderr(), "");
}

#[test]
fn a_fast_stroke_reaches_the_mouse_vector_point_by_point() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("stroke");
    let events = Events::start(&x, &dir, Stdio::null());
    x.point(&events.window, 20, 20);
    // A quick curve, all in one xdotool run: a dozen motions in a few
    // milliseconds, while the button is down.
    let points: Vec<(usize, usize)> = (0..12).map(|i| (40 + i * 30, 40 + (i * i * 2))).collect();
    let mut args = vec!["mousedown".to_string(), "1".to_string()];
    for (px, py) in &points {
        args.extend(
            [
                "mousemove",
                "--window",
                &events.window,
                &px.to_string(),
                &py.to_string(),
            ]
            .map(str::to_string),
        );
    }
    args.extend(["mouseup", "1"].map(str::to_string));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    x.xdo(&args);
    let wanted: Vec<String> = points
        .iter()
        .map(|(px, py)| format!("{:04x} {:04x} 01", px / 2, py / 2))
        .collect();
    let seen = |mouse: &[String]| -> Vec<String> {
        mouse
            .iter()
            .map(|l| l[..12].to_string())
            .filter(|l| wanted.contains(l))
            .collect()
    };
    let mouse = events.wait_lines("M ", |m| seen(m).len() >= wanted.len());
    // A screen vector that polls the mouse (as Noodle does) sees the press
    // where it happened, not where the pointer was by the frame's end.
    let polled = events.wait_lines("P ", |p| p.len() >= 2);
    assert_eq!(
        polled,
        ["000a 000a 01", "00b9 008d 00"],
        "the screen vector's view"
    );
    let got = seen(&mouse);
    assert_eq!(
        got,
        wanted,
        "points seen with the button down: {} of {}",
        got.len(),
        wanted.len()
    );
    // The ROM plotted each of them: the window shows the stroke's points.
    settle();
    let picture = x.capture(&events.window).unzoom(2);
    let background = picture.pixels[picture.width * 159];
    let plotted = points
        .iter()
        .filter(|(px, py)| picture.pixels[py / 2 * picture.width + px / 2] != background)
        .count();
    assert_eq!(plotted, points.len(), "points plotted in the window");
}

#[test]
fn quick_key_taps_are_seen_by_a_screen_vector_that_polls() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("taps");
    let events = Events::start(&x, &dir, Stdio::null());
    x.point(&events.window, 100, 80);
    // Each tap's press and release come a few milliseconds apart.
    for _ in 0..20 {
        x.xdo(&["key", "Up"]);
        std::thread::sleep(Duration::from_millis(30));
    }
    let polled = events.wait_lines("S ", |s| s.len() >= 40);
    let taps = polled.iter().filter(|s| *s == "10").count();
    let expected: Vec<String> = ["10", "00"]
        .repeat(20)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        polled, expected,
        "taps seen by the screen vector: {taps} of 20"
    );
    // The controller vector saw every press and release too.
    let controller = events.wait_lines("C ", |c| c.len() >= 40);
    let expected: Vec<String> = ["10 00", "00 00"]
        .repeat(20)
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(controller, expected);
}

#[test]
fn keys_held_when_focus_leaves_are_released() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("focus");
    let events = Events::start(&x, &dir, Stdio::null());
    // No window manager: focus follows the pointer, to the root window
    // when it leaves hop's.
    x.point(&events.window, 100, 80);
    x.xdo(&["keydown", "ctrl"]);
    settle();
    x.xdo(&["mousemove", "1200", "1000"]);
    settle();
    x.xdo(&["keyup", "ctrl"]);
    settle();
    x.point(&events.window, 100, 80);
    x.xdo(&["key", "a"]);
    let controller = events.wait_lines("C ", |c| c.len() >= 3);
    assert_eq!(
        controller,
        ["01 00", "00 00", "00 61"],
        "Ctrl down, released when focus left, then a plain a"
    );
    // Back with a key held: the ROM learns it is down.
    x.xdo(&["mousemove", "1200", "1000"]);
    settle();
    x.xdo(&["keydown", "Left"]);
    settle();
    x.point(&events.window, 100, 80);
    x.xdo(&["keyup", "Left"]);
    let controller = events.wait_lines("C ", |c| c.len() >= 5);
    assert_eq!(controller[3..], ["40 00", "00 00"]);
}

#[test]
fn keys_and_buttons_held_when_the_focus_moves_away_are_released() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("focus-moves");
    let events = Events::start(&x, &dir, Stdio::null());
    // A second window to take the focus, as a window manager gives it,
    // with the pointer staying over hop's.
    let mut other = Hop::start(&x, &dir.0, &["--mute"]);
    let other = x.window("hop launcher", &mut other);
    x.xdo(&["windowmove", "--sync", &other, "700", "500"]);
    x.point(&events.window, 100, 80);
    x.xdo(&["windowfocus", "--sync", &events.window]);
    x.xdo(&["keydown", "ctrl"]);
    x.xdo(&["mousedown", "1"]);
    settle();
    // Held means the ROM saw them down: the button comes on hop's second
    // X connection (XInput2), which a loaded machine may read a frame late.
    events.wait_lines("M ", |m| button_changes(m).contains(&"01".to_string()));
    events.wait_lines("C ", |c| !c.is_empty());
    x.xdo(&["windowfocus", "--sync", &other]);
    settle();
    x.xdo(&["keyup", "ctrl"]);
    x.xdo(&["mouseup", "1"]);
    x.xdo(&["windowfocus", "--sync", &events.window]);
    settle();
    x.xdo(&["type", "a"]);
    let controller = events.wait_lines("C ", |c| c.len() >= 3);
    assert_eq!(controller, ["01 00", "00 00", "00 61"]);
    let mouse = events.wait_lines("M ", |_| true);
    assert_eq!(
        button_changes(&mouse),
        ["00", "01", "00"],
        "the button is released once, when the focus leaves: {mouse:?}"
    );
}

#[test]
fn non_ascii_text_arrives_as_utf8_bytes() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("utf8");
    let events = Events::start(&x, &dir, Stdio::null());
    x.point(&events.window, 100, 80);
    x.xdo(&["type", "a"]);
    // A layout with these letters, loaded while hop runs (and after its
    // keymap was first read): eacute, EuroSign, ntilde, udiaeresis.
    x.bind_keysyms(&[0xe9, 0x20ac, 0xf1, 0xfc]);
    x.xdo(&["type", "--delay", "50", "é€ñü"]);
    let controller = events.wait_lines("C ", |c| c.len() >= 10);
    let bytes: Vec<&str> = controller
        .iter()
        .filter_map(|l| l.strip_prefix("00 "))
        .collect();
    let expected = ["61", "c3", "a9", "e2", "82", "ac", "c3", "b1", "c3", "bc"];
    assert_eq!(bytes, expected, "{controller:?}");
}

#[test]
fn standard_input_reaches_a_desktop_rom() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("stdin");
    std::fs::write(dir.path("input.txt"), "hi\n").unwrap();
    let stdin = std::fs::File::open(dir.path("input.txt")).unwrap();
    let mut events = Events::start(&x, &dir, stdin.into());
    let console = events.wait_lines("I ", |c| c.len() >= 4);
    assert_eq!(console, ["01 68", "01 69", "01 0a", "04 0a"]);
    assert!(events.hop.running(), "the end of input does not end hop");
    drop(events);
    // An empty input, as a desktop launcher starts hop, sends nothing: the
    // end marker alone would make Noodle open a file with an empty name.
    let dir = TempDir::new("no-stdin");
    let events = Events::start(&x, &dir, Stdio::null());
    x.point(&events.window, 100, 80);
    x.keys(&["a"]);
    let controller = events.wait_lines("C ", |c| !c.is_empty());
    assert_eq!(controller, ["00 61"], "the ROM is running");
    assert_eq!(events.wait_lines("I ", |_| true), [] as [String; 0]);
}

#[test]
fn standard_input_waits_for_the_rom_the_launcher_starts() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("stdin-launcher");
    std::fs::copy(repo("tests/desktop/events.tal"), dir.path("events.tal")).unwrap();
    std::fs::write(dir.path("input.txt"), "hi\n").unwrap();
    let stdin = std::fs::File::open(dir.path("input.txt")).unwrap();
    let stdout = dir.path("stdout.txt");
    let mut hop = Hop::start_with(
        &x,
        &dir.0,
        &["--mute"],
        stdin.into(),
        std::fs::File::create(&stdout).unwrap().into(),
    );
    let launcher = x.window("hop launcher", &mut hop);
    x.point(&launcher, 4, 4);
    x.keys(&["Down", "Return"]);
    let window = x.window("input events", &mut hop);
    let events = Events {
        hop,
        window,
        stdout,
    };
    let console = events.wait_lines("I ", |c| c.len() >= 4);
    assert_eq!(console, ["01 68", "01 69", "01 0a", "04 0a"]);
}
