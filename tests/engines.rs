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

mod support;

use hop::uxn::{Cpu, Engine, Exit, Uxn, WRAP_COST, model, opcode_name};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use support::recorder::Recorder;

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
    /// The last three bytes of RAM, where instructions may run on past the
    /// end or have their operand cross it (None: left random, like the
    /// rest of RAM).
    end: Option<[u8; 3]>,
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
        if let Some(end) = self.end {
            uxn.ram[0xfffd..].copy_from_slice(&end);
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
    let exit = Cpu::new(engine).run(&mut uxn, &mut recorder, case.pc, case.budget);
    (uxn, recorder, exit)
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    // Running on past 0xffff spends the budget, so every run ends, but one
    // that runs long (mostly straight through RAM between jumps) would
    // only slow the test down.
    let mut probe = case.machine();
    let (_, steps) = model::run_steps(
        &mut probe,
        &mut Recorder::default(),
        case.pc,
        case.budget,
        1 << 20,
    );
    prop_assume!(steps < 1 << 20, "runs long");
    let (a, ra, ea) = run(case, Engine::TailCall);
    let (b, rb, eb) = run(case, Engine::Model);
    // Built only for a failure: a machine costs more than most runs.
    let ctx = || {
        let first_op = case.machine().ram[case.pc as usize];
        format!(
            "first op {} ({first_op:#04x}) in {case:?}",
            opcode_name(first_op)
        )
    };
    prop_assert_eq!(ea, eb, "exit: {}", ctx());
    prop_assert_eq!((a.wsp, a.rsp), (b.wsp, b.rsp), "pointers: {}", ctx());
    prop_assert!(a.wst == b.wst, "working stack: {}", ctx());
    prop_assert!(a.rst == b.rst, "return stack: {}", ctx());
    prop_assert!(a.dev == b.dev, "device page: {}", ctx());
    prop_assert_eq!(&ra, &rb, "device calls: {}", ctx());
    if let Some(at) = (0..0x10000).find(|&i| a.ram[i] != b.ram[i]) {
        prop_assert!(false, "RAM differs at {at:#06x}: {}", ctx());
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
    // A quarter of the programs start in the last 64 bytes of RAM, so many
    // run on past 0xffff; the end of RAM is random, zero, or opcodes that
    // cross the end there: LIT2/LIT2r at 0xfffd, a literal or an immediate
    // jump at 0xfffe, and anything at 0xffff.
    let pc = prop_oneof![3 => any::<u16>(), 1 => 0xffc0u16..=0xffff];
    let operand_ops = vec![0x20u8, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0];
    let end = prop_oneof![
        2 => Just(None),
        2 => Just(Some([0, 0, 0])),
        1 => Just(Some([0, 0xc0, 0])),
        1 => any::<u8>().prop_map(|last| Some([0, 0, last])),
        1 => prop::sample::select(vec![0x01u8, 0x80, 0xa0, 0xc0, 0xe0, 0x15, 0x17, 0x20])
            .prop_map(|last| Some([0, 0xc0, last])),
        2 => (
            prop::sample::select(vec![0x00u8, 0xa0, 0xe0]),
            prop::sample::select(operand_ops),
            any::<u8>(),
        )
            .prop_map(|(a, b, c)| Some([a, b, c])),
    ];
    (
        any::<u64>(),
        prop::collection::vec(any::<u8>(), 0..48),
        pc,
        any::<u8>(),
        any::<u8>(),
        // Below WRAP_COST, so every wrap is where the run stops (budgets
        // that allow a wrap would let random code run for millions of
        // jumps; jump_free_loops_spend_the_budget covers those).
        0u64..300,
        end,
    )
        .prop_map(|(seed, program, pc, wsp, rsp, budget, end)| Case {
            seed,
            program,
            pc,
            wsp,
            rsp,
            budget,
            end,
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
                pc: match seed % 5 {
                    0 => 0x0100,
                    1 => 0xfffd,
                    2 => 0xfffe,
                    3 => 0xffff,
                    _ => (seed * 0x1234) as u16,
                },
                wsp: edge[(seed % 8) as usize],
                rsp: edge[(seed / 8 % 8) as usize],
                budget: seed % 3,
                end: match seed % 4 {
                    0 => None,
                    1 => Some([0, 0, 0]),
                    2 => Some([0, 0xc0, op]),
                    _ => Some([op, op, op]),
                },
            };
            // A zero right after, so single instructions end quickly.
            check(&case).unwrap_or_else(|e| panic!("{e}"));
            runs += 1;
        }
    }
    eprintln!("{runs} single-opcode runs agreed");
}

