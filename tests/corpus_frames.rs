//! Every ROM in `../shared/roms` runs 600 frames of random (seeded, so
//! reproducible) scripted input in a temporary file root, in the 2026
//! compatibility profile (uxn2's rules; `HOP_CORPUS_COMPAT=2025` runs the
//! other), composing the
//! screen after every frame as the desktop will: none may panic, nothing
//! may be written beside the root, and no event or screen vector may run
//! away unless the model engine runs away at the same place (the ROM's own
//! endless loop, reported). (A few CPU benchmarks compute for seconds in
//! their reset vector; those stop at the test's jump budget, which is
//! reported but allowed: they never reach the devices.)
//!
//! `HOP_CORPUS_SCRIPTS=N` runs each ROM with N different scripts (default
//! 1); the figures (runs, panics, budget interruptions, files written
//! outside and inside the roots, names the file device refused) are
//! printed at the end:
//!
//! ```sh
//! HOP_CORPUS_SCRIPTS=3 cargo test --release --test corpus_frames -- --nocapture
//! ```

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hop::headless::script;
use hop::uxn::Engine;
use hop::varvara::{Captured, Compat, Config, Varvara};
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};

const FRAMES: u64 = 600;
/// Jumps per vector: far more than any event or screen vector of these ROMs
/// needs, low enough that a runaway is caught within a second or so.
const BUDGET: u64 = 1 << 24;
/// The ROMs run on this many threads (the test machines have 2 cores).
const THREADS: usize = 2;

fn roms(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            roms(&path, out);
        } else if path.extension().is_some_and(|e| e == "rom") {
            out.push(path);
        }
    }
}

/// A random input script in the `--input` format, from a seed.
fn random_script(seed: u64) -> String {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let buttons = ["a", "b", "select", "start", "up", "down", "left", "right"];
    let specials = ["0x08", "0x09", "0x0d", "0x1b", "0x7f", "0x20"];
    let mut script = String::from("# random input\n");
    for f in 0..FRAMES {
        let mut line = |text: String| script.push_str(&format!("{f} {text}\n"));
        if rng.random_bool(0.3) {
            let (x, y) = (rng.random_range(0..720u16), rng.random_range(0..480u16));
            line(format!("mouse {x} {y}"));
        }
        if rng.random_bool(0.05) {
            let down = if rng.random_bool(0.5) {
                "mousedown"
            } else {
                "mouseup"
            };
            line(format!("{down} {}", rng.random_range(1..=3u8)));
        }
        if rng.random_bool(0.08) {
            let press = if rng.random_bool(0.5) {
                "press"
            } else {
                "release"
            };
            line(format!(
                "{press} {}",
                buttons[rng.random_range(0..buttons.len())]
            ));
        }
        if rng.random_bool(0.08) {
            let key = if rng.random_bool(0.8) {
                (rng.random_range(0x21..0x7fu8) as char).to_string()
            } else {
                specials[rng.random_range(0..specials.len())].to_string()
            };
            line(format!("key {key}"));
        }
        if rng.random_bool(0.02) {
            line("text hello world\\n".into());
        }
        if rng.random_bool(0.02) {
            let (dx, dy) = (rng.random_range(-1..=1i16), rng.random_range(-3..=3i16));
            line(format!("scroll {dx} {dy}"));
        }
        if rng.random_bool(0.01) {
            line("stdin 1 2 +\\x0a".into());
        }
        if f == FRAMES - 10 && rng.random_bool(0.5) {
            line("stdin-eof".into());
        }
    }
    script
}

/// Files and folders below `dir`, however deep (symlinks not followed).
fn count_entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(|e| e.ok())
            .map(|e| {
                let deeper = e.file_type().is_ok_and(|t| t.is_dir());
                1 + if deeper { count_entries(&e.path()) } else { 0 }
            })
            .sum()
    })
}

/// One ROM with one script: how it ended, what it left in the file system.
struct Run {
    name: String,
    outcome: Outcome,
    elapsed: Duration,
    /// Names that appeared beside the root (must be none).
    outside: Vec<String>,
    /// Files and folders the ROM left in its root.
    inside: usize,
    /// Names the file device refused.
    refused: usize,
}

