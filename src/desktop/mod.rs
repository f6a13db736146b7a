//! The desktop: `hop [ROM] [ARGS...]` runs the machine in a window, with
//! sound, keyboard, mouse, drag and drop and an open dialog.
//!
//! Every 60th of a second the loop takes what happened (keys in order,
//! the mouse as polled, dropped files, the dialog's answer), runs the
//! machine's frame (finished notes, input vectors, screen vector), shows
//! the screen if it changed, and lets minifb wait for the next tick.
//!
//! - [`window`]: the minifb window, zoom, resizing and fullscreen ([`x11`]
//!   for what minifb cannot do); [`icon`]: its icon;
//! - [`keys`], [`pointer`](mod@pointer): keyboard and mouse to Varvara events;
//! - [`sound`]: the cpal stream;
//! - [`xdnd`]: dropped files; [`dialog`]: the F6 open dialog;
//! - [`program`], [`session`]: what runs, and the running machine.

pub mod dialog;
pub mod icon;
pub mod keys;
pub mod pointer;
pub mod program;
pub mod session;
pub mod sound;
pub mod window;
pub mod x11;
pub mod xdnd;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use keys::{Action, HostKey, KeyQueue, Keyboard};
use pointer::Pointer;
use program::Program;
use session::{Session, Settings};
use window::Desktop;

/// Exit code when the program cannot be loaded, or there is no display.
pub const EXIT_FAILURE: i32 = 1;

pub struct Options {
    /// The ROM or .tal file; None runs the launcher.
    pub rom: Option<PathBuf>,
    pub settings: Settings,
    /// Fixed zoom (1-4); None picks one from the screen size.
    pub zoom: Option<usize>,
    /// Start fullscreen.
    pub fullscreen: bool,
    /// No sound at all.
    pub mute: bool,
}

/// Runs the desktop until the window closes, F3, or the ROM halts; the
/// process exit code.
pub fn run(options: Options) -> i32 {
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        eprintln!("hop: no display (DISPLAY is not set); use --headless");
        return EXIT_FAILURE;
    }
    let program = match &options.rom {
        Some(path) => Program::load(path),
        None => Program::launcher(),
    };
    let program = match program {
        Ok(program) => program,
        Err(lines) => {
            lines.iter().for_each(|line| eprintln!("{line}"));
            return EXIT_FAILURE;
        }
    };
    let session = match Session::start(program, &options.settings) {
        Ok(session) => session,
        Err(line) => {
            eprintln!("{line}");
            return EXIT_FAILURE;
        }
    };
    match App::new(session, &options) {
        Ok(mut app) => app.run(),
        Err(line) => {
            eprintln!("{line}");
            EXIT_FAILURE
        }
    }
}

struct App {
    session: Session,
    settings: Settings,
    desktop: Desktop,
    keys: Rc<RefCell<Vec<keys::RawKey>>>,
    keyboard: Keyboard,
    pointer: Pointer,
    sound: Option<sound::Sound>,
    /// What the sound stream pulls from: the running machine's audio.
    audio: Arc<Mutex<crate::varvara::audio::AudioOutput>>,
    drops: Option<xdnd::DropReceiver>,
    dialog: Option<(dialog::OpenDialog, std::time::Instant)>,
}

impl App {
    fn new(session: Session, options: &Options) -> Result<App, String> {
        let keys = Rc::new(RefCell::new(Vec::new()));
        let size = screen_size(&session);
        let mut desktop = Desktop::open(
            &session.title(),
            size,
            options.zoom,
            KeyQueue(Rc::clone(&keys)),
        )?;
        desktop.set_fullscreen(options.fullscreen);
        let drops = xdnd::start(desktop.x_window());
        let audio = Arc::new(Mutex::new(session.machine.audio_output()));
        let sound = if options.mute {
            None
        } else {
            match sound::Sound::start(Arc::clone(&audio)) {
                Ok(sound) => Some(sound),
                Err(why) => {
                    eprintln!("hop: no sound: {why}; running silently");
                    None
                }
            }
        };
        Ok(App {
            session,
            settings: options.settings.clone(),
            desktop,
            keys,
            keyboard: Keyboard::new(),
            pointer: Pointer::new(),
            sound,
            audio,
            drops,
            dialog: None,
        })
    }