/// LIT, LIT2, LITr and LIT2r followed by every opcode (the engine fuses the
/// literal into the next instruction), from many random states with the pointers at the
/// stack edges, and comparisons followed by JCI (also fused).
#[test]
fn fused_pairs_agree() {
    let mut runs = 0;
    let edge = [0x00, 0x01, 0x02, 0x03, 0xfc, 0xfd, 0xfe, 0xff];
    for first in [0x80u8, 0xa0, 0xc0, 0xe0, 0x08, 0x0b, 0x28, 0x2b, 0x88, 0xab] {
        for op in 0..=255u8 {
            for seed in 0..18u64 {
                // A literal, then the op (and its operand, if any); or
                // compare, JCI: the second byte is the JCI and its offset follows.
                let program = if first & 0x3f == 0x00 {
                    vec![first, 0x01, op, 0x12, 0x34, 0x00]
                } else if first & 0x1f == 0x00 {
                    vec![first, 0x01, 0x02, op, 0x12, 0x34, 0x00]
                } else {
                    vec![first, 0x20, 0x00, op, 0x00]
                };
                let case = Case {
                    seed: seed * 104_729 + op as u64 * 31 + first as u64,
                    program,
                    // Around where the tail-call engine stops fusing.
                    pc: match seed % 9 {
                        0 => 0x0100,
                        1 => 0xfff7,
                        2 => 0xfff9,
                        3 => 0xfffa,
                        4 => 0xfffb,
                        5 => 0xfffc,
                        6 => 0xfffd,
                        7 => 0xffff,
                        _ => (seed * 0x2345) as u16,
                    },
                    wsp: edge[(seed % 8) as usize],
                    rsp: edge[(seed * 3 % 8) as usize],
                    budget: seed % 3,
                    // The end of RAM random, zero, LITr and the op, or the
                    // literal or comparison and the op.
                    end: match seed / 3 % 4 {
                        0 => None,
                        1 => Some([0, 0, 0]),
                        2 => Some([0, 0xc0, op]),
                        _ => Some([first, first, op]),
                    },
                };
                check(&case).unwrap_or_else(|e| panic!("{e}"));
                runs += 1;
            }
        }
    }
    eprintln!("{runs} fused-pair runs agreed");
}

/// Every chain the tail-call engine fuses, with every opcode in it: an
/// instruction then JCI, and LIT/LIT2 then an instruction then JCI (the
/// literal-then-instruction pairs are in `fused_pairs_agree`). The stack
/// pointers sit at and near the ends, both ways the JCI can go, with and
/// without budget left, and around the address where fusing stops.
#[test]
fn fused_chains_agree() {
    let mut runs = 0;
    let edge = [0x00, 0x01, 0x02, 0x03, 0x04, 0xfb, 0xfc, 0xfd, 0xfe, 0xff];
    for first in [None, Some(0x80u8), Some(0xa0)] {
        for op in 0..=255u8 {
            for seed in 0..24u64 {
                // The literal (its value varies, so the JCI goes both
                // ways), the op, JCI +1, INC, BRK.
                let mut program = Vec::new();
                if let Some(lit) = first {
                    program.push(lit);
                    program.extend(std::iter::repeat_n(
                        (seed % 3) as u8,
                        (lit >> 5 & 1) as usize + 1,
                    ));
                }
                program.extend([op, 0x20, 0x00, 0x01, 0x01, 0x00]);
                let case = Case {
                    seed: seed * 7_919 + op as u64 * 13 + first.unwrap_or(0) as u64,
                    program,
                    pc: match seed % 8 {
                        0 => 0x0100,
                        1 => 0xfff6,
                        2 => 0xfff8,
                        3 => 0xfff9,
                        4 => 0xfffa,
                        _ => (seed * 0x3456) as u16,
                    },
                    wsp: edge[(seed % 10) as usize],
                    rsp: edge[(seed * 7 % 10) as usize],
                    budget: seed % 3,
                    end: None,
                };
                check(&case).unwrap_or_else(|e| panic!("{e}"));
                runs += 1;
            }
        }
    }
    eprintln!("{runs} fused-chain runs agreed");
}