/// What happened to one run.
enum Outcome {
    /// Ran all frames, or halted on its own.
    Fine,
    /// The reset vector ran past the budget (a benchmark's computation).
    LongBoot,
    /// An event or screen vector ran past the budget on the tail-call
    /// engine, and the model engine stops at the same place: the ROM's
    /// own endless loop (a Forth fed random keys can define one).
    RomLoop(String),
    /// An event or screen vector ran past the budget, and the model
    /// engine does not agree: a problem.
    Runaway(String),
    Panic(String),
}

/// Runs one ROM with one script on the tail-call engine; a runaway in an
/// event or screen vector is run again on the model engine, in a root of
/// its own, to tell the ROM's loops from hop's.
fn run_rom(path: &Path, seed: u64, root: &Path, stderr: &Captured) -> Outcome {
    let outcome = run_on(Engine::TailCall, path, seed, root, stderr);
    let Outcome::Runaway(why) = outcome else {
        return outcome;
    };
    let again = root.with_extension("model");
    std::fs::create_dir_all(&again).unwrap();
    let model = run_on(Engine::Model, path, seed, &again, &Captured::default());
    let _ = std::fs::remove_dir_all(&again);
    match model {
        Outcome::Runaway(same) if same == why => Outcome::RomLoop(why),
        _ => Outcome::Runaway(why),
    }
}

