//! The X clipboard and Left's `.snarf`, under Xvfb with real key events:
//! a copy in Left lands on the clipboard (read with xclip, as another
//! program would), and text put on the clipboard by another program
//! (xclip again) is what Left pastes and saves.
//!
//! Needs Xvfb, xdotool, xwd and xclip, and Left from `../shared`;
//! without them these tests say SKIPPED and pass.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::thread::sleep;
use std::time::Duration;

use support::TempDir;
use support::xvfb::*;

const NOTES: &str = "Notes\n@ Fruit\napples\n@ Tools\nhammer\n";

fn left() -> Option<PathBuf> {
    let rom = repo("../shared/roms/apps/left.rom");
    if rom.is_file() {
        Some(rom)
    } else {
        skip(&format!("{} is missing", rom.display()));
        None
    }
}

/// One key press, slowly enough for Left to see each (a frame or more).
fn key(x: &X, name: &str) {
    x.xdo(&["key", name]);
    sleep(Duration::from_millis(100));
}

/// `name` with `modifier` held down around it.
fn chord(x: &X, modifier: &str, names: &[&str]) {
    x.xdo(&["keydown", modifier]);
    settle();
    for name in names {
        key(x, name);
    }
    x.xdo(&["keyup", modifier]);
    settle();
}

/// Starts Left on notes.txt in `dir` and selects "apples" (the end of
/// line 3, then Shift+Left six times).
fn left_with_apples_selected(x: &X, dir: &TempDir, extra: &[&str]) -> Hop {
    std::fs::write(dir.path("notes.txt"), NOTES).unwrap();
    let rom = left().unwrap();
    let mut args = vec!["--mute"];
    args.extend(extra);
    args.extend([rom.to_str().unwrap(), "notes.txt"]);
    let mut hop = Hop::start(x, &dir.0, &args);
    let window = x.window("Left", &mut hop);
    x.point(&window, 300, 300);
    sleep(Duration::from_millis(500));
    for name in [
        "Down", "Down", "Right", "Right", "Right", "Right", "Right", "Right",
    ] {
        key(x, name);
    }
    chord(x, "shift", &["Left"; 6]);
    hop
}

/// The X selection `which` as text, or None when nobody owns it.
fn selection(x: &X, which: &str) -> Option<String> {
    let out = x
        .command("xclip")
        .args(["-o", "-selection", which])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn have_xclip() -> bool {
    if on_path("xclip") {
        return true;
    }
    skip("xclip is not installed (Debian: xclip)");
    false
}

#[test]
fn copy_in_left_reaches_the_clipboard_and_the_clipboard_pastes_into_left() {
    if left().is_none() || !have_xclip() {
        return;
    }
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("clipboard");
    let mut hop = left_with_apples_selected(&x, &dir, &[]);

    chord(&x, "ctrl", &["c"]);
    let copied = wait_for("the copy on the clipboard", || {
        selection(&x, "clipboard").filter(|t| t == "apples")
    });
    assert_eq!(copied, "apples");
    assert_eq!(selection(&x, "primary").as_deref(), Some("apples"));

    // Another program copies: Left's paste takes its text over "apples".
    let mut xclip = x
        .command("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stderr(Stdio::null())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    xclip.stdin.take().unwrap().write_all(b"figs").unwrap();
    assert!(xclip.wait().unwrap().success());
    // hop reads the clipboard a few times a second.
    sleep(Duration::from_millis(600));
    chord(&x, "ctrl", &["v", "s"]);
    let saved = wait_for("Left to save", || {
        let text = std::fs::read_to_string(dir.path("notes.txt")).ok()?;
        (text != NOTES).then_some(text)
    });
    assert_eq!(saved, "Notes\n@ Fruit\nfigs\n@ Tools\nhammer\n");
    assert_eq!(std::fs::read(dir.path(".snarf")).unwrap(), b"figs");
    assert!(hop.running());
    assert_eq!(hop.stderr(), "");
}

/// `--no-clipboard`: the copy stays in `.snarf`, the clipboard has no owner.
#[test]
fn no_clipboard_keeps_the_snarf_file_to_itself() {
    if left().is_none() || !have_xclip() {
        return;
    }
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("no-clipboard");
    let mut hop = left_with_apples_selected(&x, &dir, &["--no-clipboard"]);
    chord(&x, "ctrl", &["c"]);
    wait_for("the copy in .snarf", || {
        std::fs::read(dir.path(".snarf"))
            .ok()
            .filter(|s| s == b"apples")
    });
    sleep(Duration::from_millis(300));
    assert_eq!(selection(&x, "clipboard"), None);
    assert!(hop.running());
}
