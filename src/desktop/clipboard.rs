//! The X clipboard bridged to the ROM's `.snarf` file, where Left and
//! Noodle keep what they copy: text the ROM writes there goes on the
//! clipboard (CLIPBOARD and PRIMARY), and before the ROM reads it, hop
//! puts the clipboard's text there if it changed since. Binary contents
//! (Noodle's pixels) stay in the file alone.
//!
//! The ROM never waits on X: a thread of its own owns the clipboard, sets
//! it when told and reads it every [`POLL`]; the hook only looks at what
//! that thread last saw.

#![forbid(unsafe_code)]

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arboard::{GetExtLinux, LinuxClipboardKind, SetExtLinux};

use crate::varvara::file::SnarfHook;

/// How often the clipboard is read: a paste right after a copy in another
/// program sees it.
const POLL: Duration = Duration::from_millis(200);

/// The bridge; the same one for every machine the window runs.
#[derive(Debug)]
pub struct Bridge {
    to_thread: Mutex<Sender<String>>,
    /// The thread's end, until it starts.
    from_bridge: Mutex<Option<Receiver<String>>>,
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// The clipboard's text when the thread last read it (None: empty, not
    /// text, or no owner).
    clipboard: Option<String>,
    /// The text the snarf file and the clipboard last agreed on: the
    /// clipboard goes into the file only when it differs from this.
    synced: Option<String>,
}

impl Bridge {
    /// A bridge whose copies wait for [`Bridge::connect`] (the machine
    /// boots before the window opens).
    pub fn new() -> Arc<Bridge> {
        let (to_thread, from_bridge) = mpsc::channel();
        Arc::new(Bridge {
            to_thread: Mutex::new(to_thread),
            from_bridge: Mutex::new(Some(from_bridge)),
            state: Arc::new(Mutex::new(State::default())),
        })
    }

    /// Starts the clipboard's thread, once the window is open. Without a
    /// clipboard the bridge does nothing and `.snarf` stays a plain file.
    pub fn connect(&self) {
        let Some(from_bridge) = self.from_bridge.lock().ok().and_then(|mut r| r.take()) else {
            return;
        };
        let shared = Arc::clone(&self.state);
        let spawned = std::thread::Builder::new()
            .name("hop clipboard".into())
            .spawn(move || serve(from_bridge, shared));
        if let Err(e) = spawned {
            eprintln!("hop: no clipboard: {e}; .snarf stays a file");
        }
    }
}

impl SnarfHook for Bridge {
    fn written(&self, contents: &[u8]) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        match as_text(contents) {
            Some(text) => {
                state.clipboard = Some(text.to_string());
                state.synced = Some(text.to_string());
                if let Ok(sender) = self.to_thread.lock() {
                    let _ = sender.send(text.to_string());
                }
            }
            // Not text: the clipboard as it is now must not replace it.
            None => state.synced = state.clipboard.clone(),
        }
    }

    fn before_read(&self) -> Option<Vec<u8>> {
        let mut state = self.state.lock().ok()?;
        let text = state.clipboard.clone()?;
        if state.synced.as_ref() == Some(&text) {
            return None;
        }
        state.synced = Some(text.clone());
        Some(text.into_bytes())
    }
}

/// The snarf file's contents as clipboard text: UTF-8 without NULs.
fn as_text(contents: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(contents).ok()?;
    (!text.contains('\0')).then_some(text)
}

/// The clipboard's thread: sets what the bridge sends, reads the
/// clipboard in between.
fn serve(from_bridge: Receiver<String>, state: Arc<Mutex<State>>) {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(e) => {
            eprintln!("hop: no clipboard: {e}; .snarf stays a file");
            return;
        }
    };
    loop {
        match from_bridge.recv_timeout(POLL) {
            Ok(mut text) => {
                // Only the newest of several copies matters.
                while let Ok(newer) = from_bridge.try_recv() {
                    text = newer;
                }
                let _ = clipboard
                    .set()
                    .clipboard(LinuxClipboardKind::Primary)
                    .text(text.clone());
                let _ = clipboard
                    .set()
                    .clipboard(LinuxClipboardKind::Clipboard)
                    .text(text);
            }
            Err(RecvTimeoutError::Timeout) => {
                let text = clipboard
                    .get()
                    .clipboard(LinuxClipboardKind::Clipboard)
                    .text()
                    .ok();
                if let Ok(mut state) = state.lock() {
                    state.clipboard = text;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bridge(clipboard: Option<&str>) -> Bridge {
        let (to_thread, _) = mpsc::channel();
        Bridge {
            to_thread: Mutex::new(to_thread),
            from_bridge: Mutex::new(None),
            state: Arc::new(Mutex::new(State {
                clipboard: clipboard.map(str::to_string),
                synced: None,
            })),
        }
    }

    #[test]
    fn the_clipboard_goes_into_the_file_once_per_change() {
        let bridge = bridge(Some("kiwi"));
        assert_eq!(bridge.before_read(), Some(b"kiwi".to_vec()));
        assert_eq!(bridge.before_read(), None, "unchanged: the file stays");
        bridge.state.lock().unwrap().clipboard = Some("fig".into());
        assert_eq!(bridge.before_read(), Some(b"fig".to_vec()));
    }

    #[test]
    fn a_copy_in_the_rom_is_not_undone_by_the_old_clipboard() {
        let bridge = bridge(Some("kiwi"));
        bridge.written(b"apples");
        assert_eq!(bridge.before_read(), None);
        // Binary contents (Noodle's pixels) stay in the file.
        let bridge = self::bridge(Some("kiwi"));
        bridge.written(&[0x00, 0xff, 0x18]);
        assert_eq!(bridge.before_read(), None);
    }
}
