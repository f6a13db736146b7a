//! The window as a desktop expects it, under Xvfb with xdotool: it opens at
//! the largest zoom that fits the display and stays on the display when the
//! ROM grows or F1 zooms; F11 and `--fullscreen` fill the display with the
//! picture centred on black and the mouse still lands where it points; the
//! window has a class, a PID and an icon (read with xprop); the launcher's
//! texts fit its window and a pick that fails to load shows why. One test
//! runs a window manager (openbox): fullscreen through it, and no drift.
//!
//! Needs Xvfb, xdotool, xwd, xprop and openbox (Debian: xvfb xdotool
//! x11-apps x11-utils openbox); without them the tests say SKIPPED and pass.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;
use std::path::Path;
use support::TempDir;
use support::xvfb::*;

/// The window's position and size: x, y, width, height.
fn geometry(x: &X, window: &str) -> (i64, i64, usize, usize) {
    let out = x
        .xdotool(&["getwindowgeometry", "--shell", window])
        .unwrap();
    let field = |name: &str| -> i64 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (
        field("X"),
        field("Y"),
        field("WIDTH") as usize,
        field("HEIGHT") as usize,
    )
}

/// Waits until the window is `size`, then asserts that all of it lies on a
/// display of `display`.
fn wait_inside(x: &X, window: &str, size: (usize, usize), display: (usize, usize)) {
    wait_for(&format!("a {size:?} window"), || {
        (x.window_size(window) == size).then_some(())
    });
    settle();
    let (left, top, w, h) = geometry(x, window);
    assert!(
        left >= 0 && top >= 0 && left as usize + w <= display.0 && top as usize + h <= display.1,
        "the {w}x{h} window at ({left}, {top}) sticks out of the {display:?} display"
    );
}

#[test]
fn the_window_opens_at_the_largest_zoom_that_fits_and_stays_on_the_display() {
    // A 256x160 screen on a 4K display: 4x (2x before).
    let Some(x) = X::start_sized(3840, 2160) else {
        return;
    };
    let dir = TempDir::new("zoom4k");
    let rom = repo("tests/desktop/grow.tal");
    let mut hop = Hop::start(&x, &dir.0, &["--mute", rom.to_str().unwrap()]);
    let window = x.window("grow", &mut hop);
    wait_inside(&x, &window, (1024, 640), (3840, 2160));
    drop(hop);
    drop(x);

    let Some(x) = X::start() else { return };
    let display = (1280, 1024);
    // Default zoom: 4x fits 90 % of 1280x1024; once the screen grows to
    // 640x400 only 1x does (2x would fill the whole display width).
    let mut hop = Hop::start(&x, &dir.0, &["--mute", rom.to_str().unwrap()]);
    let window = x.window("grow", &mut hop);
    wait_inside(&x, &window, (1024, 640), display);
    x.point(&window, 10, 10);
    x.keys(&["a"]);
    wait_inside(&x, &window, (640, 400), display);
    drop(hop);

    // A zoom chosen with --scale stays, and the grown window moves back
    // onto the display; F1 then cycles through the zooms that fit: 1, 2.
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--scale", "2", rom.to_str().unwrap()],
    );
    let window = x.window("grow", &mut hop);
    wait_inside(&x, &window, (512, 320), display);
    x.point(&window, 10, 10);
    x.keys(&["a"]);
    wait_inside(&x, &window, (1280, 800), display);
    x.point(&window, 10, 10);
    x.keys(&["F1"]);
    wait_inside(&x, &window, (640, 400), display);
    x.point(&window, 10, 10);
    x.keys(&["F1"]);
    wait_inside(&x, &window, (1280, 800), display);
    assert!(hop.running());
    assert_eq!(hop.stderr(), "");
}

