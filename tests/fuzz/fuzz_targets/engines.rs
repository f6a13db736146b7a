//! The tail-call engine against the model engine: the input is a machine
//! (start address, stack pointers, jump budget, the end of RAM, a program
//! at the start address, RAM and stacks filled from a seed); both engines
//! run it with a device that records every call, and everything must match.
#![no_main]

use hop::uxn::{Cpu, Engine, Exit, Uxn, model};
use libfuzzer_sys::fuzz_target;

// The differential tests' device (whose ports 0x06 and 0x07 also write
// RAM, so code a device rewrites gets fuzzed too).
#[path = "../../support/recorder.rs"]
mod recorder;
use recorder::Recorder;

fn machine(data: &[u8]) -> Option<(Box<Uxn>, u16, u64)> {
    let (head, program) = data.split_at_checked(8)?;
    let pc = u16::from_be_bytes([head[0], head[1]]);
    let budget = head[4] as u64;
    let mut uxn = Uxn::new();
    let mut state = u32::from_le_bytes([head[5], head[6], head[7], 1]) as u64 | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 24) as u8
    };
    // Zeroes in RAM stop most runs at once: fill it from the seed, or leave
    // it zero when the seed says so (the fast dispatch table).
    if head[7] & 0x80 == 0 {
        uxn.ram.iter_mut().for_each(|b| *b = next());
    }
    uxn.wst.bytes_mut().iter_mut().for_each(|b| *b = next());
    uxn.rst.bytes_mut().iter_mut().for_each(|b| *b = next());
    uxn.dev.iter_mut().for_each(|b| *b = next());
    for (i, &byte) in program.iter().enumerate() {
        uxn.ram[pc.wrapping_add(i as u16) as usize] = byte;
    }
    uxn.wsp = head[2];
    uxn.rsp = head[3];
    Some((uxn, pc, budget))
}

fuzz_target!(|data: &[u8]| {
    let Some((start, pc, budget)) = machine(data) else {
        return;
    };
    // Keep each input quick: skip the rare machine that runs long.
    let mut probe = Uxn::new();
    probe.ram = start.ram.clone();
    probe.wst = start.wst.clone();
    probe.rst = start.rst.clone();
    probe.dev = start.dev;
    probe.wsp = start.wsp;
    probe.rsp = start.rsp;
    let (_, steps) = model::run_steps(&mut probe, &mut Recorder::default(), pc, budget, 1 << 18);
    if steps >= 1 << 18 {
        return;
    }
    let mut results = Vec::new();
    for engine in Engine::ALL {
        let mut uxn = Uxn::new();
        let mut cpu = Cpu::new(engine);
        uxn.ram = start.ram.clone();
        uxn.wst = start.wst.clone();
        uxn.rst = start.rst.clone();
        uxn.dev = start.dev;
        uxn.wsp = start.wsp;
        uxn.rsp = start.rsp;
        let mut bus = Recorder::default();
        let exit: Exit = cpu.run(&mut uxn, &mut bus, pc, budget);
        results.push((exit, uxn, bus));
    }
    let (a, b) = (&results[0], &results[1]);
    assert_eq!(a.0, b.0, "exit");
    assert_eq!((a.1.wsp, a.1.rsp), (b.1.wsp, b.1.rsp), "pointers");
    assert!(a.1.wst == b.1.wst, "working stack");
    assert!(a.1.rst == b.1.rst, "return stack");
    assert!(a.1.dev == b.1.dev, "device page");
    assert_eq!(a.2, b.2, "device calls");
    assert!(a.1.ram == b.1.ram, "RAM");
});
