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
//! Beside hop's two engines, each program also runs on raven's CPU (the
//! `raven-uxn` crate, a peer to measure against): its hand-written x86-64
//! assembly (`raven-native`) and its tail-call interpreter
//! (`raven-tailcall`), on a bare CPU with no devices, which only favours
//! raven. Before timing, every program's RAM after the run is checked to be
//! the same on raven as on hop, so both did the same work.
//! `benches/versus.sh` prints the ratios from criterion's estimates.
//!
//! `cargo bench --bench cpu -- fib` runs one program; `-- tailcall` one engine.

use std::hint::black_box;
use std::io;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use hop::uxn::Engine;
use hop::varvara::{Config, Varvara};

/// The programs: every `roms/bench/*.tal`, by name.
fn programs() -> Vec<(String, std::path::PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("roms/bench");
    let mut programs: Vec<_> = std::fs::read_dir(&dir)
        .expect("roms/bench is readable")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            (path.extension()? == "tal").then_some((name, path))
        })
        .collect();
    programs.sort();
    programs
}

/// Boots a fresh machine with `rom` and runs it until it halts. Returns the
/// machine so the caller can read the exit code and instruction count.
fn run(rom: &[u8], engine: Engine) -> Varvara {
    let config = Config {
        settings: hop::varvara::Settings {
            engine,
            ..Default::default()
        },
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

/// Runs `rom` on raven's CPU with backend `B` from 0x0100 to its BRK, and
/// returns its RAM.
fn run_raven<B: raven_uxn::Backend>(rom: &[u8]) -> Vec<u8> {
    let mut mem = raven_uxn::UxnMem::boxed();
    let mut vm = raven_uxn::Uxn::<B>::new(&mut mem);
    let _ = vm.reset(rom);
    vm.run(&mut raven_uxn::EmptyDevice, 0x0100);
    (0..=0xffff).map(|a| vm.ram_read_byte(a)).collect()
}

fn cpu(c: &mut Criterion) {
    for (name, path) in programs() {
        let name = name.as_str();
        let rom = match hop::asm::assemble_file(&path) {
            Ok(assembly) => assembly.rom,
            Err(errors) => panic!("{} does not assemble: {}", path.display(), errors[0]),
        };
        let measured = run(&rom, Engine::Model);
        assert!(
            measured.halted() && measured.exit_code() == 0,
            "{name} does not exit cleanly"
        );
        let instructions = measured.instructions().expect("the model engine counts");
        let ram: Vec<u8> = (0..=0xffff).map(|a| measured.cpu().ram[a]).collect();
        assert!(
            run_raven::<raven_uxn::backend::Native>(&rom) == ram
                && run_raven::<raven_uxn::backend::Tailcall>(&rom) == ram,
            "{name} leaves a different RAM on raven"
        );

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
        group.bench_function("raven-native", |b| {
            b.iter(|| black_box(run_raven::<raven_uxn::backend::Native>(black_box(&rom))))
        });
        group.bench_function("raven-tailcall", |b| {
            b.iter(|| black_box(run_raven::<raven_uxn::backend::Tailcall>(black_box(&rom))))
        });
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
