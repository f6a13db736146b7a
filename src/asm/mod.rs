//! hop's Uxntal assembler.
//!
//! Uxntal is the assembly language of Uxn. This assembler follows the
//! language as the reference assembler and drifblim (the self-hosted
//! assembler) accept it in 2025-2026, and makes the same bytes as drifblim
//! for every program both accept. See README.md ("The assembler") for the
//! syntax and for where hop deliberately differs from drifblim.
//!
//! - [`lexer`]: source text to tokens with positions;
//! - [`stream`]: the token stream, with includes and macro bodies spliced in;
//! - [`assembler`]: runes, labels and references, and the bytes;
//! - [`opcodes`]: opcode names; [`symbols`]: the `.sym` file; [`error`]: errors.

#![forbid(unsafe_code)]

pub mod assembler;
pub mod error;
pub mod lexer;
pub mod opcodes;
pub mod stream;
pub mod symbols;

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub use error::AsmError;
pub use symbols::{Labels, symbol_file};

/// The largest source file hop reads, main file or include: 1 MiB, some
/// fifty times drifblim's own source (about 20 KB). Larger files, and
/// endless ones (`/dev/zero`, a pipe), are refused after this much.
pub const MAX_SOURCE_SIZE: usize = 1 << 20;

/// An assembled program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assembly {
    /// The ROM: memory from 0x0100 up to the last byte written (at least
    /// one byte), as drifblim writes it.
    pub rom: Vec<u8>,
    /// Every label with its address, in the order the labels were made.
    pub symbols: Vec<(u16, Vec<u8>)>,
}

impl Assembly {
    /// The address of label `name`.
    pub fn address_of(&self, name: &str) -> Option<u16> {
        self.symbols
            .iter()
            .find(|(_, n)| n.as_slice() == name.as_bytes())
            .map(|&(address, _)| address)
    }

    /// The bytes of the `.sym` file that goes beside the ROM.
    pub fn symbol_file(&self) -> Vec<u8> {
        symbol_file(&self.symbols)
    }
}

/// Reads the files that `~name` includes.
pub trait IncludeLoader {
    /// The text of `path`, included from the file named `from`, with the
    /// name to show for it in messages; or why it cannot be read.
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), String>;
}

impl<F: FnMut(&str, &str) -> Result<(String, Vec<u8>), String>> IncludeLoader for F {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), String> {
        self(from, path)
    }
}

/// Assembles `text`, a program named `name` in messages; `loader` reads
/// the files it includes.
pub fn assemble_source(
    name: &str,
    text: &[u8],
    loader: &mut dyn IncludeLoader,
) -> Result<Assembly, Vec<AsmError>> {
    if text.len() > MAX_SOURCE_SIZE {
        return Err(vec![whole_file_error(name, too_large())]);
    }
    assembler::Assembler::new(name, text, loader).run()
}

/// Assembles the file at `path`, reading includes from disk (see
/// [`FileLoader`]).
pub fn assemble_file(path: &Path) -> Result<Assembly, Vec<AsmError>> {
    assemble_file_with(path, &mut FileLoader::new(path))
}

/// [`assemble_file`] with a loader the caller keeps, to learn which files
/// were read ([`FileLoader::read`]).
pub fn assemble_file_with(path: &Path, loader: &mut FileLoader) -> Result<Assembly, Vec<AsmError>> {
    let name = path.display().to_string();
    let text = read_source(path).map_err(|reason| vec![whole_file_error(&name, reason)])?;
    assemble_source(&name, &text, loader)
}

fn whole_file_error(name: &str, reason: String) -> AsmError {
    AsmError {
        file: name.to_string(),
        line: 0,
        col: 0,
        reason,
        token: String::new(),
    }
}

fn too_large() -> String {
    format!(
        "larger than {} MiB, the most hop reads from one source file",
        MAX_SOURCE_SIZE >> 20
    )
}

