//! Console (0x10): bytes in through the vector (arguments, stdin), bytes out
//! to the host's stdout and stderr.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use super::ports::{Layout, Port};
use crate::uxn::Uxn;

/// Console's ports, as offsets within the device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const VECTOR_LOW: u8 = 0x1;
    pub const READ: u8 = 0x2;
    pub const TYPE: u8 = 0x7;
    pub const WRITE: u8 = 0x8;
    pub const ERROR: u8 = 0x9;
}

/// The first of Console's ports on the device page.
pub const BASE: u8 = 0x10;

/// Where Console is and what its ports are called.
pub const LAYOUT: Layout = Layout {
    name: "Console",
    base: BASE,
    ports: &[
        Port::short(port::VECTOR, "vector"),
        Port::byte(port::READ, "read"),
        Port::byte(port::TYPE, "type"),
        Port::byte(port::WRITE, "write"),
        Port::byte(port::ERROR, "error"),
    ],
};

/// Console output kept in memory, for a host that reads it back rather than
/// showing it (the launcher's choice, tests). Clones share one buffer: hand
/// one to the machine (`Config::stdout`) and keep one to read.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The values of Console/type for each incoming byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ConsoleKind {
    /// No input at all (and, at reset, no arguments).
    None = 0,
    /// A byte of standard input.
    Stdin = 1,
    /// A byte of a ROM argument.
    Argument = 2,
    /// The `\n` between two arguments.
    ArgumentEnd = 3,
    /// The end: after the last argument, or at the end of standard input.
    End = 4,
}

/// hop's own diagnostics about a ROM (unknown expansion commands, refused
/// file names) written in full; past these only a count is kept, so a ROM
/// that repeats a mistake in a loop cannot flood stderr.
pub const MAX_REPORTS: u64 = 10;
/// The longest diagnostic written, in bytes; a longer one is cut.
pub const MAX_REPORT_BYTES: usize = 200;

/// Which output stream failed, and how (see [`Console::failure`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputFailure {
    /// True for stdout, false for stderr.
    pub stdout: bool,
    /// What the write failed with.
    pub kind: io::ErrorKind,
}

/// The device's state beyond its ports: the vector and the host's two
/// output streams.
pub struct Console {
    /// The vector, latched when its low byte is written.
    pub vector: u16,
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    /// The first failed write to stdout or stderr. Nobody will read what
    /// the ROM prints from then on (`hop ... | head -1`): the machine stops.
    failure: Option<OutputFailure>,
    /// Diagnostics reported so far, shown or not.
    reports: u64,
    /// Diagnostics shown and not yet taken by the host.
    recent: Vec<String>,
}

impl Console {
    /// A console that writes to these streams.
    pub fn new(stdout: Box<dyn Write>, stderr: Box<dyn Write>) -> Console {
        Console {
            vector: 0,
            stdout,
            stderr,
            failure: None,
            reports: 0,
            recent: Vec::new(),
        }
    }

