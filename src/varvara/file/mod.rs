//! File (0xa0 and 0xb0): read, write, append, stat, delete and directory
//! listings, confined to a root directory, plus the files granted on the
//! command line.
//!
//! Every name is resolved beneath the root at the moment of each
//! operation (see `sandbox.rs`): `..` that climbs out of it, absolute paths
//! elsewhere and symlinks that lead out (even ones swapped in after the
//! name was set) are refused: the operation reports 0, stat gives `!`, and
//! a listing shows such an entry as `!!!!`, as a stat of it would. Only
//! regular files and folders are opened, never blocking: a FIFO or a
//! device is refused too. The root itself cannot be deleted. A name equal
//! to a [`grant`] reaches that one file. Writes go straight to the OS,
//! unbuffered, so nothing is lost when the ROM switches files, the machine
//! is dropped (a reload) or hop exits.

pub mod grant;
mod sandbox;

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cap_std::fs::{Dir, Metadata, OpenOptions, OpenOptionsExt};

pub use grant::{Grant, grants};
use sandbox::{Refusal, Sandbox, escaped};

use super::Compat;
use super::ports::{Layout, Port};
use crate::uxn::Uxn;

/// Each file device's ports, as offsets within the device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const SUCCESS: u8 = 0x2;
    pub const STAT: u8 = 0x4;
    pub const STAT_LOW: u8 = 0x5;
    pub const DELETE: u8 = 0x6;
    pub const APPEND: u8 = 0x7;
    pub const NAME: u8 = 0x8;
    pub const NAME_LOW: u8 = 0x9;
    pub const LENGTH: u8 = 0xa;
    pub const LENGTH_LOW: u8 = 0xb;
    pub const READ: u8 = 0xc;
    pub const READ_LOW: u8 = 0xd;
    pub const WRITE: u8 = 0xe;
    pub const WRITE_LOW: u8 = 0xf;
}

/// The first file device's page.
pub const FIRST_PAGE: u8 = 0xa0;
/// The second's.
pub const SECOND_PAGE: u8 = 0xb0;

const PORTS: &[Port] = &[
    Port::short(port::VECTOR, "vector"),
    Port::short(port::SUCCESS, "success"),
    Port::short(port::STAT, "stat"),
    Port::byte(port::DELETE, "delete"),
    Port::byte(port::APPEND, "append"),
    Port::short(port::NAME, "name"),
    Port::short(port::LENGTH, "length"),
    Port::short(port::READ, "read"),
    Port::short(port::WRITE, "write"),
];

/// Where the two file devices are and what their ports are called.
pub const LAYOUTS: [Layout; 2] = [
    Layout {
        name: "File0",
        base: FIRST_PAGE,
        ports: PORTS,
    },
    Layout {
        name: "File1",
        base: SECOND_PAGE,
        ports: PORTS,
    },
];

/// The byte between the size field and the name in directory listings:
/// the Sep-2025 reference writes a space, uxn2 a TAB
/// ([`Compat::listing_tab_without_parent`]).
pub fn listing_separator(compat: &Compat) -> u8 {
    if compat.listing_tab_without_parent {
        b'\t'
    } else {
        b' '
    }
}

/// The file in the root where Left and Noodle keep what they copy.
pub const SNARF: &str = ".snarf";

/// The most of the snarf file a [`SnarfHook`] is shown after a write.
const SNARF_LIMIT: u64 = 1 << 20;

/// What the host does around the ROM's snarf file: the desktop bridges it
/// to the system clipboard. Called from within a vector, so it must not
/// wait on anything.
pub trait SnarfHook: Send + Sync {
    /// The ROM wrote to its snarf file; `contents` is all of it now
    /// (called by [`File::report_snarf`], which the host calls).
    fn written(&self, contents: &[u8]);
    /// The ROM is about to read its snarf file: what to put there first,
    /// if anything (a failed write leaves the file as it was).
    fn before_read(&self) -> Option<Vec<u8>>;
}

enum Handle {
    Closed,
    Reading(cap_std::fs::File),
    /// Open for writing: at its offset, or (true) appending.
    Writing(cap_std::fs::File, bool),
    /// A directory listing being read out, one whole entry at a time.
    Listing {
        entries: Vec<Vec<u8>>,
        next: usize,
    },
}

