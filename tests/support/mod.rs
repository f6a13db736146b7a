//! Helpers shared by the tests. Here: running drifblim, the self-hosted
//! Uxntal assembler, on hop: the arbiter of what hop's assembler must
//! produce. It needs `../shared`; without it the callers skip, loudly.
//! In [`hop`]: running the `hop` binary; in [`golden`]: golden files; in
//! [`recorder`]: the device of the differential tests; in `xvfb` (with the
//! desktop): the window under a private X server.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub mod golden;
pub mod hop;
pub mod recorder;
#[cfg(feature = "desktop")]
pub mod xvfb;

#[allow(unused_imports)] // each test file uses what it needs
pub use hop::{HOP, hop, hop_in};

/// drifblim's ROM, or `None` (after saying SKIPPED on stderr) when
/// `../shared` is absent.
pub fn drifblim(what: &str) -> Option<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.is_dir() {
        // Straight to stderr: the test harness would swallow an eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {what}: ../shared (and drifblim in it) not found"
        );
        return None;
    }
    let rom = shared.join("roms/apps/drifblim.rom");
    assert!(rom.is_file(), "{} is missing", rom.display());
    Some(rom.canonicalize().unwrap())
}

/// A fresh folder under the system temp dir, removed when dropped: every
/// test that writes files works in one of these.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("hop-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The path of `name` inside the folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes a file into the folder (creating its parents) and returns its path.
    pub fn file(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What drifblim made of `main` (a path inside `dir`, where it runs, since
/// hop confines its file device to the working directory): the ROM and the
/// symbol file, or its messages when it wrote no ROM.
pub fn run_drifblim(drifblim: &Path, dir: &Path, main: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let out = "drifblim-out.rom";
    let _ = std::fs::remove_file(dir.join(out));
    let output = hop()
        .dir(dir)
        .arg("--headless")
        .arg(drifblim)
        .args([main, out])
        .output();
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        return Err(messages);
    }
    let rom = std::fs::read(dir.join(out)).map_err(|e| format!("no ROM ({e}): {messages}"))?;
    let sym = std::fs::read(dir.join(format!("{out}.sym"))).unwrap_or_default();
    Ok((rom, sym))
}

/// drifblim's ROM and symbols for the one-file program `source`.
pub fn drifblim_on(drifblim: &Path, source: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    let scratch = TempDir::new("probe");
    std::fs::write(scratch.0.join("probe.tal"), source).unwrap();
    run_drifblim(drifblim, &scratch.0, "probe.tal")
}

/// Address space `hop` may use in the memory tests: some 40 times what a
/// small run takes, and a small fraction of what the unbounded inputs used
/// to take. Going past it makes an allocation fail (an error or an abort),
/// which the tests see; it needs no timing.
pub const MEMORY_LIMIT_KIB: u64 = 400 * 1024;

/// The names in a folder, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
