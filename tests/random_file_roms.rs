//! Random ROMs that use the File devices, on both engines: the random-ROM
//! differential test, extended to the file system. Each ROM is random
//! bytes interleaved with File device calls (set a name from a dictionary
//! of names inside the root, ways out of it and symlinks planted in it;
//! set the length; read, write, append, stat, delete at random addresses,
//! code included). It runs on the tail-call engine, then on the model
//! engine, each in a fresh copy of the same root; RAM, stacks, device
//! page, how the run ended, the console output and the root's files must
//! be identical, nothing may appear or change outside the root, and
//! nothing may panic.
//!
//! `HOP_FILE_ROMS=N` sets the number of ROMs (default 500); the figures
//! are printed at the end:
//!
//! ```sh
//! HOP_FILE_ROMS=100000 cargo test --release --test random_file_roms -- --nocapture
//! ```

use std::io::Write;
use std::os::unix::fs::symlink;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use hop::uxn::{Bus, Cpu, Engine, Exit, RESET_VECTOR, Uxn};
use hop::varvara::{Captured, Config, Devices};

/// Jumps the reset vector may run: random bytes loop often.
const BUDGET: u64 = 1 << 12;
/// Where the name dictionary sits in RAM.
const NAMES_AT: u16 = 0x8000;

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The names a ROM may set: inside, ways out, the planted links.
fn dictionary(base: &Path) -> Vec<String> {
    let root = base.join("root").display().to_string();
    let outside = base.join("outside").display().to_string();
    let mut names: Vec<String> = [
        // inside
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/",
        "sub",
        "new/deep/d.txt",
        "made/",
        ".",
        "./",
        "sub/..",
        "inner/e.txt",
        "inner",
        "self/a.txt",
        "../root/f.txt",
        // ways out
        "..",
        "../",
        "../x",
        "../outside/canary",
        "sub/../../x",
        "up/x",
        "up/outside/canary",
        "up/",
        "abs/canary",
        "abs/new",
        "abs/new/",
        "abs",
        "dangling",
        "dangling/x",
        "inner/../up/x",
        "sub/up/x",
        "fifo",
        "",
    ]
    .map(String::from)
    .to_vec();
    names.push(format!("{outside}/canary"));
    names.push(format!("{outside}/new"));
    names.push(format!("{root}/../outside/canary"));
    names.push(format!("{root}/g.txt"));
    names.push("/".into());
    names
}

/// A fresh root: `a.txt`, `sub/`, links in and out, a FIFO.
fn fresh_root(base: &Path) -> PathBuf {
    let root = base.join("root");
    if root.exists() {
        for entry in std::fs::read_dir(&root).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == "fifo" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                std::fs::remove_dir_all(entry.path()).unwrap();
            } else {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
    } else {
        std::fs::create_dir_all(&root).unwrap();
    }
    if !root.join("fifo").exists() {
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("fifo"))
            .status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(root.join("a.txt"), b"hello").unwrap();
    symlink("..", root.join("up")).unwrap();
    symlink("../..", root.join("sub/up")).unwrap();
    symlink(base.join("outside"), root.join("abs")).unwrap();
    symlink(base.join("outside/missing"), root.join("dangling")).unwrap();
    symlink("sub", root.join("inner")).unwrap();
    symlink(".", root.join("self")).unwrap();
    root
}

/// A random ROM: File device calls, with random bytes between them in
/// half the ROMs (the other half would mostly jump away early).
fn random_rom(seed: u64, names: &[u16]) -> Vec<u8> {
    let mut s = seed | 1;
    let mut next = move || xorshift(&mut s);
    let mut code = Vec::new();
    let calls = 4 + next() % 40;
    let kinds = if seed.is_multiple_of(2) { 16 } else { 13 };
    for _ in 0..calls {
        let device: u8 = if next() % 4 == 0 { 0xb0 } else { 0xa0 };
        let short = |code: &mut Vec<u8>, value: u16, port: u8| {
            // LIT2 value LIT port DEO2
            let [hi, lo] = value.to_be_bytes();
            code.extend([0xa0, hi, lo, 0x80, device | port, 0x37]);
        };
        // Anywhere in RAM, often where the action is.
        let addr = match next() % 5 {
            0 => next() as u16,
            1 => 0xff00 | (next() % 0x100) as u16,
            2 => 0x0100 + (next() % 0x200) as u16,
            _ => 0x9000 + (next() % 0x100) as u16,
        };
        match next() % kinds {
            0..=3 => short(&mut code, names[next() as usize % names.len()], 0x08),
            4 | 5 => {
                let len = match next() % 3 {
                    0 => next() as u16,
                    _ => (next() % 0x40) as u16,
                };
                short(&mut code, len, 0x0a);
            }
            6 | 7 => short(&mut code, addr, 0x0c),
            8 | 9 => short(&mut code, addr, 0x0e),
            10 => short(&mut code, addr, 0x04),
            11 => code.extend([0x80, 0x01, 0x80, device | 0x06, 0x17]),
            12 => code.extend([0x80, (next() % 2) as u8, 0x80, device | 0x07, 0x17]),
            _ => {
                // Random bytes: any opcode, jumps and all.
                for _ in 0..1 + next() % 4 {
                    code.push(next() as u8);
                }
            }
        }
    }
    code.push(0x00);
    code
}

