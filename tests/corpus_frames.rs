//! Every ROM in `../shared/roms` runs 600 frames of random (seeded, so
//! reproducible) scripted input in a temporary file root, composing the
//! screen after every frame as the desktop will: none may panic, and no
//! event or screen vector may run away. (A few CPU benchmarks compute for
//! seconds in their reset vector; those stop at the test's jump budget,
//! which is reported but allowed: they never reach the devices.)

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hop::headless::script;
use hop::varvara::{Config, Varvara};
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

/// What happened to one ROM.
enum Outcome {
    /// Ran all frames, or halted on its own.
    Fine,
    /// The reset vector ran past the budget (a benchmark's computation).
    LongBoot,
    Runaway(String),
    Panic(String),
}

fn run_rom(path: &Path, seed: u64, root: &Path) -> Outcome {
    let rom = hop::rom::read(path).expect("a readable ROM");
    let events = script::by_frame(script::parse(random_script(seed).as_bytes()).unwrap());
    let result = catch_unwind(AssertUnwindSafe(|| {
        let config = Config {
            budget: BUDGET,
            root: root.to_path_buf(),
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
            let frame = m.screen_frame();
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
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let (paths, dir, next, results) = (&paths, &dir, &next, &results);
            scope.spawn(move || {
                let root = std::env::temp_dir()
                    .join(format!("hop-corpus-{}-{thread}", std::process::id()));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let name = path.strip_prefix(dir).unwrap().display().to_string();
                    let _ = std::fs::remove_dir_all(&root);
                    std::fs::create_dir_all(&root).unwrap();
                    let t = Instant::now();
                    let outcome = run_rom(path, i as u64, &root);
                    results.lock().unwrap().push((name, outcome, t.elapsed()));
                }
                let _ = std::fs::remove_dir_all(&root);
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let mut problems = Vec::new();
    let mut long_boots = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for (name, outcome, time) in results {
        match outcome {
            Outcome::Fine => {}
            Outcome::LongBoot => long_boots.push(name.clone()),
            Outcome::Runaway(why) => problems.push(format!("{name}: runaway: {why}")),
            Outcome::Panic(why) => problems.push(format!("{name}: panic: {why}")),
        }
        if std::env::var_os("HOP_CORPUS_TIMES").is_some() {
            let _ = writeln!(std::io::stderr(), "{:8.3} s  {name}", time.as_secs_f64());
        }
        if time > slowest.0 {
            slowest = (time, name);
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "stopped at the jump budget in their reset vector (CPU benchmarks): {}",
        long_boots.join(", ")
    );
    let _ = writeln!(
        std::io::stderr(),
        "{} ROMs ran up to {FRAMES} frames each in {:.1} s on {THREADS} threads \
         (slowest: {} in {:.2} s); {} problems",
        paths.len(),
        started.elapsed().as_secs_f64(),
        slowest.1,
        slowest.0.as_secs_f64(),
        problems.len()
    );
    assert!(paths.len() > 100, "only {} ROMs found", paths.len());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
