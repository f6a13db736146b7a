//! Files the person named on the command line (or dropped): their explicit
//! grant. `hop left.rom ../notes.txt` lets Left read and save
//! `../notes.txt` although it lies outside the root, under exactly the name
//! the ROM received, and nothing else there: not its folder, not its
//! siblings, not another name for it.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

/// One granted file: its folder, opened when granted, and its name there.
/// The file is opened beneath that handle at each use, and never through a
/// symlink, so the grant stays on that name in that folder.
#[derive(Debug)]
pub struct Grant {
    /// The argument's bytes, as the ROM received them.
    pub name: Vec<u8>,
    /// The folder that holds the file, opened when it was granted.
    pub dir: Dir,
    /// The file's name in `dir` (one component).
    pub file: OsString,
}

/// The ROM's arguments that are grants: those naming an existing regular
/// file, or a file not there yet in an existing folder (`hop left.rom
/// new.txt` then saves it). Folders, devices, FIFOs and names ending in `/`
/// are not. Relative names are taken from the current directory, as the
/// person typed them.
pub fn grants(args: &[impl AsRef<OsStr>]) -> Vec<Grant> {
    args.iter().filter_map(|a| grant(a.as_ref())).collect()
}

fn grant(arg: &OsStr) -> Option<Grant> {
    if arg.is_empty() || arg.as_bytes().ends_with(b"/") {
        return None;
    }
    let path = Path::new(arg);
    // Symlinks the person has now are followed once, here: the grant is
    // for the file they lead to.
    let (folder, file) = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {
            let real = std::fs::canonicalize(path).ok()?;
            (
                real.parent()?.to_path_buf(),
                real.file_name()?.to_os_string(),
            )
        }
        Ok(_) => return None,
        Err(_) if std::fs::symlink_metadata(path).is_ok() => return None,
        Err(_) => {
            let Some(Component::Normal(file)) = path.components().next_back() else {
                return None;
            };
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            (std::fs::canonicalize(parent).ok()?, file.to_os_string())
        }
    };
    let dir = Dir::open_ambient_dir(&folder, ambient_authority()).ok()?;
    Some(Grant {
        name: arg.as_bytes().to_vec(),
        dir,
        file,
    })
}
