//! The desktop's sessions under Xvfb, driven as a person would: a ROM
//! stuck in a vector never freezes the window (it says it is busy, F5
//! acts at once, the time limit stops the ROM with a notice), a ROM stuck
//! in its reset vector opens its window anyway, and a ROM opened after
//! start gets only the documents dropped with it.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;
use std::process::Stdio;
use support::TempDir;
use support::xvfb::*;

/// Waits until `window`'s title is `title`.
fn wait_for_title(x: &X, window: &str, title: &str) {
    wait_for(&format!("the title {title:?}"), || {
        (x.xdotool(&["getwindowname", window]).ok()? == title).then_some(())
    });
}

#[test]
fn a_stuck_vector_leaves_the_window_alive_and_is_stopped_at_the_time_limit() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("stuck-vector");
    let rom = repo("tests/desktop/runaway.tal");
    // No jump budget: only the time limit stops it.
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &[
            "--mute",
            "--budget",
            "0",
            "--timeout",
            "2",
            rom.to_str().unwrap(),
        ],
    );
    let window = x.window("runaway.tal", &mut hop);
    x.point(&window, 10, 10);
    // A key runs the controller vector, which never reaches BRK: the
    // window goes on and its title says so.
    x.keys(&["a"]);
    wait_for_title(&x, &window, "runaway.tal (busy)");
    // F5 acts while the vector runs: a fresh machine, not busy.
    x.keys(&["F5"]);
    wait_for_title(&x, &window, "runaway.tal");
    wait_for("the reset notice", || {
        hop.stderr().contains("hop: reset").then_some(())
    });
    // Stuck again: after two seconds of running it is stopped, and the
    // window and stderr say why.
    x.keys(&["b"]);
    wait_for_title(&x, &window, "runaway.tal (busy)");
    wait_for_title(&x, &window, "runaway.tal (stopped)");
    let shot = x.capture(&window);
    let bottom = &shot.pixels[(shot.height - 1) * shot.width..];
    assert!(bottom.iter().all(|&p| p == 0x202020), "the notice's bar");
    let stderr = hop.stderr();
    assert!(
        stderr.contains("hop: runaway.tal: the vector at 0x0113 ran for 2 s without reaching BRK")
            && stderr.contains("F4 reloads it, F5 resets it"),
        "{stderr}"
    );
    // F4 still works.
    x.keys(&["F4"]);
    wait_for_title(&x, &window, "runaway.tal");
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
}

#[test]
fn a_rom_stuck_in_its_reset_vector_opens_its_window_busy() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("stuck-reset");
    let rom = repo("tests/desktop/stuck.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &[
            "--mute",
            "--budget",
            "0",
            "--timeout",
            "3",
            rom.to_str().unwrap(),
        ],
    );
    // The window is there while the reset vector still runs.
    let window = x.window("stuck.tal (busy)", &mut hop);
    wait_for_title(&x, &window, "stuck.tal (stopped)");
    assert!(hop.running(), "the window stays");
    x.point(&window, 10, 10);
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
}

/// The console bytes of type 2 (arguments) in events.tal's log, as text,
/// one string per boot (each ends at its type 4).
fn arguments_seen(log: &str) -> Vec<String> {
    let mut boots = vec![String::new()];
    for line in log.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            ["I", "02", byte] => {
                let byte = u8::from_str_radix(byte, 16).unwrap();
                boots.last_mut().unwrap().push(byte as char);
            }
            ["I", "03", _] => boots.last_mut().unwrap().push('|'),
            ["I", "04", _] => boots.push(String::new()),
            _ => {}
        }
    }
    boots.retain(|b| !b.is_empty());
    boots
}

