//! The File device (0xa0) through its ports, against names that try to
//! leave the root: `..` at every depth, absolute paths, symlinks that lead
//! out, names too long for the OS, a name with no NUL before the end of
//! RAM; transfers that reach the end of RAM; failures that must report 0;
//! and writes that must be on disk at once (at exit, on a reload, when the
//! ROM switches files). Each test works in a fresh folder `base` holding
//! the root and, beside it, `outside/canary`, which must never change.

mod support;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use hop::uxn::Uxn;
use hop::varvara::file::File;

/// `base/root` (the sandbox) and `base/outside/canary`; removed on drop.
struct Sandbox {
    base: PathBuf,
    root: PathBuf,
}

impl Sandbox {
    fn new(test: &str) -> Sandbox {
        let base = std::env::temp_dir().join(format!("hop-file-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/canary"), b"canary").unwrap();
        Sandbox { base, root }
    }

    /// Nothing beside the root has appeared, gone or changed.
    fn assert_untouched(&self, what: &str) {
        assert_eq!(
            support::file_names(&self.base),
            ["outside", "root"],
            "{what}"
        );
        assert_eq!(
            support::file_names(&self.base.join("outside")),
            ["canary"],
            "{what}"
        );
        assert_eq!(
            std::fs::read(self.base.join("outside/canary")).unwrap(),
            b"canary",
            "{what}"
        );
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// One File device and the RAM it reads names and buffers from, driven
/// through its ports as a ROM would.
struct Device {
    uxn: Box<Uxn>,
    file: File,
}

impl Device {
    /// The device in the 2025 profile, which these tests describe (uxn2's
    /// listings and deletes are in `tests/tal/devices/compat-file.tal`).
    fn new(root: &Path) -> Device {
        let mut file = File::new(root);
        file.compat = hop::varvara::Compat::Y2025;
        Device {
            uxn: Uxn::new(),
            file,
        }
    }

    /// Writes a short port (0xa0 + `port`), then runs the device on its
    /// low byte, as DEO2 does.
    fn port(&mut self, port: u8, value: u16) {
        let at = 0xa0 + port as usize;
        self.uxn.dev[at..at + 2].copy_from_slice(&value.to_be_bytes());
        self.file.deo(&mut self.uxn, 0xa0 + port + 1);
    }

    /// File/success, after an operation. It is set to 0xdead before each
    /// operation, so a 0 here was written by the device.
    fn success(&self) -> u16 {
        u16::from_be_bytes([self.uxn.dev[0xa2], self.uxn.dev[0xa3]])
    }

    fn stale_success(&mut self) {
        self.uxn.dev[0xa2..0xa4].copy_from_slice(&[0xde, 0xad]);
    }

    /// Puts `bytes` at `at` (no NUL added) and sets File/name there.
    fn name_at(&mut self, at: u16, bytes: &[u8]) {
        self.uxn.ram[at as usize..][..bytes.len()].copy_from_slice(bytes);
        self.port(0x08, at);
        let _ = self.file.take_refusal();
    }

    fn name(&mut self, name: &[u8]) {
        self.name_at(0x8000, &[name, b"\0"].concat());
    }

    fn transfer(&mut self, port: u8, at: u16, len: u16) -> u16 {
        self.stale_success();
        self.port(0x0a, len);
        self.port(port, at);
        self.success()
    }

    /// Writes `data` from address `at` (truncating, or appending).
    fn write_at(&mut self, at: u16, data: &[u8], append: bool) -> u16 {
        let room = data.len().min(0x10000 - at as usize);
        self.uxn.ram[at as usize..][..room].copy_from_slice(&data[..room]);
        self.uxn.dev[0xa7] = append as u8;
        self.transfer(0x0e, at, data.len() as u16)
    }

    fn write(&mut self, data: &[u8]) -> u16 {
        self.write_at(0x9000, data, false)
    }

    fn append(&mut self, data: &[u8]) -> u16 {
        self.write_at(0x9000, data, true)
    }

    /// Reads up to `len` bytes to address `at`: the success and the bytes.
    fn read_at(&mut self, at: u16, len: u16) -> (u16, Vec<u8>) {
        let n = self.transfer(0x0c, at, len);
        (n, self.uxn.ram[at as usize..][..n as usize].to_vec())
    }

    fn read(&mut self) -> (u16, Vec<u8>) {
        self.read_at(0xa000, 0x100)
    }

    fn stat(&mut self) -> Vec<u8> {
        let n = self.transfer(0x04, 0xb000, 4);
        self.uxn.ram[0xb000..0xb000 + n as usize].to_vec()
    }

    fn delete(&mut self) -> u16 {
        self.stale_success();
        self.uxn.dev[0xa6] = 1;
        self.file.deo(&mut self.uxn, 0xa6);
        self.success()
    }

    /// Every operation on a refused name fails, and reports 0.
    fn assert_refused(&mut self, name: &[u8]) {
        let shown = String::from_utf8_lossy(name);
        self.name(name);
        assert_eq!(self.write(b"escape"), 0, "write {shown}");
        assert_eq!(self.append(b"escape"), 0, "append {shown}");
        assert_eq!(self.read().0, 0, "read {shown}");
        assert_eq!(self.stat(), b"!!!!", "stat {shown}");
        assert_eq!(self.delete(), 0, "delete {shown}");
    }
}

#[test]
fn dot_dot_is_refused_at_every_depth() {
    let sandbox = Sandbox::new("dotdot");
    let mut dev = Device::new(&sandbox.root);
    let mut attempts = 0;
    for depth in 1..=8 {
        // Straight up, from inside a folder, and through a folder that
        // does not exist yet.
        let up = "../".repeat(depth);
        for name in [
            format!("{up}x"),
            format!("{up}outside/canary"),
            format!("{}{up}x", "sub/".repeat(depth - 1)),
            format!("{}{up}x", "new/".repeat(depth - 1)),
            format!("./{up}./x"),
            format!("sub/./{up}../x/"),
        ] {
            dev.assert_refused(name.as_bytes());
            attempts += 1;
        }
    }
    sandbox.assert_untouched("after the `..` names");
    assert_eq!(support::file_names(&sandbox.root), ["sub"]);
    // `..` that stays inside is fine, even out and back in by the root's name.
    dev.name(b"sub/../inside.txt");
    assert_eq!(dev.write(b"ok"), 2);
    assert_eq!(
        std::fs::read(sandbox.root.join("inside.txt")).unwrap(),
        b"ok"
    );
    dev.name(b"../root/back.txt");
    assert_eq!(dev.write(b"ok"), 2);
    assert_eq!(
        support::file_names(&sandbox.root),
        ["back.txt", "inside.txt", "sub"]
    );
    assert_eq!(attempts, 6 * 8);
}

#[test]
fn absolute_paths_outside_the_root_are_refused() {
    let sandbox = Sandbox::new("absolute");
    let mut dev = Device::new(&sandbox.root);
    let outside = sandbox.base.join("outside");
    for name in [
        format!("{}/canary", outside.display()),
        format!("{}/new", outside.display()),
        format!("{}/x", sandbox.base.display()),
        format!("{}/../x", sandbox.root.display()),
        "/".to_string(),
        "//x".to_string(),
    ] {
        dev.assert_refused(name.as_bytes());
    }
    sandbox.assert_untouched("after absolute names");
    // An absolute name inside the root is inside the root.
    let inside = format!("{}/abs.txt", sandbox.root.display());
    dev.name(inside.as_bytes());
    assert_eq!(dev.write(b"in"), 2);
    assert_eq!(support::file_names(&sandbox.root), ["abs.txt", "sub"]);
}

#[test]
fn symlinks_that_lead_out_of_the_root_are_refused() {
    let sandbox = Sandbox::new("symlinks");
    let root = &sandbox.root;
    symlink("..", root.join("up")).unwrap();
    symlink(sandbox.base.join("outside"), root.join("abs")).unwrap();
    symlink(sandbox.base.join("outside/canary"), root.join("canary")).unwrap();
    symlink(sandbox.base.join("outside/missing"), root.join("dangling")).unwrap();
    symlink("sub", root.join("inner")).unwrap();
    let mut dev = Device::new(root);
    for name in [
        "up/x",
        "up/outside/canary",
        "abs/canary",
        "abs/new",
        "abs",
        "canary",
        "dangling",
        "dangling/x",
        "inner/../up/x",
        "sub/../abs/x",
    ] {
        dev.assert_refused(name.as_bytes());
    }
    sandbox.assert_untouched("after the symlinks");
    // The links themselves are still there: a refused delete deleted nothing.
    assert_eq!(
        support::file_names(root),
        ["abs", "canary", "dangling", "inner", "sub", "up"]
    );
    // A link that stays inside the root works.
    dev.name(b"inner/x.txt");
    assert_eq!(dev.write(b"via link"), 8);
    assert_eq!(std::fs::read(root.join("sub/x.txt")).unwrap(), b"via link");
}

#[test]
fn the_root_itself_cannot_be_deleted() {
    let sandbox = Sandbox::new("root-delete");
    std::fs::remove_dir(sandbox.root.join("sub")).unwrap();
    let mut dev = Device::new(&sandbox.root);
    let absolute = sandbox.root.display().to_string();
    for name in [".", "./", "sub/..", "x/../.", absolute.as_str()] {
        dev.name(name.as_bytes());
        assert_eq!(dev.delete(), 0, "delete {name}");
        assert!(sandbox.root.is_dir(), "{name} deleted the root");
    }
    sandbox.assert_untouched("after deleting the root");
}

#[test]
fn names_too_long_for_the_os_fail_cleanly() {
    let sandbox = Sandbox::new("long");
    let mut dev = Device::new(&sandbox.root);
    // One component longer than NAME_MAX (255), and a whole name longer
    // than PATH_MAX (4096): the OS refuses them, the device reports 0.
    for name in ["x".repeat(256), "x".repeat(20000), "d/".repeat(3000) + "f"] {
        dev.name(name.as_bytes());
        assert_eq!(dev.write(b"data"), 0, "{} bytes", name.len());
        assert_eq!(dev.read().0, 0);
        assert_eq!(dev.delete(), 0);
    }
    // The longest single name the OS takes works.
    let longest = "y".repeat(255);
    dev.name(longest.as_bytes());
    assert_eq!(dev.write(b"data"), 4);
    assert_eq!(std::fs::read(sandbox.root.join(&longest)).unwrap(), b"data");
    sandbox.assert_untouched("after long names");
}

#[test]
fn a_name_with_no_nul_before_the_end_of_ram_is_refused() {
    let sandbox = Sandbox::new("no-nul");
    let mut dev = Device::new(&sandbox.root);
    // `abc...` from 0xfff0 to 0xffff, with no NUL: refused.
    dev.name_at(0xfff0, b"abcdefghijklmnop");
    assert_eq!(dev.write(b"data"), 0);
    assert_eq!(dev.read().0, 0);
    assert_eq!(dev.stat(), b"!!!!");
    assert_eq!(support::file_names(&sandbox.root), ["sub"]);
    // With its NUL in the very last byte, the same name works.
    dev.name_at(0xfff0, b"abcdefghijklmno\0");
    assert_eq!(dev.write(b"data"), 4);
    assert_eq!(
        support::file_names(&sandbox.root),
        ["abcdefghijklmno", "sub"]
    );
    // A name at 0xffff is at most empty: refused.
    dev.name_at(0xffff, b"z");
    assert_eq!(dev.write(b"data"), 0);
    sandbox.assert_untouched("after names at the end of RAM");
}

#[test]
fn transfers_stop_at_the_end_of_ram() {
    let sandbox = Sandbox::new("end-of-ram");
    let mut dev = Device::new(&sandbox.root);
    dev.name(b"end.bin");
    // 0x100 bytes asked from 0xfff0: only the 16 up to 0xffff go out.
    let data: Vec<u8> = (0..=255).collect();
    assert_eq!(dev.write_at(0xfff0, &data, false), 16);
    assert_eq!(
        std::fs::read(sandbox.root.join("end.bin")).unwrap(),
        &data[..16]
    );
    // A write of 0xffff bytes from 0xffff: one byte.
    assert_eq!(dev.write_at(0xffff, &[0x42], false), 1);
    dev.port(0x0a, 0xffff);
    dev.stale_success();
    dev.port(0x0e, 0xffff);
    assert_eq!(dev.success(), 1);
    // Reads: into the last two bytes only, however long the request.
    dev.name(b"end.bin");
    assert_eq!(dev.read_at(0xfffe, 0x10), (2, vec![0, 1]));
    assert_eq!(dev.read_at(0xffff, 0xffff), (1, vec![2]));
    // Stat into the last byte: one digit (a 16-byte file is `?` in one).
    dev.stale_success();
    dev.port(0x0a, 4);
    dev.port(0x04, 0xffff);
    assert_eq!(dev.success(), 1);
    assert_eq!(dev.uxn.ram[0xffff], b'?');
    sandbox.assert_untouched("after transfers at the end of RAM");
}

#[test]
fn failed_operations_report_0() {
    let sandbox = Sandbox::new("failures");
    let mut dev = Device::new(&sandbox.root);
    // A missing file: read, delete; stat says `!`.
    dev.name(b"missing.txt");
    assert_eq!(dev.read().0, 0);
    assert_eq!(dev.delete(), 0);
    assert_eq!(dev.stat(), b"!!!!");
    // Writing to a folder's name (without the slash) fails.
    dev.name(b"sub");
    assert_eq!(dev.write(b"data"), 0);
    // Deleting a folder that is not empty fails.
    std::fs::write(sandbox.root.join("sub/keep"), b"k").unwrap();
    assert_eq!(dev.delete(), 0);
    assert!(sandbox.root.join("sub/keep").is_file());
    // A file below a file cannot be made.
    std::fs::write(sandbox.root.join("plain"), b"p").unwrap();
    dev.name(b"plain/below");
    assert_eq!(dev.write(b"data"), 0);
    // An empty name, and no name at all.
    dev.name(b"");
    assert_eq!(dev.write(b"data"), 0);
    assert_eq!(dev.read().0, 0);
    let mut fresh = Device::new(&sandbox.root);
    assert_eq!(fresh.write(b"data"), 0);
    assert_eq!(fresh.read().0, 0);
    assert_eq!(fresh.delete(), 0);
    // A read-only file cannot be written (when permissions apply: not as root).
    use std::os::unix::fs::PermissionsExt;
    let locked = sandbox.root.join("locked");
    std::fs::write(&locked, b"l").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new()
        .write(true)
        .open(&locked)
        .is_err()
    {
        dev.name(b"locked");
        assert_eq!(dev.write(b"data"), 0);
    }
    sandbox.assert_untouched("after failures");
}

#[test]
fn writes_are_on_disk_at_once() {
    let sandbox = Sandbox::new("flush");
    let path = sandbox.root.join("a.txt");
    let mut dev = Device::new(&sandbox.root);
    dev.name(b"a.txt");
    assert_eq!(dev.write(b"one "), 4);
    // The handle is still open, and the bytes are already in the file.
    assert_eq!(std::fs::read(&path).unwrap(), b"one ");
    assert_eq!(dev.write(b"two"), 3);
    assert_eq!(std::fs::read(&path).unwrap(), b"one two");
    // Switching files: the first one is complete, the second starts.
    dev.name(b"b.txt");
    assert_eq!(dev.write(b"bee"), 3);
    assert_eq!(std::fs::read(&path).unwrap(), b"one two");
    assert_eq!(std::fs::read(sandbox.root.join("b.txt")).unwrap(), b"bee");
    // Closing (what a reset does) ends the handle: the next write truncates.
    dev.file.close();
    assert_eq!(dev.write(b"B"), 1);
    assert_eq!(std::fs::read(sandbox.root.join("b.txt")).unwrap(), b"B");
    // Dropping the device mid-write (a reload, or exit) loses nothing.
    dev.name(b"c.txt");
    assert_eq!(dev.write(b"sea"), 3);
    drop(dev);
    assert_eq!(std::fs::read(sandbox.root.join("c.txt")).unwrap(), b"sea");
    // Append adds to what is there.
    let mut dev = Device::new(&sandbox.root);
    dev.name(b"c.txt");
    assert_eq!(dev.append(b" shore"), 6);
    assert_eq!(
        std::fs::read(sandbox.root.join("c.txt")).unwrap(),
        b"sea shore"
    );
}

/// Whether `f` finishes within a minute (it is given the device and gets
/// it back); a File operation that blocks forever fails the test instead
/// of hanging it. `unblock` is run if it has not finished, to let it end.
fn finishes<T: Send + 'static>(
    dev: Device,
    f: impl FnOnce(&mut Device) -> T + Send + 'static,
    unblock: impl FnOnce(),
) -> (Device, T) {
    let (done, wait) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let mut dev = dev;
        let result = f(&mut dev);
        let _ = done.send(());
        (dev, result)
    });
    if wait
        .recv_timeout(std::time::Duration::from_secs(60))
        .is_err()
    {
        unblock();
        panic!("the File device blocked");
    }
    worker.join().unwrap()
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_in_the_root_is_refused_without_blocking() {
    let sandbox = Sandbox::new("fifo");
    let fifo = sandbox.root.join("fifo");
    mkfifo(&fifo);
    let unblock = |fifo: PathBuf| {
        move || {
            // Give a blocked open(2) its other end, so it returns.
            let _ = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(fifo);
        }
    };
    let mut dev = Device::new(&sandbox.root);
    dev.name(b"fifo");
    let (mut dev, read) = finishes(dev, |d| d.read().0, unblock(fifo.clone()));
    assert_eq!(read, 0, "read from a FIFO");
    assert_eq!(
        dev.file.take_refusal().as_deref(),
        Some("hop: file: refused \"fifo\": not a regular file or folder\n")
    );
    let (dev, written) = finishes(dev, |d| d.write(b"data"), unblock(fifo.clone()));
    assert_eq!(written, 0, "write to a FIFO");
    let (mut dev, appended) = finishes(dev, |d| d.append(b"data"), unblock(fifo.clone()));
    assert_eq!(appended, 0, "append to a FIFO");
    assert_eq!(dev.stat(), b"!!!!");
    // With a reader at the other end, a write still does not go into it.
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags_nonblock()
        .open(&fifo)
        .unwrap();
    dev.name(b"fifo");
    assert_eq!(dev.write(b"data"), 0, "write to a FIFO with a reader");
    drop(reader);
    // A listing shows it as refused, like its stat; nor can it be deleted.
    dev.name(b".");
    assert_eq!(dev.read().1, b"!!!! fifo\n---- sub/\n");
    dev.name(b"fifo");
    assert_eq!(dev.delete(), 0);
    assert!(fifo.exists());
    std::fs::remove_file(&fifo).unwrap();
    sandbox.assert_untouched("after the FIFO");
}