/// Where the current name leads, resolved again at every use.
enum Target {
    /// A path below the root, without `..` (empty: the root itself).
    Below(PathBuf),
    /// One of the granted files (an index into `grants`).
    Granted(usize),
}

/// Why an operation was refused, for the one-line warning.
enum Why {
    Outside,
    NotRegular,
}

/// One file device: its sandbox, the grants, the name set and the open
/// file or listing.
pub struct File {
    sandbox: Sandbox,
    grants: Arc<[Grant]>,
    /// The current name's bytes, for messages.
    name: Vec<u8>,
    /// Where it leads (None: refused or unset).
    target: Option<Target>,
    /// Whether the name ended in `/` (a write then creates a directory).
    dir_name: bool,
    handle: Handle,
    /// A refusal not yet reported, for the host to print once on stderr.
    refused: Option<String>,
    /// Whether the current name was reported already.
    warned: bool,
    /// Listing, name, delete and length rules that differ between the
    /// references.
    pub compat: Compat,
    /// File/length as last latched by a write to its low byte (used when
    /// [`Compat::short_ports_act_once`]; otherwise the port is read as it
    /// stands at each transfer).
    length: u16,
    snarf: Option<Arc<dyn SnarfHook>>,
    /// The ROM wrote to the snarf file since [`File::report_snarf`].
    snarf_written: bool,
}

impl File {
    /// A file device that reaches nothing outside `root`.
    pub fn new(root: &Path) -> File {
        File::with_grants(root, Arc::from([]))
    }

    /// A File device that also reaches the `grants`, shared by both devices.
    pub fn with_grants(root: &Path, grants: Arc<[Grant]>) -> File {
        File {
            sandbox: Sandbox::open(root),
            grants,
            name: Vec::new(),
            target: None,
            dir_name: false,
            handle: Handle::Closed,
            refused: None,
            warned: false,
            compat: Compat::default(),
            length: 0,
            snarf: None,
            snarf_written: false,
        }
    }

    /// Lets `hook` see the ROM's writes to its snarf file and fill it in
    /// before the ROM reads it.
    pub fn set_snarf_hook(&mut self, hook: Arc<dyn SnarfHook>) {
        self.snarf = Some(hook);
    }

    /// Lets the hook fill in the snarf file, when that is the current name.
    fn before_snarf_read(&self) {
        if let Some(hook) = self.snarf_hook()
            && let Some(contents) = hook.before_read()
            && let Some(mut file) = self.open_snarf(OpenOptions::new().write(true).create(true))
        {
            // Not writable: the ROM reads what is there.
            let _ = file.set_len(0).and_then(|()| file.write_all(&contents));
        }
    }

    /// The snarf file in the root, opened as the ROM's files are: never
    /// blocking, and only if it is a regular file.
    fn open_snarf(&self, options: &mut OpenOptions) -> Option<cap_std::fs::File> {
        let dir = self.sandbox.dir.as_ref()?;
        let options = options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
        let file = dir.open_with(SNARF, options).ok()?;
        file.metadata().ok()?.is_file().then_some(file)
    }

    /// The hook, when the current name is the snarf file in the root.
    fn snarf_hook(&self) -> Option<Arc<dyn SnarfHook>> {
        match &self.target {
            Some(Target::Below(path)) if path == Path::new(SNARF) => self.snarf.clone(),
            _ => None,
        }
    }