#[test]
fn a_dropped_rom_gets_only_the_documents_dropped_with_it() {
    let Some(x) = X::start() else { return };
    let Some(python) = gtk_python() else {
        skip("no Python with GTK 3 for the drag source (Debian: python3-gi gir1.2-gtk-3.0)");
        return;
    };
    let dir = TempDir::new("drop-args");
    let rom = dir.0.join("events.tal");
    std::fs::copy(repo("tests/desktop/events.tal"), &rom).unwrap();
    dir.file("notes.txt", "first document");
    let other = dir.file("other.txt", "second document");
    let log = dir.0.join("stdout.txt");
    let mut hop = Hop::start_with(
        &x,
        &dir.0,
        &["--mute", "events.tal", "notes.txt"],
        Stdio::null(),
        std::fs::File::create(&log).unwrap().into(),
    );
    let window = x.window("input events", &mut hop);
    let read = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_for("the first boot's arguments", || {
        (arguments_seen(&read()) == ["notes.txt"]).then_some(())
    });
    // A drop of a text file alone: refused, the ROM runs on untouched.
    drag_files(&x, python, &window, &[other.as_path()]);
    wait_for("the refusal", || {
        hop.stderr()
            .contains("hop: other.txt: not a ROM")
            .then_some(())
    });
    assert!(hop.running());
    // The ROM dropped with a document gets that document, not notes.txt.
    drag_files(&x, python, &window, &[rom.as_path(), other.as_path()]);
    let other_name = other.to_str().unwrap().to_string();
    wait_for("the second boot's arguments", || {
        (arguments_seen(&read()) == ["notes.txt", other_name.as_str()]).then_some(())
    });
    assert!(hop.running());
}

/// The window's picture without the bottom rows, where notices show.
fn above_notices(shot: &Image) -> Vec<u32> {
    shot.pixels[..shot.width * (shot.height - 16)].to_vec()
}

#[test]
fn f9_saves_the_machine_and_shift_f9_brings_it_back_and_a_damaged_one_is_refused() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("snapshot-keys");
    // A copy, so the snapshot is written beside it in the test's folder.
    std::fs::copy(repo("tests/desktop/input.tal"), dir.0.join("input.tal")).unwrap();
    let mut hop = Hop::start(&x, &dir.0, &["--mute", "--scale", "1", "input.tal"]);
    let window = x.window("input log", &mut hop);
    x.point(&window, 20, 20);
    x.keys(&["a", "b"]);
    settle();
    x.keys(&["F9"]);
    let state = dir.0.join("input.tal.state");
    wait_for("the snapshot", || state.is_file().then_some(()));
    wait_for("the notice", || {
        hop.stderr()
            .contains("hop: saved the machine to input.tal.state")
            .then_some(())
    });
    // Let the notice go, then the picture as saved.
    std::thread::sleep(std::time::Duration::from_millis(4200));
    let saved = x.capture(&window);

    // More input changes the log; Shift+F9 brings the saved one back.
    x.keys(&["c", "d", "e"]);
    settle();
    assert!(above_notices(&x.capture(&window)) != above_notices(&saved));
    x.keys(&["shift+F9"]);
    wait_for("the restore", || {
        hop.stderr()
            .contains("hop: restored the machine from input.tal.state")
            .then_some(())
    });
    wait_for("the saved picture", || {
        (above_notices(&x.capture(&window)) == above_notices(&saved)).then_some(())
    });
    // Shift's release, after the restore, is not the restored machine's.
    settle();
    assert!(
        above_notices(&x.capture(&window)) == above_notices(&saved),
        "exactly as saved"
    );

    // It runs on from there: a key adds to the log as it would have then.
    x.keys(&["c"]);
    settle();
    let after = x.capture(&window);
    assert!(above_notices(&after) != above_notices(&saved));

    // A damaged snapshot is refused and the machine runs on untouched.
    let mut bytes = std::fs::read(&state).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&state, bytes).unwrap();
    x.keys(&["shift+F9"]);
    wait_for("the refusal", || {
        hop.stderr()
            .contains("hop: cannot restore input.tal.state: the snapshot is damaged (its checksum does not match)")
            .then_some(())
    });
    // (Shift is Controller Select, which this ROM logs: the refusal
    // changed nothing else.)
    settle();
    let refused = x.capture(&window);
    assert!(hop.running());
    x.keys(&["shift"]);
    settle();
    assert!(
        above_notices(&x.capture(&window)) != above_notices(&refused),
        "Select is logged"
    );
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
}
