//! CPU benchmarks: the programs in `roms/bench/`, assembled from their
//! Uxntal sources, run from boot to halt on each engine, a fresh machine
//! per iteration, console output discarded.
//!
//! Throughput is in Uxn instructions (counted once per program by the model
//! engine), so criterion reports Uxn instructions per second. The sampling
//! is flat with the fewest samples criterion allows (10): one iteration
//! takes 0.1 to 1 s, and the whole run stays within a few minutes on a
//! small machine. The model engine needs more than the 4 s measurement
//! time for its 10 iterations, so criterion says it is "Unable to complete
//! 10 samples" for it: expected, and harmless.
//!
//! `cargo bench --bench cpu -- fib` runs one program; `-- tailcall` one engine.

use std::hint::black_box;
use std::io;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use hop::uxn::Engine;
use hop::varvara::{Config, Varvara};

const PROGRAMS: [&str; 6] = ["fib", "primes", "sieve", "sort", "crc", "interp"];

/// Boots a fresh machine with `rom` and runs it until it halts. Returns the
/// machine so the caller can read the exit code and instruction count.
fn run(rom: &[u8], engine: Engine) -> Varvara {
    let config = Config {
        engine,
        stdout: Box::new(io::sink()),
        stderr: Box::new(io::sink()),
        ..Config::default()
    };
    let mut machine = Varvara::new(rom, config).expect("the ROM loads");
    machine
        .boot(false)
        .expect("the ROM reaches BRK within the budget");
    machine
}

fn cpu(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("roms/bench");
    for name in PROGRAMS {
        let path = dir.join(format!("{name}.tal"));
        let rom = match hop::asm::assemble_file(&path) {
            Ok(assembly) => assembly.rom,
            Err(errors) => panic!("{} does not assemble: {}", path.display(), errors[0]),
        };
        let measured = run(&rom, Engine::Model);
        assert!(
            measured.halted() && measured.exit_code() == 0,
            "{name} does not exit cleanly"
        );
        let instructions = measured.instructions.expect("the model engine counts");

        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(instructions));
        group.sampling_mode(SamplingMode::Flat);
        for engine in Engine::ALL {
            group.bench_function(engine.name(), |b| {
                b.iter(|| {
                    let machine = run(black_box(&rom), engine);
                    black_box(machine.exit_code())
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = cpu
}
criterion_main!(benches);