#[test]
fn f11_fills_the_display_with_the_picture_centred_and_the_mouse_mapped() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("fullscreen");
    let rom = repo("tests/desktop/input.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--scale", "2", rom.to_str().unwrap()],
    );
    let window = x.window("input log", &mut hop);
    wait_inside(&x, &window, (512, 320), (1280, 1024));
    let (left, top, _, _) = geometry(&x, &window);
    x.point(&window, 20, 20);
    x.keys(&["F11"]);
    wait_inside(&x, &window, (1280, 1024), (1280, 1024));
    // 256x160 at 5x is 1280x800: 112 rows of black above and below.
    let (zoom, offset) = (5, (0, 112));
    x.point(&window, offset.0 + 50 * zoom + 2, offset.1 + 40 * zoom + 2);
    x.xdo(&["mousedown", "1"]);
    settle();
    x.xdo(&["mouseup", "1"]);
    settle();
    // A click on the black border is not the ROM's.
    x.point(&window, 600, 1000);
    x.xdo(&["click", "1"]);
    settle();
    let full = x.capture(&window);
    keep("fullscreen.png", &full);
    assert_eq!((full.width, full.height), (1280, 1024));
    let black = |y0: usize, y1: usize| {
        (y0..y1).all(|y| {
            full.pixels[y * 1280..(y + 1) * 1280]
                .iter()
                .all(|&p| p == 0)
        })
    };
    assert!(black(0, 112) && black(912, 1024), "black above and below");
    let picture = crop(&full, offset, (1280, 800)).unzoom(zoom);
    let expected = headless(
        &dir.0,
        &rom,
        10,
        "1 mouse 10 10\n2 mouse 50 40\n3 mousedown 1\n4 mouseup 1\n",
    );
    assert_eq!(log_cells(&picture), log_cells(&expected), "the input log");
    assert!(
        picture == expected,
        "the click's marker is where the pointer was"
    );
    // F11 again: the window as it was.
    x.keys(&["F11"]);
    wait_inside(&x, &window, (512, 320), (1280, 1024));
    let (l, t, _, _) = geometry(&x, &window);
    assert_eq!((l, t), (left, top), "back where it was");
    assert_eq!(x.capture(&window).unzoom(2), expected);
    assert_eq!(hop.stderr(), "");
}

#[test]
fn fullscreen_on_the_command_line_starts_fullscreen() {
    let Some(x) = X::start_sized(1920, 1080) else {
        return;
    };
    let dir = TempDir::new("fullscreen-flag");
    let rom = repo("tests/desktop/grow.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--fullscreen", rom.to_str().unwrap()],
    );
    let window = x.window("grow", &mut hop);
    wait_inside(&x, &window, (1920, 1080), (1920, 1080));
    assert_eq!(geometry(&x, &window).0, 0);
    // 256x160 at 6x is 1536x960, centred: 192 columns and 60 rows of black.
    let full = x.capture(&window);
    keep("fullscreen-flag.png", &full);
    let at = |x: usize, y: usize| full.pixels[y * 1920 + x];
    assert_eq!(at(191, 500), 0);
    assert_eq!(at(500, 59), 0);
    assert_eq!(at(1728, 500), 0);
    let square = at(192, 60);
    assert_ne!(square, 0, "the picture's top-left square");
    assert_eq!(at(192 + 32 * 6 - 1, 60 + 32 * 6 - 1), square);
    assert_ne!(at(192 + 32 * 6, 60), square);
    assert_ne!(at(1727, 1019), 0, "the picture's bottom-right corner");
    assert_eq!(at(1727, 1020), 0);
    assert!(hop.running());
}