    /// The main loop; returns the exit code.
    fn run(&mut self) -> i32 {
        while self.desktop.is_open() {
            let mut events = Vec::new();
            let mut host = Vec::new();
            let raw: Vec<_> = self.keys.borrow_mut().drain(..).collect();
            let mut actions = Vec::new();
            for r in raw {
                self.keyboard.translate(r, &mut actions);
            }
            for action in actions {
                match action {
                    Action::Machine(event) => events.push(event),
                    Action::Host(key) => host.push(key),
                }
            }
            let size = screen_size(&self.session);
            self.pointer.events(
                self.desktop.poll_mouse(),
                self.desktop.zoom(),
                size,
                &mut events,
            );
            for key in host {
                if key == HostKey::Quit {
                    return 0;
                }
                self.host_key(key);
            }
            self.take_drops();
            self.poll_dialog();
            self.session
                .frame(events, self.settings.budget, self.sound.is_none());
            if self.session.machine.halted() {
                match self.session.launcher_choice(&self.settings.root) {
                    Some(Some(path)) => {
                        // A pick that does not load: back to the launcher,
                        // which shows why.
                        if let Err(why) = self.open(&path) {
                            let back = Program::launcher_saying(&why);
                            if !back.is_ok_and(|launcher| self.replace(launcher).is_ok()) {
                                return EXIT_FAILURE;
                            }
                        }
                    }
                    Some(None) | None => return self.session.machine.exit_code(),
                }
            }
            if let Some(sound) = &mut self.sound {
                sound.tick();
            }
            let title = self.session.title();
            self.desktop.set_title(&title);
            let machine = &self.session.machine;
            let at = machine.devices.system.metadata;
            self.desktop
                .set_icon(icon::Icon::from_metadata(&machine.uxn.ram[..], at));
            self.desktop
                .hide_cursor(self.session.machine.devices.mouse.vector != 0);
            self.desktop.present(self.session.machine.screen_frame());
        }
        0
    }

    fn host_key(&mut self, key: HostKey) {
        match key {
            HostKey::Zoom => self.desktop.cycle_zoom(),
            HostKey::Stacks => eprint!(
                "{}",
                crate::varvara::system::debug_text(&self.session.machine.uxn)
            ),
            HostKey::Reload => match self.session.program.reload() {
                Ok(program) => {
                    let _ = self.replace(program);
                }
                Err(lines) => lines.iter().for_each(|line| eprintln!("{line}")),
            },
            HostKey::Reset => {
                let _ = self.replace(self.session.program.clone());
            }
            HostKey::Open => {
                if self.dialog.is_none() {
                    let dir = self.session.program.directory();
                    self.dialog = Some((dialog::OpenDialog::show(&dir), std::time::Instant::now()));
                }
            }
            HostKey::Fullscreen => self.desktop.toggle_fullscreen(),
            HostKey::Screenshot => self.screenshot(),
            HostKey::Quit => {}
        }
    }

    /// Starts the file at `path` in place of the running program. If it
    /// does not run, the reasons are on stderr and the error is the first.
    fn open(&mut self, path: &Path) -> Result<(), String> {
        match Program::load(path) {
            Ok(program) => self.replace(program),
            Err(lines) => {
                lines.iter().for_each(|line| eprintln!("{line}"));
                Err(lines.first().cloned().unwrap_or_default())
            }
        }
    }

    /// A fresh machine for `program`; the window takes its title and size.
    /// If it does not run, the reason is on stderr and the error.
    fn replace(&mut self, program: Program) -> Result<(), String> {
        // What the launcher starts gets the command line's arguments.
        let session = match Session::start(program, &self.settings) {
            Ok(session) => session,
            Err(line) => {
                eprintln!("{line}");
                return Err(line);
            }
        };
        self.session = session;
        if let Ok(mut audio) = self.audio.lock() {
            *audio = self.session.machine.audio_output();
        }
        self.keyboard = Keyboard::new();
        self.pointer = Pointer::new();
        Ok(())
    }

    fn take_drops(&mut self) {
        let Some(drops) = &self.drops else { return };
        let Some(path) = drops.take().into_iter().flatten().last() else {
            return;
        };
        if path.extension().is_some_and(|e| e == "rom" || e == "tal") {
            let _ = self.open(&path);
        } else {
            eprintln!("hop: {}: drop a .rom or .tal file", path.display());
        }
    }

    fn poll_dialog(&mut self) {
        let Some((dialog, opened)) = &self.dialog else {
            return;
        };
        match dialog.poll() {
            dialog::Outcome::Open => {}
            dialog::Outcome::Chosen(path) => {
                self.dialog = None;
                let _ = self.open(&path);
            }
            dialog::Outcome::Nothing => {
                // A person takes a moment to cancel; no dialog at all
                // answers at once.
                if opened.elapsed().as_millis() < 500 || dialog::probably_no_dialog() {
                    eprintln!(
                        "hop: no file dialog could be shown (it needs a desktop portal or zenity); \
                         drop a file on the window or name it on the command line"
                    );
                }
                self.dialog = None;
            }
        }
    }

    /// Saves the screen as a PNG in the current directory.
    fn screenshot(&mut self) {
        let path = screenshot_path(Path::new("."));
        let frame = self.session.machine.screen_frame();
        match crate::screenshot::save_png(&path, frame.pixels, frame.width, frame.height) {
            Ok(()) => eprintln!("hop: saved {}", path.display()),
            Err(e) => eprintln!("hop: {e}"),
        }
    }
}

fn screen_size(session: &Session) -> (usize, usize) {
    let screen = &session.machine.devices.screen;
    (screen.width(), screen.height())
}

/// `hop-1.png`, `hop-2.png`...: the first name not taken in `dir`.
fn screenshot_path(dir: &Path) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("hop-{n}.png")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join("hop.png"))
}
