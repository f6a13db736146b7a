//! The F6 open dialog, on a worker thread so the window keeps running
//! while it is open.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// An open dialog; at most one at a time.
pub struct OpenDialog {
    answer: Receiver<Option<PathBuf>>,
}

/// What became of the dialog.
pub enum Outcome {
    Open,
    Chosen(PathBuf),
    /// Cancelled, or there was no dialog to show (rfd cannot tell which).
    Nothing,
}

impl OpenDialog {
    /// Shows the dialog, starting in `dir`.
    pub fn show(dir: &Path) -> OpenDialog {
        let (sender, answer) = channel();
        let dir = dir.to_path_buf();
        // Should the thread not start, the sender is dropped with the
        // closure and the poll says Nothing.
        let _ = std::thread::Builder::new()
            .name("hop-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Open a ROM")
                    .add_filter("Uxn ROM or Uxntal source", &["rom", "tal"])
                    .add_filter("Any file", &["*"])
                    .set_directory(dir)
                    .pick_file();
                let _ = sender.send(picked);
            });
        OpenDialog { answer }
    }

    pub fn poll(&self) -> Outcome {
        match self.answer.try_recv() {
            Ok(Some(path)) => Outcome::Chosen(path),
            Ok(None) | Err(TryRecvError::Disconnected) => Outcome::Nothing,
            Err(TryRecvError::Empty) => Outcome::Open,
        }
    }
}

/// rfd returns nothing both when the user cancels and when there is no
/// dialog at all (no desktop portal and no zenity); only the latter is
/// worth a hint, and it is the case when zenity is not installed and no
/// session bus is there to reach a portal.
pub fn probably_no_dialog() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    !on_path("zenity") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
}
