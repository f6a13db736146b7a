//! One running program: the machine, booted with its own arguments, fed
//! one frame at a time. The machine works for a slice of each frame only:
//! a vector still running at the frame's deadline is suspended and resumed
//! the next frame, so the window never freezes. A vector that runs past
//! its budget or its time limit stops the session (the window stays, F4,
//! F5 and F6 still work); a halt ends it.

#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::program::{Origin, Program};
use crate::varvara::audio::{CHANNELS, SAMPLES_PER_FRAME};
use crate::varvara::{self, Captured, Config, Event, Runaway, Varvara};

/// How every session is set up (from the command line).
#[derive(Debug, Clone)]
pub struct Settings {
    /// How each machine runs: engine, limits, file root, compat.
    pub machine: varvara::Settings,
    /// The command line's arguments, for the ROM named there (a ROM opened
    /// later gets the documents dropped with it, or nothing).
    pub args: Vec<OsString>,
    /// `--trace N`: print the last N instructions of a vector that is stopped.
    pub trace: Option<usize>,
    /// Start with the debugger attached, paused before the reset vector
    /// (`--debug`, and every restart while the panel is open).
    pub debug: bool,
    /// The clipboard bridged to each machine's `.snarf` (None: `--no-clipboard`).
    pub clipboard: Option<Arc<super::clipboard::Bridge>>,
    /// Where console output goes as MIDI instead of stdout (`--midi`).
    pub midi: Option<super::midi::Port>,
}

/// The program in the window and its machine.
pub struct Session {
    /// The machine running it.
    pub machine: Varvara,
    /// What runs: the ROM, where it came from, its labels.
    pub program: Program,
    /// The launcher's console output.
    captured: Option<Captured>,
    /// Why the ROM was stopped (a vector ran past its limits): nothing
    /// runs any more.
    pub stopped: Option<String>,
    /// Samples due but not yet rendered, without a sound stream.
    silent_due: u64,
    /// The arguments it was started with (F4 and F5 start it with them again).
    pub args: Vec<OsString>,
    /// Lines for the person at the window, not yet shown (stderr has
    /// them already, at greater length).
    pub news: Vec<String>,
}

/// A vector suspended for this long makes the title say the ROM is busy
/// (shorter ones would only flicker in the title).
const BUSY_AFTER: Duration = Duration::from_millis(250);

/// Samples rendered at a time without a sound stream.
const SILENT_BLOCK: usize = 512;

impl Session {
    /// Boots `program` with `args`, for at most `wait`: a boot that takes
    /// longer goes on frame by frame. The error is one line for stderr.
    pub fn start(
        program: Program,
        args: &[OsString],
        settings: &Settings,
        wait: Duration,
    ) -> Result<Session, String> {
        Session::begin(program, args, settings, wait, None)
    }

    /// `program` from a snapshot of it (`snapshot`'s bytes) rather than
    /// booted. The error is one line for stderr.
    pub fn resume(
        program: Program,
        args: &[OsString],
        settings: &Settings,
        snapshot: &[u8],
    ) -> Result<Session, String> {
        Session::begin(program, args, settings, Duration::ZERO, Some(snapshot))
    }

    fn begin(
        program: Program,
        args: &[OsString],
        settings: &Settings,
        wait: Duration,
        snapshot: Option<&[u8]>,
    ) -> Result<Session, String> {
        let captured = (program.origin == Origin::Launcher).then(Captured::default);
        let stdout: Box<dyn Write> = match (&captured, &settings.midi) {
            (Some(c), _) => Box::new(c.clone()),
            (None, Some(port)) => Box::new(super::midi::Writer::new(port.clone())),
            (None, None) => Box::new(io::stdout()),
        };
        let config = Config {
            settings: settings.machine.clone(),
            // The files the person named or dropped with the ROM are
            // theirs to open (the launcher gets none).
            grants: crate::varvara::file::grants(args),
            stdout,
            stderr: Box::new(io::stderr()),
        };
        let mut machine = Varvara::new(&program.rom, config)
            .map_err(|e| format!("hop: {}: {e}", program.file_name()))?;
        if let Some(bridge) = &settings.clipboard {
            machine.set_snarf_hook(bridge.clone());
        }
        let mut session = Session {
            machine,
            program,
            captured,
            stopped: None,
            silent_due: 0,
            args: args.to_vec(),
            news: Vec::new(),
        };
        // The launcher's arguments are what it has to say (a pick that
        // failed); a ROM's are its documents.
        let args: Vec<&[u8]> = match (&session.captured, &session.program.notice) {
            (Some(_), Some(notice)) => vec![notice.as_bytes()],
            (Some(_), None) => Vec::new(),
            (None, _) => args.iter().map(|a| a.as_bytes()).collect(),
        };
        if let Some(n) = settings.trace {
            let tracing = crate::varvara::debug::Debugger::tracing(n);
            session.machine.attach_debugger(Some(tracing));
        }
        if settings.debug {
            // Before the reset vector (or where the snapshot was taken):
            // the debugger's panel sets its breakpoints and lets it run
            // (see `debugger::Panel::carry`).
            let trace = session.machine.debugger_mut().and_then(|d| d.trace.take());
            let mut debugger = crate::varvara::debug::Debugger::new();
            debugger.trace = trace;
            session.machine.attach_debugger(Some(debugger));
            session.machine.pause();
        }
        match snapshot {
            // Booted, with its arguments, when it was saved.
            Some(bytes) => session
                .machine
                .restore_state(bytes)
                .map_err(|why| format!("hop: {}: {why}", session.program.file_name()))?,
            None => {
                session.machine.queue_start(&args);
                let booted = session.machine.work(Some(Instant::now() + wait));
                session.check(booted);
            }
        }
        Ok(session)
    }

