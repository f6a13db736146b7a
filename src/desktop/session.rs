//! One running program: the machine, booted with the ROM's arguments, fed
//! one frame at a time. A vector that runs past its budget stops the
//! session (the window stays, F4 and F6 still work); a halt ends it.

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::program::{Origin, Program};
use crate::uxn::Engine;
use crate::varvara::audio::{CHANNELS, FRAMES_PER_VIDEO_FRAME};
use crate::varvara::{Captured, Config, Event, Runaway, Varvara};

/// How every session is set up (from the command line).
#[derive(Debug, Clone)]
pub struct Settings {
    pub engine: Engine,
    pub budget: u64,
    pub root: PathBuf,
    /// The ROM's arguments (the launcher gets none, nor what it starts).
    pub args: Vec<OsString>,
}

pub struct Session {
    pub machine: Varvara,
    pub program: Program,
    /// The launcher's console output.
    captured: Option<Captured>,
    /// Set once a vector ran past its budget: nothing runs any more.
    pub stopped: bool,
    /// Sample frames due but not yet rendered, without a sound stream.
    silent_due: u64,
}

/// Sample frames rendered at a time without a sound stream.
const SILENT_BLOCK: usize = 512;

impl Session {
    /// Boots `program`. The error is one line for stderr.
    pub fn start(program: Program, settings: &Settings) -> Result<Session, String> {
        let captured = (program.origin == Origin::Launcher).then(Captured::default);
        let stdout: Box<dyn Write> = match &captured {
            Some(c) => Box::new(c.clone()),
            None => Box::new(io::stdout()),
        };
        let config = Config {
            engine: settings.engine,
            budget: settings.budget,
            root: settings.root.clone(),
            stdout,
            stderr: Box::new(io::stderr()),
        };
        let machine = Varvara::new(&program.rom, config)
            .map_err(|e| format!("hop: {}: {e}", program.file_name()))?;
        let mut session = Session {
            machine,
            program,
            captured,
            stopped: false,
            silent_due: 0,
        };
        let args: Vec<&[u8]> = if session.captured.is_some() {
            session
                .program
                .notice
                .iter()
                .map(|n| n.as_bytes())
                .collect()
        } else {
            settings.args.iter().map(|a| a.as_bytes()).collect()
        };
        let booted = session
            .machine
            .boot(!args.is_empty())
            .and_then(|()| session.machine.send_args(&args));
        session.check(booted, settings.budget);
        Ok(session)
    }

    /// Runs one frame: finished notes, the events, the screen vector.
    /// With `silent` (no sound stream), the frame's audio is rendered here
    /// and dropped, so notes still end and their vectors still run in time.
    pub fn frame(&mut self, events: Vec<Event>, budget: u64, silent: bool) {
        if self.stopped || self.machine.halted() {
            return;
        }
        let result = self.machine.run_frame(events);
        if silent {
            // In blocks of 512 frames, as the reference's audio callback
            // asks: a note whose envelope ends exactly where a block ends
            // and whose loudness the ROM reads then stops with no finish
            // event (as in the reference), and envelopes end on multiples
            // of 735 frames, the samples of a 60 Hz frame.
            self.silent_due += FRAMES_PER_VIDEO_FRAME as u64;
            let mut block = [0; SILENT_BLOCK * CHANNELS];
            while self.silent_due >= SILENT_BLOCK as u64 {
                self.silent_due -= SILENT_BLOCK as u64;
                self.machine.render_audio(&mut block);
            }
        } else {
            self.machine.refresh_audio_samples();
        }
        self.check(result, budget);
    }

    fn check(&mut self, result: Result<(), Runaway>, budget: u64) {
        if let Err(Runaway { vector, pc }) = result {
            self.stopped = true;
            eprintln!(
                "hop: {}: the vector at {vector:#06x} ran {budget} jumps without reaching BRK \
                 (stopped at {pc:#06x}); the ROM is stopped: F4 reloads it, F6 opens another",
                self.program.file_name()
            );
        }
    }

    /// The name in the ROM's metadata (System/metadata), else the file name.
    pub fn title(&self) -> String {
        let at = self.machine.devices.system.metadata as usize;
        if at != 0 {
            let ram = &self.machine.uxn.ram;
            // Byte 0 is the version; the name is the text's first line.
            let text = &ram[(at + 1).min(ram.len())..];
            let end = text
                .iter()
                .position(|&b| b == 0 || b == b'\n')
                .unwrap_or(text.len())
                .min(255);
            let name = String::from_utf8_lossy(&text[..end]).trim().to_string();
            if !name.is_empty() {
                return name;
            }
        }
        self.program.file_name()
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