/// The pairs of instructions the tail-call engine fuses when they come in
/// a row (its lists `firsts` and `seconds` in src/uxn/tailcall/mod.rs),
/// every first with every second, with the pointers at and near the ends,
/// around where fusing stops, with and without budget (for JMP2r).
#[test]
fn fused_instruction_pairs_agree() {
    const FIRSTS: [u8; 32] = [
        0x04, 0x05, 0x06, 0x07, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2f, 0x38, 0x6f, 0xcf,
        0xef, 0x01, 0x02, 0x03, 0x10, 0x30, 0x14, 0x34, 0x18, 0x39, 0x3a, 0x1c, 0x0f, 0x4f, 0x3f,
        0x3e, 0x94,
    ];
    // The seconds: the first 16 firsts, and these.
    const MORE_SECONDS: [u8; 16] = [
        0x6c, 0x18, 0x39, 0x14, 0x34, 0x10, 0x30, 0x15, 0x35, 0x11, 0x31, 0x3a, 0x1c, 0x01, 0x0f,
        0x4f,
    ];
    let mut runs = 0;
    let edge = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
    ];
    for first in FIRSTS {
        for second in FIRSTS[..16].iter().copied().chain(MORE_SECONDS) {
            for seed in 0..24u64 {
                let case = Case {
                    seed: seed * 15_485_863 + first as u64 * 257 + second as u64,
                    program: vec![first, second, 0x00],
                    pc: match seed % 6 {
                        0 => 0x0100,
                        1 => 0xfff9,
                        2 => 0xfffa,
                        _ => (seed * 0x4567) as u16,
                    },
                    wsp: edge[(seed % 12) as usize],
                    rsp: edge[(seed * 5 % 12) as usize],
                    budget: seed % 2,
                    end: None,
                };
                check(&case).unwrap_or_else(|e| panic!("{e}"));
                runs += 1;
            }
        }
    }
    eprintln!("{runs} fused-instruction-pair runs agreed");
}

/// Jump budget: an endless loop stops with the pc of the jump, and resumes.
#[test]
fn budget_interrupts_endless_loops() {
    for engine in Engine::ALL {
        let mut uxn = Uxn::new();
        let mut cpu = Cpu::new(engine);
        // @loop INC !loop  (JMI back by 4)
        uxn.load(&[0x80, 0x00, 0x01, 0x40, 0xff, 0xfc]);
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0x0100, 1000);
        assert_eq!(exit, Exit::Budget { pc: 0x0103 }, "{engine}");
        // 1001 INCs: the 1001st jump is the one refused.
        assert_eq!(uxn.working_stack(), &[(1001u16 & 0xff) as u8], "{engine}");
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0x0103, 10);
        assert_eq!(exit, Exit::Budget { pc: 0x0103 }, "{engine}");
        assert_eq!(
            uxn.working_stack(),
            &[(1011u16 & 0xff) as u8],
            "{engine}: resumed"
        );
    }
}

/// The tail-call engine keeps a decoded handler for each address between
/// runs; code rewritten by a device, by the host between runs, or by the
/// program itself (a plain store, a store fused with its literal) must run
/// as rewritten. The subroutine at 0x0180 starts as `INC JMP2r`, is called,
/// becomes `ADD JMP2r` and is called again.
#[test]
fn rewritten_code_runs_as_rewritten() {
    const JSI_180: [u8; 3] = [0x60, 0x00, 0x7d]; // from 0x0100
    let rewrites: [(&str, &[u8]); 4] = [
        // LIT 18 LIT 06 DEO: the device writes 0x18 (ADD) at 0x0180.
        ("by a device", &[0x80, 0x18, 0x80, 0x06, 0x17]),
        // LIT 18 LIT2 0180 STA
        ("by STA", &[0x80, 0x18, 0xa0, 0x01, 0x80, 0x15]),
        // LIT 18 LIT 01 LIT 80 STA: the plain STA, not fused with LIT2.
        (
            "by a plain STA",
            &[0x80, 0x18, 0x80, 0x01, 0x80, 0x80, 0x15],
        ),
        // LIT 18 LIT 78 STR: the offset's literal fused with STR, which
        // stores 0x78 bytes past itself (0x0108 + 0x78 = 0x0180).
        ("by a fused STR", &[0x80, 0x18, 0x80, 0x78, 0x13]),
    ];
    for (how, rewrite) in rewrites {
        for engine in Engine::ALL {
            let mut uxn = Uxn::new();
            let mut cpu = Cpu::new(engine);
            let mut rom = JSI_180.to_vec();
            rom.extend_from_slice(rewrite);
            // JSI back to 0x0180, then BRK.
            let here = 0x0100 + rom.len() as u16 + 3;
            rom.extend_from_slice(&[0x60]);
            rom.extend_from_slice(&0x0180u16.wrapping_sub(here).to_be_bytes());
            rom.push(0x00);
            uxn.load(&rom);
            uxn.ram[0x0180] = 0x01; // INC
            uxn.ram[0x0181] = 0x6c; // JMP2r
            uxn.wst.set_bottom(&[0x02, 0x05]);
            uxn.wsp = 2;
            let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0x0100, 100);
            assert_eq!(exit, Exit::Brk, "{how}, {engine}");
            // INC then ADD: 02 05 -> 02 06 -> 08.
            assert_eq!(uxn.working_stack(), &[0x08], "{how}, {engine}");
        }
    }
    // By the host, between two runs of the same machine: INC BRK, then
    // INC -> ADD.
    rewritten_by_the_host(
        &[0x01, 0x00],
        &[0x02, 0x05],
        0x0100,
        0x18,
        &[0x02, 0x06],
        &[0x08],
    );
}

