//! Differential tests: the tail-call engine against the model engine.
//!
//! Both engines start from the same random machine (RAM, both stacks and
//! their pointers, the device page, the start address), run with the same
//! jump budget and a device that records every call; afterwards RAM,
//! stacks, pointers, the device page, how the run ended and the device
//! calls must all be identical.
//!
//! `HOP_DIFF_CASES=N` sets the number of random programs (default 2000;
//! the long run uses a million or more).

use hop::uxn::{Bus, Engine, Exit, Uxn, model, opcode_name};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A device that records every call and answers reads with a value that
/// depends on the port and on how many calls came before.
#[derive(Default, Debug, PartialEq)]
struct Recorder {
    calls: Vec<(char, u8, u8)>,
}

impl Bus for Recorder {
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        // Also exposes what the device sees of the stack pointers.
        let value =
            port ^ (self.calls.len() as u8).wrapping_mul(37) ^ uxn.wsp ^ uxn.rsp.rotate_left(3);
        self.calls.push(('i', port, value));
        value
    }
    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        assert_eq!(
            uxn.dev[port as usize], value,
            "the byte is stored before deo runs"
        );
        self.calls.push(('o', port, value));
        // Port 0x04/0x05 act like System/wst and rst, to test the pointer sync.
        match port {
            0x04 => uxn.wsp = value,
            0x05 => uxn.rsp = value,
            _ => {}
        }
    }
}

/// A reproducible random machine state.
#[derive(Clone, Debug)]
struct Case {
    seed: u64,
    /// Bytes placed at `pc` over the random RAM (the shrinkable part).
    program: Vec<u8>,
    pc: u16,
    wsp: u8,
    rsp: u8,
    budget: u64,
}

fn xorshift(state: &mut u64) -> u8 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 24) as u8
}

impl Case {
    fn machine(&self) -> Box<Uxn> {
        let mut uxn = Uxn::new();
        let mut state = self.seed | 1;
        // Sparse zeroes would make every run stop at the first BRK; keep
        // RAM mostly non-zero so programs run for a while.
        for byte in uxn.ram.iter_mut() {
            *byte = xorshift(&mut state);
        }
        for byte in uxn
            .wst
            .bytes_mut()
            .iter_mut()
            .chain(uxn.rst.bytes_mut().iter_mut())
            .chain(uxn.dev.iter_mut())
        {
            *byte = xorshift(&mut state);
        }
        for (i, &byte) in self.program.iter().enumerate() {
            uxn.ram[self.pc.wrapping_add(i as u16) as usize] = byte;
        }
        uxn.wsp = self.wsp;
        uxn.rsp = self.rsp;
        uxn
    }
}

fn run(case: &Case, engine: Engine) -> (Box<Uxn>, Recorder, Exit) {
    let mut uxn = case.machine();
    let mut recorder = Recorder::default();
    let exit = uxn.run(&mut recorder, case.pc, case.budget, engine);
    (uxn, recorder, exit)
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    // Jump-free loops (straight through 0xffff into 0x0000 forever) are
    // out of reach of the jump budget; the model spots them first.
    let mut probe = case.machine();
    let (_, steps) = model::run_steps(
        &mut probe,
        &mut Recorder::default(),
        case.pc,
        case.budget,
        1 << 20,
    );
    prop_assume!(steps < 1 << 20, "loops without jumping");
    let (a, ra, ea) = run(case, Engine::TailCall);
    let (b, rb, eb) = run(case, Engine::Model);
    let first_op = a.ram[case.pc as usize];
    let ctx = format!(
        "first op {} ({first_op:#04x}) in {case:?}",
        opcode_name(case.machine().ram[case.pc as usize])
    );
    prop_assert_eq!(ea, eb, "exit: {}", ctx);
    prop_assert_eq!((a.wsp, a.rsp), (b.wsp, b.rsp), "pointers: {}", ctx);
    prop_assert!(a.wst == b.wst, "working stack: {}", ctx);
    prop_assert!(a.rst == b.rst, "return stack: {}", ctx);
    prop_assert!(a.dev == b.dev, "device page: {}", ctx);
    prop_assert_eq!(&ra, &rb, "device calls: {}", ctx);
    if let Some(at) = (0..0x10000).find(|&i| a.ram[i] != b.ram[i]) {
        prop_assert!(false, "RAM differs at {at:#06x}: {}", ctx);
    }
    Ok(())
}