/// xprop's reading of a property (_NET_WM_ICON as numbers, not a picture).
fn xprop(x: &X, window: &str, property: &str) -> String {
    let mut command = x.command("xprop");
    command.args(["-id", window]);
    if property == "_NET_WM_ICON" {
        command.args(["-f", property, "32c"]);
    }
    let out = command.arg(property).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The first (24x24) icon of `_NET_WM_ICON`, as ARGB.
fn icon(x: &X, window: &str) -> Vec<u32> {
    let text = xprop(x, window, "_NET_WM_ICON");
    let values: Vec<u64> = text
        .split_once('=')
        .unwrap_or_else(|| panic!("no icon: {text}"))
        .1
        .split(',')
        .map(|v| v.trim().parse().unwrap())
        .collect();
    assert_eq!(&values[..2], &[24, 24], "24x24 first");
    values[2..2 + 24 * 24].iter().map(|&v| v as u32).collect()
}

#[test]
fn the_window_has_a_class_a_pid_and_an_icon() {
    if !on_path("xprop") {
        skip("xprop is not installed (Debian: x11-utils)");
        return;
    }
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("properties");
    let mut hop = Hop::start(&x, &dir.0, &["--mute"]);
    let window = x.window("hop launcher", &mut hop);
    settle();
    assert_eq!(
        xprop(&x, &window, "WM_CLASS").trim(),
        "WM_CLASS(STRING) = \"hop\", \"Hop\""
    );
    assert_eq!(
        xprop(&x, &window, "_NET_WM_PID").trim(),
        format!("_NET_WM_PID(CARDINAL) = {}", hop.child.id())
    );
    // hop's rabbit: transparent corners, paper and teal inside.
    let rabbit = icon(&x, &window);
    assert_eq!(rabbit[0], 0);
    assert!(rabbit.contains(&0xffeeeeee) && rabbit.contains(&0xff339988));
    drop(hop);

    // A ROM with an icon in its metadata: that icon, in Potato's colours.
    let rom = repo("tests/desktop/grow.tal");
    let mut hop = Hop::start(&x, &dir.0, &["--mute", rom.to_str().unwrap()]);
    let window = x.window("grow", &mut hop);
    settle();
    let own = icon(&x, &window);
    let (c0, c1, c2, c3) = (0xff55bbaa, 0xff007777, 0xff000000, 0xffffffff);
    assert_eq!(own[0], c1, "first tile: colour 1");
    assert_eq!(own[7 * 24 + 7], c1);
    assert_eq!(own[8], c0, "second tile: colour 0");
    assert_eq!(own[8 * 24 + 8], c3, "middle tile: colour 3");
    assert_eq!(own[23 * 24 + 23], c2, "last tile: colour 2");
    assert_eq!(
        xprop(&x, &window, "WM_CLASS").trim(),
        "WM_CLASS(STRING) = \"hop\", \"Hop\""
    );
}

/// The launcher's 288x216 screen at 1x, whatever the window's zoom.
fn launcher_picture(x: &X, window: &str, name: &str) -> Image {
    settle();
    let image = x.capture(window);
    keep(name, &image);
    image.unzoom(image.width / 288)
}

/// Whether any pixel of rows `y0..y1`, columns `x0..x1` differs from the
/// background (the top-left pixel).
fn drawn(image: &Image, (x0, x1): (usize, usize), (y0, y1): (usize, usize)) -> bool {
    let background = image.pixels[0];
    (y0..y1).any(|y| (x0..x1).any(|x| image.pixels[y * image.width + x] != background))
}

#[test]
fn the_launchers_texts_fit_and_a_failed_pick_says_why() {
    let Some(x) = X::start() else { return };
    // An empty folder: the two-line notice, clear of the right edge.
    let dir = TempDir::new("launcher-empty");
    let mut hop = Hop::start(&x, &dir.0, &["--mute"]);
    let window = x.window("hop launcher", &mut hop);
    let empty = launcher_picture(&x, &window, "empty.png");
    assert!(
        drawn(&empty, (16, 100), (28, 36)),
        "the notice's first line"
    );
    assert!(drawn(&empty, (16, 100), (40, 48)), "its second line");
    assert!(
        !drawn(&empty, (280, 288), (0, 216)),
        "the right margin is clear"
    );
    drop(hop);

    // Files, one with a long name, and one that is not a ROM.
    let dir = TempDir::new("launcher-files");
    let long = "a-rather-long-name-for-a-program-file.tal";
    std::fs::write(dir.0.join(long), "|0100 BRK\n").unwrap();
    std::fs::write(dir.0.join("empty.rom"), "").unwrap();
    let mut hop = Hop::start(&x, &dir.0, &["--mute"]);
    let window = x.window("hop launcher", &mut hop);
    let listed = launcher_picture(&x, &window, "files.png");
    assert!(drawn(&listed, (16, 100), (28, 36)), "the first entry");
    assert!(
        !drawn(&listed, (280, 288), (0, 216)),
        "the right margin is clear"
    );
    assert!(!drawn(&listed, (0, 288), (160, 196)), "no message yet");
    // The long name comes first; the empty ROM second.
    x.point(&window, 10, 10);
    x.keys(&["Down", "Return"]);
    wait_for("the load error", || {
        hop.stderr().contains("empty.rom").then_some(())
    });
    assert_eq!(x.window("hop launcher", &mut hop), window);
    settle();
    let failed = launcher_picture(&x, &window, "failed.png");
    assert!(
        drawn(&failed, (16, 200), (168, 176)),
        "the reason, under the list"
    );
    assert!(
        !drawn(&failed, (280, 288), (0, 216)),
        "the right margin is clear"
    );
    let teal = 0x339988;
    assert!(
        failed.pixels[168 * 288..176 * 288].contains(&teal),
        "in teal"
    );
    assert!(hop.running());
    assert!(
        hop.stderr().starts_with("hop: ./empty.rom: "),
        "{}",
        hop.stderr()
    );
}

fn crop(image: &Image, at: (usize, usize), size: (usize, usize)) -> Image {
    let pixels = (at.1..at.1 + size.1)
        .flat_map(|y| {
            image.pixels[y * image.width + at.0..y * image.width + at.0 + size.0].to_vec()
        })
        .collect();
    Image {
        width: size.0,
        height: size.1,
        pixels,
    }
}

/// Keeps a capture as a PNG in target/tmp/desktop_window/, for a person
/// to look at.
fn keep(name: &str, image: &Image) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("desktop_window");
    std::fs::create_dir_all(&dir).unwrap();
    let file = std::fs::File::create(dir.join(name)).unwrap();
    let mut encoder = png::Encoder::new(
        std::io::BufWriter::new(file),
        image.width as u32,
        image.height as u32,
    );
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|p| [(p >> 16) as u8, (p >> 8) as u8, *p as u8])
        .collect();
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&bytes)
        .unwrap();
}