/// Runs `rom` from 0x0100 with `stack`, expecting `first` on the stack;
/// then has the host write `new` at `at` and runs it again from there,
/// expecting `second`. On both engines, with one machine for both runs.
fn rewritten_by_the_host(
    rom: &[u8],
    stack: &[u8],
    at: usize,
    new: u8,
    first: &[u8],
    second: &[u8],
) {
    for engine in Engine::ALL {
        let mut uxn = Uxn::new();
        let mut cpu = Cpu::new(engine);
        uxn.load(rom);
        uxn.wst.set_bottom(stack);
        uxn.wsp = stack.len() as u8;
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0x0100, 100);
        assert_eq!(exit, Exit::Brk, "by the host, {engine}");
        assert_eq!(uxn.working_stack(), first, "by the host, {engine}");
        uxn.ram[at] = new;
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0x0100, 100);
        assert_eq!(exit, Exit::Brk, "by the host, {engine}");
        assert_eq!(uxn.working_stack(), second, "by the host, {engine}");
    }
}

/// The tail-call engine fuses LIT and LIT2 with the instruction after the
/// literal, and a comparison with the JCI after it, when it first decodes
/// them: rewriting that next instruction (by a store, by a device, or by
/// the host between runs) must undo the fusion. Each subroutine has the
/// byte to rewrite at 0x0180; the program calls it, rewrites it and calls
/// it again, and both engines must end alike (and unlike a run that missed
/// the rewrite).
#[test]
fn rewritten_fused_code_runs_as_rewritten() {
    // (what, where the subroutine starts, its bytes, the new byte, stack)
    type Subroutine = (&'static str, u16, &'static [u8], u8, &'static [u8]);
    let subroutines: [Subroutine; 4] = [
        // LIT 01 [ADD] JMP2r, ADD -> SUB
        (
            "LIT then ADD",
            0x017e,
            &[0x80, 0x01, 0x18, 0x6c],
            0x19,
            &[0x05],
        ),
        // LIT2 0001 [ADD2] JMP2r, ADD2 -> SUB2
        (
            "LIT2 then ADD2",
            0x017d,
            &[0xa0, 0x00, 0x01, 0x38, 0x6c],
            0x39,
            &[0x00, 0x05],
        ),
        // EQU [JCI +1] INC JMP2r, JCI -> JMI: the flag stays.
        (
            "EQU then JCI",
            0x017f,
            &[0x08, 0x20, 0x00, 0x01, 0x01, 0x6c],
            0x40,
            &[0x03, 0x03, 0x03, 0x03],
        ),
        // LIT 03 [LTH] ... : the comparison after a literal, LTH -> GTH.
        (
            "LIT then LTH",
            0x017e,
            &[0x80, 0x03, 0x0b, 0x6c],
            0x0a,
            &[0x01, 0x01],
        ),
    ];
    // LIT new LIT 06/07 DEO (the device writes 0x0180), or LIT new LIT2
    // 0180 STA.
    type Rewrite = (&'static str, fn(u8) -> Vec<u8>);
    let rewrites: [Rewrite; 3] = [
        ("by a device storing", |new| {
            vec![0x80, new, 0x80, 0x06, 0x17]
        }),
        ("by a device indexing", |new| {
            vec![0x80, new, 0x80, 0x07, 0x17]
        }),
        ("by STA", |new| vec![0x80, new, 0xa0, 0x01, 0x80, 0x15]),
    ];
    for (what, start, sub, new, stack) in subroutines {
        for (how, rewrite) in rewrites {
            let mut ends = Vec::new();
            for engine in Engine::ALL {
                let mut rom = vec![0x60];
                rom.extend_from_slice(&start.wrapping_sub(0x0103).to_be_bytes());
                rom.extend(rewrite(new));
                let here = 0x0100 + rom.len() as u16 + 3;
                rom.push(0x60);
                rom.extend_from_slice(&start.wrapping_sub(here).to_be_bytes());
                rom.push(0x00);
                let mut uxn = Uxn::new();
                let mut cpu = Cpu::new(engine);
                uxn.load(&rom);
                uxn.ram[start as usize..][..sub.len()].copy_from_slice(sub);
                uxn.wst.set_bottom(stack);
                uxn.wsp = stack.len() as u8;
                let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0x0100, 100);
                ends.push((exit, uxn.working_stack().to_vec()));
            }
            assert_eq!(ends[0], ends[1], "{what}, {how}: the engines differ");
            // Calling the subroutine twice unchanged must end differently,
            // or the case proves nothing.
            let mut twice_old = Uxn::new();
            twice_old.ram[start as usize..][..sub.len()].copy_from_slice(sub);
            twice_old.ram[0x0100] = 0x60;
            twice_old.ram[0x0101..0x0103]
                .copy_from_slice(&start.wrapping_sub(0x0103).to_be_bytes());
            twice_old.ram[0x0103] = 0x60;
            twice_old.ram[0x0104..0x0106]
                .copy_from_slice(&start.wrapping_sub(0x0106).to_be_bytes());
            twice_old.wst.set_bottom(stack);
            twice_old.wsp = stack.len() as u8;
            Cpu::new(Engine::Model).run(&mut twice_old, &mut Recorder::default(), 0x0100, 100);
            assert_ne!(
                ends[0].1,
                twice_old.working_stack(),
                "{what}, {how}: the rewrite changes nothing"
            );
        }
    }
    // By the host, between two runs of the same machine: LIT 01 ADD BRK,
    // then ADD -> SUB.
    rewritten_by_the_host(
        &[0x80, 0x01, 0x18, 0x00],
        &[0x05],
        0x0102,
        0x19,
        &[0x06],
        &[0x05],
    );
}

/// A short stored at 0xffff has its second byte at 0x0000, and one stored
/// by STZ at 0xff has it at 0x00: with the address from a literal (fused)
/// or from the stack (plain), for STA2, STZ2 and STR2.
#[test]
fn short_stores_wrap_at_the_ends() {
    let cases: [(&str, u16, &[u8], [u16; 2]); 6] = [
        // LIT2 1234 LIT2 ffff STA2
        (
            "fused STA2",
            0x0100,
            &[0xa0, 0x12, 0x34, 0xa0, 0xff, 0xff, 0x35],
            [0xffff, 0x0000],
        ),
        // LIT2 1234 LIT ff LIT ff STA2
        (
            "plain STA2",
            0x0100,
            &[0xa0, 0x12, 0x34, 0x80, 0xff, 0x80, 0xff, 0x35],
            [0xffff, 0x0000],
        ),
        // LIT2 1234 LIT ff STZ2
        (
            "fused STZ2",
            0x0100,
            &[0xa0, 0x12, 0x34, 0x80, 0xff, 0x31],
            [0x00ff, 0x0000],
        ),
        // LIT2 1234 LIT ff DUP POP STZ2
        (
            "plain STZ2",
            0x0100,
            &[0xa0, 0x12, 0x34, 0x80, 0xff, 0x06, 0x02, 0x31],
            [0x00ff, 0x0000],
        ),
        // LIT2 1234 LIT 61 STR2 at 0xff98: 0xff9e + 0x61 = 0xffff.
        (
            "fused STR2",
            0xff98,
            &[0xa0, 0x12, 0x34, 0x80, 0x61, 0x33],
            [0xffff, 0x0000],
        ),
        // LIT2 1234 LIT 5f DUP POP STR2 at 0xff98: 0xffa0 + 0x5f = 0xffff.
        (
            "plain STR2",
            0xff98,
            &[0xa0, 0x12, 0x34, 0x80, 0x5f, 0x06, 0x02, 0x33],
            [0xffff, 0x0000],
        ),
    ];
    for (name, at, code, [hi, lo]) in cases {
        for engine in Engine::ALL {
            let mut uxn = Uxn::new();
            let mut cpu = Cpu::new(engine);
            uxn.ram[at as usize..][..code.len()].copy_from_slice(code);
            uxn.ram[0x0000] = 0x55;
            let exit = cpu.run(&mut uxn, &mut Recorder::default(), at, 10);
            assert_eq!(exit, Exit::Brk, "{name}, {engine}");
            assert_eq!(
                (uxn.ram[hi as usize], uxn.ram[lo as usize]),
                (0x12, 0x34),
                "{name}, {engine}"
            );
            // The byte after the first one is untouched (unless it is 0).
            let after = hi as usize + 1;
            if after != 0x10000 && after != 0x100 {
                panic!("{name}: the case is not at an end");
            }
            if after == 0x100 {
                assert_eq!(uxn.ram[0x100], 0xa0, "{name}, {engine}: 0x0100");
            }
            assert!(uxn.working_stack().is_empty(), "{name}, {engine}");
        }
    }
}

#[test]
fn model_counts_instructions() {
    let mut uxn = Uxn::new();
    uxn.load(&[0x80, 0x02, 0x80, 0x03, 0x18, 0x00]); // #02 #03 ADD BRK
    let (exit, steps) = model::run(&mut uxn, &mut Recorder::default(), 0x0100, 10);
    assert_eq!((exit, steps), (Exit::Brk, 4));
    assert_eq!(uxn.working_stack(), &[5]);
}

/// Code that never jumps but runs on past 0xffff into 0x0000 spends the
/// budget once per pass, so it stops like any loop: RAM full of one
/// instruction (or a pattern), the end of RAM included, on both engines.
#[test]
fn jump_free_loops_spend_the_budget() {
    // Each pattern is repeated from 0x0000; INCs fill what is left at the
    // end. None holds a BRK or a jump.
    let patterns: [(&str, &[u8]); 11] = [
        ("INC", &[0x01]),
        ("INC2k", &[0xa1]),
        ("LIT 80", &[0x80]),
        ("LIT2 a0a0", &[0xa0]),
        ("LITr c0", &[0xc0]),
        ("LIT2r e0e0", &[0xe0]),
        ("DUP POP", &[0x06, 0x02]),
        ("LIT 01 ADD", &[0x80, 0x01, 0x18]),
        // Stores into the last bytes of RAM on every pass: the tail-call
        // engine must follow what the end of RAM holds (LITr at 0xfffe,
        // OVR at 0xffff, a short over both).
        ("#c0 ;fffe STA", &[0x80, 0xc0, 0xa0, 0xff, 0xfe, 0x15]),
        ("#07 ;ffff STA", &[0x80, 0x07, 0xa0, 0xff, 0xff, 0x15]),
        (
            "#1234 ;fffe STA2",
            &[0xa0, 0x12, 0x34, 0xa0, 0xff, 0xfe, 0x35],
        ),
    ];
    let mut runs = 0;
    for (name, pattern) in patterns {
        let whole = 0x10000 / pattern.len() * pattern.len();
        let last = (whole - pattern.len()) as u16;
        for start in [0x0000, last, 0xfffe, 0xffff] {
            for budget in [0, 1, WRAP_COST - 1, WRAP_COST, 3 * WRAP_COST + 7] {
                let mut states = Vec::new();
                for engine in Engine::ALL {
                    let mut uxn = Uxn::new();
                    let mut cpu = Cpu::new(engine);
                    for (i, byte) in uxn.ram.iter_mut().enumerate() {
                        *byte = if i < whole {
                            pattern[i % pattern.len()]
                        } else {
                            0x01
                        };
                    }
                    uxn.wsp = 0x10;
                    let (exit, steps) =
                        cpu.run_counted(&mut uxn, &mut Recorder::default(), start, budget);
                    let Exit::Budget { pc } = exit else {
                        panic!("{name} from {start:#06x} on {engine}: {exit:?}");
                    };
                    if let Some(steps) = steps {
                        // At most one pass through RAM per WRAP_COST, and one more.
                        assert!(
                            steps <= (budget / WRAP_COST + 1) * 0x10000,
                            "{name}: {steps} steps for budget {budget}"
                        );
                    }
                    states.push((
                        pc,
                        uxn.wsp,
                        uxn.rsp,
                        uxn.working_stack(),
                        uxn.return_stack(),
                        uxn.ram[0xfff0..].to_vec(),
                    ));
                    runs += 1;
                }
                assert!(
                    states[0] == states[1],
                    "{name} from {start:#06x}, budget {budget}: engines differ: {states:?}"
                );
            }
        }
    }
    eprintln!("{runs} jump-free runs stopped at the budget");
}

/// A bus whose port 0x0e asks the running vector to stop, as the Console
/// does when nobody reads its output any more.
struct Stopper;

impl hop::uxn::Bus for Stopper {
    fn deo(&mut self, uxn: &mut Uxn, port: u8, _: u8) {
        if port == 0x0e {
            uxn.interrupt();
        }
    }
}

/// A device's [`Uxn::interrupt`] stops the vector at its next jump, which
/// is then where it resumes, on both engines; also when the DEO runs on the
/// tail-call engine's slow path (a stack about to wrap).
#[test]
fn an_interrupt_stops_the_vector_at_its_next_jump() {
    // #07 #0e DEO #2a !next @next BRK
    let rom = [
        0x80, 0x07, 0x80, 0x0e, 0x17, 0x80, 0x2a, 0x40, 0x00, 0x00, 0x00,
    ];
    for engine in Engine::ALL {
        for wsp in [0x00, 0xfe] {
            let mut uxn = Uxn::new();
            uxn.load(&rom);
            uxn.wsp = wsp;
            let mut cpu = Cpu::new(engine);
            let exit = cpu.run(&mut uxn, &mut Stopper, 0x0100, 100);
            assert_eq!(
                exit,
                Exit::Budget { pc: 0x0107 },
                "{engine}, wsp {wsp:#04x}"
            );
            assert_eq!(
                (uxn.wsp, uxn.wst[uxn.wsp.wrapping_sub(1) as usize]),
                (wsp.wrapping_add(1), 0x2a),
                "{engine}, wsp {wsp:#04x}: the code up to the jump ran"
            );
            // The request was for that run only.
            let exit = cpu.run(&mut uxn, &mut Stopper, 0x0107, 100);
            assert_eq!(exit, Exit::Brk, "{engine}, wsp {wsp:#04x}");
        }
    }
}

/// One [`Cpu`] running two machines in turn runs each one's own code: the
/// tail-call engine's decoded handlers belong to one machine.
#[test]
fn a_cpu_keeps_no_handlers_from_another_machine() {
    let mut a = Uxn::new();
    a.load(&[0x80, 0x0a, 0x01, 0x00]); // #0a INC BRK
    let mut b = Uxn::new();
    b.load(&[0x80, 0x0a, 0x06, 0x00]); // #0a DUP BRK
    for engine in Engine::ALL {
        let mut cpu = Cpu::new(engine);
        for (which, value) in [(0, &[0x0b][..]), (1, &[0x0a, 0x0a]), (0, &[0x0b])] {
            let uxn = if which == 0 { &mut a } else { &mut b };
            uxn.wsp = 0;
            assert_eq!(
                cpu.run(uxn, &mut Recorder::default(), 0x0100, 10),
                Exit::Brk
            );
            assert_eq!(uxn.working_stack(), value, "{engine}");
        }
    }
}

/// The wrap is charged before the instruction runs, so a run stopped there
/// resumes exactly, with the pc it reported.
#[test]
fn a_stopped_wrap_resumes() {
    for engine in Engine::ALL {
        let mut uxn = Uxn::new();
        let mut cpu = Cpu::new(engine);
        // INC at 0xffff over #07 (pushed at 0xfffd), then BRK at 0x0000.
        uxn.ram[0xfffd] = 0x80;
        uxn.ram[0xfffe] = 0x07;
        uxn.ram[0xffff] = 0x01;
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0xfffd, 0);
        assert_eq!(exit, Exit::Budget { pc: 0xffff }, "{engine}");
        assert_eq!(
            uxn.working_stack(),
            &[0x07],
            "{engine}: LIT ran, INC did not"
        );
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0xffff, WRAP_COST - 1);
        assert_eq!(
            exit,
            Exit::Budget { pc: 0xffff },
            "{engine}: a wrap costs more"
        );
        let exit = cpu.run(&mut uxn, &mut Recorder::default(), 0xffff, WRAP_COST);
        assert_eq!(exit, Exit::Brk, "{engine}");
        assert_eq!(uxn.working_stack(), &[0x08], "{engine}: INC ran once");
    }
}