fn cases(programs: u32) -> u32 {
    std::env::var("HOP_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(programs)
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        any::<u64>(),
        prop::collection::vec(any::<u8>(), 0..48),
        any::<u16>(),
        any::<u8>(),
        any::<u8>(),
        0u64..300,
    )
        .prop_map(|(seed, program, pc, wsp, rsp, budget)| Case {
            seed,
            program,
            pc,
            wsp,
            rsp,
            budget,
        })
}

#[test]
fn random_programs_agree() {
    let n = cases(2000);
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        ..Config::default()
    });
    runner.run(&case_strategy(), |case| check(&case)).unwrap();
    eprintln!("engines agreed on {n} random programs");
}

/// Every opcode, alone before a BRK, from many random states, including
/// pointers at the stack edges and programs straddling the end of RAM.
#[test]
fn every_opcode_agrees() {
    let mut runs = 0;
    for op in 0..=255u8 {
        for seed in 0..64u64 {
            let edge = [0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x80, 0x7f];
            let case = Case {
                seed: seed * 7919 + op as u64,
                program: vec![op, 0x12, 0x34, 0x00, 0x00],
                pc: match seed % 4 {
                    0 => 0x0100,
                    1 => 0xfffe,
                    2 => 0xffff,
                    _ => (seed * 0x1234) as u16,
                },
                wsp: edge[(seed % 8) as usize],
                rsp: edge[(seed / 8 % 8) as usize],
                budget: seed % 3,
            };
            // A zero right after, so single instructions end quickly.
            check(&case).unwrap_or_else(|e| panic!("{e}"));
            runs += 1;
        }
    }
    eprintln!("{runs} single-opcode runs agreed");
}

/// LIT and LIT2 followed by every opcode (the engine fuses the literal into
/// the next instruction), from many random states with the pointers at the
/// stack edges, and comparisons followed by JCI (also fused).
#[test]
fn fused_pairs_agree() {
    let mut runs = 0;
    let edge = [0x00, 0x01, 0x02, 0x03, 0xfc, 0xfd, 0xfe, 0xff];
    for first in [0x80u8, 0xa0, 0x08, 0x0b, 0x28, 0x2b, 0x88, 0xab] {
        for op in 0..=255u8 {
            for seed in 0..8u64 {
                // Compare, JCI: the second byte is the JCI and its offset follows.
                let program = if first & 0x1f == 0x00 {
                    vec![first, 0x01, 0x02, op, 0x12, 0x34, 0x00]
                } else {
                    vec![first, 0x20, 0x00, op, 0x00]
                };
                let case = Case {
                    seed: seed * 104_729 + op as u64 * 31 + first as u64,
                    program,
                    pc: match seed % 4 {
                        0 => 0x0100,
                        1 => 0xfffd,
                        2 => 0xffff,
                        _ => (seed * 0x2345) as u16,
                    },
                    wsp: edge[(seed % 8) as usize],
                    rsp: edge[(seed * 3 % 8) as usize],
                    budget: seed % 3,
                };
                check(&case).unwrap_or_else(|e| panic!("{e}"));
                runs += 1;
            }
        }
    }
    eprintln!("{runs} fused-pair runs agreed");
}

/// Jump budget: an endless loop stops with the pc of the jump, and resumes.
#[test]
fn budget_interrupts_endless_loops() {
    for engine in Engine::ALL {
        let mut uxn = Uxn::new();
        // @loop INC !loop  (JMI back by 4)
        uxn.load_rom(&[0x80, 0x00, 0x01, 0x40, 0xff, 0xfc]).unwrap();
        let exit = uxn.run(&mut Recorder::default(), 0x0100, 1000, engine);
        assert_eq!(exit, Exit::Budget { pc: 0x0103 }, "{engine}");
        // 1001 INCs: the 1001st jump is the one refused.
        assert_eq!(uxn.working_stack(), &[(1001u16 & 0xff) as u8], "{engine}");
        let exit = uxn.run(&mut Recorder::default(), 0x0103, 10, engine);
        assert_eq!(exit, Exit::Budget { pc: 0x0103 }, "{engine}");
        assert_eq!(
            uxn.working_stack(),
            &[(1011u16 & 0xff) as u8],
            "{engine}: resumed"
        );
    }
}

#[test]
fn model_counts_instructions() {
    let mut uxn = Uxn::new();
    uxn.load_rom(&[0x80, 0x02, 0x80, 0x03, 0x18, 0x00]).unwrap(); // #02 #03 ADD BRK
    let (exit, steps) = model::run(&mut uxn, &mut Recorder::default(), 0x0100, 10);
    assert_eq!((exit, steps), (Exit::Brk, 4));
    assert_eq!(uxn.working_stack(), &[5]);
}
