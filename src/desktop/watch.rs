//! Live reload: the files a program was made from (a ROM, or a `.tal` and
//! everything it includes), watched for changes through inotify (the
//! `notify` crate).
//!
//! Folders are watched rather than files, so that an editor that saves by
//! writing a new file and renaming it over the old one is seen too. A
//! save comes as a burst of events (truncate, writes, close, rename):
//! the change is reported once the burst has been quiet for [`QUIET`].

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long after the last event of a save the change is reported.
const QUIET: Duration = Duration::from_millis(150);

pub struct Watch {
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    /// The files, as absolute paths (events name them so).
    files: Vec<PathBuf>,
    /// The folders watched for them.
    folders: Vec<PathBuf>,
    /// When the last event about one of the files came, if not reported.
    changed_at: Option<Instant>,
}

impl Watch {
    /// A watch on nothing yet. The error is one line for the person.
    pub fn new() -> Result<Watch, String> {
        let (send, events) = channel();
        let watcher = notify::recommended_watcher(move |event| {
            let _ = send.send(event);
        })
        .map_err(|e| format!("cannot watch files for live reload: {e}"))?;
        Ok(Watch {
            watcher,
            events,
            files: Vec::new(),
            folders: Vec::new(),
            changed_at: None,
        })
    }

    /// Watches exactly `files` from now on. The error names what cannot
    /// be watched (the rest are).
    pub fn follow(&mut self, files: &[PathBuf]) -> Result<(), String> {
        self.files = files
            .iter()
            .filter_map(|f| std::path::absolute(f).ok())
            .collect();
        self.files.dedup();
        let mut folders: Vec<PathBuf> = self
            .files
            .iter()
            .filter_map(|f| f.parent().map(Path::to_path_buf))
            .collect();
        folders.sort();
        folders.dedup();
        for gone in self.folders.iter().filter(|f| !folders.contains(f)) {
            let _ = self.watcher.unwatch(gone);
        }
        let mut failed = None;
        for folder in folders.iter().filter(|f| !self.folders.contains(f)) {
            if let Err(e) = self.watcher.watch(folder, RecursiveMode::NonRecursive) {
                failed = Some(format!("cannot watch {}: {e}", folder.display()));
            }
        }
        self.folders = folders;
        failed.map_or(Ok(()), Err)
    }

    /// The files being watched.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Whether one of the files changed, reported once its save is over.
    pub fn changed(&mut self) -> bool {
        while let Ok(event) = self.events.try_recv() {
            let Ok(event) = event else { continue };
            // Opening and reading a file (hop's own reload among them) is
            // not a change.
            if matches!(event.kind, EventKind::Access(_)) {
                continue;
            }
            if event.paths.iter().any(|p| self.files.contains(p)) {
                self.changed_at = Some(Instant::now());
            }
        }
        match self.changed_at {
            Some(at) if at.elapsed() >= QUIET => {
                self.changed_at = None;
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits up to 5 s for `watch` to report a change.
    fn reported(watch: &mut Watch) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if watch.changed() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn writes_and_renames_over_a_watched_file_are_reported_once_and_others_are_not() {
        let dir = std::env::temp_dir().join(format!("hop-watch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (main, other) = (dir.join("main.tal"), dir.join("other.tal"));
        std::fs::write(&main, "|100 BRK").unwrap();
        std::fs::write(&other, "").unwrap();
        let mut watch = Watch::new().unwrap();
        watch.follow(std::slice::from_ref(&main)).unwrap();

        // A file beside it, and reading the watched one, change nothing.
        std::fs::write(&other, "x").unwrap();
        let _ = std::fs::read(&main).unwrap();
        std::thread::sleep(QUIET * 2);
        assert!(!watch.changed(), "an unwatched file or a read");

        // Written in place: one report.
        std::fs::write(&main, "|100 #01 BRK").unwrap();
        assert!(reported(&mut watch), "a write in place");
        std::thread::sleep(QUIET * 2);
        assert!(!watch.changed(), "reported once");

        // Saved as editors do: a new file renamed over it.
        let new = dir.join(".main.tal.swp");
        std::fs::write(&new, "|100 #02 BRK").unwrap();
        std::fs::rename(&new, &main).unwrap();
        assert!(reported(&mut watch), "a rename over it");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
