//! Console (0x10): bytes in through the vector (arguments, stdin), bytes out
//! to the host's stdout and stderr.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use crate::uxn::Uxn;

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

/// The values of Console/type (0x17) for each incoming byte.
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

pub struct Console {
    /// The vector, latched when its low byte (0x11) is written.
    pub vector: u16,
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
}

impl Console {
    pub fn new(stdout: Box<dyn Write>, stderr: Box<dyn Write>) -> Console {
        Console {
            vector: 0,
            stdout,
            stderr,
        }
    }

    pub fn deo(&mut self, uxn: &mut Uxn, port: u8) {
        let byte = uxn.dev[port as usize];
        // A closed pipe must not stop the machine: output errors are dropped.
        match port {
            0x11 => self.vector = u16::from_be_bytes([uxn.dev[0x10], uxn.dev[0x11]]),
            0x18 => {
                let _ = self.stdout.write_all(&[byte]);
                if byte == b'\n' {
                    let _ = self.stdout.flush();
                }
            }
            0x19 => {
                let _ = self.stderr.write_all(&[byte]);
                let _ = self.stderr.flush();
            }
            _ => {}
        }
    }

    /// Writes diagnostics (the System debug port, refused file names,
    /// unknown expansion commands) to the ROM's stderr.
    pub fn report(&mut self, text: impl AsRef<[u8]>) {
        let _ = self.stderr.write_all(text.as_ref());
        let _ = self.stderr.flush();
    }

    /// Pushes buffered output out; the machine calls it after every vector.
    pub fn flush(&mut self) {
        let _ = self.stdout.flush();
        let _ = self.stderr.flush();
    }
}
