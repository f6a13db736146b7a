//! The desktop: `hop [ROM] [ARGS...]` runs the machine in a window, with
//! sound, keyboard, mouse, drag and drop and an open dialog.
//!
//! Every 60th of a second the loop takes what happened (standard input,
//! keys, clicks and motions in order, dropped files, the dialog's answer),
//! runs the machine's frame (finished notes, input vectors, screen
//! vector), shows the screen if it changed, and lets minifb wait for the
//! next tick.
//!
//! - [`window`]: the minifb window, zoom, resizing and fullscreen ([`x11`]
//!   for what minifb cannot do); [`icon`]: its icon;
//! - [`input`]: a frame's input: [`keys`], [`pointer`](mod@pointer) (from
//!   [`xinput`]), [`gamepad`] and [`stdin`] to Varvara events;
//! - [`sound`]: the cpal stream;
//! - [`xdnd`]: dropped files; [`dialog`]: the F6 open dialog;
//! - [`clipboard`]: the X clipboard bridged to the ROM's `.snarf`;
//! - [`midi`]: console output as MIDI (`--midi`, for Orca);
//! - [`debugger`]: the debugger's panel (F8);
//! - [`program`], [`session`]: what runs, and the running machine;
//!   [`watch`]: live reload when its files change.

mod clipboard;
mod debugger;
mod dialog;
mod font;
mod gamepad;
mod icon;
mod input;
mod keys;
pub mod midi;
mod notice;
mod pointer;
mod program;
mod record;
pub mod session;
mod sound;
mod stdin;
mod watch;
mod window;
mod x11;
mod xdnd;
mod xinput;

use std::cell::RefCell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use keys::{HostKey, KeyQueue};
use notice::Notice;
use program::Program;
use session::{Session, Settings};
use window::Desktop;

/// Exit code when the program cannot be loaded, or there is no display.
pub const EXIT_FAILURE: i32 = 1;
/// How long one vector may run on the desktop unless `--timeout` says
/// otherwise: a ROM stuck in a loop is stopped after this, with a notice.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a starting ROM may run its reset vector before the window
/// opens anyway (a ROM that sets its screen size at once opens at it).
const BOOT_WAIT: Duration = Duration::from_millis(250);
/// How much of each 60 Hz frame the machine may work: the rest is for
/// presenting the screen and the host's own keys, so the window answers
/// within a frame however long a vector runs.
const WORK_TIME: Duration = Duration::from_millis(10);

/// What the command line asks of the desktop.
pub struct Options {
    /// The ROM or .tal file; None runs the launcher.
    pub rom: Option<PathBuf>,
    /// How each program runs in it.
    pub settings: Settings,
    /// Fixed zoom (1-4); None picks one from the screen size.
    pub zoom: Option<usize>,
    /// Start fullscreen.
    pub fullscreen: bool,
    /// No sound at all.
    pub mute: bool,
    /// Start from this snapshot of the ROM rather than booting it.
    pub state: Option<PathBuf>,
    /// Live reload: Some(true) for every program (`--watch`), Some(false)
    /// for none (`--no-watch`), None for Uxntal sources only.
    pub watch: Option<bool>,
    /// Open the debugger at once (`--debug`).
    pub debug: bool,
    /// Bridge `.snarf` to the X clipboard.
    pub clipboard: bool,
    /// `--midi`: console output to this MIDI port ("": a virtual one).
    pub midi: Option<String>,
    /// `--record OUT`: record from the start into OUT.gif and OUT.wav.
    pub record: Option<PathBuf>,
}