/// Inputs the `engines` fuzz target (tests/fuzz) and the proptest above
/// found, kept as cases. The fuzz inputs decode as the fuzz target does:
/// pc, wsp, rsp, budget, then RAM, stacks and device page filled from a
/// 24-bit seed.
#[test]
fn found_regressions() {
    let found: [[u8; 8]; 1] = [
        // LTH2 fused with the LIT2 before it, with one byte on the working
        // stack: the literal's bytes are written behind the pointer, and
        // working out where the pointer would go overflowed (a panic in a
        // build with overflow checks; the value was unused).
        [197, 255, 255, 255, 255, 95, 63, 87],
    ];
    for head in found {
        let case = Case {
            seed: u32::from_le_bytes([head[5], head[6], head[7], 1]) as u64 | 1,
            program: Vec::new(),
            pc: u16::from_be_bytes([head[0], head[1]]),
            wsp: head[2],
            rsp: head[3],
            budget: head[4] as u64,
            end: None,
        };
        check(&case).unwrap_or_else(|e| panic!("{e}"));
    }
    // Found by random_programs_agree: LITr at 0xfffe reached through a
    // fused literal before it (LIT at 0xfffc), which skipped the guarded
    // dispatch, so the wrap went uncharged on the tail-call engine.
    let case = Case {
        seed: 7758897119383596246,
        program: Vec::new(),
        pc: 65498,
        wsp: 0,
        rsp: 0,
        budget: 0,
        end: Some([0, 0xc0, 0x00]),
    };
    check(&case).unwrap_or_else(|e| panic!("{e}"));
    // The same, by hand: LIT 07 LITr at 0xfffc, and LIT2 0707 LITr.
    for (at, code) in [
        (0xfffc, &[0x80, 0x07, 0xc0][..]),
        (0xfffb, &[0xa0, 0x07, 0x07, 0xc0]),
    ] {
        for engine in Engine::ALL {
            let mut uxn = Uxn::new();
            let mut cpu = Cpu::new(engine);
            uxn.ram[at..at + code.len()].copy_from_slice(code);
            let exit = cpu.run(&mut uxn, &mut Recorder::default(), at as u16, 10);
            assert_eq!(exit, Exit::Budget { pc: 0xfffe }, "{engine} from {at:#06x}");
        }
    }
}

