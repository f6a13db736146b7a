//! The debugger under Xvfb, driven by keys as a person would: `--debug`
//! opens the panel beside the screen with the ROM waiting before its reset
//! vector; a breakpoint typed on a label stops the machine there (told on
//! stderr, and drawn in the panel); a step moves one instruction; while
//! stopped no frame runs; continuing stops at the next frame's visit;
//! without the breakpoint the frames run on.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;
use std::time::Duration;
use support::TempDir;
use support::golden;
use support::xvfb::*;

/// Waits until hop's stderr has `line` (a whole line).
fn wait_for_line(hop: &mut Hop, line: &str) {
    let start = std::time::Instant::now();
    while !hop.stderr().lines().any(|l| l == line) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no {line:?} on stderr: {}",
            hop.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pixels drawn on the ROM's line (y 32) so far, black on white: one a frame.
fn drawn(x: &X, window: &str) -> usize {
    drawn_on(x, window, 32)
}

/// The pixels drawn on line `y`: y 48 gets one a key the ROM was given.
fn drawn_on(x: &X, window: &str, y: usize) -> usize {
    let shot = x.capture(window);
    (0..64)
        .filter(|&i| shot.pixels[y * shot.width + i] == 0x000000)
        .count()
}

/// The window as PNG bytes.
fn png(x: &X, window: &str, dir: &TempDir) -> Vec<u8> {
    let shot = x.capture(window);
    let path = dir.path("shot.png");
    hop::encode::screenshot::save_png(&path, &shot.pixels, shot.width, shot.height).unwrap();
    std::fs::read(path).unwrap()
}

#[test]
fn a_breakpoint_on_a_label_stops_the_machine_and_steps_go_on_from_there() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("debugger");
    let rom = repo("tests/desktop/debuggee.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--scale", "1", "--debug", rom.to_str().unwrap()],
    );
    let window = x.window("debuggee.tal", &mut hop);
    wait_for_line(&mut hop, "hop: debugger open");
    x.point(&window, 10, 10);
    // Waiting before the reset vector.
    wait_for_line(&mut hop, "hop: debugger: stopped between vectors (paused)");

    x.keys(&["b"]);
    x.xdo(&["type", "--delay", "30", "on-frame/draw"]);
    x.keys(&["Return"]);
    wait_for_line(&mut hop, "hop: debugger: break at 0133 on-frame/draw");
    x.keys(&["c"]);
    let stop = "hop: debugger: stopped at 0133 on-frame/draw (breakpoint 1: at 0133 on-frame/draw)";
    wait_for_line(&mut hop, stop);
    settle();
    assert_eq!(drawn(&x, &window), 0, "stopped before the first pixel");
    // The panel beside the 64x64 screen, pixel for pixel.
    golden::check_png(
        &golden::golden("debugger", "stopped.png"),
        &png(&x, &window, &dir),
    );

    x.keys(&["s"]);
    wait_for_line(
        &mut hop,
        "hop: debugger: stopped at 0135 on-frame/draw+2 (stepped)",
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(drawn(&x, &window), 0, "frozen while stopped");
    golden::check_png(
        &golden::golden("debugger", "stepped.png"),
        &png(&x, &window, &dir),
    );

    // On to the pixel, and to the next frame's visit.
    x.keys(&["c"]);
    wait_for("the second stop", || {
        (hop.stderr().lines().filter(|l| *l == stop).count() == 2).then_some(())
    });
    assert_eq!(drawn(&x, &window), 1, "one frame drew its pixel");

    // Without the breakpoint, the frames run on.
    x.keys(&["d", "c"]);
    wait_for("more pixels", || (drawn(&x, &window) >= 10).then_some(()));
    // Every key so far went to the panel, none to the ROM; Tab gives the
    // keyboard to the ROM, F8 takes it back.
    assert_eq!(drawn_on(&x, &window, 48), 0, "no key reached the ROM");
    x.keys(&["Tab", "a", "a"]);
    wait_for("two keys drawn", || {
        (drawn_on(&x, &window, 48) == 2).then_some(())
    });
    x.keys(&["F8", "a", "p"]);
    let paused = "hop: debugger: stopped between vectors (paused)";
    wait_for("the pause", || {
        (hop.stderr().lines().filter(|l| *l == paused).count() == 2).then_some(())
    });
    settle();
    assert_eq!(drawn_on(&x, &window, 48), 2, "the panel has the keys again");
    x.keys(&["F8"]);
    wait_for_line(&mut hop, "hop: debugger closed");
    assert!(hop.running());
}

/// `--trace` on the desktop: a vector stopped on its budget prints where
/// it was stuck, under the line that says it was stopped.
#[test]
fn a_runaway_vector_on_the_desktop_prints_its_trace() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("desktop-trace");
    let rom = repo("tests/desktop/runaway.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &[
            "--mute",
            "--budget",
            "1000",
            "--trace",
            "2",
            rom.to_str().unwrap(),
        ],
    );
    let window = x.window("runaway.tal", &mut hop);
    x.point(&window, 10, 10);
    x.keys(&["a"]);
    let line = "0113 on-controller/forever JMI 0113 on-controller/forever wst -  rst -";
    wait_for_line(&mut hop, line);
    let stderr = hop.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("hop: its last 2 instructions, oldest first"))
        .expect("the trace's heading");
    assert!(
        lines[at - 1].contains("ran 1000 jumps without reaching BRK"),
        "{stderr}"
    );
    assert_eq!(lines[at + 1..at + 3], [line, line], "{stderr}");
}