/// The machine's devices, counting the File operations the ROM tries.
struct Counting<'a> {
    devices: &'a mut Devices,
    names: u64,
    operations: u64,
}

impl Bus for Counting<'_> {
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        self.devices.dei(uxn, port)
    }
    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        if matches!(port & 0xf0, 0xa0 | 0xb0) {
            match port & 0x0f {
                0x09 => self.names += 1,
                0x05 | 0x06 | 0x0d | 0x0f => self.operations += 1,
                _ => {}
            }
        }
        self.devices.deo(uxn, port, value)
    }
    // Shorts go to the machine's own DEO2/DEI2 (one device call each in
    // the 2026 profile); both bytes are counted as tries.
    fn dei2(&mut self, uxn: &mut Uxn, port: u8) -> u16 {
        self.devices.dei2(uxn, port)
    }
    fn deo2(&mut self, uxn: &mut Uxn, port: u8, value: u16) {
        for port in [port, port.wrapping_add(1)] {
            if matches!(port & 0xf0, 0xa0 | 0xb0) {
                match port & 0x0f {
                    0x09 => self.names += 1,
                    0x05 | 0x06 | 0x0d | 0x0f => self.operations += 1,
                    _ => {}
                }
            }
        }
        self.devices.deo2(uxn, port, value)
    }
}

/// Files, folders, links and FIFOs below `dir`, with their contents.
fn tree(dir: &Path, at: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = format!("{at}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let target = std::fs::read_link(entry.path()).unwrap();
            out.push(format!("{name} -> {}", target.display()));
        } else if kind.is_dir() {
            out.push(format!("{name}/"));
            tree(&entry.path(), &format!("{name}/"), out);
        } else if kind.is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            out.push(format!("{name} = {bytes:?}"));
        } else {
            out.push(format!("{name} (special)"));
        }
    }
}

/// What one run left: the machine, its output, the root's files.
struct Outcome {
    uxn: Box<Uxn>,
    exit: Exit,
    output: Vec<u8>,
    files: Vec<String>,
    names: u64,
    operations: u64,
}

fn run(rom: &[u8], dictionary: &[String], base: &Path, engine: Engine) -> Outcome {
    let root = fresh_root(base);
    let output = Captured::default();
    let config = Config {
        settings: hop::varvara::Settings {
            engine,
            budget: BUDGET,
            root: root.clone(),
            ..Default::default()
        },
        stdout: Box::new(output.clone()),
        stderr: Box::new(output.clone()),
        ..Config::default()
    };
    // The devices alone, under a CPU of the test's own, so the bus can
    // count what the ROM tries.
    let mut uxn = Uxn::new();
    let mut devices = Devices::new(config);
    devices.system.banks.load_rom(&mut uxn, rom).unwrap();
    let mut at = NAMES_AT as usize;
    for name in dictionary {
        uxn.ram[at..at + name.len()].copy_from_slice(name.as_bytes());
        at += name.len() + 1;
    }
    let mut bus = Counting {
        devices: &mut devices,
        names: 0,
        operations: 0,
    };
    let exit = Cpu::new(engine).run(&mut uxn, &mut bus, RESET_VECTOR, BUDGET);
    let (names, operations) = (bus.names, bus.operations);
    devices.console.flush();
    let mut files = Vec::new();
    tree(&root, "", &mut files);
    Outcome {
        uxn,
        exit,
        output: output.bytes(),
        files,
        names,
        operations,
    }
}