/// `OpenOptions::custom_flags(O_NONBLOCK)` without naming libc here.
trait NonBlock {
    fn custom_flags_nonblock(&mut self) -> &mut Self;
}

impl NonBlock for std::fs::OpenOptions {
    fn custom_flags_nonblock(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK on Linux.
        self.custom_flags(0o4000)
    }
}

#[test]
fn listings_show_entries_that_lead_outside_as_refused() {
    let sandbox = Sandbox::new("listing-links");
    let root = &sandbox.root;
    std::fs::write(sandbox.base.join("outside/big"), vec![0; 0x1234]).unwrap();
    symlink(sandbox.base.join("outside/big"), root.join("link")).unwrap();
    symlink(sandbox.base.join("outside"), root.join("etcdir")).unwrap();
    symlink("../../outside", root.join("sub/up")).unwrap();
    symlink("sub", root.join("inner")).unwrap();
    symlink("../a.txt", root.join("sub/a")).unwrap();
    std::fs::write(root.join("a.txt"), b"abc").unwrap();
    let mut dev = Device::new(root);
    // A stat of each outside link is refused...
    for name in ["link", "etcdir", "sub/up"] {
        dev.name(name.as_bytes());
        assert_eq!(dev.stat(), b"!!!!", "stat {name}");
    }
    // ...and so is its entry in a listing; links inside show their target.
    dev.name(b".");
    assert_eq!(
        String::from_utf8_lossy(&dev.read_at(0xa000, 0x1000).1),
        "0003 a.txt\n!!!! etcdir\n---- inner/\n!!!! link\n---- sub/\n"
    );
    dev.name(b"sub");
    assert_eq!(
        String::from_utf8_lossy(&dev.read_at(0xa000, 0x1000).1),
        "---- ../\n0003 a\n!!!! up\n"
    );
    dev.name(b"inner");
    assert_eq!(
        String::from_utf8_lossy(&dev.read_at(0xa000, 0x1000).1),
        "---- ../\n0003 a\n!!!! up\n"
    );
    // A folder that leads outside is not listed at all.
    dev.name(b"etcdir");
    assert_eq!(dev.read().0, 0);
    dev.name(b"sub/up");
    assert_eq!(dev.read().0, 0);
    std::fs::remove_file(sandbox.base.join("outside/big")).unwrap();
    sandbox.assert_untouched("after the listings");
}

