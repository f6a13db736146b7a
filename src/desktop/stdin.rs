//! Standard input for the ROM's console, as the reference feeds it to GUI
//! ROMs: a reader thread passes what arrives (`echo hi | hop echo.rom`) to
//! the main loop, which delivers it byte by byte (type 1) and the end of
//! input once (type 4).
//!
//! A terminal is not read: a person types into the window, and a hop
//! started in the background (`hop left.rom &`) that read its terminal
//! would be stopped by the shell. Nor is an empty input ended: a desktop
//! launcher starts hop with /dev/null, and the end marker alone (a newline
//! of type 4) makes Noodle open a file with an empty name, which the
//! reference does. The reader blocks in `read` and costs nothing while
//! nothing comes; the process does not wait for it on exit.

#![forbid(unsafe_code)]

use std::io::{IsTerminal, Read};
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};

use crate::varvara::Event;

/// Chunks in flight: the reader waits when the ROM falls behind.
const CHUNKS: usize = 16;

pub struct Stdin {
    /// A chunk of input, or None at its end.
    chunks: Receiver<Option<Vec<u8>>>,
}

impl Stdin {
    /// The reader, or None when standard input is a terminal.
    pub fn start() -> Option<Stdin> {
        if std::io::stdin().is_terminal() {
            return None;
        }
        let (send, chunks) = sync_channel(CHUNKS);
        let reader = move || {
            let mut buffer = [0; 4096];
            let mut empty = true;
            loop {
                let chunk = match std::io::stdin().read(&mut buffer) {
                    Ok(0) => None,
                    Ok(n) => Some(buffer[..n].to_vec()),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    // A closed or unreadable stdin ends like an empty one.
                    Err(_) => None,
                };
                let end = chunk.is_none();
                if end && empty {
                    return;
                }
                empty = false;
                if send.send(chunk).is_err() || end {
                    return;
                }
            }
        };
        std::thread::Builder::new()
            .name("hop stdin".into())
            .spawn(reader)
            .ok()?;
        Some(Stdin { chunks })
    }

    /// What arrived since the last call, as console events.
    pub fn events(&mut self, out: &mut Vec<Event>) {
        loop {
            match self.chunks.try_recv() {
                Ok(Some(bytes)) => out.extend(bytes.into_iter().map(Event::ConsoleByte)),
                Ok(None) => out.push(Event::ConsoleEnd),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return,
            }
        }
    }
}