/// The long differential run: `HOP_LONG_CASES` random programs (default
/// ten million) on two reused machines, split over two threads. Ignored in
/// the normal suite; run it in release with
/// `cargo test --release --test engines long_differential_run -- --ignored --nocapture`
/// (`HOP_LONG_SEED=N` for another series).
/// Each program is random RAM with random bytes at a random pc (a quarter
/// of them in the last 64 bytes, where code runs past the end), random
/// stacks, pointers (a quarter of them at the ends), device page and jump
/// budget; programs the model does not finish within 65536 instructions
/// are skipped (and counted).
#[test]
#[ignore]
fn long_differential_run() {
    let total: u64 = std::env::var("HOP_LONG_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let started = std::time::Instant::now();
    let workers = 2;
    let results: Vec<(u64, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || {
                    long_run_worker(w, total / workers + (w < total % workers) as u64)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker failed"))
            .collect()
    });
    let ran: u64 = results.iter().map(|r| r.0).sum();
    let skipped: u64 = results.iter().map(|r| r.1).sum();
    eprintln!(
        "long differential run: {ran} random programs agreed ({skipped} more skipped as long) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// One thread of [`long_differential_run`]: returns (programs compared,
/// programs skipped).
fn long_run_worker(worker: u64, cases: u64) -> (u64, u64) {
    // HOP_LONG_SEED picks another series of programs.
    let seed: u64 = std::env::var("HOP_LONG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut state = 0x9e37_79b9_7f4a_7c15u64
        ^ (worker + 1).wrapping_mul(0x2545_f491_4f6c_dd1d)
        ^ seed.wrapping_mul(0x9e37_79b9);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut a = Uxn::new();
    let mut cpu = Cpu::new(Engine::TailCall);
    let mut b = Uxn::new();
    let (mut ran, mut skipped) = (0, 0);
    for case in 0..cases {
        for chunk in a.ram.chunks_exact_mut(8) {
            chunk.copy_from_slice(&next().to_le_bytes());
        }
        let r = next();
        let pc = if r % 4 == 0 {
            0xffc0 | (r >> 8) as u16 & 0x3f
        } else {
            (r >> 8) as u16
        };
        let end = (r >> 24) % 8;
        match end {
            0 | 1 => a.ram[0xfffd..].fill(0),
            2 => a.ram[0xfffd..].copy_from_slice(&[0, 0xc0, (r >> 32) as u8]),
            3 => {
                let ops = [0x00, 0xa0, 0xe0, 0x20, 0x40, 0x60, 0x80, 0xc0];
                a.ram[0xfffd] = ops[(r >> 40) as usize % 3];
                a.ram[0xfffe] = ops[(r >> 44) as usize % 8];
            }
            _ => {}
        }
        let len = (r >> 48) as usize % 48;
        for i in 0..len {
            let byte = next() as u8;
            a.ram[pc.wrapping_add(i as u16) as usize] = byte;
        }
        b.ram.copy_from_slice(&a.ram[..]);
        let r = next();
        let edge = |v: u64| [0x00, 0x01, 0x02, 0xfd, 0xfe, 0xff][v as usize % 6];
        a.wsp = if r % 4 == 0 {
            edge(r >> 8)
        } else {
            (r >> 16) as u8
        };
        a.rsp = if (r >> 3) % 4 == 0 {
            edge(r >> 24)
        } else {
            (r >> 32) as u8
        };
        let budget = (r >> 40) % 300;
        for byte in a
            .wst
            .bytes_mut()
            .iter_mut()
            .chain(a.rst.bytes_mut().iter_mut())
            .chain(a.dev.iter_mut())
        {
            *byte = next() as u8;
        }
        b.wst = a.wst.clone();
        b.rst = a.rst.clone();
        b.dev = a.dev;
        b.wsp = a.wsp;
        b.rsp = a.rsp;
        let mut rb = Recorder::default();
        let (eb, steps) = model::run_steps(&mut b, &mut rb, pc, budget, 1 << 16);
        if steps == 1 << 16 {
            skipped += 1;
            continue;
        }
        let mut ra = Recorder::default();
        let ea = cpu.run(&mut a, &mut ra, pc, budget);
        let same = ea == eb
            && (a.wsp, a.rsp) == (b.wsp, b.rsp)
            && a.wst == b.wst
            && a.rst == b.rst
            && a.dev == b.dev
            && ra == rb
            && a.ram[..] == b.ram[..];
        assert!(
            same,
            "worker {worker}, case {case}: the engines differ from pc {pc:#06x} (first op {}), budget {budget}: {ea:?} / {eb:?}",
            opcode_name(b.ram[pc as usize])
        );
        ran += 1;
        if (case + 1) % 500_000 == 0 {
            eprintln!("worker {worker}: {} programs", case + 1);
        }
    }
    (ran, skipped)
}
