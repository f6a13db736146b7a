//! The desktop under Xvfb, driven by xdotool as a person would: keys,
//! clicks and the wheel give the same pixels as the headless runner given
//! the same events; F1 zooms; a dropped file replaces the ROM; the
//! launcher starts what is picked; an audio ROM runs with no sound card;
//! a runaway vector leaves the window responsive; an idle ROM costs little.
//!
//! Needs Xvfb, xdotool and xwd (Debian: xvfb xdotool x11-apps), and for
//! the drop a Python with GTK 3 (python3-gi gir1.2-gtk-3.0). Without them
//! the tests say SKIPPED and pass; CI installs them.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::TempDir;
use support::xvfb::*;

#[test]
fn keys_clicks_and_wheel_match_the_headless_runner() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("input");
    let rom = repo("tests/desktop/input.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--scale", "2", rom.to_str().unwrap()],
    );
    let window = x.window("input log", &mut hop);
    assert_eq!(x.window_size(&window), (512, 320), "256x160 at zoom 2");
    // xdotool releases alt+Right's keys in the order it pressed them, and
    // types an upper-case letter with Shift held: the script says so too.
    // Keys need the pointer over the window (no window manager: focus
    // follows the pointer). Moves alone draw nothing.
    x.point(&window, 100, 80);
    x.keys(&[
        "ctrl+n",
        "ctrl+shift+s",
        "h",
        "i",
        "Return",
        "BackSpace",
        "Escape",
        "Delete",
    ]);
    x.keys(&[
        "shift+Tab",
        "alt+Right",
        "Home",
        "Up",
        "Down",
        "ctrl+o",
        "ctrl+z",
        "Left",
    ]);
    x.xdo(&["type", "--delay", "50", "Ab1"]);
    settle();
    x.xdo(&["mousedown", "1"]);
    settle();
    x.xdo(&["mouseup", "1"]);
    settle();
    x.xdo(&["click", "4"]); // wheel up
    settle();
    x.point(&window, 200, 120);
    x.xdo(&["mousedown", "3"]);
    settle();
    x.xdo(&["mouseup", "3"]);
    settle();
    x.xdo(&["click", "5"]); // wheel down
    settle();
    x.xdo(&["click", "5"]);
    settle();
    x.xdo(&["mousedown", "1"]);
    settle();
    x.xdo(&["mouseup", "1"]);
    settle();
    let window_picture = x.capture(&window).unzoom(2);
    let script = "\
        0 press a\n1 key n\n2 release a\n\
        3 press a\n4 press select\n5 key S\n6 release select\n7 release a\n\
        8 text hi\n9 key 0x0d\n10 key 0x08\n11 key 0x1b\n12 key 0x7f\n\
        13 press select\n14 key 0x09\n15 release select\n\
        16 press b\n17 press right\n18 release b\n19 release right\n\
        20 press start\n21 release start\n22 press up\n23 release up\n24 press down\n25 release down\n\
        26 press a\n27 key o\n28 release a\n29 press a\n30 key z\n31 release a\n\
        32 press left\n33 release left\n\
        34 press select\n34 key A\n34 release select\n34 text b1\n\
        35 mouse 50 40\n36 mousedown 1\n37 mouseup 1\n38 scroll 0 -1\n\
        39 mouse 100 60\n40 mousedown 3\n41 mouseup 3\n42 scroll 0 1\n43 scroll 0 1\n\
        44 mousedown 1\n45 mouseup 1\n";
    let expected = headless(&dir.0, &rom, 50, script);
    assert!(hop.running(), "hop is still running");
    assert_eq!(
        log_cells(&window_picture),
        log_cells(&expected),
        "the input log: the window's, then the headless runner's"
    );
    assert!(window_picture == expected, "the markers differ");
    // F1 cycles the zooms that fit the 1280x1024 display: 2 -> 3 -> 4 -> 1.
    x.keys(&["F1"]);
    wait_for("zoom 3", || {
        (x.window_size(&window) == (768, 480)).then_some(())
    });
    x.keys(&["F1"]);
    wait_for("zoom 4", || {
        (x.window_size(&window) == (1024, 640)).then_some(())
    });
    x.keys(&["F1"]);
    wait_for("zoom 1", || {
        (x.window_size(&window) == (256, 160)).then_some(())
    });
    settle();
    assert_eq!(
        x.capture(&window),
        expected,
        "zoom 1 shows the same picture"
    );
    x.point(&window, 10, 10);
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0, "F3 quits");
    assert_eq!(hop.stderr(), "");
}