/// Whether anything beside the root appeared, went or changed.
fn escaped(base: &Path) -> Option<String> {
    let mut beside = Vec::new();
    tree(base, "", &mut beside);
    beside.retain(|entry| !entry.starts_with("root/") && entry != "root/");
    let expected = ["outside/", "outside/canary = [99, 97, 110, 97, 114, 121]"];
    (beside != expected).then(|| format!("{beside:?}"))
}

/// Where two runs differ, if they do.
fn divergence(a: &Outcome, b: &Outcome) -> Option<String> {
    if a.exit != b.exit {
        return Some(format!("exit {:?} vs {:?}", a.exit, b.exit));
    }
    if (a.uxn.wsp, a.uxn.rsp) != (b.uxn.wsp, b.uxn.rsp) || a.uxn.wst != b.uxn.wst {
        return Some("stacks".into());
    }
    if a.uxn.rst != b.uxn.rst || a.uxn.dev != b.uxn.dev {
        return Some("return stack or device page".into());
    }
    if let Some(at) = (0..0x10000).find(|&i| a.uxn.ram[i] != b.uxn.ram[i]) {
        return Some(format!("RAM at {at:#06x}"));
    }
    if a.output != b.output {
        return Some(format!(
            "console: {:?} vs {:?}",
            String::from_utf8_lossy(&a.output),
            String::from_utf8_lossy(&b.output)
        ));
    }
    if a.files != b.files {
        return Some(format!("files: {:?} vs {:?}", a.files, b.files));
    }
    None
}

#[test]
fn random_file_roms_agree_and_stay_in_their_root() {
    let n: u64 = std::env::var("HOP_FILE_ROMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let base = std::env::temp_dir().join(format!("hop-file-roms-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(base.join("outside/canary"), b"canary").unwrap();
    let dictionary = dictionary(&base);
    let mut addresses = Vec::new();
    let mut at = NAMES_AT;
    for name in &dictionary {
        addresses.push(at);
        at += name.len() as u16 + 1;
    }
    let (mut names, mut operations, mut with_files, mut created) = (0, 0, 0, 0);
    let mut problems: Vec<String> = Vec::new();
    let (mut escapes, mut divergences, mut panics) = (0, 0, 0);
    let pristine = {
        fresh_root(&base);
        let mut files = Vec::new();
        tree(&base.join("root"), "", &mut files);
        files
    };
    // A File operation that blocks (a FIFO's open(2) did) would hang the
    // test: after a minute without progress, it fails instead.
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    {
        let progress = progress.clone();
        std::thread::spawn(move || {
            let mut last = u64::MAX;
            loop {
                std::thread::sleep(std::time::Duration::from_secs(60));
                let now = progress.load(std::sync::atomic::Ordering::Relaxed);
                if now == last {
                    let _ = writeln!(std::io::stderr(), "random file ROMs: ROM {now} blocked");
                    std::process::exit(1);
                }
                last = now;
            }
        });
    }
    for case in 0..n {
        progress.store(case, std::sync::atomic::Ordering::Relaxed);
        let seed = 0x5eed_0000 + case;
        let rom = random_rom(seed, &addresses);
        let runs = catch_unwind(AssertUnwindSafe(|| {
            let a = run(&rom, &dictionary, &base, Engine::TailCall);
            let escape_a = escaped(&base);
            let b = run(&rom, &dictionary, &base, Engine::Model);
            let escape_b = escaped(&base);
            (a, b, escape_a.or(escape_b))
        }));
        let (a, b, escape) = match runs {
            Ok(runs) => runs,
            Err(_) => {
                panics += 1;
                problems.push(format!("seed {seed:#x}: panic"));
                continue;
            }
        };
        names += a.names;
        operations += a.operations;
        with_files += (a.names > 0) as u32;
        created += (a.files != pristine) as u32;
        if let Some(what) = escape {
            escapes += 1;
            problems.push(format!("seed {seed:#x}: escaped: {what}"));
        }
        if let Some(what) = divergence(&a, &b) {
            divergences += 1;
            problems.push(format!("seed {seed:#x}: engines differ: {what}"));
        }
    }
    let _ = std::fs::remove_dir_all(&base);
    let _ = writeln!(
        std::io::stderr(),
        "random file ROMs: {n} run on both engines, {with_files} set a file name ({names} names \
         set), {operations} file operations tried, {created} changed their root; {escapes} \
         escapes, {divergences} divergences, {panics} panics"
    );
    assert!(problems.is_empty(), "{problems:#?}");
}