    /// Runs one frame until `deadline`: finished notes, the events, the
    /// screen vector, after whatever earlier frames left unfinished.
    /// With `silent` (no sound stream), the frame's audio is rendered here
    /// (for `tap`, the recording, if one runs) and dropped, so notes still end and their vectors still run in time.
    pub fn frame(
        &mut self,
        events: Vec<Event>,
        silent: bool,
        tap: &super::sound::Tap,
        deadline: Instant,
    ) {
        if self.stopped.is_some() || self.machine.halted() {
            return;
        }
        if self.machine.paused() {
            // Frozen for the debugger: no frame, no vector; the sound
            // stream still gets the voices' samples.
            if !silent {
                self.machine.refresh_audio_samples();
            }
            return;
        }
        self.machine.queue_frame(events);
        let result = self.machine.work(Some(deadline));
        self.machine.report_snarf();
        if silent {
            // In blocks of 512 frames, as the reference's audio callback
            // asks: a note whose envelope ends exactly where a block ends
            // and whose loudness the ROM reads then stops with no finish
            // event (as in the reference), and envelopes end on multiples
            // of 735 frames, the samples of a 60 Hz frame.
            self.silent_due += SAMPLES_PER_FRAME as u64;
            let mut block = [0; SILENT_BLOCK * CHANNELS];
            while self.silent_due >= SILENT_BLOCK as u64 {
                self.silent_due -= SILENT_BLOCK as u64;
                self.machine.render_audio(&mut block);
                tap.feed(&block);
            }
        } else {
            self.machine.refresh_audio_samples();
        }
        self.check(result);
    }

    fn check(&mut self, result: Result<bool, Runaway>) {
        if let Err(runaway) = result {
            let why = format!(
                "{}: {runaway}; the ROM is stopped: F4 reloads it, F5 resets it",
                self.program.file_name(),
            );
            eprintln!("hop: {why}");
            if let Some(trace) = self.machine.debugger().and_then(|d| d.trace.as_ref()) {
                crate::headless::print_trace(&trace.lines(&self.program.labels));
            }
            // The window's line is short: a small screen shows 20 letters.
            self.news.push(format!(
                "stopped: {}; F4 reloads, F5 resets",
                runaway.what()
            ));
            self.stopped = Some(why);
        }
    }

    /// The window title: the ROM's name, and whether it is busy or stopped.
    pub fn title(&self) -> String {
        let name = self.name();
        if self.stopped.is_some() {
            format!("{name} (stopped)")
        } else if self.machine.busy_for().is_some_and(|t| t >= BUSY_AFTER) {
            format!("{name} (busy)")
        } else {
            name
        }
    }

    /// The name in the ROM's metadata (System/metadata), else the file name.
    pub fn name(&self) -> String {
        self.machine
            .metadata()
            .name
            .unwrap_or_else(|| self.program.file_name())
    }

    /// When the launcher has halted: the file it picked (relative to the
    /// file devices' `root`), if any.
    pub fn launcher_choice(&self, root: &Path) -> Option<Option<PathBuf>> {
        let captured = self.captured.as_ref()?;
        if !self.machine.halted() {
            return None;
        }
        Some(super::program::launcher_choice(&captured.bytes(), root))
    }
}