    /// Reacts to a write the CPU has stored: the vector latches, a byte
    /// goes out.
    pub fn deo(&mut self, uxn: &mut Uxn, port: u8) {
        let byte = uxn.dev[port as usize];
        match port & 0x0f {
            port::VECTOR_LOW => {
                let at = LAYOUT.at(port::VECTOR);
                self.vector = u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]]);
            }
            port::WRITE => {
                let mut written = self.stdout.write_all(&[byte]);
                if byte == b'\n' {
                    written = written.and_then(|()| self.stdout.flush());
                }
                self.check(true, written);
            }
            port::ERROR => self.write_stderr(&[byte]),
            _ => {}
        }
    }

    /// An incoming byte and its kind, for the vector that follows.
    pub fn input(uxn: &mut Uxn, byte: u8, kind: ConsoleKind) {
        uxn.dev[LAYOUT.at(port::READ)] = byte;
        uxn.dev[LAYOUT.at(port::TYPE)] = kind as u8;
    }

    /// Before reset: Console/type reads 1, which tells ROMs such as Left
    /// that arguments will follow (and to wait for them).
    pub fn announce_arguments(uxn: &mut Uxn) {
        uxn.dev[LAYOUT.at(port::TYPE)] = 1;
    }

    fn write_stderr(&mut self, bytes: &[u8]) {
        let written = self
            .stderr
            .write_all(bytes)
            .and_then(|()| self.stderr.flush());
        self.check(false, written);
    }

    /// Records the first failed write.
    fn check(&mut self, stdout: bool, written: io::Result<()>) {
        if let Err(e) = written
            && self.failure.is_none()
        {
            self.failure = Some(OutputFailure {
                stdout,
                kind: e.kind(),
            });
        }
    }

    /// The first write to stdout or stderr that failed (a closed pipe, a
    /// full disk), if one did. The machine halts on it.
    pub fn failure(&self) -> Option<OutputFailure> {
        self.failure
    }

    /// Writes what the System debug port prints (both stacks) to the ROM's
    /// stderr. The ROM asked for it, as for its own stderr bytes, so it is
    /// not limited like [`Console::report`].
    pub fn debug(&mut self, text: &str) {
        self.write_stderr(text.as_bytes());
    }

    /// hop's own diagnostics about the ROM (unknown expansion commands,
    /// refused file names), the one place they go through: the first
    /// [`MAX_REPORTS`] are written to the ROM's stderr, each cut to
    /// [`MAX_REPORT_BYTES`], and kept for the host ([`Console::take_reports`]);
    /// later ones are only counted ([`Console::unshown_reports`]).
    pub fn report(&mut self, text: impl AsRef<[u8]>) {
        self.reports += 1;
        if self.reports > MAX_REPORTS {
            return;
        }
        let text = text.as_ref();
        let line = text.strip_suffix(b"\n").unwrap_or(text);
        let mut line = if line.len() > MAX_REPORT_BYTES {
            let mut cut = MAX_REPORT_BYTES;
            while cut > MAX_REPORT_BYTES - 3 && line[cut] & 0xc0 == 0x80 {
                cut -= 1;
            }
            [&line[..cut], b"..."].concat()
        } else {
            line.to_vec()
        };
        self.recent
            .push(String::from_utf8_lossy(&line).into_owned());
        line.push(b'\n');
        self.write_stderr(&line);
    }

    /// The diagnostics written since the last call, one line each without
    /// its newline: a desktop shows them in the window.
    pub fn take_reports(&mut self) -> Vec<String> {
        std::mem::take(&mut self.recent)
    }

    /// How many diagnostics were only counted, past [`MAX_REPORTS`].
    pub fn unshown_reports(&self) -> u64 {
        self.reports.saturating_sub(MAX_REPORTS)
    }

    /// The line a host prints at the end when diagnostics went unshown.
    pub fn unshown_summary(&self) -> Option<String> {
        match self.unshown_reports() {
            0 => None,
            1 => Some("hop: 1 more diagnostic about the ROM was not shown".into()),
            n => Some(format!(
                "hop: {n} more diagnostics about the ROM were not shown"
            )),
        }
    }

    /// Pushes buffered output out; the machine calls it after every vector.
    pub fn flush(&mut self) {
        let flushed = self.stdout.flush();
        self.check(true, flushed);
        let flushed = self.stderr.flush();
        self.check(false, flushed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_limited_cut_and_kept_for_the_host() {
        let stderr = Captured::default();
        let mut console = Console::new(Box::new(io::sink()), Box::new(stderr.clone()));
        console.report("first\n");
        console.report("x".repeat(300));
        assert_eq!(
            console.take_reports(),
            ["first".to_string(), format!("{}...", "x".repeat(200))]
        );
        assert!(console.take_reports().is_empty());
        for _ in 0..20 {
            console.report("again\n");
        }
        assert_eq!(console.take_reports().len(), 8);
        assert_eq!(console.unshown_reports(), 12);
        assert_eq!(
            console.unshown_summary().as_deref(),
            Some("hop: 12 more diagnostics about the ROM were not shown")
        );
        let expected = format!("first\n{}...\n{}", "x".repeat(200), "again\n".repeat(8));
        assert_eq!(stderr.text(), expected);
    }
}