    /// Reacts to a write the CPU has stored: a name, a length, or an
    /// operation, whose result goes to File/success.
    pub fn deo(&mut self, uxn: &mut Uxn, port: u8) {
        let base = (port & 0xf0) as usize;
        let short = |uxn: &Uxn, offset: u8| {
            let at = base + offset as usize;
            u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]])
        };
        if port & 0x0f == port::LENGTH_LOW {
            self.length = short(uxn, port::LENGTH);
        }
        let length = if self.compat.short_ports_act_once {
            self.length
        } else {
            short(uxn, port::LENGTH)
        };
        // A transfer never runs past the end of RAM.
        let span = |uxn: &Uxn, offset: u8| {
            let addr = short(uxn, offset);
            let len = (length as usize).min(0x10000 - addr as usize);
            (addr as usize, len)
        };
        let success = match port & 0x0f {
            port::STAT_LOW => {
                let (addr, len) = span(uxn, port::STAT);
                self.stat(uxn.ram.range_mut(addr, len));
                len
            }
            port::DELETE => self.delete() as usize,
            port::NAME_LOW => {
                self.set_name(&uxn.ram[short(uxn, port::NAME) as usize..]);
                if !self.compat.name_clears_success {
                    return;
                }
                0
            }
            port::READ_LOW => {
                let (addr, len) = span(uxn, port::READ);
                self.read(uxn.ram.range_mut(addr, len))
            }
            port::WRITE_LOW => {
                let (addr, len) = span(uxn, port::WRITE);
                let append = uxn.dev[base + port::APPEND as usize] & 1 != 0;
                self.write(&uxn.ram[addr..addr + len], append)
            }
            _ => return,
        };
        let at = base + port::SUCCESS as usize;
        uxn.dev[at..at + 2].copy_from_slice(&(success as u16).to_be_bytes());
    }

    /// Takes the NUL-terminated name at the start of `ram` and closes any
    /// open handle. A name with no NUL before the end of RAM is refused.
    /// Names whose text leaves the root are reported at once; symlinks
    /// that lead out, when an operation meets them.
    fn set_name(&mut self, ram: &[u8]) {
        self.handle = Handle::Closed;
        self.warned = false;
        let Some(name) = ram.iter().position(|&b| b == 0).map(|end| &ram[..end]) else {
            self.name.clear();
            self.target = None;
            return;
        };
        self.name = name.to_vec();
        self.dir_name = name.ends_with(b"/");
        self.target = match self.grants.iter().position(|g| g.name == name) {
            Some(i) => Some(Target::Granted(i)),
            None => match self.sandbox.relative(name) {
                Ok(path) => Some(Target::Below(path)),
                Err(Refusal::Outside) => {
                    self.refuse(Why::Outside);
                    None
                }
                Err(Refusal::Unusable) => None,
            },
        };
    }

    /// Reports the current name as refused, once per name.
    fn refuse(&mut self, why: Why) {
        if std::mem::replace(&mut self.warned, true) {
            return;
        }
        let name = String::from_utf8_lossy(&self.name);
        self.refused = Some(match why {
            Why::Outside => format!(
                "hop: file: refused \"{name}\": it leads outside {}\n",
                self.sandbox.path.display()
            ),
            Why::NotRegular => {
                format!("hop: file: refused \"{name}\": not a regular file or folder\n")
            }
        });
    }

    fn refuse_if(&mut self, why: Option<Why>) {
        if let Some(why) = why {
            self.refuse(why);
        }
    }

    /// The warning for a name refused by the last operation, once.
    pub fn take_refusal(&mut self) -> Option<String> {
        self.refused.take()
    }

    /// The directory handle and the path beneath it that the current name
    /// leads to, and whether it is a grant.
    fn place(&self) -> Option<(&Dir, &Path, bool)> {
        match self.target.as_ref()? {
            Target::Below(path) if path.as_os_str().is_empty() => {
                Some((self.sandbox.dir.as_ref()?, Path::new("."), false))
            }
            Target::Below(path) => Some((self.sandbox.dir.as_ref()?, path, false)),
            Target::Granted(i) => {
                let grant = &self.grants[*i];
                Some((&grant.dir, Path::new(&grant.file), true))
            }
        }
    }

    /// What the current name leads to, following symlinks beneath the root
    /// (a grant: never through a symlink).
    fn metadata(&mut self) -> Option<Metadata> {
        let (dir, path, granted) = self.place()?;
        let found = if granted {
            dir.symlink_metadata(path)
        } else {
            dir.metadata(path)
        };
        let refusal = match found {
            Ok(m) if m.is_file() || (m.is_dir() && !granted) => return Some(m),
            Ok(_) => Some(Why::NotRegular),
            Err(e) => escaped(&e).then_some(Why::Outside),
        };
        self.refuse_if(refusal);
        None
    }

    /// Opens the current name without blocking (a FIFO would wait for a
    /// writer forever) and keeps it only if it is a regular file (or, for a
    /// read below the root, a folder to list).
    fn open(&mut self, options: &mut OpenOptions) -> Option<(cap_std::fs::File, bool)> {
        let (dir, path, granted) = self.place()?;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if granted {
            flags |= libc::O_NOFOLLOW;
        }
        let refusal = match dir.open_with(path, options.custom_flags(flags)) {
            Ok(file) => match file.metadata() {
                Ok(m) if m.is_file() => return Some((file, false)),
                Ok(m) if m.is_dir() && !granted => return Some((file, true)),
                Ok(m) if m.is_dir() => None,
                _ => Some(Why::NotRegular),
            },
            Err(e) => escaped(&e).then_some(Why::Outside),
        };
        self.refuse_if(refusal);
        None
    }

    /// Writes the size as `len` hex digits: `?` when it needs more digits,
    /// `-` for a directory, `!` when the name does not exist or is refused.
    fn stat(&mut self, out: &mut [u8]) {
        // A ROM may stat the file for its length before reading it.
        self.before_snarf_read();
        match self.metadata() {
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
    /// root unless [`Compat::delete_files_only`]; a granted file): 1 on
    /// success. A symlink is deleted itself,
    /// and only when it leads somewhere inside.
    fn delete(&mut self) -> bool {
        self.handle = Handle::Closed;
        // `.` or `sub/..` name the root: it is the sandbox, not the ROM's.
        if matches!(&self.target, Some(Target::Below(p)) if p.as_os_str().is_empty()) {
            return false;
        }
        if self.metadata().is_none() {
            return false;
        }
        let Some((dir, path, _)) = self.place() else {
            return false;
        };
        // Removing a name never follows it: only the entry in its folder
        // (which is beneath the root) goes.
        match dir.symlink_metadata(path) {
            Ok(m) if m.is_dir() && self.compat.delete_files_only => false,
            Ok(m) if m.is_dir() => dir.remove_dir(path).is_ok(),
            Ok(_) => dir.remove_file(path).is_ok(),
            Err(_) => false,
        }
    }

    /// Reads the next bytes of the file (or of the directory listing).
    fn read(&mut self, out: &mut [u8]) -> usize {
        if !matches!(self.handle, Handle::Reading(_) | Handle::Listing { .. }) {
            self.before_snarf_read();
            self.handle = match self.open(OpenOptions::new().read(true)) {
                Some((file, false)) => Handle::Reading(file),
                Some((folder, true)) => Handle::Listing {
                    entries: self.listing(Dir::from_std_file(folder.into_std())),
                    next: 0,
                },
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

    /// One line per entry of the open `folder` (the current name, below
    /// the root), sorted by name so listings are reproducible. Each entry
    /// is stat'ed by its name below the root, as a stat of it would be: one
    /// that leads outside, or is neither a file nor a folder, is `!!!!`.
    fn listing(&self, folder: Dir) -> Vec<Vec<u8>> {
        let (Some(root), Some(Target::Below(path))) = (&self.sandbox.dir, &self.target) else {
            return Vec::new();
        };
        let Ok(read) = folder.entries() else {
            return Vec::new();
        };
        let mut names: Vec<_> = read.filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
        names.sort();
        if !path.as_os_str().is_empty() && !self.compat.listing_tab_without_parent {
            names.insert(0, "..".into());
        }
        let separator = listing_separator(&self.compat);
        names
            .iter()
            .map(|name| {
                let (size, slash): (Vec<u8>, &[u8]) = match root.metadata(path.join(name)) {
                    Ok(m) if m.is_dir() => (b"----".to_vec(), b"/"),
                    Ok(m) if !m.is_file() => (b"!!!!".to_vec(), b""),
                    Ok(m) if m.len() < 0x10000 => (format!("{:04x}", m.len()).into_bytes(), b""),
                    Ok(_) => (b"????".to_vec(), b""),
                    Err(_) => (b"!!!!".to_vec(), b""),
                };
                [&size[..], &[separator], name.as_bytes(), slash, b"\n"].concat()
            })
            .collect()
    }

    /// Writes bytes to the current name, opening it on the first write:
    /// truncating, or appending when the append port's bit 0 is set.
    fn write(&mut self, data: &[u8], append: bool) -> usize {
        if !matches!(self.handle, Handle::Writing(..)) {
            let Some((dir, path, granted)) = self.place() else {
                return 0;
            };
            // A name ending in `/` makes that folder (below the root only).
            if self.dir_name {
                if granted {
                    return 0;
                }
                if let Err(e) = dir.create_dir_all(path) {
                    self.refuse_if(escaped(&e).then_some(Why::Outside));
                    return 0;
                }
                return self.metadata().is_some_and(|m| m.is_dir()) as usize;
            }
            // Parent folders are made as needed; if that fails, so does the
            // open below.
            if let Some(parent) = path
                .parent()
                .filter(|p| !granted && !p.as_os_str().is_empty())
                && let Err(e) = dir.create_dir_all(parent)
            {
                self.refuse_if(escaped(&e).then_some(Why::Outside));
            }
            let mut options = OpenOptions::new();
            if append {
                options.append(true);
            } else {
                options.write(true).truncate(true);
            }
            self.handle = match self.open(options.create(true)) {
                Some((file, false)) => Handle::Writing(file, append),
                _ => return 0,
            };
        }
        let written = match &mut self.handle {
            Handle::Writing(file, _) => match file.write_all(data) {
                Ok(()) => data.len(),
                Err(_) => 0,
            },
            _ => 0,
        };
        if written > 0 && self.snarf_hook().is_some() {
            self.snarf_written = true;
        }
        written
    }

    /// Shows the hook the snarf file, if the ROM wrote to it since the
    /// last call: once a frame, not after each of a ROM's many small
    /// writes.
    pub fn report_snarf(&mut self) {
        if !std::mem::replace(&mut self.snarf_written, false) {
            return;
        }
        if let Some(hook) = &self.snarf
            && let Some(file) = self.open_snarf(OpenOptions::new().read(true))
        {
            let mut contents = Vec::new();
            if file.take(SNARF_LIMIT).read_to_end(&mut contents).is_ok() {
                hook.written(&contents);
            }
        }
    }
}

/// What a snapshot keeps of a file device: the name, and what is open
/// under it and where (the files themselves are the person's, on disk).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct FileState {
    /// The name as the ROM set it (None: none, or one without its NUL).
    name: Option<Vec<u8>>,
    open: Open,
}

#[derive(serde::Serialize, serde::Deserialize)]
enum Open {
    Closed,
    Reading { offset: u64 },
    Writing { offset: u64, append: bool },
    Listing { entries: Vec<Vec<u8>>, next: usize },
}

impl File {
    pub(crate) fn snapshot(&self) -> FileState {
        let offset = |file: &cap_std::fs::File| (&*file).stream_position().unwrap_or(0);
        let open = match &self.handle {
            Handle::Closed => Open::Closed,
            Handle::Reading(file) => Open::Reading {
                offset: offset(file),
            },
            Handle::Writing(file, append) => Open::Writing {
                offset: offset(file),
                append: *append,
            },
            Handle::Listing { entries, next } => Open::Listing {
                entries: entries.clone(),
                next: *next,
            },
        };
        let named = self.target.is_some() || !self.name.is_empty();
        FileState {
            name: named.then(|| self.name.clone()),
            open,
        }
    }

    /// Sets the name again, through the sandbox as the ROM's own write of
    /// File/name would, and opens the file again at its offset (never
    /// truncating it). A file that cannot be opened again (gone since) is
    /// left closed: the ROM's next read or write starts afresh.
    pub(crate) fn restore(&mut self, state: FileState) {
        let mut name = state.name.unwrap_or_default();
        name.push(0);
        self.set_name(&name);
        self.refused = None;
        self.handle = match state.open {
            Open::Closed => Handle::Closed,
            Open::Reading { offset } => self
                .open(OpenOptions::new().read(true))
                .filter(|(_, folder)| !folder)
                .and_then(|(mut file, _)| file.seek(SeekFrom::Start(offset)).ok().map(|_| file))
                .map_or(Handle::Closed, Handle::Reading),
            Open::Writing { offset, append } => {
                let mut options = OpenOptions::new();
                if append {
                    options.append(true);
                } else {
                    options.write(true);
                }
                self.open(&mut options)
                    .filter(|(_, folder)| !folder)
                    .and_then(|(mut file, _)| file.seek(SeekFrom::Start(offset)).ok().map(|_| file))
                    .map_or(Handle::Closed, |file| Handle::Writing(file, append))
            }
            Open::Listing { entries, next } => Handle::Listing {
                next: next.min(entries.len()),
                entries,
            },
        };
        self.refused = None;
    }
}
