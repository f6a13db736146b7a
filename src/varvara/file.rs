//! File (0xa0 and 0xb0): read, write, append, stat, delete and directory
//! listings, confined to a root directory.
//!
//! Every name is resolved inside the root: `..` that climbs out of it,
//! absolute paths elsewhere and symlinks that lead out are refused (the
//! operation reports 0). The root itself cannot be deleted. Writes go
//! straight to the OS, unbuffered, so nothing is lost when the ROM switches
//! files, the machine is dropped (a reload) or hop exits.

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::uxn::Uxn;

/// The byte between the size field and the name in directory listings.
/// The Sep-2025 reference writes a space; the Jun-2026 test expects a TAB.
pub const LISTING_SEPARATOR: u8 = b' ';

enum Handle {
    Closed,
    Reading(fs::File),
    Writing(fs::File),
    /// A directory listing being read out, one whole entry at a time.
    Listing {
        entries: Vec<Vec<u8>>,
        next: usize,
    },
}

pub struct File {
    /// The sandbox, made absolute and free of symlinks.
    root: PathBuf,
    /// The current name, resolved inside the root (None: refused or unset).
    path: Option<PathBuf>,
    /// Whether the name ended in `/` (a write then creates a directory).
    dir_name: bool,
    handle: Handle,
    /// A name just refused, for the host to report once on stderr.
    refused: Option<String>,
}

impl File {
    pub fn new(root: &Path) -> File {
        let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        File {
            root,
            path: None,
            dir_name: false,
            handle: Handle::Closed,
            refused: None,
        }
    }

    pub fn deo(&mut self, uxn: &mut Uxn, port: u8) {
        let base = (port & 0xf0) as usize;
        let short =
            |uxn: &Uxn, at: usize| u16::from_be_bytes([uxn.dev[base + at], uxn.dev[base + at + 1]]);
        // A transfer never runs past the end of RAM.
        let span = |uxn: &Uxn, at: usize| {
            let addr = short(uxn, at);
            let len = (short(uxn, 0x0a) as usize).min(0x10000 - addr as usize);
            (addr as usize, len)
        };
        let success = match port & 0x0f {
            0x05 => {
                let (addr, len) = span(uxn, 0x04);
                self.stat(uxn.ram.range_mut(addr, len));
                len
            }
            0x06 => self.delete() as usize,
            0x09 => {
                self.set_name(&uxn.ram[short(uxn, 0x08) as usize..]);
                return;
            }
            0x0d => {
                let (addr, len) = span(uxn, 0x0c);
                self.read(uxn.ram.range_mut(addr, len))
            }
            0x0f => {
                let (addr, len) = span(uxn, 0x0e);
                let append = uxn.dev[base + 0x07] & 1 != 0;
                self.write(&uxn.ram[addr..addr + len], append)
            }
            _ => return,
        };
        [uxn.dev[base + 2], uxn.dev[base + 3]] = (success as u16).to_be_bytes();
    }

    /// Takes the NUL-terminated name at the start of `ram` and closes any
    /// open handle. A name with no NUL before the end of RAM is refused.
    fn set_name(&mut self, ram: &[u8]) {
        self.handle = Handle::Closed;
        let name = ram.iter().position(|&b| b == 0).map(|end| &ram[..end]);
        self.dir_name = name.is_some_and(|n| n.ends_with(b"/"));
        self.path = name.and_then(|n| self.resolve(n));
        if self.path.is_none() && name.is_some_and(|n| !n.is_empty()) {
            let name = String::from_utf8_lossy(name.unwrap_or_default());
            self.refused = Some(format!(
                "hop: file: refused \"{name}\": it leads outside {}\n",
                self.root.display()
            ));
        }
    }

    /// The warning for a name refused by the last name write, once.
    pub fn take_refusal(&mut self) -> Option<String> {
        self.refused.take()
    }

    /// Resolves a ROM-given name inside the root, or refuses it.
    fn resolve(&self, name: &[u8]) -> Option<PathBuf> {
        if name.is_empty() {
            return None;
        }
        let joined = self.root.join(OsStr::from_bytes(name));
        // Lexically first: `..` may not climb above the root.
        let mut path = PathBuf::new();
        for part in joined.components() {
            match part {
                Component::ParentDir => {
                    if !path.pop() {
                        return None;
                    }
                }
                Component::CurDir => {}
                other => path.push(other),
            }
        }
        if !path.starts_with(&self.root) {
            return None;
        }
        // Then through the file system: the deepest part that exists must
        // still be inside once symlinks are followed.
        let mut existing = path.as_path();
        loop {
            match fs::canonicalize(existing) {
                Ok(real) if real.starts_with(&self.root) => break,
                Ok(_) => return None,
                // A dangling symlink could be written through to anywhere.
                Err(_) if fs::symlink_metadata(existing).is_ok() => return None,
                Err(_) => existing = existing.parent()?,
            }
        }
        Some(path)
    }

