//! What the desktop runs: a ROM or Uxntal file from disk, or the embedded
//! launcher, and how to read it again (F4) or start what the launcher
//! picked.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use crate::asm;
use crate::rom::{self, LoadError};

/// The launcher's source and the font it includes, built by hop's own
/// assembler when hop starts without a ROM.
const LAUNCHER: &[u8] = include_bytes!("../../assets/launcher.tal");
const FONT: &[u8] = include_bytes!("../../assets/font.tal");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Launcher,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub origin: Origin,
    pub rom: Vec<u8>,
    /// What the launcher shows under its list (why the last pick did not
    /// start), handed to it as its console argument.
    pub notice: Option<String>,
    /// The files it was made from: the ROM, or the source and its
    /// includes (what live reload watches).
    pub sources: Vec<PathBuf>,
    /// Its labels, for the debugger (see [`rom::load_labelled`]).
    pub labels: asm::Labels,
}

impl Program {
    /// Reads a ROM, or assembles a `.tal` file. The error is the lines to
    /// print (the last a `hop:` summary).
    pub fn load(path: &Path) -> Result<Program, Vec<String>> {
        Program::load_tracked(path).0
    }

    /// [`Program::load`], and the files it was made from, also when it
    /// does not load (as far as assembly got).
    pub fn load_tracked(path: &Path) -> (Result<Program, Vec<String>>, Vec<PathBuf>) {
        let (rom, sources) = rom::load_labelled(path);
        let program = rom.map_err(|e| e.report()).map(|(rom, labels)| Program {
            origin: Origin::File(path.to_path_buf()),
            rom,
            notice: None,
            sources: sources.clone(),
            labels,
        });
        (program, sources)
    }

    /// The embedded launcher (see assets/launcher.tal).
    pub fn launcher() -> Result<Program, Vec<String>> {
        let mut loader = |_from: &str, path: &str| match path {
            "font.tal" => Ok(("font.tal".to_string(), FONT.to_vec())),
            _ => asm::no_includes(_from, path),
        };
        let assembly =
            asm::assemble_source("launcher.tal", LAUNCHER, &mut loader).map_err(|errors| {
                LoadError::Assembly {
                    path: "launcher.tal".into(),
                    errors,
                }
                .report()
            })?;
        Ok(Program {
            origin: Origin::Launcher,
            labels: asm::Labels::new(&assembly.symbols),
            rom: assembly.rom,
            notice: None,
            sources: Vec::new(),
        })
    }

    /// The launcher, showing `notice` (without hop's `hop: ` prefix).
    pub fn launcher_saying(notice: &str) -> Result<Program, Vec<String>> {
        let notice = notice.strip_prefix("hop: ").unwrap_or(notice);
        Ok(Program {
            notice: Some(notice.to_string()),
            ..Program::launcher()?
        })
    }

    /// The same program read again from disk (the launcher is rebuilt).
    pub fn reload(&self) -> Result<Program, Vec<String>> {
        match &self.origin {
            Origin::File(path) => Program::load(path),
            Origin::Launcher => Program::launcher(),
        }
    }

    /// The window title when the ROM gives no name: the file name.
    pub fn file_name(&self) -> String {
        match &self.origin {
            Origin::File(path) => path
                .file_name()
                .unwrap_or(path.as_os_str())
                .to_string_lossy()
                .into_owned(),
            Origin::Launcher => "hop".into(),
        }
    }

    /// The directory an open dialog starts in.
    pub fn directory(&self) -> PathBuf {
        match &self.origin {
            Origin::File(path) => match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                _ => PathBuf::from("."),
            },
            Origin::Launcher => PathBuf::from("."),
        }
    }
}

/// The path the launcher picked: the last line it wrote to the console,
/// relative to the file devices' root.
pub fn launcher_choice(console: &[u8], root: &Path) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let line = console
        .split(|&b| b == b'\n')
        .rev()
        .find(|line| !line.is_empty())?;
    Some(root.join(std::ffi::OsStr::from_bytes(line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_assembles() {
        let program = Program::launcher().unwrap();
        assert!(program.rom.len() > 1000, "code and font");
        assert_eq!(program.file_name(), "hop");
    }

    #[test]
    fn the_launcher_choice_is_its_last_line() {
        assert_eq!(
            launcher_choice(b"roms/piano.tal\n", Path::new("/r")),
            Some(PathBuf::from("/r/roms/piano.tal"))
        );
        assert_eq!(launcher_choice(b"", Path::new(".")), None);
    }
}