/// A second thread swaps `victim`, a folder in the root, for a symlink to
/// the outside folder and back, as fast as it can, while the device sets
/// `victim/t.txt` and writes, reads, stats, lists and deletes through it:
/// whenever the symlink is there, the operation must be refused.
#[test]
fn a_folder_swapped_for_a_symlink_while_in_use_never_leads_out() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let sandbox = Sandbox::new("swap-race");
    let root = sandbox.root.clone();
    let outside = sandbox.base.join("outside");
    std::fs::create_dir(root.join("victim")).unwrap();
    std::fs::write(root.join("victim/t.txt"), b"inside").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, root, outside) = (stop.clone(), root.clone(), outside.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            let (victim, held) = (root.join("victim"), root.join("held"));
            while !stop.load(Ordering::Relaxed) {
                // The device may make `victim` again while it is away (a
                // write makes its parents): such a copy is thrown away.
                if held.is_dir() && !victim.is_symlink() {
                    let _ = std::fs::remove_dir_all(&victim);
                }
                let _ = std::fs::rename(&victim, &held);
                if symlink(&outside, &victim).is_ok() {
                    swaps += 1;
                    std::thread::yield_now();
                    let _ = std::fs::remove_file(&victim);
                }
                let _ = std::fs::rename(&held, &victim);
                std::thread::yield_now();
            }
            swaps
        })
    };
    let mut dev = Device::new(&root);
    let (mut writes, mut reads) = (0, 0);
    for _ in 0..20_000 {
        dev.name(b"victim/t.txt");
        writes += (dev.write(b"PWNED") != 0) as u32;
        dev.name(b"victim/t.txt");
        let (n, _) = dev.read();
        reads += (n != 0) as u32;
        dev.name(b"victim/canary");
        let (n, bytes) = dev.read();
        assert_eq!((n, bytes), (0, vec![]), "read through the swapped folder");
        assert_eq!(dev.stat(), b"!!!!", "stat through the swapped folder");
        dev.name(b"victim");
        let (_, listing) = dev.read_at(0xa000, 0x100);
        assert!(
            !String::from_utf8_lossy(&listing).contains("canary"),
            "listed the outside folder"
        );
        dev.name(b"victim/canary");
        assert_eq!(dev.delete(), 0);
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 0);
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("{swaps} swaps; {writes} writes and {reads} reads went through inside\n")
            .as_bytes(),
    );
    assert_eq!(
        support::file_names(&outside),
        ["canary"],
        "a file appeared outside"
    );
    assert_eq!(std::fs::read(outside.join("canary")).unwrap(), b"canary");
}