/// Reads a source file, at most [`MAX_SOURCE_SIZE`] bytes of it (and one
/// more, to know that it is too large).
fn read_source(path: &Path) -> Result<Vec<u8>, String> {
    let mut text = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SOURCE_SIZE as u64 + 1).read_to_end(&mut text))
        .map_err(|e| read_error(&e))?;
    if text.len() > MAX_SOURCE_SIZE {
        return Err(too_large());
    }
    Ok(text)
}

/// A file as the system knows it (device and inode), whatever the path
/// that names it: `hop asm` compares its outputs with its inputs by this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileId {
    /// The device holding the file.
    pub dev: u64,
    /// Its inode on that device.
    pub ino: u64,
}

impl FileId {
    /// The file `path` names (following symlinks), if it exists.
    pub fn of(path: &Path) -> Option<FileId> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
}

/// Finds included files on disk. A relative name is looked up beside the
/// file that includes it, then beside the main file, then in the current
/// directory: the first suits libraries kept next to their users, the
/// last two are where drifblim and the reference assembler look (drifblim
/// runs in the main file's folder).
///
/// Includes are confined to the main file's folder and its subfolders (the
/// source tree), judged by the path as written (`..` and absolute paths
/// cannot leave it): a source from elsewhere cannot pull in `~/.ssh/id_rsa`
/// or `/etc/shadow` and show pieces of it in error messages (or build them
/// into a ROM). Symlinks inside the tree are followed: whoever made the
/// tree put them there (hop's own `roms/lib/font.tal` is one).
pub struct FileLoader {
    main_dir: PathBuf,
    /// The source tree as an absolute path without `.` or `..`; `None` if
    /// the current directory is unknown (then nothing can be included).
    tree: Option<PathBuf>,
    /// Every file included so far.
    pub read: Vec<FileId>,
    /// Their paths, as found (for watching them).
    pub paths: Vec<PathBuf>,
}

impl FileLoader {
    /// A loader for the includes of `main`, resolved beside it.
    pub fn new(main: &Path) -> FileLoader {
        let main_dir = main.parent().map(Path::to_path_buf).unwrap_or_default();
        FileLoader {
            tree: absolute(&main_dir),
            main_dir,
            read: Vec::new(),
            paths: Vec::new(),
        }
    }

    /// Whether `path` lies inside the source tree, as written.
    fn inside(&self, path: &Path) -> bool {
        match (&self.tree, absolute(path)) {
            (Some(tree), Some(path)) => path.starts_with(tree),
            _ => false,
        }
    }
}

/// `path` made absolute, with `.` and `..` worked out on the text (not on
/// the disk, so symlinks stay as written).
fn absolute(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let full = std::env::current_dir().ok()?.join(path);
    let mut out = PathBuf::new();
    for part in full.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Some(out)
}

impl IncludeLoader for FileLoader {
    fn load(&mut self, from: &str, path: &str) -> Result<(String, Vec<u8>), String> {
        let wanted = Path::new(path);
        let from_dir = Path::new(from).parent().unwrap_or(Path::new(""));
        let candidates = if wanted.is_absolute() {
            vec![wanted.to_path_buf()]
        } else {
            vec![
                from_dir.join(wanted),
                self.main_dir.join(wanted),
                wanted.to_path_buf(),
            ]
        };
        let existing: Vec<&PathBuf> = candidates.iter().filter(|p| p.is_file()).collect();
        let found =
            existing
                .iter()
                .find(|p| self.inside(p))
                .ok_or_else(|| match existing.is_empty() {
                    true => "no such file".to_string(),
                    false => "outside the source tree (includes must be in the main file's \
                          folder or below it)"
                        .to_string(),
                })?;
        let text = read_source(found)?;
        self.read.extend(FileId::of(found));
        self.paths.push(found.to_path_buf());
        Ok((found.display().to_string(), text))
    }
}

/// An include loader for programs that include nothing.
pub fn no_includes(_from: &str, path: &str) -> Result<(String, Vec<u8>), String> {
    Err(format!("{path}: includes are not available here"))
}

fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => format!("cannot read it ({e})"),
    }
}
