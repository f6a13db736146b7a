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

pub mod assembler;
pub mod error;
pub mod lexer;
pub mod opcodes;
pub mod stream;
pub mod symbols;

use std::path::{Path, PathBuf};

pub use error::AsmError;
pub use symbols::symbol_file;

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
    assembler::Assembler::new(name, text, loader).run()
}

/// Assembles the file at `path`, reading includes from disk (see
/// [`FileLoader`]).
pub fn assemble_file(path: &Path) -> Result<Assembly, Vec<AsmError>> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| {
        vec![AsmError {
            file: name.clone(),
            line: 0,
            col: 0,
            reason: read_error(&e),
            token: String::new(),
        }]
    })?;
    let mut loader = FileLoader::new(path);
    assemble_source(&name, &text, &mut loader)
}

/// Finds included files on disk. A relative name is looked up beside the
/// file that includes it, then beside the main file, then in the current
/// directory: the first suits libraries kept next to their users, the
/// last two are where drifblim and the reference assembler look (drifblim
/// runs in the main file's folder).
pub struct FileLoader {
    main_dir: PathBuf,
}

impl FileLoader {
    pub fn new(main: &Path) -> FileLoader {
        FileLoader {
            main_dir: main.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }
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
        let found = candidates
            .iter()
            .find(|p| p.is_file())
            .ok_or_else(|| "no such file".to_string())?;
        let text = std::fs::read(found).map_err(|e| read_error(&e))?;
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
