//! Live reload under Xvfb: a `.tal` being written is watched with the
//! files it includes. A change that assembles restarts it in the same
//! window with the same arguments; one that does not leaves the last good
//! version running, with the error over the screen until it is fixed. A
//! ROM is watched with `--watch` only.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;
use support::TempDir;
use support::xvfb::*;

/// The main source: the screen's colour 0 comes from `colour.tal`; when
/// its arguments end (so only if it was given some), it paints the
/// top-left pixel in colour 1, so the test sees the argument kept.
const MAIN: &str = "\
|00 @System &vector $2 &expansion $2 &wst $1 &rst $1 &metadata $2 &r $2 &g $2 &b $2
|10 @Console &vector $2 &read $1 &pad $4 &type $1
|100
	;on-arg .Console/vector DEO2
	~colour.tal
	BRK
@on-arg ( -> )
	( the end of the arguments: a pixel of colour 1 at 0,0 )
	.Console/type DEI #04 NEQ ?{ #01 #2e DEO }
	BRK
";

/// `colour.tal` painting colour 0 with the 12-bit RGB `rgb` (and colour 1 white).
fn colour(rgb: u16) -> String {
    let [r, g, b] = [rgb >> 8 & 0xf, rgb >> 4 & 0xf, rgb & 0xf];
    format!("#{r:x}f00 .System/r DEO2 #{g:x}f00 .System/g DEO2 #{b:x}f00 .System/b DEO2\n")
}

/// Writes `text` to `path` as an editor does: a new file renamed over it.
fn save(path: &std::path::Path, text: &str) {
    let new = path.with_extension("tal.new");
    std::fs::write(&new, text).unwrap();
    std::fs::rename(&new, path).unwrap();
}

/// Waits until the window's middle pixel is `rgb` (0RGB).
fn wait_for_middle(x: &X, window: &str, rgb: u32) {
    let mut seen = 0;
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(15) {
        let shot = x.capture(window);
        seen = shot.pixels[shot.height / 2 * shot.width + shot.width / 2];
        if seen == rgb {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the middle of the window is {seen:06x}, not {rgb:06x}");
}

#[test]
fn a_tal_and_its_includes_are_reloaded_on_change_and_a_broken_one_keeps_the_last_good_running() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("watch-tal");
    let main = dir.0.join("main.tal");
    let include = dir.0.join("colour.tal");
    std::fs::write(&main, MAIN).unwrap();
    std::fs::write(&include, colour(0xf00)).unwrap();
    let mut hop = Hop::start(
        &x,
        &dir.0,
        &["--mute", "--scale", "2", "main.tal", "an-argument"],
    );
    let window = x.window("main.tal", &mut hop);
    wait_for_middle(&x, &window, 0xff0000);
    let size = x.window_size(&window);
    let argument_pixel = |x: &X| x.capture(&window).pixels[0];
    assert_eq!(argument_pixel(&x), 0xffffff, "the argument reached the ROM");

    // The included file changes: reloaded, same window, same zoom, same
    // argument.
    save(&include, &colour(0x0f0));
    wait_for_middle(&x, &window, 0x00ff00);
    assert_eq!(x.window_size(&window), size, "the same zoom");
    assert_eq!(argument_pixel(&x), 0xffffff, "the argument again");
    wait_for("the reload on stderr", || {
        hop.stderr()
            .contains("hop: main.tal changed on disk: reloaded")
            .then_some(())
    });

    // Broken: the error says where, and the green one runs on.
    save(&include, "#0f00 .System/nowhere DEO2\n");
    wait_for("the assembly error on stderr", || {
        hop.stderr().contains("colour.tal:1:").then_some(())
    });
    let stderr = hop.stderr();
    assert!(
        stderr.contains("hop: main.tal: 1 assembly error"),
        "{stderr}"
    );
    settle();
    let shot = x.capture(&window);
    assert_eq!(
        shot.pixels[shot.height / 2 * shot.width + shot.width / 2],
        0x00ff00,
        "still running"
    );
    let bottom = &shot.pixels[(shot.height - 1) * shot.width..];
    assert!(
        bottom.iter().all(|&p| p == 0x202020),
        "the error's bar over the screen"
    );
    // It stays while the source is broken, longer than a passing notice.
    std::thread::sleep(std::time::Duration::from_secs(5));
    let shot = x.capture(&window);
    let bottom = &shot.pixels[(shot.height - 1) * shot.width..];
    assert!(bottom.iter().all(|&p| p == 0x202020), "the error stays");
    assert!(hop.running());

    // Fixed: blue, and the error goes.
    save(&include, &colour(0x00f));
    wait_for_middle(&x, &window, 0x0000ff);
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);
}

#[test]
fn a_rom_is_reloaded_with_watch_only() {
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("watch-rom");
    let assemble = |rgb: u16, rom: &str| {
        std::fs::write(dir.0.join("colour.tal"), colour(rgb)).unwrap();
        std::fs::write(dir.0.join("main.tal"), MAIN).unwrap();
        let out = support::hop_in(&dir.0, &["asm", "main.tal", rom], b"");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    assemble(0xf00, "watched.rom");
    let mut hop = Hop::start(&x, &dir.0, &["--mute", "--watch", "watched.rom"]);
    let window = x.window("watched.rom", &mut hop);
    wait_for_middle(&x, &window, 0xff0000);
    assemble(0x0f0, "watched.rom");
    wait_for_middle(&x, &window, 0x00ff00);
    x.keys(&["F3"]);
    assert_eq!(hop.wait(), 0);

    // Without --watch, a ROM is left alone (a half-written ROM is no
    // program; someone building one asks for --watch).
    assemble(0xf00, "unwatched.rom");
    let mut hop = Hop::start(&x, &dir.0, &["--mute", "unwatched.rom"]);
    let window = x.window("unwatched.rom", &mut hop);
    wait_for_middle(&x, &window, 0xff0000);
    assemble(0x0f0, "unwatched.rom");
    // The watched one took less than this to change.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let shot = x.capture(&window);
    assert_eq!(
        shot.pixels[shot.height / 2 * shot.width + shot.width / 2],
        0xff0000
    );
}