/// A Python that has GTK 3 (Debian's own, not a pyenv one).
#[test]
fn a_dropped_file_replaces_the_rom() {
    let Some(x) = X::start() else { return };
    let Some(python) = gtk_python() else {
        skip("no Python with GTK 3 for the drag source (Debian: python3-gi gir1.2-gtk-3.0)");
        return;
    };
    let dir = TempDir::new("drop");
    // A file name that needs percent-encoding in the URI; the piano
    // includes lib/font.tal.
    std::fs::create_dir_all(dir.0.join("roms/lib")).unwrap();
    let dropped = dir.0.join("roms/my piano.tal");
    std::fs::copy(repo("roms/piano.tal"), &dropped).unwrap();
    std::fs::copy(repo("assets/font.tal"), dir.0.join("roms/lib/font.tal")).unwrap();
    let rom = repo("tests/desktop/input.tal");
    let mut hop = Hop::start(&x, &dir.0, &["--mute", rom.to_str().unwrap()]);
    let window = x.window("input log", &mut hop);
    // The drag source: a GTK window at (0, 0) offering the file.
    drag_files(&x, python, &window, &[dropped.as_path()]);
    // The piano takes over the window: its name, its size (at the
    // default zoom, 4x on this display).
    let piano = x.window("piano", &mut hop);
    assert_eq!(piano, window, "the same window");
    wait_for("the piano's size", || {
        (x.window_size(&window) == (896, 576)).then_some(())
    });
    assert!(hop.running());
    assert_eq!(hop.stderr(), "");
}

/// A folder with the piano (roms/piano.tal, which includes
/// lib/font.tal) and input.tal.
fn piano_folder(test: &str) -> TempDir {
    let dir = TempDir::new(test);
    std::fs::create_dir_all(dir.0.join("roms/lib")).unwrap();
    std::fs::copy(repo("tests/desktop/input.tal"), dir.0.join("input.tal")).unwrap();
    std::fs::copy(repo("roms/piano.tal"), dir.0.join("roms/piano.tal")).unwrap();
    std::fs::copy(repo("assets/font.tal"), dir.0.join("roms/lib/font.tal")).unwrap();
    dir
}

/// Plays the piano in `window`: a key lights up (checked if `paced`: a
/// stream that pulls faster than real time ends the notes at once), and
/// goes dark again when its note's finish vector has run; the picture is
/// then the first one.
fn play_piano(x: &X, window: &str, dir: &Path, hop: &mut Hop, paced: bool) {
    let dark = headless(dir, &dir.join("roms/piano.tal"), 1, "");
    wait_for("the piano", || {
        (x.capture(window).unzoom(2) == dark).then_some(())
    });
    x.point(window, 40 * 2, 100 * 2);
    x.keys(&["a"]);
    if paced {
        assert_ne!(x.capture(window).unzoom(2), dark, "the key is lit");
    }
    x.xdo(&["mousedown", "1"]);
    settle();
    x.xdo(&["mouseup", "1"]);
    // The notes last 1.3 s.
    wait_for("the notes to end", || {
        (x.capture(window).unzoom(2) == dark).then_some(())
    });
    assert!(hop.running(), "the piano plays on: {}", hop.stderr());
}

#[test]
fn the_launcher_starts_the_picked_rom_and_audio_runs_without_a_sound_card() {
    let Some(x) = X::start() else { return };
    let dir = piano_folder("launcher");
    std::fs::write(dir.0.join("notes.txt"), "not listed").unwrap();
    // No --mute: with no sound card (as on CI) hop says so in one line,
    // with none of ALSA's own complaints, renders the sound itself and
    // drops it, so notes still end.
    let mut hop = Hop::start(&x, &dir.0, &["--scale", "2"]);
    let window = x.window("hop launcher", &mut hop);
    x.point(&window, 4, 4);
    x.keys(&["Down", "Return"]);
    x.window("piano", &mut hop);
    play_piano(&x, &window, &dir.0, &mut hop, true);
    let stderr = hop.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    if Path::new("/dev/snd").exists() {
        assert!(lines.is_empty(), "{stderr}");
    } else {
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(
            lines[0].starts_with("hop: no sound: ") && lines[0].ends_with("running silently"),
            "{stderr}"
        );
    }
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
}

