//! The File device's names against any bytes: the input sets a name (at
//! any address, up to the end of RAM, with or without its NUL) and a list
//! of operations (stat, delete, read, write, append, rename) with lengths
//! and buffers anywhere in RAM. The root holds a file, a folder and
//! symlinks that lead out of it (`up` -> .., `abs` -> the outside folder,
//! `dangling` -> a missing file outside, `self` -> .). After every input,
//! nothing outside the root may have appeared, gone or changed.
#![no_main]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hop::uxn::Uxn;
use hop::varvara::file::File;
use libfuzzer_sys::fuzz_target;

fn base() -> &'static PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("hop-fuzz-file-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/canary"), b"canary").unwrap();
        base
    })
}

/// A fresh root with its fixture.
fn fresh_root(base: &Path) -> PathBuf {
    let root = base.join("root");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("file.txt"), b"hello").unwrap();
    symlink("..", root.join("up")).unwrap();
    symlink(base.join("outside"), root.join("abs")).unwrap();
    symlink(base.join("outside/missing"), root.join("dangling")).unwrap();
    symlink(".", root.join("self")).unwrap();
    root
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_at_checked(4) else {
        return;
    };
    let base = base();
    let root = fresh_root(base);
    let mut uxn = Uxn::new();
    let mut file = File::new(&root);
    // head: the name's address, the number of operation bytes, and what
    // fills the rest of RAM (0: zeroes; else that byte, so no NUL follows).
    let name_at = u16::from_be_bytes([head[0], head[1]]);
    let ops_len = (head[2] as usize).min(rest.len());
    let (ops, name) = rest.split_at(ops_len);
    if head[3] != 0 {
        uxn.ram.fill(head[3]);
    }
    let room = 0x10000 - name_at as usize;
    let name = &name[..name.len().min(room)];
    uxn.ram[name_at as usize..][..name.len()].copy_from_slice(name);
    let set = |uxn: &mut Uxn, file: &mut File, port: u8, value: u16| {
        [uxn.dev[0xa0 | port as usize], uxn.dev[0xa1 | port as usize]] = value.to_be_bytes();
        file.deo(uxn, 0xa0 | (port + 1));
    };
    set(&mut uxn, &mut file, 0x08, name_at);
    // Each operation: an opcode byte, then a length and an address byte
    // (address = byte * 0x101, so buffers reach the end of RAM).
    for op in ops.chunks(3) {
        let kind = op[0] % 7;
        let len = op.get(1).map_or(0x100, |&b| (b as u16) << 4 | 0xf);
        let at = op.get(2).map_or(0, |&b| b as u16 * 0x101);
        [uxn.dev[0xaa], uxn.dev[0xab]] = len.to_be_bytes();
        uxn.dev[0xa7] = (kind == 4) as u8;
        match kind {
            0 => set(&mut uxn, &mut file, 0x04, at),
            1 => {
                uxn.dev[0xa6] = 1;
                file.deo(&mut uxn, 0xa6);
            }
            2 => set(&mut uxn, &mut file, 0x0c, at),
            3 | 4 => set(&mut uxn, &mut file, 0x0e, at),
            5 => set(&mut uxn, &mut file, 0x08, at),
            _ => set(&mut uxn, &mut file, 0x08, name_at),
        }
        let _ = file.take_refusal();
    }
    drop(file);
    assert_eq!(
        names(base),
        ["outside", "root"],
        "something escaped the root"
    );
    assert_eq!(
        names(&base.join("outside")),
        ["canary"],
        "something escaped the root"
    );
    assert_eq!(
        std::fs::read(base.join("outside/canary")).unwrap(),
        b"canary"
    );
});
