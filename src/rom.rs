//! Loading a program: reading a ROM file, with one clear sentence for every
//! way it can fail, or assembling a `.tal` source in memory.

#![forbid(unsafe_code)]

use std::fmt;
use std::io::{ErrorKind, Read};
use std::path::Path;

use crate::asm::Labels;
use crate::varvara::banks::MAX_ROM_SIZE;

/// Why a ROM could not be used; `Display` is a one-line message for users.
#[derive(Debug)]
pub struct RomFileError {
    /// The file, as named.
    pub path: String,
    /// Why it cannot be used.
    pub reason: String,
}

impl fmt::Display for RomFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

impl std::error::Error for RomFileError {}

/// Reads a ROM: not a directory, not empty, at most 16 banks.
pub fn read(path: &Path) -> Result<Vec<u8>, RomFileError> {
    let fail = |reason: String| RomFileError {
        path: path.display().to_string(),
        reason,
    };
    if path.is_dir() {
        return Err(fail("is a directory, not a ROM".into()));
    }
    // Refuse an oversized file before reading it all into memory.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_ROM_SIZE as u64
    {
        return Err(fail(format!(
            "{} bytes is too large for a ROM (at most {MAX_ROM_SIZE} bytes fit in 16 banks)",
            meta.len()
        )));
    }
    // At most one byte more than fits: a device or a pipe (/dev/zero, a
    // FIFO) has no size to check first, and may never end.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_ROM_SIZE as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            fail(match e.kind() {
                ErrorKind::NotFound => "no such file".into(),
                ErrorKind::PermissionDenied => "permission denied".into(),
                _ => format!("cannot read it ({e})"),
            })
        })?;
    if bytes.is_empty() {
        return Err(fail("the file is empty".into()));
    }
    if bytes.len() > MAX_ROM_SIZE {
        return Err(fail(format!(
            "more than {MAX_ROM_SIZE} bytes is too large for a ROM (that is what fits in 16 banks)"
        )));
    }
    Ok(bytes)
}

/// Why a program could not be loaded: an unusable ROM file, or a source
/// file that does not assemble.
#[derive(Debug)]
pub enum LoadError {
    /// A ROM file that cannot be used.
    Rom(RomFileError),
    /// Every assembly error, each one line (`file:line:col: reason (token)`).
    Assembly {
        /// The source file, as named.
        path: String,
        /// What is wrong with it.
        errors: Vec<crate::asm::AsmError>,
    },
}

impl LoadError {
    /// The lines to print on stderr, the last one a `hop:` summary.
    pub fn report(&self) -> Vec<String> {
        match self {
            LoadError::Rom(e) => vec![format!("hop: {e}")],
            // The file itself could not be read: one line, as for a ROM.
            LoadError::Assembly { errors, .. } if errors.len() == 1 && errors[0].line == 0 => {
                vec![format!("hop: {}", errors[0])]
            }
            LoadError::Assembly { path, errors } => {
                let mut lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                let count = errors.len();
                let plural = if count == 1 { "" } else { "s" };
                lines.push(format!("hop: {path}: {count} assembly error{plural}"));
                lines
            }
        }
    }
}

/// Whether `path` names Uxntal source (`.tal`) rather than a ROM.
pub fn is_source(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tal")
}

/// Loads a program to run: a `.tal` file is assembled in memory, anything
/// else is read as a ROM.
pub fn load(path: &Path) -> Result<Vec<u8>, LoadError> {
    load_tracked(path).0
}

/// [`load`], and the files the program was made from: the ROM, or the
/// source and every file it included (as far as assembly got, so also
/// when it fails), for watching them.
pub fn load_tracked(path: &Path) -> (Result<Vec<u8>, LoadError>, Vec<std::path::PathBuf>) {
    let (result, sources) = load_labelled(path);
    (result.map(|(rom, _)| rom), sources)
}

/// A program and its labels.
pub type Labelled = (Vec<u8>, Labels);

/// [`load_tracked`], with the program's labels: those of the assembly for
/// a source, those of the `.sym` file beside a ROM (`x.rom.sym`) if there
/// is one, else none.
pub fn load_labelled(path: &Path) -> (Result<Labelled, LoadError>, Vec<std::path::PathBuf>) {
    let sources = vec![path.to_path_buf()];
    if !is_source(path) {
        let rom = read(path).map_err(LoadError::Rom).map(|rom| {
            let mut sym = path.as_os_str().to_owned();
            sym.push(".sym");
            let labels = std::fs::read(sym)
                .map(|bytes| Labels::parse(&bytes))
                .unwrap_or_default();
            (rom, labels)
        });
        return (rom, sources);
    }
    if path.is_dir() {
        let error = LoadError::Rom(RomFileError {
            path: path.display().to_string(),
            reason: "is a directory, not a program".into(),
        });
        return (Err(error), sources);
    }
    let mut loader = crate::asm::FileLoader::new(path);
    let result = crate::asm::assemble_file_with(path, &mut loader)
        .map(|assembly| (assembly.rom, Labels::new(&assembly.symbols)))
        .map_err(|errors| LoadError::Assembly {
            path: path.display().to_string(),
            errors,
        });
    (result, [sources, loader.paths].concat())
}