/// Runs the desktop until the window closes, F3, or the ROM halts; the
/// process exit code.
pub fn run(mut options: Options) -> i32 {
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
    if options.clipboard {
        options.settings.clipboard = Some(clipboard::Bridge::new());
    }
    if let Some(wanted) = &options.midi {
        match midi::open(wanted) {
            Ok((port, what)) => {
                eprintln!("hop: MIDI out on {what}");
                options.settings.midi = Some(port);
            }
            Err(why) => eprintln!("hop: no MIDI: {why}; console output stays on stdout"),
        }
    }
    let args = match program.origin {
        program::Origin::Launcher => Vec::new(),
        program::Origin::File(_) => options.settings.args.clone(),
    };
    let session = match &options.state {
        Some(path) => crate::varvara::snapshot::read(path)
            .map_err(|why| format!("hop: {}: {why}", path.display()))
            .and_then(|bytes| Session::resume(program, &args, &options.settings, &bytes)),
        None => Session::start(program, &args, &options.settings, BOOT_WAIT),
    };
    let session = match session {
        Ok(session) => session,
        Err(line) => {
            eprintln!("{line}");
            return EXIT_FAILURE;
        }
    };
    // A ROM that halts while it boots (a tool given its arguments, such as
    // Drifblim) is done before it needs a window: none opens, as in uxn2.
    if session.machine.halted() && !session.machine.busy() {
        return session.machine.exit_code();
    }
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
    input: input::Input,
    sound: Option<sound::Sound>,
    /// What the sound stream pulls from: the running machine's audio.
    audio: Arc<Mutex<crate::varvara::audio::AudioOutput>>,
    drops: Option<xdnd::DropReceiver>,
    dialog: Option<(dialog::OpenDialog, std::time::Instant)>,
    notice: Notice,
    /// Which programs are watched (see [`Options::watch`]), and the watch
    /// on the running one's files, if it is watched.
    watch_rule: Option<bool>,
    watch: Option<watch::Watch>,
    debugger: debugger::Panel,
    /// The sound rendered while a recording runs.
    tap: sound::Tap,
    recording: Option<record::Recording>,
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
        if let Some(bridge) = &options.settings.clipboard {
            bridge.connect();
        }
        let input = input::Input::new(&desktop, keys);
        let drops = xdnd::start(desktop.x_window());
        let audio = Arc::new(Mutex::new(session.machine.audio_output()));
        let tap = sound::Tap::default();
        // Before the sound starts: the reset vector's notes are recorded.
        let recording = match &options.record {
            Some(out) => {
                let recording = record::Recording::start(out).map_err(|e| format!("hop: {e}"))?;
                tap.start();
                Some(recording)
            }
            None => None,
        };
        let sound = if options.mute {
            None
        } else {
            match sound::Sound::start(Arc::clone(&audio), tap.clone()) {
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
            input,
            sound,
            audio,
            drops,
            dialog: None,
            notice: Notice::new(),
            tap,
            recording,
            watch_rule: options.watch,
            watch: None,
            debugger: debugger::Panel::new(),
        })
        .map(|mut app| {
            if options.debug {
                app.debugger.toggle(&mut app.session);
            }
            app.rewatch();
            app
        })
    }

    /// The main loop; returns the exit code.
    fn run(&mut self) -> i32 {
        while self.desktop.is_open() {
            let mut events = Vec::new();
            let mut host = Vec::new();
            let view = pointer::View {
                size: screen_size(&self.session),
                zoom: self.desktop.zoom(),
                offset: self.desktop.offset(),
            };
            let with_stdin = self.session.program.origin != program::Origin::Launcher;
            self.input
                .gather(&self.desktop, view, with_stdin, &mut events, &mut host);
            for key in host {
                if key == HostKey::Quit {
                    return 0;
                }
                // A restored machine starts exactly as saved: the input
                // that came with Shift+F9 was for the one it replaces.
                if key == HostKey::RestoreState {
                    events.clear();
                }
                self.host_key(key);
            }
            self.debugger.take_keys(&mut events, &mut self.session);
            self.take_drops();
            self.poll_dialog();
            if self.watch.as_mut().is_some_and(watch::Watch::changed) {
                self.live_reload();
            }
            let deadline = Instant::now() + WORK_TIME;
            self.session
                .frame(events, self.sound.is_none(), &self.tap, deadline);
            self.debugger.update(&self.session);
            for line in self.session.news.drain(..) {
                self.notice.show(line);
            }
            // What hop said on stderr about the ROM (a refused file name)
            // shows in the window too.
            for line in self.session.machine.take_diagnostics() {
                self.notice.show(line);
            }
            if self.session.machine.halted() {
                match self.session.launcher_choice(&self.settings.machine.root) {
                    Some(Some(path)) => {
                        // A pick that does not load: back to the launcher,
                        // which shows why.
                        if let Err(why) = self.open(&path, Vec::new()) {
                            let back = Program::launcher_saying(&why);
                            if !back
                                .is_ok_and(|launcher| self.replace(launcher, Vec::new()).is_ok())
                            {
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
            let mut title = self.session.title();
            if self.recording.is_some() {
                title.push_str(" (recording)");
            }
            self.desktop.set_title(&title);
            let machine = &self.session.machine;
            let icon = machine.metadata().icon;
            self.desktop
                .set_icon(icon.as_deref().map(icon::Icon::from_tiles));
            self.desktop.hide_cursor(machine.uses_mouse());
            let picture = self.session.machine.picture();
            // The machine's picture, without the notice bar over it.
            if let Some(recording) = &mut self.recording {
                let changed = picture.changed.is_some();
                recording.frame(picture.pixels, picture.width, picture.height, changed);
                recording.sound(&self.tap.take());
            }
            let picture = self.notice.overlay(picture);
            let picture = self.debugger.beside(picture);
            self.desktop.present(picture);
        }
        0
    }

    fn host_key(&mut self, key: HostKey) {
        match key {
            HostKey::Zoom => self.desktop.cycle_zoom(),
            HostKey::Stacks => eprint!("{}", self.session.machine.stacks_text()),
            HostKey::Reload => match self.session.program.reload() {
                Ok(program) => {
                    let name = program.file_name();
                    if self.replace(program, self.session.args.clone()).is_ok() {
                        self.notice.say(format!("reloaded {name} from disk"));
                    }
                }
                Err(lines) => {
                    lines.iter().for_each(|line| eprintln!("{line}"));
                    let why = lines.last().map_or("", |l| l.trim_start_matches("hop: "));
                    self.notice.say(format!("cannot reload: {why}"));
                }
            },
            HostKey::Reset => {
                let (program, args) = (self.session.program.clone(), self.session.args.clone());
                if self.replace(program, args).is_ok() {
                    self.notice.say("reset");
                }
            }
            HostKey::Open => {
                if self.dialog.is_none() {
                    let dir = self.session.program.directory();
                    self.dialog = Some((dialog::OpenDialog::show(&dir), std::time::Instant::now()));
                }
            }
            HostKey::Debugger => self.debugger.toggle(&mut self.session),
            HostKey::Fullscreen => self.desktop.toggle_fullscreen(),
            HostKey::Screenshot => self.screenshot(),
            HostKey::SaveState => self.save_state(),
            HostKey::RestoreState => self.restore_state(),
            HostKey::Record => self.toggle_recording(),
            HostKey::Quit => {}
        }
    }

    /// Starts the file at `path` in place of the running program, with
    /// `args`. If it does not run, the window says why, stderr has every
    /// reason, and the error is the first.
    fn open(&mut self, path: &Path, args: Vec<OsString>) -> Result<(), String> {
        match Program::load(path) {
            Ok(program) => self.replace(program, args),
            Err(lines) => {
                lines.iter().for_each(|line| eprintln!("{line}"));
                // The launcher shows the reason itself, in its list.
                if self.session.program.origin != program::Origin::Launcher {
                    let why = lines.last().map_or("", |l| l.trim_start_matches("hop: "));
                    self.notice.show(format!("not started: {why}"));
                }
                Err(lines.first().cloned().unwrap_or_default())
            }
        }
    }

    /// A fresh machine for `program`, given `args` and nothing else of the
    /// session before it; the window takes its title and size. If it does
    /// not run, the window says why and the error is the reason.
    fn replace(&mut self, program: Program, args: Vec<OsString>) -> Result<(), String> {
        self.settings.debug = self.debugger.is_open();
        let session = match Session::start(program, &args, &self.settings, BOOT_WAIT) {
            Ok(session) => session,
            Err(line) => {
                self.notice.say(line.trim_start_matches("hop: "));
                return Err(line);
            }
        };
        self.install(session);
        Ok(())
    }

    /// Makes `session` the running one, in the same window (the
    /// debugger's breakpoints carried over).
    fn install(&mut self, session: Session) {
        let old = std::mem::replace(&mut self.session, session);
        self.debugger.carry(&old, &mut self.session);
        if let Ok(mut audio) = self.audio.lock() {
            *audio = self.session.machine.audio_output();
        }
        self.input.reset();
        self.notice.unpin();
        self.rewatch();
    }

    /// Where F9 keeps the running ROM's snapshot: beside it, as
    /// `NAME.state` (`left.rom.state`).
    fn state_path(&self) -> Option<PathBuf> {
        match &self.session.program.origin {
            program::Origin::File(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(".state");
                Some(PathBuf::from(name))
            }
            program::Origin::Launcher => None,
        }
    }

    /// F9: saves the machine beside the ROM.
    fn save_state(&mut self) {
        let Some(path) = self.state_path() else {
            return self
                .notice
                .say("the launcher cannot be saved: open a ROM first");
        };
        let saved = self
            .session
            .machine
            .save_state()
            .and_then(|bytes| crate::varvara::snapshot::write(&path, &bytes));
        match saved {
            Ok(()) => self
                .notice
                .say(format!("saved the machine to {}", path.display())),
            Err(why) => self
                .notice
                .say(format!("cannot save to {}: {why}", path.display())),
        }
    }

    /// Shift+F9: the ROM as F9 last saved it, in a fresh machine (a
    /// snapshot refused leaves the running one as it is).
    fn restore_state(&mut self) {
        let Some(path) = self.state_path() else {
            return self.notice.say("the launcher has no snapshot");
        };
        let resumed = crate::varvara::snapshot::read(&path).and_then(|bytes| {
            let (program, args) = (self.session.program.clone(), self.session.args.clone());
            Session::resume(program, &args, &self.settings, &bytes)
                .map_err(|line| line.splitn(3, ": ").nth(2).unwrap_or_default().to_string())
        });
        match resumed {
            Ok(session) => {
                self.install(session);
                self.notice
                    .say(format!("restored the machine from {}", path.display()));
            }
            Err(why) => self
                .notice
                .say(format!("cannot restore {}: {why}", path.display())),
        }
    }

    /// Watches the running program's files if the rule says so, and
    /// nothing otherwise.
    fn rewatch(&mut self) {
        let program = &self.session.program;
        let wanted = match &program.origin {
            program::Origin::File(path) => self.watch_rule.unwrap_or(crate::rom::is_source(path)),
            program::Origin::Launcher => false,
        };
        if !wanted {
            self.watch = None;
            return;
        }
        if self.watch.is_none() {
            match watch::Watch::new() {
                Ok(watch) => self.watch = Some(watch),
                Err(why) => return self.notice.say(why),
            }
        }
        if let Some(watch) = &mut self.watch
            && let Err(why) = watch.follow(&program.sources)
        {
            self.notice.say(why);
        }
    }

    /// A watched file changed: the program is made again and restarts
    /// with the same arguments in the same window. If it does not load
    /// (a source that does not assemble), the old one runs on, the first
    /// error stays over the screen until a change that loads, and the
    /// files watched are those of both tries (a new include with the
    /// error in it is watched too).
    fn live_reload(&mut self) {
        let program::Origin::File(path) = &self.session.program.origin else {
            return;
        };
        let (program, sources) = Program::load_tracked(path);
        match program {
            Ok(program) => {
                let name = program.file_name();
                if self.replace(program, self.session.args.clone()).is_ok() {
                    self.notice.say(format!("{name} changed on disk: reloaded"));
                }
            }
            Err(lines) => {
                lines.iter().for_each(|line| eprintln!("{line}"));
                let first = lines.first().map_or("", |l| l.trim_start_matches("hop: "));
                self.notice
                    .pin(format!("{first} (still running the last good one)"));
                if let Some(watch) = &mut self.watch {
                    let mut files = watch.files().to_vec();
                    files.extend(sources);
                    let _ = watch.follow(&files);
                }
            }
        }
    }

    /// A drop runs the first ROM in it (`.rom` or `.tal`) with the other
    /// dropped files as its arguments, so that dropping Left with a text
    /// file opens the text in Left. A drop with no ROM changes nothing.
    fn take_drops(&mut self) {
        let Some(drops) = &self.drops else { return };
        for dropped in drops.take() {
            let Some(at) = dropped.iter().position(|p| is_program(p)) else {
                let names: Vec<String> = dropped
                    .iter()
                    .map(|p| {
                        p.file_name()
                            .unwrap_or(p.as_os_str())
                            .to_string_lossy()
                            .into_owned()
                    })
                    .collect();
                self.notice.say(format!(
                    "{}: not a ROM; drop a .rom or .tal file (with documents for it)",
                    names.join(", ")
                ));
                continue;
            };
            let mut args: Vec<OsString> =
                dropped.iter().map(|p| p.clone().into_os_string()).collect();
            let rom = PathBuf::from(args.remove(at));
            let _ = self.open(&rom, args);
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
                let _ = self.open(&path, Vec::new());
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

    /// F10: starts a recording (`hop-rec-N.gif` and `.wav` in the current
    /// directory), or ends the one running.
    fn toggle_recording(&mut self) {
        match self.recording.take() {
            Some(recording) => {
                self.tap.stop();
                let names = format!(
                    "{} and {}",
                    recording.gif.display(),
                    recording.wav.display()
                );
                match recording.finish() {
                    Ok(()) => self.notice.say(format!("saved {names}")),
                    Err(e) => self.notice.say(e),
                }
            }
            None => {
                let out = record::Recording::next_name();
                match record::Recording::start(&out) {
                    Ok(recording) => {
                        self.tap.start();
                        self.recording = Some(recording);
                    }
                    Err(e) => self.notice.say(e),
                }
            }
        }
    }

    /// Saves the screen as a PNG in the current directory.
    fn screenshot(&mut self) {
        let path = screenshot_path(Path::new("."));
        let picture = self.session.machine.picture();
        match crate::encode::screenshot::save_png(
            &path,
            picture.pixels,
            picture.width,
            picture.height,
        ) {
            // Not over the screen: the next screenshot would show it.
            Ok(()) => eprintln!("hop: saved {}", path.display()),
            Err(e) => self.notice.say(e.to_string()),
        }
    }
}

/// A file hop can run: a ROM or Uxntal source, by its extension.
fn is_program(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rom" || e == "tal")
}

fn screen_size(session: &Session) -> (usize, usize) {
    session.machine.screen_size()
}

/// `hop-1.png`, `hop-2.png`...: the first name not taken in `dir`.
fn screenshot_path(dir: &Path) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("hop-{n}.png")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join("hop.png"))
}