#[test]
fn arguments_that_name_files_are_grants_and_nothing_else() {
    use hop::varvara::file::grants;
    let sandbox = Sandbox::new("grants");
    let base = &sandbox.base;
    std::fs::write(base.join("notes.txt"), b"notes").unwrap();
    symlink(base.join("notes.txt"), base.join("link.txt")).unwrap();
    symlink(base.join("missing"), base.join("dangling")).unwrap();
    mkfifo(&base.join("fifo"));
    let arg = |name: &str| format!("{}/{name}", base.display());
    let args = [
        arg("notes.txt"),       // a file
        arg("new.txt"),         // not there yet, in a folder that is
        arg("link.txt"),        // a symlink to a file: that file
        arg("outside"),         // a folder
        arg("outside/"),        // a folder, spelt as one
        arg("nowhere/new.txt"), // in a folder that is not there
        arg("fifo"),            // not a regular file
        arg("dangling"),        // a symlink to nothing
        arg("notes.txt/"),      // a file spelt as a folder
        arg(".."),
        String::new(),
    ];
    let granted: Vec<Vec<u8>> = grants(&args).into_iter().map(|g| g.name).collect();
    assert_eq!(
        granted,
        [arg("notes.txt"), arg("new.txt"), arg("link.txt")].map(String::into_bytes)
    );
    // Through a device: each grant by its exact name; delete is allowed,
    // as for a file in the root, and the name can be written again.
    let mut dev = Device {
        uxn: Uxn::new(),
        file: File::with_grants(&sandbox.root, grants(&args).into()),
    };
    dev.file.compat = hop::varvara::Compat::Y2025;
    dev.name(arg("link.txt").as_bytes());
    assert_eq!(dev.read().1, b"notes");
    assert_eq!(dev.stat(), b"0005");
    dev.name(arg("notes.txt").as_bytes());
    assert_eq!(dev.append(b"!"), 1);
    assert_eq!(std::fs::read(base.join("notes.txt")).unwrap(), b"notes!");
    assert_eq!(dev.delete(), 1);
    assert!(!base.join("notes.txt").exists());
    assert_eq!(dev.write(b"again"), 5);
    assert_eq!(std::fs::read(base.join("notes.txt")).unwrap(), b"again");
    // A symlink put where a granted file was is not followed.
    std::fs::remove_file(base.join("notes.txt")).unwrap();
    symlink(base.join("outside/canary"), base.join("notes.txt")).unwrap();
    dev.name(arg("notes.txt").as_bytes());
    assert_eq!(dev.read().0, 0);
    assert_eq!(dev.write(b"escape"), 0);
    assert_eq!(dev.stat(), b"!!!!");
    assert_eq!(dev.delete(), 0);
    std::fs::remove_file(base.join("notes.txt")).unwrap();
    // Not a grant: every other name there, the folder, a `..` spelling.
    for name in [
        arg("sibling.txt"),
        arg("outside/canary"),
        base.display().to_string(),
        format!("{}/outside/../notes.txt", base.display()),
        arg("fifo"),
    ] {
        dev.assert_refused(name.as_bytes());
    }
    for name in ["dangling", "fifo", "link.txt"] {
        std::fs::remove_file(base.join(name)).unwrap();
    }
    sandbox.assert_untouched("after the grants");
}