/// A window manager (openbox) on `x`, stopped when dropped; None (after
/// saying SKIPPED) when it is not installed.
struct WindowManager(std::process::Child);

impl WindowManager {
    fn start(x: &X) -> Option<WindowManager> {
        if !on_path("openbox") || !on_path("xprop") {
            skip("openbox or xprop is not installed (Debian: openbox x11-utils)");
            return None;
        }
        let child = x
            .command("openbox")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let wm = WindowManager(child);
        wait_for("the window manager", || {
            let out = x
                .command("xprop")
                .args(["-root", "_NET_SUPPORTING_WM_CHECK"])
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout)
                .contains("window id")
                .then_some(())
        });
        Some(wm)
    }
}

impl Drop for WindowManager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn under_a_window_manager_f11_is_fullscreen_and_zooms_do_not_move_the_window() {
    let Some(x) = X::start_sized(1920, 1080) else {
        return;
    };
    let Some(_wm) = WindowManager::start(&x) else {
        return;
    };
    let dir = TempDir::new("wm");
    let rom = repo("tests/desktop/grow.tal");
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--scale", "2", rom.to_str().unwrap()],
    );
    let window = x.window("grow", &mut hop);
    wait_inside(&x, &window, (512, 320), (1920, 1080));
    let (left, top, _, _) = geometry(&x, &window);
    x.point(&window, 10, 10);
    // The window manager gives a new window the focus when it has managed
    // it; a key before that goes elsewhere.
    wait_for("the window manager to focus hop", || {
        (x.xdotool(&["getwindowfocus"]).ok()?.trim() == window).then_some(())
    });
    x.keys(&["F11"]);
    wait_inside(&x, &window, (1920, 1080), (1920, 1080));
    let state = x
        .command("xprop")
        .args(["-id", &window, "_NET_WM_STATE"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&state.stdout).contains("_NET_WM_STATE_FULLSCREEN"),
        "the window manager made it fullscreen"
    );
    settle();
    let full = x.capture(&window);
    keep("wm-fullscreen.png", &full);
    // 256x160 at 6x is 1536x960, centred at (192, 60).
    let at = |x: usize, y: usize| full.pixels[y * 1920 + x];
    assert_eq!(at(191, 60), 0);
    assert_ne!(at(192, 60), 0);
    assert_ne!(at(1727, 1019), 0);
    assert_eq!(at(1728, 1019), 0);
    x.keys(&["F11"]);
    wait_inside(&x, &window, (512, 320), (1920, 1080));
    assert_eq!(geometry(&x, &window).0, left, "back where it was");
    assert_eq!(geometry(&x, &window).1, top);
    // Zooms that fit leave the window where it is (a move under a window
    // manager would drift by the title bar).
    for size in [(768, 480), (1024, 640), (256, 160)] {
        x.point(&window, 10, 10);
        x.keys(&["F1"]);
        wait_inside(&x, &window, size, (1920, 1080));
        assert_eq!(geometry(&x, &window).0, left, "{size:?}");
        assert_eq!(geometry(&x, &window).1, top, "{size:?}");
    }
    assert!(hop.running());
}
