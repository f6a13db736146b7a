//! The desktop under Xvfb, for the tests that drive the real window as a
//! person would: a private X server (`-noreset`, no window manager, so
//! focus follows the pointer), xdotool, window captures with `xwd`, and a
//! running `hop` whose stderr goes to a file.
//!
//! Needs Xvfb, xdotool and xwd (Debian: xvfb xdotool x11-apps); without
//! them [`X::start`] says SKIPPED and the caller returns.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub fn skip(why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// A private X server; killed when dropped.
pub struct X {
    server: Child,
    pub display: String,
}

/// Numbers the stderr files of the hops a test starts.
static NEXT_HOP: AtomicU32 = AtomicU32::new(0);

impl X {
    /// Starts Xvfb, or says SKIPPED and returns None if the tools are missing.
    pub fn start() -> Option<X> {
        X::start_sized(1280, 1024)
    }

    /// Starts Xvfb with a display of `width` x `height` pixels.
    pub fn start_sized(width: usize, height: usize) -> Option<X> {
        for tool in ["Xvfb", "xdotool", "xwd"] {
            if !on_path(tool) {
                skip(&format!(
                    "{tool} is not installed (Debian: xvfb xdotool x11-apps)"
                ));
                return None;
            }
        }
        // Xvfb picks a free display number and writes it to stdout.
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-noreset",
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(server.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let display = format!(":{}", line.trim());
        let x = X { server, display };
        wait_for("the X server to answer", || {
            x.xdotool(&["getmouselocation"]).ok()
        });
        Some(x)
    }

    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.display);
        command
    }

    /// Runs xdotool; its output, or why it failed.
    pub fn xdotool(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .command("xdotool")
            .args(args)
            .stderr(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(format!("xdotool {args:?} failed"))
        }
    }

    pub fn xdo(&self, args: &[&str]) {
        self.xdotool(args).unwrap();
    }

    /// The id of the window whose name is exactly `name`.
    pub fn window(&self, name: &str, hop: &mut Hop) -> String {
        let escaped: String = name
            .chars()
            .flat_map(|c| {
                let special = ".()[]{}*+?^$|\\".contains(c);
                special.then_some('\\').into_iter().chain([c])
            })
            .collect();
        let pattern = format!("^{escaped}$");
        let start = Instant::now();
        loop {
            if let Some(id) = self
                .xdotool(&["search", "--name", &pattern])
                .ok()
                .and_then(|ids| ids.lines().next().map(str::to_string))
            {
                return id;
            }
            if start.elapsed() > Duration::from_secs(15) {
                let names = self.xdotool(&["search", "--name", "."]).unwrap_or_default();
                let names: Vec<String> = names
                    .lines()
                    .map(|id| self.xdotool(&["getwindowname", id]).unwrap_or_default())
                    .collect();
                panic!(
                    "no window named {name} on {}; there are {names:?}; hop running: {}, stderr: {:?}",
                    self.display,
                    hop.running(),
                    hop.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn window_size(&self, window: &str) -> (usize, usize) {
        let out = self
            .xdotool(&["getwindowgeometry", "--shell", window])
            .unwrap();
        let field = |name: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .and_then(|v| v.parse().ok())
                .unwrap()
        };
        (field("WIDTH"), field("HEIGHT"))
    }

    /// The window's pixels (0RGB), via xwd.
    /// A window that is being mapped or resized can refuse XGetImage for
    /// a moment (BadMatch): xwd is tried again for up to a second.
    pub fn capture(&self, window: &str) -> Image {
        let mut tries = 0;
        loop {
            let out = self
                .command("xwd")
                .args(["-silent", "-id", window])
                .output()
                .unwrap();
            if out.status.success() {
                return decode_xwd(&out.stdout);
            }
            tries += 1;
            assert!(
                tries < 10,
                "xwd failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Moves the pointer to (x, y) inside `window`, so that it has focus.
    pub fn point(&self, window: &str, x: usize, y: usize) {
        self.xdo(&[
            "mousemove",
            "--window",
            window,
            &x.to_string(),
            &y.to_string(),
        ]);
        settle();
    }

    /// Binds each keysym to a spare keycode, as a keyboard layout would
    /// (xdotool binds a spare key itself to type a character the keymap
    /// lacks, but unbinds it at once, before the window has looked the key
    /// up, so such characters cannot be typed reliably that way).
    pub fn bind_keysyms(&self, keysyms: &[u32]) {
        let xlib = x11_dl::xlib::Xlib::open().expect("libX11");
        let name = std::ffi::CString::new(self.display.as_str()).unwrap();
        // SAFETY: Xlib calls on a connection opened and closed here; the
        // keymap Xlib returns is read within its length and freed.
        unsafe {
            let display = (xlib.XOpenDisplay)(name.as_ptr());
            assert!(!display.is_null(), "cannot open {}", self.display);
            let (mut min, mut max) = (0, 0);
            (xlib.XDisplayKeycodes)(display, &mut min, &mut max);
            let mut per = 0;
            let map = (xlib.XGetKeyboardMapping)(display, min as u8, max - min + 1, &mut per);
            let per = per as usize;
            let map = std::slice::from_raw_parts(map, (max - min + 1) as usize * per);
            let mut spare = (min..=max)
                .rev()
                .filter(|code| {
                    let at = (code - min) as usize * per;
                    map[at..at + per].iter().all(|&sym| sym == 0)
                })
                .collect::<Vec<_>>()
                .into_iter();
            for &sym in keysyms {
                let code = spare.next().expect("a spare keycode");
                let mut syms = [sym as std::ffi::c_ulong];
                (xlib.XChangeKeyboardMapping)(display, code, 1, syms.as_mut_ptr(), 1);
            }
            (xlib.XFree)(map.as_ptr() as *mut _);
            (xlib.XSync)(display, 0);
            (xlib.XCloseDisplay)(display);
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.xdo(&["key", key]);
            settle();
        }
    }
}

impl Drop for X {
    fn drop(&mut self) {
        // SIGTERM, not SIGKILL: Xvfb then removes its socket and lock, so
        // that a server started next can take the display number cleanly.
        let terminated = Command::new("kill")
            .arg(self.server.id().to_string())
            .status()
            .is_ok_and(|s| s.success());
        if !terminated {
            let _ = self.server.kill();
        }
        let _ = self.server.wait();
    }
}

/// Long enough for a few 60 Hz frames.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(120));
}

pub fn wait_for<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = ready() {
            return value;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A running `hop`; killed when dropped. Its stderr goes to a file.
pub struct Hop {
    pub child: Child,
    pub stderr: PathBuf,
}

impl Hop {
    pub fn start(x: &X, dir: &Path, args: &[&str]) -> Hop {
        Hop::start_with(x, dir, args, Stdio::null(), Stdio::null())
    }

    /// [`Hop::start`] with the given standard input and output (a file the
    /// test reads afterwards, for instance).
    pub fn start_with(x: &X, dir: &Path, args: &[&str], stdin: Stdio, stdout: Stdio) -> Hop {
        let stderr = dir.join(format!(
            "stderr-{}.txt",
            NEXT_HOP.fetch_add(1, Ordering::Relaxed)
        ));
        let child = x
            .command(super::HOP)
            .args(args)
            .current_dir(dir)
            // No desktop portal: a dialog can only come from zenity.
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(stdin)
            .stdout(stdout)
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        Hop { child, stderr }
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for hop to exit; its exit code.
    pub fn wait(&mut self) -> i32 {
        let status = wait_for("hop to exit", || self.child.try_wait().unwrap());
        status.code().unwrap_or(-1)
    }
}

impl Drop for Hop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// 0RGB.
    pub pixels: Vec<u32>,
}

impl Image {
    /// The picture at 1:1, checking that every `zoom` x `zoom` block is one colour.
    pub fn unzoom(&self, zoom: usize) -> Image {
        let (width, height) = (self.width / zoom, self.height / zoom);
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                let p = self.pixels[y * zoom * self.width + x * zoom];
                for dy in 0..zoom {
                    for dx in 0..zoom {
                        assert_eq!(
                            self.pixels[(y * zoom + dy) * self.width + x * zoom + dx],
                            p,
                            "zoomed pixel ({x}, {y}) is not one colour"
                        );
                    }
                }
                pixels.push(p);
            }
        }
        Image {
            width,
            height,
            pixels,
        }
    }

    pub fn read_png(path: &Path) -> Image {
        let decoder =
            png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let pixels = buf[..info.buffer_size()]
            .chunks_exact(3)
            .map(|p| u32::from_be_bytes([0, p[0], p[1], p[2]]))
            .collect();
        Image {
            width: info.width as usize,
            height: info.height as usize,
            pixels,
        }
    }
}

/// An XWD dump (as `xwd` writes it) of a 24-bit TrueColor window.
pub fn decode_xwd(data: &[u8]) -> Image {
    let field = |i: usize| u32::from_be_bytes(data[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let header_size = field(0);
    let (width, height) = (field(4), field(5));
    let byte_order = field(7);
    let bits_per_pixel = field(11);
    let bytes_per_line = field(12);
    let masks = [field(14), field(15), field(16)];
    let colours = field(19);
    assert_eq!(bits_per_pixel, 32, "a 24-bit screen stores 32 bits a pixel");
    let image = &data[header_size + colours * 12..];
    let channel = |p: usize, mask: usize| ((p & mask) >> mask.trailing_zeros()) as u32;
    let mut pixels = Vec::with_capacity(width * height);
    for y in 0..height {
        for x in 0..width {
            let at = y * bytes_per_line + x * 4;
            let bytes: [u8; 4] = image[at..at + 4].try_into().unwrap();
            let p = if byte_order == 0 {
                u32::from_le_bytes(bytes)
            } else {
                u32::from_be_bytes(bytes)
            } as usize;
            pixels.push(
                channel(p, masks[0]) << 16 | channel(p, masks[1]) << 8 | channel(p, masks[2]),
            );
        }
    }
    Image {
        width,
        height,
        pixels,
    }
}

/// The headless runner's picture after `script`.
pub fn headless(dir: &Path, rom: &Path, frames: usize, script: &str) -> Image {
    let script_path = dir.join("script.txt");
    std::fs::write(&script_path, script).unwrap();
    let shot = dir.join("headless.png");
    let out = super::hop()
        .args(["--frames", &frames.to_string(), "--input"])
        .arg(&script_path)
        .arg("--screenshot")
        .arg(&shot)
        .arg(rom)
        .dir(dir)
        .output();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Image::read_png(&shot)
}

/// input.tal's log: each cell's (a, b) row bytes, up to the last
/// non-empty cell.
pub fn log_cells(image: &Image) -> Vec<(u8, u8)> {
    let background = image.pixels[0];
    let row = |x: usize, y: usize| {
        (0..8).fold(0u8, |byte, i| {
            byte << 1 | (image.pixels[y * image.width + x + i] != background) as u8
        })
    };
    let mut cells: Vec<(u8, u8)> = (0..256)
        .map(|i| {
            let (x, y) = ((i % 32) * 8, 96 + (i / 32) * 8);
            (row(x, y), row(x, y + 1))
        })
        .collect();
    while cells.last() == Some(&(0, 0)) {
        cells.pop();
    }
    cells
}

/// A Python with GTK 3 for the drag source, if there is one.
pub fn gtk_python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|python| {
        Command::new(python)
            .args([
                "-c",
                "import gi; gi.require_version('Gtk', '3.0'); from gi.repository import Gtk",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Drags `files` from a real GTK drag source (tests/desktop/drag_source.py,
/// a window at the top-left corner) onto the middle of `window`, with
/// xdotool, as a person would.
pub fn drag_files(x: &X, python: &str, window: &str, files: &[&Path]) {
    let mut source = x
        .command(python)
        .arg(repo("tests/desktop/drag_source.py"))
        .args(files)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(source.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready");
    settle();
    let geometry = x
        .xdotool(&["getwindowgeometry", "--shell", window])
        .unwrap();
    let at = |name: &str| -> i64 {
        geometry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (cx, cy) = (at("X") + at("WIDTH") / 2, at("Y") + at("HEIGHT") / 2);
    x.xdo(&["mousemove", "40", "40", "mousedown", "1"]);
    for step in 1..=10 {
        let (px, py) = (40 + (cx - 40) * step / 10, 40 + (cy - 40) * step / 10);
        x.xdo(&["mousemove", &px.to_string(), &py.to_string()]);
        std::thread::sleep(Duration::from_millis(40));
    }
    x.xdo(&["mousemove", &(cx + 3).to_string(), &(cy + 3).to_string()]);
    settle();
    x.xdo(&["mouseup", "1"]);
    let _ = wait_for("the drag source to finish", || {
        source.try_wait().ok().flatten()
    });
}