fn run_on(engine: Engine, path: &Path, seed: u64, root: &Path, stderr: &Captured) -> Outcome {
    let rom = hop::rom::read(path).expect("a readable ROM");
    let events = script::by_frame(script::parse(random_script(seed).as_bytes()).unwrap());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let config = Config {
            settings: hop::varvara::Settings {
                engine,
                budget: BUDGET,
                root: root.to_path_buf(),
                compat: Some(compat()),
                ..Default::default()
            },
            stderr: Box::new(stderr.clone()),
            ..Config::default()
        };
        let mut m = Varvara::new(&rom, config).unwrap();
        m.boot(false)?;
        m.send_args(&[] as &[&[u8]])?;
        let mut pending = &events[..];
        for f in 0..FRAMES {
            if m.halted() {
                break;
            }
            let due = pending.partition_point(|&(at, _)| at <= f);
            m.run_frame(pending[..due].iter().map(|&(_, e)| e))?;
            pending = &pending[due..];
            let frame = m.picture();
            assert_eq!(frame.pixels.len(), frame.width * frame.height);
        }
        Ok::<(), hop::varvara::Runaway>(())
    }));
    match result {
        Ok(Ok(())) => Outcome::Fine,
        Ok(Err(r)) if r.vector == hop::uxn::RESET_VECTOR => Outcome::LongBoot,
        Ok(Err(r)) => Outcome::Runaway(format!("vector {:#06x} stuck at {:#06x}", r.vector, r.pc)),
        Err(panic) => Outcome::Panic(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// The profile the corpus runs in: 2026 unless `HOP_CORPUS_COMPAT` says.
fn compat() -> Compat {
    std::env::var("HOP_CORPUS_COMPAT")
        .ok()
        .and_then(|year| year.parse().ok())
        .and_then(Compat::year)
        .unwrap_or(Compat::Y2026)
}

#[test]
fn every_rom_survives_600_frames_of_random_input() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/roms");
    if !dir.is_dir() {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {} is absent, so the ROM corpus cannot run",
            dir.display()
        );
        return;
    }
    let mut paths = Vec::new();
    roms(&dir, &mut paths);
    paths.sort();
    let scripts: usize = std::env::var("HOP_CORPUS_SCRIPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    // Every (ROM, script) pair; the seed makes each script different.
    let runs: Vec<(usize, usize)> = (0..paths.len())
        .flat_map(|rom| (0..scripts).map(move |s| (rom, s)))
        .collect();
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let (paths, runs, dir, next, results) = (&paths, &runs, &dir, &next, &results);
            scope.spawn(move || {
                // Each run gets `base/root`, and nothing may appear in
                // `base` beside it.
                let base = std::env::temp_dir()
                    .join(format!("hop-corpus-{}-{thread}", std::process::id()));
                let root = base.join("root");
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(rom, script)) = runs.get(i) else {
                        break;
                    };
                    let path = &paths[rom];
                    let name = path.strip_prefix(dir).unwrap().display().to_string();
                    let _ = std::fs::remove_dir_all(&base);
                    std::fs::create_dir_all(&root).unwrap();
                    let stderr = Captured::default();
                    let t = Instant::now();
                    let seed = (rom * scripts + script) as u64;
                    let outcome = run_rom(path, seed, &root, &stderr);
                    let elapsed = t.elapsed();
                    let outside: Vec<String> = std::fs::read_dir(&base)
                        .unwrap()
                        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .filter(|n| n != "root")
                        .collect();
                    let inside = count_entries(&root);
                    let refused = String::from_utf8_lossy(&stderr.bytes())
                        .matches("hop: file: refused")
                        .count();
                    let name = format!("{name} (script {script})");
                    results.lock().unwrap().push(Run {
                        name,
                        outcome,
                        elapsed,
                        outside,
                        inside,
                        refused,
                    });
                }
                let _ = std::fs::remove_dir_all(&base);
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.name.cmp(&b.name));
    let mut problems = Vec::new();
    let mut long_boots = Vec::new();
    let mut rom_loops = Vec::new();
    let (mut panics, mut runaways, mut outside, mut inside, mut refused) = (0, 0, 0, 0, 0);
    let mut slowest = (Duration::ZERO, String::new());
    for run in results {
        let name = run.name;
        match run.outcome {
            Outcome::Fine => {}
            Outcome::LongBoot => long_boots.push(name.clone()),
            Outcome::RomLoop(why) => rom_loops.push(format!("{name}: {why}")),
            Outcome::Runaway(why) => {
                runaways += 1;
                problems.push(format!("{name}: runaway: {why}"));
            }
            Outcome::Panic(why) => {
                panics += 1;
                problems.push(format!("{name}: panic: {why}"));
            }
        }
        if !run.outside.is_empty() {
            outside += run.outside.len();
            problems.push(format!("{name}: wrote outside its root: {:?}", run.outside));
        }
        inside += run.inside;
        refused += run.refused;
        if std::env::var_os("HOP_CORPUS_TIMES").is_some() {
            let _ = writeln!(
                std::io::stderr(),
                "{:8.3} s  {name}",
                run.elapsed.as_secs_f64()
            );
        }
        if run.elapsed > slowest.0 {
            slowest = (run.elapsed, name);
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "stopped at the jump budget in their reset vector (CPU benchmarks): {}",
        long_boots.join(", ")
    );
    let _ = writeln!(
        std::io::stderr(),
        "endless loops of the ROM's own (the model engine agrees): {}",
        rom_loops.join(", ")
    );
    let _ = writeln!(
        std::io::stderr(),
        "{} ROMs x {scripts} scripts = {} runs of up to {FRAMES} frames in {:.1} s on \
         {THREADS} threads (slowest: {} in {:.2} s): {panics} panics, {} budget \
         interruptions ({} in reset vectors, {} the ROM's own loops, {runaways} unexplained), \
         {outside} files written outside the root, {inside} inside; {refused} file names \
         refused; {} problems",
        paths.len(),
        runs.len(),
        started.elapsed().as_secs_f64(),
        slowest.1,
        slowest.0.as_secs_f64(),
        long_boots.len() + rom_loops.len() + runaways,
        long_boots.len(),
        rom_loops.len(),
        problems.len()
    );
    assert!(paths.len() > 100, "only {} ROMs found", paths.len());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// Names that lead out of the root, for [`ESCAPE_SOURCE`]: `..` at several
/// depths, absolute paths, and the fixture's symlinks (`up` -> `..`, `out`
/// -> the folder around the root, `dangling` -> a missing file there).
const ESCAPE_NAMES: &[&str] = &[
    "../x",
    "../../x",
    "../../../../../../../../x",
    "./../x",
    "sub/../../x",
    "a/b/c/../../../../x",
    "../",
    "../new/",
    "/tmp/hop-escape-probe",
    "/x",
    "/",
    "up/x",
    "up/up/x",
    "up/",
    "up/new/",
    "out/x",
    "out/canary",
    "out/new/",
    "dangling",
    "dangling/x",
    "sub/../up/x",
    "./out/./x",
];

/// A ROM that tries each name with every operation (write, append, read,
/// stat, delete), on both file devices, then halts with exit code 0. The
/// last name, `inside.txt`, stays inside, so its `evil` is written and
/// appended: the operations do work where they are allowed (the delete
/// comes first there, with nothing to delete).
fn escape_source() -> String {
    let mut names = String::new();
    for name in ESCAPE_NAMES.iter().chain(&["inside.txt"]) {
        names.push_str(&format!("\"{name} 00\n"));
    }
    format!(
        "|00 @System &vector $2 &expansion $2 &wst $1 &rst $1 &metadata $2 &r $2 &g $2 &b $2 &debug $1 &state $1
|a0 @File0 &vector $2 &success $2 &stat $2 &delete $1 &append $1 &name $2 &length $2 &read $2 &write $2
|b0 @File1 &vector $2 &success $2 &stat $2 &delete $1 &append $1 &name $2 &length $2 &read $2 &write $2
|0100
	;names
	&loop
		LDAk ?{{ POP2 #80 .System/state DEO BRK }}
		DUP2 .File0/name DEO2 DUP2 .File1/name DEO2
		#0004 .File0/length DEO2 #0004 .File1/length DEO2
		#01 .File0/delete DEO #01 .File1/delete DEO
		#00 .File0/append DEO #00 .File1/append DEO
		;data .File0/write DEO2
		#01 .File1/append DEO ;data .File1/write DEO2
		;buf .File0/read DEO2 ;buf .File1/read DEO2
		;buf .File0/stat DEO2 ;buf .File1/stat DEO2
		&skip INC2 LDAk ?&skip
		INC2 !&loop
@data \"evil
@buf $10
@names
{names}00
"
    )
}

/// Runs the escape ROM in a root with the symlinks: every name is refused
/// on both devices, and nothing beside the root changes. Returns the names
/// tried (one per device) and the refusals reported.
fn escape_run(base: &Path) -> (usize, usize) {
    let root = base.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::fs::write(base.join("outside/canary"), b"canary").unwrap();
    std::os::unix::fs::symlink("..", root.join("up")).unwrap();
    std::os::unix::fs::symlink(base, root.join("out")).unwrap();
    std::os::unix::fs::symlink(base.join("missing"), root.join("dangling")).unwrap();
    let mut no_includes = hop::asm::no_includes;
    let rom = hop::asm::assemble_source("escape.tal", escape_source().as_bytes(), &mut no_includes)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .rom;
    let stderr = Captured::default();
    let config = Config {
        settings: hop::varvara::Settings {
            root: root.clone(),
            ..Default::default()
        },
        stderr: Box::new(stderr.clone()),
        ..Config::default()
    };
    let mut m = Varvara::new(&rom, config).unwrap();
    m.boot(false).unwrap();
    assert!(m.halted(), "the escape ROM went through its list");
    // Past the first few, diagnostics are only counted (refusals are the
    // only ones this ROM causes).
    let unshown = m.unshown_diagnostics() as usize;
    drop(m);
    let mut beside: Vec<String> = std::fs::read_dir(base)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["outside", "root"], "something escaped the root");
    assert_eq!(
        std::fs::read(base.join("outside/canary")).unwrap(),
        b"canary"
    );
    assert_eq!(std::fs::read_dir(base.join("outside")).unwrap().count(), 1);
    assert!(!Path::new("/tmp/hop-escape-probe").exists());
    let mut left: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["dangling", "inside.txt", "out", "sub", "up"],
        "the root is as it was, plus the one name inside"
    );
    assert_eq!(std::fs::read(root.join("inside.txt")).unwrap(), b"evilevil");
    let refused = String::from_utf8_lossy(&stderr.bytes())
        .matches("hop: file: refused")
        .count();
    (2 * ESCAPE_NAMES.len(), refused + unshown)
}

#[test]
fn a_hostile_rom_cannot_leave_its_root() {
    let base = std::env::temp_dir().join(format!("hop-escape-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (tried, refused) = escape_run(&base);
    let _ = std::fs::remove_dir_all(&base);
    let _ = writeln!(
        std::io::stderr(),
        "escape ROM: {tried} names tried (each written, appended, read, stat'ed and deleted), \
         {refused} refused"
    );
    assert_eq!(refused, tried);
}
