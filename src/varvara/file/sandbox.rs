//! The root as a directory handle. A ROM's name is first made relative to
//! the root by its text alone (`..` may not climb above it, an absolute
//! name must lie inside it); the file system then resolves that relative
//! path beneath the handle at the moment of each operation, so a symlink
//! that leads out, even one swapped in after the name was set, is refused
//! by the kernel (openat2 `RESOLVE_BENEATH`) rather than by an earlier
//! check.

use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

/// Longer relative names are refused before the OS sees them: the OS
/// refuses them anyway, but creating the parents one folder at a time
/// would not.
const PATH_MAX: usize = 4096;

pub struct Sandbox {
    /// The root, absolute and free of symlinks: absolute names are matched
    /// against it, and messages show it.
    pub path: PathBuf,
    /// The root, opened once (None when it cannot be opened: every name is
    /// then refused).
    pub dir: Option<Dir>,
}

/// Why a name cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// It leads outside the root.
    Outside,
    /// Empty, too long, or no root to resolve it in: it fails quietly.
    Unusable,
}

impl Sandbox {
    pub fn open(root: &Path) -> Sandbox {
        let path = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let dir = Dir::open_ambient_dir(&path, ambient_authority()).ok();
        Sandbox { path, dir }
    }

    /// The name as a path relative to the root, free of `..` and `.`
    /// (empty: the root itself), by its text alone.
    pub fn relative(&self, name: &[u8]) -> Result<PathBuf, Refusal> {
        if name.is_empty() || self.dir.is_none() {
            return Err(Refusal::Unusable);
        }
        let joined = self.path.join(OsStr::from_bytes(name));
        let mut path = PathBuf::new();
        for part in joined.components() {
            match part {
                Component::ParentDir => {
                    if !path.pop() {
                        return Err(Refusal::Outside);
                    }
                }
                Component::CurDir => {}
                other => path.push(other),
            }
        }
        let relative = path
            .strip_prefix(&self.path)
            .map_err(|_| Refusal::Outside)?;
        if relative.as_os_str().len() >= PATH_MAX {
            return Err(Refusal::Unusable);
        }
        Ok(relative.to_path_buf())
    }
}

/// Whether an error says the path led outside the directory handle:
/// `EXDEV` from openat2, or cap-std's own refusal where it resolves the
/// path itself (kernels before 5.6).
pub fn escaped(e: &io::Error) -> bool {
    match e.raw_os_error() {
        Some(code) => code == libc::EXDEV,
        None => e.kind() == io::ErrorKind::PermissionDenied,
    }
}