/// A stand-in clipboard: what a paste finds, and what copies it saw.
#[derive(Default)]
struct Clip {
    next: std::sync::Mutex<Option<Vec<u8>>>,
    seen: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl hop::varvara::file::SnarfHook for Clip {
    fn written(&self, contents: &[u8]) {
        self.seen.lock().unwrap().push(contents.to_vec());
    }
    fn before_read(&self) -> Option<Vec<u8>> {
        self.next.lock().unwrap().take()
    }
}

/// The snarf hook (issue 17's clipboard): it fills `.snarf` in the root
/// before a stat or read of it, is shown the whole file once per report
/// after writes (not after each write), sees no other name, and a FIFO
/// planted as `.snarf` blocks nothing.
#[test]
fn the_snarf_hook_fills_the_file_before_a_paste_and_sees_copies() {
    let sandbox = Sandbox::new("snarf");
    let clip = std::sync::Arc::new(Clip::default());
    let mut dev = Device::new(&sandbox.root);
    dev.file.set_snarf_hook(clip.clone());
    *clip.next.lock().unwrap() = Some(b"kiwi".to_vec());
    dev.name(b".snarf");
    assert_eq!(dev.stat(), b"0004", "filled before the stat");
    assert_eq!(dev.read().1, b"kiwi");

    dev.name(b".snarf");
    dev.write(b"apples");
    dev.write(b", pears");
    assert!(clip.seen.lock().unwrap().is_empty(), "not after each write");
    dev.file.report_snarf();
    dev.file.report_snarf();
    assert_eq!(*clip.seen.lock().unwrap(), [b"apples, pears".to_vec()]);

    *clip.next.lock().unwrap() = Some(b"fig".to_vec());
    dev.name(b"sub/.snarf");
    dev.write(b"x");
    dev.read();
    dev.file.report_snarf();
    assert_eq!(clip.seen.lock().unwrap().len(), 1, "only the root's .snarf");
    assert!(
        clip.next.lock().unwrap().is_some(),
        "not asked for sub/.snarf"
    );

    std::fs::remove_file(sandbox.root.join(".snarf")).unwrap();
    let fifo = sandbox.root.join(".snarf");
    mkfifo(&fifo);
    dev.name(b".snarf");
    let unblock = move || {
        let _ = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(fifo);
    };
    let (_, read) = finishes(dev, |d| d.read().0, unblock);
    assert_eq!(read, 0, "a FIFO is neither filled nor read");
    sandbox.assert_untouched("after the snarf");
}