#[test]
fn audio_plays_through_a_sound_device() {
    let Some(x) = X::start() else { return };
    let dir = piano_folder("null-device");
    // ALSA's null device stands in for a sound card: cpal opens it and its
    // thread pulls the samples (and so ends the notes), much faster than
    // real time.
    let home = dir.0.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(".asoundrc"), "pcm.!default { type null }\n").unwrap();
    let mut command = x.command(support::HOP);
    command
        .args(["--scale", "2", "roms/piano.tal"])
        .current_dir(&dir.0)
        .env("HOME", &home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    let stderr = dir.0.join("stderr.txt");
    command.stderr(std::fs::File::create(&stderr).unwrap());
    let mut hop = Hop {
        child: command.spawn().unwrap(),
        stderr,
    };
    let window = x.window("piano", &mut hop);
    play_piano(&x, &window, &dir.0, &mut hop, false);
    assert_eq!(hop.stderr(), "", "no complaint: there is a device");
}

#[test]
fn a_pick_that_does_not_assemble_returns_to_the_launcher_and_escape_quits() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("escape");
    std::fs::write(dir.0.join("broken.tal"), "|0100 #01 &nowhere !nothere\n").unwrap();
    let mut hop = Hop::start(&x, &dir.0, &["--mute"]);
    let window = x.window("hop launcher", &mut hop);
    x.point(&window, 4, 4);
    x.keys(&["Return"]);
    wait_for("the assembly error", || {
        hop.stderr().contains("assembly error").then_some(())
    });
    // The launcher again, in the same window.
    assert_eq!(x.window("hop launcher", &mut hop), window);
    x.point(&window, 6, 6);
    x.keys(&["Escape"]);
    assert_eq!(hop.wait(), 0);
    let stderr = hop.stderr();
    assert!(
        stderr.lines().last().unwrap().starts_with("hop: "),
        "{stderr}"
    );
    assert!(stderr.contains("broken.tal"), "{stderr}");
}

#[test]
fn function_keys_screenshot_stacks_reset_reload_and_dialog() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("fkeys");
    let rom = dir.0.join("input.tal");
    std::fs::copy(repo("tests/desktop/input.tal"), &rom).unwrap();
    // No live reload: F4 is what reads the changed source here.
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--no-watch", "--scale", "1", "input.tal"],
    );
    let window = x.window("input log", &mut hop);
    x.point(&window, 20, 20);
    x.xdo(&["mousedown", "1"]);
    settle();
    x.xdo(&["mouseup", "1"]);
    settle();
    x.keys(&["z", "F12"]);
    // F12: the screen as a PNG in the current directory.
    let shot = dir.0.join("hop-1.png");
    wait_for("the screenshot", || shot.exists().then_some(()));
    settle();
    let expected = headless(
        &dir.0,
        &rom,
        5,
        "0 mouse 20 20\n1 mousedown 1\n2 mouseup 1\n3 key z\n",
    );
    assert_eq!(Image::read_png(&shot), expected);
    assert_eq!(x.capture(&window), expected, "scale 1");
    // F2: both stacks on stderr.
    x.keys(&["F2"]);
    wait_for("the stacks", || hop.stderr().contains("WST").then_some(()));
    // F5: a fresh machine from the same ROM: the log is gone.
    // The window says so for a few seconds, on a bar at the bottom.
    x.keys(&["F5"]);
    let shown = x.capture(&window);
    let bar = &shown.pixels[(shown.height - 1) * shown.width..];
    assert!(bar.iter().all(|&p| p == 0x202020), "the notice bar");
    let blank = headless(&dir.0, &rom, 1, "");
    wait_for("the reset", || (x.capture(&window) == blank).then_some(()));
    // F4: read from disk again, as changed since.
    let source = std::fs::read_to_string(&rom).unwrap();
    std::fs::write(&rom, source.replace("\"input 20 \"log", "\"changed")).unwrap();
    x.keys(&["F4"]);
    x.window("changed", &mut hop);
    // F6 with no dialog available (hop runs without a session bus, so no
    // portal): a hint, and hop runs on.
    if on_path("zenity") {
        skip("zenity is installed: F6 would open a real dialog; not testing the hint");
        return;
    }
    x.keys(&["F6"]);
    wait_for("the dialog hint", || {
        hop.stderr().contains("no file dialog").then_some(())
    });
    assert!(hop.running());
    let stderr = hop.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("hop: saved ") && lines[0].ends_with("hop-1.png"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("WST ") && lines[2].starts_with("RST "),
        "{stderr}"
    );
    assert_eq!(lines[3], "hop: reset", "{stderr}");
    assert_eq!(lines[4], "hop: reloaded input.tal from disk", "{stderr}");
    assert!(lines[5].starts_with("hop: no file dialog"), "{stderr}");
    assert_eq!(lines.len(), 6, "{stderr}");
}