    /// Writes the size as `len` hex digits: `?` when it needs more digits,
    /// `-` for a directory, `!` when the name does not exist or is refused.
    fn stat(&self, out: &mut [u8]) {
        match self.path.as_ref().and_then(|p| fs::metadata(p).ok()) {
            None => out.fill(b'!'),
            Some(m) if m.is_dir() => out.fill(b'-'),
            Some(m) => {
                let digits = format!("{:0width$x}", m.len(), width = out.len());
                if digits.len() > out.len() {
                    out.fill(b'?');
                } else {
                    out.copy_from_slice(digits.as_bytes());
                }
            }
        }
    }

    /// Closes the open file or listing, if any (the name stays): the next
    /// read starts at the beginning, the next write truncates (or appends).
    pub fn close(&mut self) {
        self.handle = Handle::Closed;
    }

    /// Deletes the current name (a file, or an empty directory below the
    /// root): 1 on success.
    fn delete(&mut self) -> bool {
        self.handle = Handle::Closed;
        let Some(path) = &self.path else { return false };
        // `.` or `sub/..` name the root: it is the sandbox, not the ROM's.
        if *path == self.root {
            return false;
        }
        match fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => fs::remove_dir(path).is_ok(),
            Ok(_) => fs::remove_file(path).is_ok(),
            Err(_) => false,
        }
    }

    /// Reads the next bytes of the file (or of the directory listing).
    fn read(&mut self, out: &mut [u8]) -> usize {
        if !matches!(self.handle, Handle::Reading(_) | Handle::Listing { .. }) {
            self.handle = match &self.path {
                Some(p) if p.is_dir() => Handle::Listing {
                    entries: self.listing(p),
                    next: 0,
                },
                Some(p) => fs::File::open(p)
                    .map(Handle::Reading)
                    .unwrap_or(Handle::Closed),
                None => Handle::Closed,
            };
        }
        match &mut self.handle {
            Handle::Reading(file) => {
                let mut done = 0;
                while done < out.len() {
                    match file.read(&mut out[done..]) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => done += n,
                    }
                }
                done
            }
            Handle::Listing { entries, next } => {
                let mut done = 0;
                while let Some(entry) = entries.get(*next) {
                    if done + entry.len() > out.len() {
                        break;
                    }
                    out[done..done + entry.len()].copy_from_slice(entry);
                    done += entry.len();
                    *next += 1;
                }
                // A NUL after the last whole entry, when it fits (not counted).
                if done < out.len() {
                    out[done] = 0;
                }
                done
            }
            _ => 0,
        }
    }

    /// One line per entry, sorted by name so listings are reproducible.
    fn listing(&self, dir: &Path) -> Vec<Vec<u8>> {
        let Ok(read) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<_> = read.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        names.sort();
        if dir != self.root {
            names.insert(0, "..".into());
        }
        names
            .iter()
            .map(|name| {
                let (size, slash): (Vec<u8>, &[u8]) = match fs::metadata(dir.join(name)) {
                    Ok(m) if m.is_dir() => (b"----".to_vec(), b"/"),
                    Ok(m) if m.len() < 0x10000 => (format!("{:04x}", m.len()).into_bytes(), b""),
                    Ok(_) => (b"????".to_vec(), b""),
                    Err(_) => (b"!!!!".to_vec(), b""),
                };
                [
                    &size[..],
                    &[LISTING_SEPARATOR],
                    name.as_bytes(),
                    slash,
                    b"\n",
                ]
                .concat()
            })
            .collect()
    }

    /// Writes bytes to the current name, opening it on the first write:
    /// truncating, or appending when the append port's bit 0 is set.
    fn write(&mut self, data: &[u8], append: bool) -> usize {
        let Some(path) = &self.path else { return 0 };
        if self.dir_name {
            return (fs::create_dir_all(path).is_ok() && path.is_dir()) as usize;
        }
        if !matches!(self.handle, Handle::Writing(_)) {
            if let Some(parent) = path.parent() {
                let _ = fs::create_dir_all(parent);
            }
            let mut options = fs::OpenOptions::new();
            if append {
                options.append(true);
            } else {
                options.write(true).truncate(true);
            }
            self.handle = match options.create(true).open(path) {
                Ok(file) => Handle::Writing(file),
                Err(_) => return 0,
            };
        }
        match &mut self.handle {
            Handle::Writing(file) => match file.write_all(data) {
                Ok(()) => data.len(),
                Err(_) => 0,
            },
            _ => 0,
        }
    }
}