#[test]
fn a_runaway_vector_is_stopped_and_the_window_stays_responsive() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("runaway");
    let rom = repo("tests/desktop/runaway.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--budget", "1000000", rom.to_str().unwrap()],
    );
    let window = x.window("runaway.tal", &mut hop);
    x.point(&window, 10, 10);
    x.keys(&["a"]);
    wait_for("the runaway report", || {
        hop.stderr().contains("without reaching BRK").then_some(())
    });
    // More keys: nothing runs any more, and it is said only once.
    x.keys(&["b", "c", "F2"]);
    wait_for("the stacks", || hop.stderr().contains("WST").then_some(()));
    // F4 still works: a fresh machine, which runs away again.
    x.keys(&["F4", "d"]);
    wait_for("the second report", || {
        (hop.stderr().matches("without reaching BRK").count() == 2).then_some(())
    });
    let stderr = hop.stderr();
    assert!(
        stderr.lines().next().unwrap().starts_with(
            "hop: runaway.tal: the vector at 0x0113 ran 1000000 jumps without reaching BRK"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("F4 reloads it, F5 resets it"), "{stderr}");
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
}

#[test]
fn an_idle_rom_costs_little() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("idle");
    let mut hop = Hop::start(&x, &dir.0, &["--mute"]);
    x.window("hop launcher", &mut hop);
    std::thread::sleep(Duration::from_millis(500));
    let ticks = |pid: u32| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        // Fields after the command name: utime and stime are the 12th and 13th.
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    };
    let pid = hop.child.id();
    let (before, start) = (ticks(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(3));
    let used = (ticks(pid) - before) as f64 / 100.0; // clock ticks are 1/100 s
    let share = used / start.elapsed().as_secs_f64();
    let _ = writeln!(
        std::io::stderr(),
        "idle launcher: {:.1} % of a core",
        share * 100.0
    );
    // The goal is 2 %; a busy shared machine adds noise.
    assert!(
        share < 0.05,
        "idle launcher uses {:.1} % of a core",
        share * 100.0
    );
    assert!(hop.running());
}

#[test]
fn no_display_and_bad_files_are_one_line_each() {
    let dir = TempDir::new("errors");
    let run = |args: &[&str], display: Option<&str>| {
        let mut run = support::hop().args(args).dir(&dir.0).env_remove("DISPLAY");
        if let Some(display) = display {
            run = run.env("DISPLAY", display);
        }
        let out = run.output();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    std::fs::write(dir.0.join("empty.rom"), b"").unwrap();
    assert_eq!(
        run(&["empty.rom"], None),
        (
            Some(1),
            "hop: no display (DISPLAY is not set); use --headless\n".into()
        )
    );
    assert_eq!(
        run(&[], None).0,
        Some(1),
        "the launcher needs a display too"
    );
    // The file is checked before any window opens.
    assert_eq!(
        run(&["empty.rom"], Some(":0")),
        (Some(1), "hop: empty.rom: the file is empty\n".into())
    );
    assert_eq!(
        run(&["nope.rom"], Some(":0")),
        (Some(1), "hop: nope.rom: no such file\n".into())
    );
    assert_eq!(
        run(&["."], Some(":0")),
        (Some(1), "hop: .: is a directory, not a ROM\n".into())
    );
    // A ROM that halts while it boots never opens its window (as in uxn2),
    // so it runs even where no X server answers.
    std::fs::write(dir.0.join("halt.tal"), "|0100 #83 #0f DEO BRK\n").unwrap();
    assert_eq!(run(&["halt.tal"], Some(":987")), (Some(3), String::new()));
}
