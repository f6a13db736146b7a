//! Hand-computed unit tests of every opcode, on both engines.
//!
//! Most cases come from one table (`base_cases`): for each base op there are
//! byte-mode and short-mode cases written as "these operand bytes on top of
//! the instruction's stack become these result bytes" (plus RAM, device
//! calls, jump targets). `every_base_op_in_every_mode` runs each case in the
//! four keep/return combinations, so every one of the 248 moded opcodes is
//! exercised: keep mode leaves the operands under the results, return mode
//! swaps the roles of the two stacks. The specials (BRK, JCI, JMI, JSI, LIT,
//! LIT2, LITr, LIT2r) and the edge cases (stack and RAM wrap-around, the
//! jump budget, what a device sees) are separate tests with literal code.
//!
//! Expected values are worked out by hand from the CPU spec (varvara.md
//! section 1); they are never taken from one of the engines.

use hop::uxn::{Bus, Cpu, Engine, Exit, Uxn, WRAP_COST, opcode_name};

/// Where the code under test is placed unless a test says otherwise.
const AT: u16 = 0x0300;

/// JMI: put at jump targets. With a budget of one jump, the jump under test
/// spends it and the JMI it lands on is refused, so `Exit::Budget { pc }`
/// tells where the jump went.
const LAND: u8 = 0x40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// DEI of a port.
    In(u8),
    /// DEO of a port with a value.
    Out(u8, u8),
}

/// Records every device call. DEI answers `!port`, so answers are easy to
/// compute by hand; DEO checks the byte was stored in the device page first.
#[derive(Default)]
struct Recorder {
    calls: Vec<Call>,
}

impl Bus for Recorder {
    fn dei(&mut self, _: &mut Uxn, port: u8) -> u8 {
        self.calls.push(Call::In(port));
        !port
    }
    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        assert_eq!(
            uxn.dev[port as usize], value,
            "the byte is stored in dev[{port:#04x}] before deo runs"
        );
        self.calls.push(Call::Out(port, value));
    }
}

/// A machine to run: code at `at`, both stacks, RAM presets.
#[derive(Clone)]
struct Setup {
    at: u16,
    code: Vec<u8>,
    wst: Vec<u8>,
    rst: Vec<u8>,
    ram: Vec<(u16, u8)>,
    budget: u64,
}

impl Setup {
    fn new(code: &[u8]) -> Setup {
        Setup {
            at: AT,
            code: code.to_vec(),
            wst: vec![],
            rst: vec![],
            ram: vec![],
            budget: 1000,
        }
    }
    fn at(mut self, at: u16) -> Setup {
        self.at = at;
        self
    }
    fn wst(mut self, bytes: &[u8]) -> Setup {
        self.wst = bytes.to_vec();
        self
    }
    fn rst(mut self, bytes: &[u8]) -> Setup {
        self.rst = bytes.to_vec();
        self
    }
    fn ram(mut self, bytes: &[(u16, u8)]) -> Setup {
        self.ram.extend_from_slice(bytes);
        self
    }
    fn budget(mut self, budget: u64) -> Setup {
        self.budget = budget;
        self
    }

    fn machine(&self) -> Box<Uxn> {
        let mut uxn = Uxn::new();
        for &(addr, byte) in &self.ram {
            uxn.ram[addr as usize] = byte;
        }
        // The code goes in last (a BRK follows it), so it wins over presets.
        for (i, &byte) in self.code.iter().chain(&[0x00]).enumerate() {
            uxn.ram[self.at.wrapping_add(i as u16) as usize] = byte;
        }
        uxn.wst.set_bottom(&self.wst);
        uxn.wsp = self.wst.len() as u8;
        uxn.rst.set_bottom(&self.rst);
        uxn.rsp = self.rst.len() as u8;
        uxn
    }

    /// Runs the setup on one engine with any bus.
    fn run_with<B: Bus>(&self, engine: Engine, mut bus: B) -> (Box<Uxn>, B, Exit) {
        let mut uxn = self.machine();
        let exit = Cpu::new(engine).run(&mut uxn, &mut bus, self.at, self.budget);
        (uxn, bus, exit)
    }

    /// Runs the setup on each engine with a [`Recorder`].
    fn run_all(&self) -> Vec<(Engine, Box<Uxn>, Vec<Call>, Exit)> {
        Engine::ALL
            .iter()
            .map(|&engine| {
                let (uxn, bus, exit) = self.run_with(engine, Recorder::default());
                (engine, uxn, bus.calls, exit)
            })
            .collect()
    }
}

/// The table-driven check: runs `code` (then BRK) at [`AT`] on both engines
/// and compares both stacks (bottom first) after the run.
fn check(code: &[u8], wst_before: &[u8], wst_after: &[u8], rst_before: &[u8], rst_after: &[u8]) {
    let setup = Setup::new(code).wst(wst_before).rst(rst_before);
    for (engine, uxn, _, exit) in setup.run_all() {
        let what = format!("{engine}: {code:02x?} on wst {wst_before:02x?} rst {rst_before:02x?}");
        assert_eq!(exit, Exit::Brk, "{what}");
        assert_eq!(uxn.working_stack(), wst_after, "working stack, {what}");
        assert_eq!(uxn.return_stack(), rst_after, "return stack, {what}");
    }
}

// ---------------------------------------------------------------------------
// The table of base operations.

/// One hand-computed case of a base op in byte (`short = false`) or short
/// mode. Stack contents are bytes, top of stack at the right.
#[derive(Clone, Debug)]
struct OpCase {
    base: u8,
    short: bool,
    /// Operand bytes on top of the instruction's own stack.
    ins: Vec<u8>,
    /// Bytes the instruction leaves on its own stack in place of `ins`.
    outs: Vec<u8>,
    /// Bytes pushed onto the other stack (JSR, STH).
    other: Vec<u8>,
    /// RAM before the run.
    ram: Vec<(u16, u8)>,
    /// RAM bytes expected after the run.
    ram_after: Vec<(u16, u8)>,
    /// Device calls, in order.
    calls: Vec<Call>,
    /// For jumps: where pc goes (the fall-through is `AT + 1`).
    lands: Option<u16>,
}

/// A byte-mode case.
fn b(base: u8, ins: &[u8], outs: &[u8]) -> OpCase {
    OpCase {
        base,
        short: false,
        ins: ins.to_vec(),
        outs: outs.to_vec(),
        other: vec![],
        ram: vec![],
        ram_after: vec![],
        calls: vec![],
        lands: None,
    }
}

/// A short-mode case.
fn s(base: u8, ins: &[u8], outs: &[u8]) -> OpCase {
    OpCase {
        short: true,
        ..b(base, ins, outs)
    }
}

impl OpCase {
    fn other(mut self, bytes: &[u8]) -> OpCase {
        self.other = bytes.to_vec();
        self
    }
    fn ram(mut self, bytes: &[(u16, u8)]) -> OpCase {
        self.ram = bytes.to_vec();
        self
    }
    fn ram_after(mut self, bytes: &[(u16, u8)]) -> OpCase {
        self.ram_after = bytes.to_vec();
        self
    }
    fn calls(mut self, calls: &[Call]) -> OpCase {
        self.calls = calls.to_vec();
        self
    }
    fn lands(mut self, addr: u16) -> OpCase {
        self.lands = Some(addr);
        self
    }
}

const INC: u8 = 0x01;
const POP: u8 = 0x02;
const NIP: u8 = 0x03;
const SWP: u8 = 0x04;
const ROT: u8 = 0x05;
const DUP: u8 = 0x06;
const OVR: u8 = 0x07;
const EQU: u8 = 0x08;
const NEQ: u8 = 0x09;
const GTH: u8 = 0x0a;
const LTH: u8 = 0x0b;
const JMP: u8 = 0x0c;
const JCN: u8 = 0x0d;
const JSR: u8 = 0x0e;
const STH: u8 = 0x0f;
const LDZ: u8 = 0x10;
const STZ: u8 = 0x11;
const LDR: u8 = 0x12;
const STR: u8 = 0x13;
const LDA: u8 = 0x14;
const STA: u8 = 0x15;
const DEI: u8 = 0x16;
const DEO: u8 = 0x17;
const ADD: u8 = 0x18;
const SUB: u8 = 0x19;
const MUL: u8 = 0x1a;
const DIV: u8 = 0x1b;
const AND: u8 = 0x1c;
const ORA: u8 = 0x1d;
const EOR: u8 = 0x1e;
const SFT: u8 = 0x1f;

/// Every base op, byte and short mode, worked out by hand.
/// The instruction sits at AT = 0x0300, so pc after it is 0x0301.
fn base_cases() -> Vec<OpCase> {
    use Call::{In, Out};
    vec![
        // INC a -- a+1, wrapping at the operand width.
        b(INC, &[0x01], &[0x02]),
        b(INC, &[0xff], &[0x00]),
        s(INC, &[0x12, 0xff], &[0x13, 0x00]),
        s(INC, &[0xff, 0xff], &[0x00, 0x00]),
        // POP a --
        b(POP, &[0x12], &[]),
        s(POP, &[0x12, 0x34], &[]),
        // NIP a b -- b
        b(NIP, &[0x12, 0x34], &[0x34]),
        s(NIP, &[0x12, 0x34, 0x56, 0x78], &[0x56, 0x78]),
        // SWP a b -- b a
        b(SWP, &[0x12, 0x34], &[0x34, 0x12]),
        s(SWP, &[0x12, 0x34, 0x56, 0x78], &[0x56, 0x78, 0x12, 0x34]),
        // ROT a b c -- b c a
        b(ROT, &[0x12, 0x34, 0x56], &[0x34, 0x56, 0x12]),
        s(
            ROT,
            &[0x11, 0x11, 0x22, 0x22, 0x33, 0x33],
            &[0x22, 0x22, 0x33, 0x33, 0x11, 0x11],
        ),
        // DUP a -- a a
        b(DUP, &[0x12], &[0x12, 0x12]),
        s(DUP, &[0x12, 0x34], &[0x12, 0x34, 0x12, 0x34]),
        // OVR a b -- a b a
        b(OVR, &[0x12, 0x34], &[0x12, 0x34, 0x12]),
        s(
            OVR,
            &[0x12, 0x34, 0x56, 0x78],
            &[0x12, 0x34, 0x56, 0x78, 0x12, 0x34],
        ),
        // EQU NEQ GTH LTH: unsigned compares; the flag is one byte in both widths.
        b(EQU, &[0x12, 0x12], &[0x01]),
        b(EQU, &[0x12, 0x13], &[0x00]),
        s(EQU, &[0x12, 0x34, 0x12, 0x34], &[0x01]),
        s(EQU, &[0x12, 0x34, 0x13, 0x34], &[0x00]),
        s(EQU, &[0x12, 0x34, 0x00, 0x34], &[0x00]),
        b(NEQ, &[0x12, 0x12], &[0x00]),
        b(NEQ, &[0x12, 0x13], &[0x01]),
        s(NEQ, &[0x12, 0x34, 0x12, 0x34], &[0x00]),
        s(NEQ, &[0x12, 0x34, 0x12, 0x35], &[0x01]),
        b(GTH, &[0x80, 0x7f], &[0x01]),
        b(GTH, &[0x7f, 0x80], &[0x00]),
        b(GTH, &[0x12, 0x12], &[0x00]),
        s(GTH, &[0x80, 0x00, 0x7f, 0xff], &[0x01]),
        s(GTH, &[0x01, 0x00, 0x00, 0xff], &[0x01]),
        s(GTH, &[0x00, 0xff, 0x01, 0x00], &[0x00]),
        b(LTH, &[0x7f, 0x80], &[0x01]),
        b(LTH, &[0x80, 0x7f], &[0x00]),
        b(LTH, &[0x12, 0x12], &[0x00]),
        s(LTH, &[0x00, 0xff, 0x01, 0x00], &[0x01]),
        s(LTH, &[0x01, 0x00, 0x00, 0xff], &[0x00]),
        s(LTH, &[0xff, 0xff, 0xff, 0xff], &[0x00]),
        // JMP: a byte is a signed offset from the pc after the JMP, a short an address.
        b(JMP, &[0x10], &[]).lands(0x0311),
        b(JMP, &[0xfd], &[]).lands(0x02fe),
        s(JMP, &[0x12, 0x34], &[]).lands(0x1234),
        // JCN cond8 addr --: the address is popped first; the condition is always a byte.
        b(JCN, &[0x01, 0x10], &[]).lands(0x0311),
        b(JCN, &[0x80, 0xf0], &[]).lands(0x02f1),
        b(JCN, &[0x00, 0x10], &[]).lands(0x0301),
        s(JCN, &[0x01, 0x12, 0x34], &[]).lands(0x1234),
        s(JCN, &[0xff, 0x12, 0x34], &[]).lands(0x1234),
        s(JCN, &[0x00, 0x12, 0x34], &[]).lands(0x0301),
        // JSR: the return address (pc after the JSR, a short) goes on the other stack.
        b(JSR, &[0x10], &[]).other(&[0x03, 0x01]).lands(0x0311),
        b(JSR, &[0xfe], &[]).other(&[0x03, 0x01]).lands(0x02ff),
        s(JSR, &[0x12, 0x34], &[])
            .other(&[0x03, 0x01])
            .lands(0x1234),
        // STH a -- | a
        b(STH, &[0x12], &[]).other(&[0x12]),
        s(STH, &[0x12, 0x34], &[]).other(&[0x12, 0x34]),
        // LDZ zp8 -- v; the second byte of a short wraps inside page 0.
        b(LDZ, &[0x80], &[0xab]).ram(&[(0x0080, 0xab)]),
        s(LDZ, &[0x80], &[0xab, 0xcd]).ram(&[(0x0080, 0xab), (0x0081, 0xcd)]),
        s(LDZ, &[0xff], &[0xab, 0xcd]).ram(&[(0x00ff, 0xab), (0x0000, 0xcd), (0x0100, 0xee)]),
        // STZ v zp8 --
        b(STZ, &[0xab, 0x80], &[]).ram_after(&[(0x0080, 0xab), (0x0081, 0x00)]),
        s(STZ, &[0xab, 0xcd, 0x80], &[]).ram_after(&[(0x0080, 0xab), (0x0081, 0xcd)]),
        s(STZ, &[0xab, 0xcd, 0xff], &[]).ram_after(&[
            (0x00ff, 0xab),
            (0x0000, 0xcd),
            (0x0100, 0x00),
        ]),
        // LDR rel8 -- v: address = pc after the LDR + signed offset.
        b(LDR, &[0x10], &[0xab]).ram(&[(0x0311, 0xab)]),
        b(LDR, &[0xfe], &[0xab]).ram(&[(0x02ff, 0xab)]),
        s(LDR, &[0x10], &[0xab, 0xcd]).ram(&[(0x0311, 0xab), (0x0312, 0xcd)]),
        s(LDR, &[0x80], &[0xab, 0xcd]).ram(&[(0x0281, 0xab), (0x0282, 0xcd)]),
        // STR v rel8 --
        b(STR, &[0xab, 0x10], &[]).ram_after(&[(0x0311, 0xab), (0x0312, 0x00)]),
        b(STR, &[0xab, 0xf0], &[]).ram_after(&[(0x02f1, 0xab)]),
        s(STR, &[0xab, 0xcd, 0x10], &[]).ram_after(&[(0x0311, 0xab), (0x0312, 0xcd)]),
        s(STR, &[0xab, 0xcd, 0x7f], &[]).ram_after(&[(0x0380, 0xab), (0x0381, 0xcd)]),
        // LDA addr16 -- v; the second byte of a short at 0xffff is at 0x0000.
        b(LDA, &[0x12, 0x34], &[0xab]).ram(&[(0x1234, 0xab)]),
        b(LDA, &[0xff, 0xff], &[0xab]).ram(&[(0xffff, 0xab)]),
        s(LDA, &[0x12, 0x34], &[0xab, 0xcd]).ram(&[(0x1234, 0xab), (0x1235, 0xcd)]),
        s(LDA, &[0xff, 0xff], &[0xab, 0xcd]).ram(&[(0xffff, 0xab), (0x0000, 0xcd)]),
        // STA v addr16 --
        b(STA, &[0xab, 0x12, 0x34], &[]).ram_after(&[(0x1234, 0xab), (0x1235, 0x00)]),
        s(STA, &[0xab, 0xcd, 0x12, 0x34], &[]).ram_after(&[(0x1234, 0xab), (0x1235, 0xcd)]),
        s(STA, &[0xab, 0xcd, 0xff, 0xff], &[]).ram_after(&[(0xffff, 0xab), (0x0000, 0xcd)]),
        // DEI port8 -- v: a short is two reads, port then port+1 (the bus answers !port).
        b(DEI, &[0x12], &[0xed]).calls(&[In(0x12)]),
        s(DEI, &[0x12], &[0xed, 0xec]).calls(&[In(0x12), In(0x13)]),
        s(DEI, &[0xff], &[0x00, 0xff]).calls(&[In(0xff), In(0x00)]),
        // DEO v port8 --: a short is two writes, high byte to port, low byte to port+1.
        b(DEO, &[0xab, 0x18], &[]).calls(&[Out(0x18, 0xab)]),
        s(DEO, &[0xab, 0xcd, 0x18], &[]).calls(&[Out(0x18, 0xab), Out(0x19, 0xcd)]),
        s(DEO, &[0xab, 0xcd, 0xff], &[]).calls(&[Out(0xff, 0xab), Out(0x00, 0xcd)]),
        // ADD SUB MUL DIV wrap at the operand width; DIV is unsigned and x/0 = 0.
        b(ADD, &[0x12, 0x34], &[0x46]),
        b(ADD, &[0xff, 0x02], &[0x01]),
        s(ADD, &[0x12, 0xff, 0x00, 0x02], &[0x13, 0x01]),
        s(ADD, &[0xff, 0xff, 0x00, 0x02], &[0x00, 0x01]),
        b(SUB, &[0x34, 0x12], &[0x22]),
        b(SUB, &[0x01, 0x02], &[0xff]),
        s(SUB, &[0x12, 0x00, 0x00, 0x01], &[0x11, 0xff]),
        s(SUB, &[0x00, 0x00, 0x00, 0x01], &[0xff, 0xff]),
        b(MUL, &[0x03, 0x07], &[0x15]),
        b(MUL, &[0x10, 0x11], &[0x10]),
        s(MUL, &[0x12, 0x34, 0x00, 0x10], &[0x23, 0x40]),
        s(MUL, &[0x01, 0x00, 0x01, 0x00], &[0x00, 0x00]),
        b(DIV, &[0x10, 0x03], &[0x05]),
        b(DIV, &[0xff, 0x02], &[0x7f]),
        b(DIV, &[0x10, 0x00], &[0x00]),
        s(DIV, &[0x12, 0x34, 0x01, 0x00], &[0x00, 0x12]),
        s(DIV, &[0xff, 0xff, 0x00, 0x03], &[0x55, 0x55]),
        s(DIV, &[0x12, 0x34, 0x00, 0x00], &[0x00, 0x00]),
        // AND ORA EOR
        b(AND, &[0xfc, 0x3f], &[0x3c]),
        s(AND, &[0xf0, 0xfc, 0x3f, 0x3f], &[0x30, 0x3c]),
        b(ORA, &[0xf0, 0x0c], &[0xfc]),
        s(ORA, &[0xf0, 0x01, 0x0c, 0x10], &[0xfc, 0x11]),
        b(EOR, &[0xff, 0x0f], &[0xf0]),
        s(EOR, &[0xff, 0x00, 0x0f, 0x0f], &[0xf0, 0x0f]),
        // SFT a sft8 -- (a >> (sft & 0xf)) << (sft >> 4); the shift is always a byte.
        b(SFT, &[0x34, 0x01], &[0x1a]),
        b(SFT, &[0x34, 0x10], &[0x68]),
        b(SFT, &[0x34, 0x12], &[0x1a]),
        b(SFT, &[0x81, 0x10], &[0x02]),
        b(SFT, &[0x01, 0x70], &[0x80]),
        b(SFT, &[0xff, 0x0f], &[0x00]),
        s(SFT, &[0x12, 0x34, 0x01], &[0x09, 0x1a]),
        s(SFT, &[0x12, 0x34, 0x10], &[0x24, 0x68]),
        s(SFT, &[0x12, 0x34, 0x0c], &[0x00, 0x01]),
        s(SFT, &[0x80, 0x01, 0x10], &[0x00, 0x02]),
        s(SFT, &[0x00, 0x01, 0xf0], &[0x80, 0x00]),
        s(SFT, &[0x12, 0x34, 0x48], &[0x01, 0x20]),
    ]
}

/// The four keep/return combinations, as opcode bits.
const MODES: [u8; 4] = [0x00, 0x80, 0x40, 0xc0];

/// Bytes left under the operands, to show that nothing deeper is touched.
const BELOW: [u8; 2] = [0x99, 0x98];
const OTHER_BELOW: [u8; 1] = [0x77];

/// Runs one table case with the given keep/return bits on both engines.
fn run_case(case: &OpCase, mode: u8) -> u8 {
    let op = case.base | if case.short { 0x20 } else { 0 } | mode;
    let (keep, ret) = (mode & 0x80 != 0, mode & 0x40 != 0);
    let is_jump = matches!(case.base, JMP | JCN | JSR);

    let own_before: Vec<u8> = BELOW.iter().chain(&case.ins).copied().collect();
    let mut own_after = BELOW.to_vec();
    if keep {
        own_after.extend_from_slice(&case.ins);
    }
    own_after.extend_from_slice(&case.outs);
    let other_before = OTHER_BELOW.to_vec();
    let other_after: Vec<u8> = OTHER_BELOW.iter().chain(&case.other).copied().collect();
    let (wst, rst) = if ret {
        (&other_before, &own_before)
    } else {
        (&own_before, &other_before)
    };
    let (wst_after, rst_after) = if ret {
        (&other_after, &own_after)
    } else {
        (&own_after, &other_after)
    };

    // Jumps: a JMI right after the op (the fall-through) and at the target;
    // with a budget of one, the run stops on the JMI it lands on.
    let mut setup = Setup::new(&if is_jump { vec![op, LAND] } else { vec![op] })
        .wst(wst)
        .rst(rst)
        .ram(&case.ram);
    if let Some(target) = case.lands {
        setup = setup.ram(&[(target, LAND)]).budget(1);
    }
    for (engine, uxn, calls, exit) in setup.run_all() {
        let what = format!("{engine}: {} ({op:#04x}) {case:02x?}", opcode_name(op));
        match case.lands {
            Some(target) => assert_eq!(exit, Exit::Budget { pc: target }, "jump target, {what}"),
            None => assert_eq!(exit, Exit::Brk, "{what}"),
        }
        assert_eq!(uxn.working_stack(), &wst_after[..], "working stack, {what}");
        assert_eq!(uxn.return_stack(), &rst_after[..], "return stack, {what}");
        for &(addr, byte) in &case.ram_after {
            assert_eq!(uxn.ram[addr as usize], byte, "RAM[{addr:#06x}], {what}");
        }
        assert_eq!(calls, case.calls, "device calls, {what}");
    }
    op
}

#[test]
fn every_base_op_in_every_mode() {
    let mut covered = [0u32; 256];
    for case in base_cases() {
        for mode in MODES {
            covered[run_case(&case, mode) as usize] += 1;
        }
    }
    let missing: Vec<String> = (0..=255u8)
        .filter(|&op| op & 0x1f != 0 && covered[op as usize] == 0)
        .map(opcode_name)
        .collect();
    assert!(missing.is_empty(), "opcodes without a case: {missing:?}");
    // Every op has at least one byte and one short case, in each of 4 modes.
    assert_eq!(covered.iter().filter(|&&n| n > 0).count(), 248);
}

#[test]
fn the_table_covers_all_256_opcodes_with_the_specials() {
    // The specials are tested below; together with the table that is all 256.
    let specials = [0x00u8, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0];
    let mut seen = [false; 256];
    for case in base_cases() {
        for mode in MODES {
            seen[(case.base | if case.short { 0x20 } else { 0 } | mode) as usize] = true;
        }
    }
    for op in specials {
        assert!(!seen[op as usize]);
        seen[op as usize] = true;
    }
    assert!(seen.iter().all(|&s| s));
}

// ---------------------------------------------------------------------------
// Literal code, written as a Uxntal program would assemble.

#[test]
fn keep_mode_leaves_the_operands() {
    // #12 #34 ADDk
    check(
        &[0x80, 0x12, 0x80, 0x34, 0x98],
        &[],
        &[0x12, 0x34, 0x46],
        &[],
        &[],
    );
    // #1234 #0001 ADD2k
    check(
        &[0xa0, 0x12, 0x34, 0xa0, 0x00, 0x01, 0xb8],
        &[],
        &[0x12, 0x34, 0x00, 0x01, 0x12, 0x35],
        &[],
        &[],
    );
    // POPk, POP2k and NIPk change nothing / add the kept value.
    check(&[0x82], &[0x12], &[0x12], &[], &[]);
    check(&[0xa2], &[0x12, 0x34], &[0x12, 0x34], &[], &[]);
    check(&[0x83], &[0x12, 0x34], &[0x12, 0x34, 0x34], &[], &[]);
    // ADD2kr: on the return stack.
    check(
        &[0xf8],
        &[0x55],
        &[0x55],
        &[0x00, 0x02, 0x00, 0x03],
        &[0x00, 0x02, 0x00, 0x03, 0x00, 0x05],
    );
    // LIT2r 0102 LIT2r 0304 SWP2kr
    check(
        &[0xe0, 0x01, 0x02, 0xe0, 0x03, 0x04, 0xe4],
        &[],
        &[],
        &[],
        &[0x01, 0x02, 0x03, 0x04, 0x03, 0x04, 0x01, 0x02],
    );
}

#[test]
fn compares_push_a_single_byte_flag() {
    // #1234 #1234 EQU2 -> 01 ; #1234 #1235 NEQ2 -> 01 ; GTH2 / LTH2 likewise.
    check(
        &[0xa0, 0x12, 0x34, 0xa0, 0x12, 0x34, 0x28],
        &[],
        &[0x01],
        &[],
        &[],
    );
    check(
        &[0xa0, 0x12, 0x34, 0xa0, 0x12, 0x35, 0x29],
        &[],
        &[0x01],
        &[],
        &[],
    );
    check(
        &[0xa0, 0x12, 0x34, 0xa0, 0x12, 0x35, 0x2a],
        &[],
        &[0x00],
        &[],
        &[],
    );
    check(
        &[0xa0, 0x12, 0x34, 0xa0, 0x12, 0x35, 0x2b],
        &[],
        &[0x01],
        &[],
        &[],
    );
    // EQU2k keeps both shorts and adds one byte.
    check(
        &[0xa8],
        &[0xab, 0xcd, 0xab, 0xcd],
        &[0xab, 0xcd, 0xab, 0xcd, 0x01],
        &[],
        &[],
    );
    // EQU2r: the flag goes on the return stack.
    check(&[0x68], &[], &[], &[0xab, 0xcd, 0xab, 0xce], &[0x00]);
}

#[test]
fn sth_moves_between_stacks() {
    check(&[0x0f], &[0x12], &[], &[0x34], &[0x34, 0x12]);
    check(&[0x4f], &[0x12], &[0x12, 0x34], &[0x34], &[]);
    check(&[0x2f], &[0x12, 0x34], &[], &[], &[0x12, 0x34]);
    check(&[0x6f], &[], &[0x12, 0x34], &[0x12, 0x34], &[]);
    check(&[0x8f], &[0x12], &[0x12], &[], &[0x12]);
    check(&[0xef], &[], &[0x12, 0x34], &[0x12, 0x34], &[0x12, 0x34]);
}

#[test]
fn jsr_pushes_the_return_address_on_the_other_stack() {
    // JSR2 to 0x1234 from 0x0300: rst gets 03 01; JSR2r: wst gets it.
    let setup = Setup::new(&[0x2e])
        .wst(&[0x12, 0x34])
        .ram(&[(0x1234, 0x00)]);
    for (engine, uxn, _, exit) in setup.run_all() {
        assert_eq!(exit, Exit::Brk, "{engine}");
        assert_eq!(uxn.working_stack(), &[] as &[u8], "{engine}");
        assert_eq!(uxn.return_stack(), &[0x03, 0x01], "{engine}");
    }
    let setup = Setup::new(&[0x6e]).rst(&[0x12, 0x34]);
    for (engine, uxn, _, exit) in setup.run_all() {
        assert_eq!(exit, Exit::Brk, "{engine}");
        assert_eq!(uxn.working_stack(), &[0x03, 0x01], "{engine}");
        assert_eq!(uxn.return_stack(), &[] as &[u8], "{engine}");
    }
    // A subroutine and its return: ;sub JSR2 #ff BRK @sub #01 JMP2r
    // 0300: a0 03 07 2e 80 ff 00 | 0307: 80 01 6c
    let code = [0xa0, 0x03, 0x07, 0x2e, 0x80, 0xff, 0x00, 0x80, 0x01, 0x6c];
    check(&code, &[], &[0x01, 0xff], &[], &[]);
}

// ---------------------------------------------------------------------------
// The special opcodes.

#[test]
fn brk_stops_at_once() {
    let setup = Setup::new(&[0x00, 0x80, 0x12]).wst(&[0x01]).rst(&[0x02]);
    for (engine, uxn, calls, exit) in setup.run_all() {
        assert_eq!(exit, Exit::Brk, "{engine}");
        assert_eq!(
            (uxn.working_stack(), uxn.return_stack()),
            (vec![0x01u8], vec![0x02u8]),
            "{engine}"
        );
        assert!(calls.is_empty());
    }
}

#[test]
fn literals() {
    check(&[0x80, 0x12], &[], &[0x12], &[], &[]); // LIT
    check(&[0xa0, 0x12, 0x34], &[], &[0x12, 0x34], &[], &[]); // LIT2
    check(&[0xc0, 0x12], &[0x01], &[0x01], &[], &[0x12]); // LITr
    check(&[0xe0, 0x12, 0x34], &[], &[], &[0x01], &[0x01, 0x12, 0x34]); // LIT2r
    // The literal is data, not code: LIT 00 does not stop the run.
    check(&[0x80, 0x00, 0x80, 0x01], &[], &[0x00, 0x01], &[], &[]);
}

/// The run of `setup` on both engines stops on the JMI at `target`.
fn assert_lands(setup: &Setup, target: u16, wst: &[u8], rst: &[u8]) {
    let setup = setup.clone().ram(&[(target, LAND)]).budget(1);
    for (engine, uxn, _, exit) in setup.run_all() {
        assert_eq!(
            exit,
            Exit::Budget { pc: target },
            "{engine}: where the jump went"
        );
        assert_eq!(uxn.working_stack(), wst, "{engine}");
        assert_eq!(uxn.return_stack(), rst, "{engine}");
    }
}

#[test]
fn jci_jmi_jsi() {
    // JCI pops a byte; taken: pc = AT+3+rel.
    assert_lands(
        &Setup::new(&[0x20, 0x00, 0x10, LAND]).wst(&[0x05, 0x01]),
        0x0313,
        &[0x05],
        &[],
    );
    assert_lands(
        &Setup::new(&[0x20, 0xff, 0xf0, LAND]).wst(&[0x80]),
        0x02f3,
        &[],
        &[],
    );
    // Not taken: on to AT+3.
    assert_lands(
        &Setup::new(&[0x20, 0x00, 0x10, LAND]).wst(&[0x05, 0x00]),
        0x0303,
        &[0x05],
        &[],
    );
    // JMI: unconditional, stacks untouched.
    assert_lands(
        &Setup::new(&[0x40, 0x12, 0x34]).wst(&[0x05]),
        0x1537,
        &[0x05],
        &[],
    );
    assert_lands(&Setup::new(&[0x40, 0xff, 0xfd]), 0x0300, &[], &[]);
    // JSI pushes AT+3 onto the return stack.
    assert_lands(
        &Setup::new(&[0x60, 0x00, 0x20]).rst(&[0x09]),
        0x0323,
        &[],
        &[0x09, 0x03, 0x03],
    );
    assert_lands(&Setup::new(&[0x60, 0xff, 0x00]), 0x0203, &[], &[0x03, 0x03]);
    // Across the end of RAM: JMI at 0xfff0 by +0x20 -> 0x0013; back from 0x0010.
    assert_lands(
        &Setup::new(&[0x40, 0x00, 0x20]).at(0xfff0),
        0x0013,
        &[],
        &[],
    );
    assert_lands(
        &Setup::new(&[0x40, 0xff, 0xe0]).at(0x0010),
        0xfff3,
        &[],
        &[],
    );
    // The operand itself across the edge: JSI at 0xfffe reads ffff/0000,
    // returns to 0x0001 and jumps to 0x0001 + 0x0010.
    let setup = Setup::new(&[0x60, 0x00, 0x10]).at(0xfffe);
    assert_lands(&setup, 0x0011, &[], &[0x00, 0x01]);
}

#[test]
fn literal_operands_wrap_at_the_end_of_ram() {
    // Each of these runs on past 0xffff, which costs WRAP_COST of the
    // budget (check_at gives exactly that; one less stops before it).
    // LIT2 at 0xfffe: 12 at 0xffff, 34 at 0x0000, BRK at 0x0001.
    check_at(0xfffe, &[0xa0, 0x12, 0x34], &[], &[0x12, 0x34]);
    // LIT2 at 0xffff: its bytes at 0x0000 and 0x0001, BRK at 0x0002.
    check_at(0xffff, &[0xa0, 0x12, 0x34], &[], &[0x12, 0x34]);
    // LIT at 0xffff: its byte at 0x0000.
    check_at(0xffff, &[0x80, 0x56], &[], &[0x56]);
    // LIT2r at 0xffff.
    let setup = Setup::new(&[0xe0, 0xab, 0xcd]).at(0xffff).budget(WRAP_COST);
    for (engine, uxn, _, exit) in setup.run_all() {
        assert_eq!(exit, Exit::Brk, "{engine}");
        assert_eq!(uxn.return_stack(), &[0xab, 0xcd], "{engine}");
        assert_eq!(
            (uxn.ram[0xffff], uxn.ram[0x0000], uxn.ram[0x0001]),
            (0xe0, 0xab, 0xcd)
        );
    }
    // An ordinary op at 0xffff continues at 0x0000: INC then BRK.
    check_at(0xffff, &[0x01], &[0x01], &[0x02]);
}

fn check_at(at: u16, code: &[u8], wst_before: &[u8], wst_after: &[u8]) {
    let setup = Setup::new(code).at(at).wst(wst_before).budget(WRAP_COST);
    for (engine, uxn, _, exit) in setup.run_all() {
        assert_eq!(exit, Exit::Brk, "{engine}: {code:02x?} at {at:#06x}");
        assert_eq!(
            uxn.working_stack(),
            wst_after,
            "{engine}: {code:02x?} at {at:#06x}"
        );
    }
    // A budget one short of a wrap stops on the instruction that wraps,
    // before it has run.
    let setup = setup.budget(WRAP_COST - 1);
    for (engine, uxn, _, exit) in setup.run_all() {
        assert_eq!(
            exit,
            Exit::Budget { pc: at },
            "{engine}: {code:02x?} at {at:#06x}"
        );
        assert_eq!(uxn.working_stack(), wst_before, "{engine}: nothing ran");
    }
}

// ---------------------------------------------------------------------------
// Wrap-around.

#[test]
fn popping_an_empty_stack_reads_slot_255() {
    for engine in Engine::ALL {
        // INC on an empty stack: reads wst[255], writes the result back there.
        let mut uxn = Setup::new(&[0x01]).machine();
        uxn.wst[255] = 0x41;
        assert_eq!(
            Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10),
            Exit::Brk
        );
        assert_eq!((uxn.wsp, uxn.wst[255]), (0x00, 0x42), "{engine}: INC");

        // POP on an empty stack leaves the pointer at 255.
        let mut uxn = Setup::new(&[0x02]).machine();
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        assert_eq!(uxn.wsp, 0xff, "{engine}: POP");

        // DUP on an empty stack: a = wst[255]; pushed at 255 and at 0.
        let mut uxn = Setup::new(&[0x06]).machine();
        uxn.wst[255] = 0x77;
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        assert_eq!(
            (uxn.wsp, uxn.wst[255], uxn.wst[0]),
            (0x01, 0x77, 0x77),
            "{engine}: DUP"
        );

        // ADD2 with one byte on the stack: b = wst[255] wst[0], a = wst[253] wst[254].
        let mut uxn = Setup::new(&[0x38]).wst(&[0x02]).machine();
        uxn.wst[253] = 0x10;
        uxn.wst[254] = 0xff;
        uxn.wst[255] = 0x01;
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        // 0x10ff + 0x0102 = 0x1201, stored at 253/254.
        assert_eq!(
            (uxn.wsp, uxn.wst[253], uxn.wst[254]),
            (0xff, 0x12, 0x01),
            "{engine}: ADD2"
        );

        // The return stack wraps the same way: POP2r on an empty stack.
        let mut uxn = Setup::new(&[0x62]).machine();
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        assert_eq!((uxn.wsp, uxn.rsp), (0x00, 0xfe), "{engine}: POP2r");

        // STH from an empty working stack: wst[255] onto rst.
        let mut uxn = Setup::new(&[0x0f]).machine();
        uxn.wst[255] = 0x5a;
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        assert_eq!(
            (uxn.wsp, uxn.rsp, uxn.rst[0]),
            (0xff, 0x01, 0x5a),
            "{engine}: STH"
        );
    }
}

#[test]
fn pushing_onto_a_full_stack_wraps_to_0() {
    for engine in Engine::ALL {
        // 255 items, then LIT2 1234: 12 goes to slot 255, 34 to slot 0.
        let mut uxn = Setup::new(&[0xa0, 0x12, 0x34]).machine();
        uxn.wsp = 0xff;
        assert_eq!(
            Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10),
            Exit::Brk
        );
        assert_eq!(
            (uxn.wsp, uxn.wst[255], uxn.wst[0]),
            (0x01, 0x12, 0x34),
            "{engine}: LIT2"
        );

        // JSR on a full return stack: the return address wraps too.
        let mut uxn = Setup::new(&[0x2e]).wst(&[0x04, 0x00]).machine();
        uxn.rsp = 0xff;
        uxn.ram[0x0400] = 0x00;
        assert_eq!(
            Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10),
            Exit::Brk
        );
        assert_eq!(
            (uxn.rsp, uxn.rst[255], uxn.rst[0]),
            (0x01, 0x03, 0x01),
            "{engine}: JSR2"
        );

        // JSI with the return stack one short of full, and full: the
        // return address wraps (a guard bug once pushed past slot 255).
        for (rsp, hi_slot) in [(0xfe, 0xfe), (0xff, 0xff)] {
            let mut uxn = Setup::new(&[0x60, 0x00, 0x00]).machine();
            uxn.rsp = rsp;
            assert_eq!(
                Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10),
                Exit::Brk
            );
            let lo_slot = (hi_slot + 1) & 0xff;
            assert_eq!(
                (uxn.rsp, uxn.rst[hi_slot], uxn.rst[lo_slot]),
                (rsp.wrapping_add(2), 0x03, 0x03),
                "{engine}: JSI at rsp {rsp:#04x}"
            );
        }

        // LITr on a full return stack.
        let mut uxn = Setup::new(&[0xc0, 0xab]).machine();
        uxn.rsp = 0xff;
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        assert_eq!((uxn.rsp, uxn.rst[255]), (0x00, 0xab), "{engine}: LITr");

        // Keep mode at the edge: ADDk with the operands in slots 255 and 0.
        let mut uxn = Setup::new(&[0x98]).machine();
        uxn.wst[255] = 0x12;
        uxn.wst[0] = 0x34;
        uxn.wsp = 0x01;
        Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), AT, 10);
        assert_eq!(
            (uxn.wsp, uxn.wst[1], uxn.wst[255], uxn.wst[0]),
            (0x02, 0x46, 0x12, 0x34),
            "{engine}: ADDk"
        );
    }
}

#[test]
fn relative_addressing_across_the_edge_of_ram() {
    // JMP at 0xfffe by +0x10: pc after it is 0xffff, so it lands at 0x000f.
    assert_lands(
        &Setup::new(&[0x0c]).at(0xfffe).wst(&[0x10]),
        0x000f,
        &[],
        &[],
    );
    // JMP at 0x0002 by -0x10: from 0x0003 to 0xfff3.
    assert_lands(
        &Setup::new(&[0x0c]).at(0x0002).wst(&[0xf0]),
        0xfff3,
        &[],
        &[],
    );
    // JCN across the edge, both ways; not taken goes on to the next byte.
    assert_lands(
        &Setup::new(&[0x0d]).at(0xfff8).wst(&[0x01, 0x20]),
        0x0019,
        &[],
        &[],
    );
    assert_lands(
        &Setup::new(&[0x0d]).at(0x0004).wst(&[0x01, 0x80]),
        0xff85,
        &[],
        &[],
    );
    assert_lands(
        &Setup::new(&[0x0d, LAND]).at(0xffff).wst(&[0x00, 0x20]),
        0x0000,
        &[],
        &[],
    );
    // JSR at 0xffff: the return address is 0x0000; by +0x7f lands at 0x007f.
    assert_lands(
        &Setup::new(&[0x0e]).at(0xffff).wst(&[0x7f]),
        0x007f,
        &[],
        &[0x00, 0x00],
    );
    // JSRr at 0x0001 by -3: from 0x0002 to 0xffff; the return address goes on wst.
    assert_lands(
        &Setup::new(&[0x4e]).at(0x0001).rst(&[0xfd]),
        0xffff,
        &[0x00, 0x02],
        &[],
    );
    // JMP2 is absolute: no offset arithmetic.
    assert_lands(
        &Setup::new(&[0x2c]).at(0xffff).wst(&[0x00, 0x05]),
        0x0005,
        &[],
        &[],
    );

    // LDR at 0xfff0 by +0x20: from 0xfff1 to 0x0011.
    let setup = Setup::new(&[0x12])
        .at(0xfff0)
        .wst(&[0x20])
        .ram(&[(0x0011, 0xab)]);
    for (engine, uxn, _, _) in setup.run_all() {
        assert_eq!(uxn.working_stack(), &[0xab], "{engine}: LDR across 0xffff");
    }
    // LDR2 at 0xfff0 by +0x0e: reads 0xffff and 0x0000.
    let setup = Setup::new(&[0x32])
        .at(0xfff0)
        .wst(&[0x0e])
        .ram(&[(0xffff, 0xab), (0x0000, 0xcd)]);
    for (engine, uxn, _, _) in setup.run_all() {
        assert_eq!(
            uxn.working_stack(),
            &[0xab, 0xcd],
            "{engine}: LDR2 straddling 0xffff"
        );
    }
    // LDR at 0x0005 by -0x10: from 0x0006 to 0xfff6.
    let setup = Setup::new(&[0x12])
        .at(0x0005)
        .wst(&[0xf0])
        .ram(&[(0xfff6, 0xab)]);
    for (engine, uxn, _, _) in setup.run_all() {
        assert_eq!(
            uxn.working_stack(),
            &[0xab],
            "{engine}: LDR back across 0x0000"
        );
    }
    // STR at 0x0005 by -0x10: writes 0xfff6.
    let setup = Setup::new(&[0x13]).at(0x0005).wst(&[0xab, 0xf0]);
    for (engine, uxn, _, _) in setup.run_all() {
        assert_eq!(uxn.ram[0xfff6], 0xab, "{engine}: STR back across 0x0000");
        assert_eq!(uxn.wsp, 0);
    }
    // STR2 at 0xfff0 by +0x0e: writes 0xffff and 0x0000 (the CPU's memory
    // is 64 KiB: there is nothing past it to spill into).
    let setup = Setup::new(&[0x33]).at(0xfff0).wst(&[0xab, 0xcd, 0x0e]);
    for (engine, uxn, _, _) in setup.run_all() {
        assert_eq!(
            (uxn.ram[0xffff], uxn.ram[0x0000]),
            (0xab, 0xcd),
            "{engine}: STR2 straddling 0xffff"
        );
    }
}

#[test]
fn zero_page_and_absolute_shorts_wrap() {
    // LDZ2 at 0xff reads 0x00ff then 0x0000 (not 0x0100).
    check_ram(
        &[0x30],
        &[0xff],
        &[0xab, 0xcd],
        &[(0x00ff, 0xab), (0x0000, 0xcd), (0x0100, 0xee)],
        &[],
    );
    // STZ2 at 0xff writes 0x00ff and 0x0000.
    check_ram(
        &[0x31],
        &[0xab, 0xcd, 0xff],
        &[],
        &[],
        &[(0x00ff, 0xab), (0x0000, 0xcd), (0x0100, 0x00)],
    );
    // LDA2 at 0xffff reads 0xffff then 0x0000.
    check_ram(
        &[0x34],
        &[0xff, 0xff],
        &[0xab, 0xcd],
        &[(0xffff, 0xab), (0x0000, 0xcd)],
        &[],
    );
    // STA2 at 0xffff writes 0xffff and 0x0000.
    check_ram(
        &[0x35],
        &[0xab, 0xcd, 0xff, 0xff],
        &[],
        &[],
        &[(0xffff, 0xab), (0x0000, 0xcd)],
    );
    // STA2k at 0xffff in return mode keeps its operands.
    let setup = Setup::new(&[0xf5]).rst(&[0xab, 0xcd, 0xff, 0xff]);
    for (engine, uxn, _, _) in setup.run_all() {
        assert_eq!((uxn.ram[0xffff], uxn.ram[0x0000]), (0xab, 0xcd), "{engine}");
        assert_eq!(uxn.return_stack(), &[0xab, 0xcd, 0xff, 0xff], "{engine}");
    }
}

fn check_ram(
    code: &[u8],
    wst: &[u8],
    wst_after: &[u8],
    ram: &[(u16, u8)],
    ram_after: &[(u16, u8)],
) {
    let setup = Setup::new(code).wst(wst).ram(ram);
    for (engine, uxn, _, exit) in setup.run_all() {
        let what = format!("{engine}: {code:02x?} on {wst:02x?}");
        assert_eq!(exit, Exit::Brk, "{what}");
        assert_eq!(uxn.working_stack(), wst_after, "{what}");
        for &(addr, byte) in ram_after {
            assert_eq!(uxn.ram[addr as usize], byte, "RAM[{addr:#06x}], {what}");
        }
    }
}

#[test]
fn division_by_zero_gives_zero() {
    check(&[0x1b], &[0x12, 0x00], &[0x00], &[], &[]);
    check(&[0x3b], &[0x12, 0x34, 0x00, 0x00], &[0x00, 0x00], &[], &[]);
    check(&[0x9b], &[0x12, 0x00], &[0x12, 0x00, 0x00], &[], &[]);
    check(&[0x7b], &[], &[], &[0xff, 0xff, 0x00, 0x00], &[0x00, 0x00]);
    // A divisor whose low byte is zero is not zero: 0x1234 / 0x0100 = 0x12.
    check(&[0x3b], &[0x12, 0x34, 0x01, 0x00], &[0x00, 0x12], &[], &[]);
}

#[test]
fn shifts() {
    // #34 #01 SFT: right by 1 -> 1a; #34 #10 SFT: left by 1 -> 68.
    check(&[0x80, 0x34, 0x80, 0x01, 0x1f], &[], &[0x1a], &[], &[]);
    check(&[0x80, 0x34, 0x80, 0x10, 0x1f], &[], &[0x68], &[], &[]);
    // Right first, then left: (0xff >> 4) << 4 = 0xf0; bits past 8 are lost:
    // 0x0f << 8 = 0x0f00 is 0x00 as a byte.
    check(&[0x1f], &[0xff, 0x44], &[0xf0], &[], &[]);
    check(&[0x1f], &[0x0f, 0x80], &[0x00], &[], &[]);
    // SFT2 takes a short and a byte: #1234 #01 SFT2 -> 091a, #1234 #10 SFT2 -> 2468.
    check(
        &[0xa0, 0x12, 0x34, 0x80, 0x01, 0x3f],
        &[],
        &[0x09, 0x1a],
        &[],
        &[],
    );
    check(
        &[0xa0, 0x12, 0x34, 0x80, 0x10, 0x3f],
        &[],
        &[0x24, 0x68],
        &[],
        &[],
    );
    // Shorts shift past the byte boundary: 0x00ff << 4 = 0x0ff0, >> 15 of 0x8000 = 1.
    check(&[0x3f], &[0x00, 0xff, 0x40], &[0x0f, 0xf0], &[], &[]);
    check(&[0x3f], &[0x80, 0x00, 0x0f], &[0x00, 0x01], &[], &[]);
    check(&[0x3f], &[0x80, 0x01, 0xf0], &[0x80, 0x00], &[], &[]);
    // SFT2kr keeps the short and the shift byte on the return stack.
    check(
        &[0xff],
        &[],
        &[],
        &[0x00, 0x01, 0x12],
        &[0x00, 0x01, 0x12, 0x00, 0x00],
    );
    check(
        &[0xff],
        &[],
        &[],
        &[0x00, 0x03, 0x11],
        &[0x00, 0x03, 0x11, 0x00, 0x02],
    );
}

// ---------------------------------------------------------------------------
// Devices.

/// System-like ports: 0x04/0x05 read and write the stack pointers, as
/// System/wst and System/rst do; everything else is recorded.
#[derive(Default)]
struct SystemLike {
    calls: Vec<Call>,
}

impl Bus for SystemLike {
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        self.calls.push(Call::In(port));
        match port {
            0x04 => uxn.wsp,
            0x05 => uxn.rsp,
            _ => uxn.dev[port as usize],
        }
    }
    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        self.calls.push(Call::Out(port, value));
        match port {
            0x04 => uxn.wsp = value,
            0x05 => uxn.rsp = value,
            _ => {}
        }
    }
}

fn run_system(setup: &Setup) -> Vec<(Engine, Box<Uxn>, Vec<Call>)> {
    Engine::ALL
        .iter()
        .map(|&engine| {
            let (uxn, bus, exit) = setup.run_with(engine, SystemLike::default());
            assert_eq!(exit, Exit::Brk, "{engine}");
            (engine, uxn, bus.calls)
        })
        .collect()
}

#[test]
fn dei_sees_the_port_byte_still_on_the_stack() {
    // #12 #04 DEI -> 12 02 (spec 2.1, 2026: the port byte is counted).
    for (engine, uxn, calls) in run_system(&Setup::new(&[0x80, 0x12, 0x80, 0x04, 0x16])) {
        assert_eq!(uxn.working_stack(), &[0x12, 0x02], "{engine}");
        assert_eq!(calls, [Call::In(0x04)], "{engine}");
    }
    // #12 #04 DEI2: both reads see wsp = 2; port 0x05 gives rsp = 0.
    for (engine, uxn, calls) in run_system(&Setup::new(&[0x80, 0x12, 0x80, 0x04, 0x36])) {
        assert_eq!(uxn.working_stack(), &[0x12, 0x02, 0x00], "{engine}");
        assert_eq!(calls, [Call::In(0x04), Call::In(0x05)], "{engine}");
    }
    // #04 DEIk: the port byte stays, wsp = 1 during the read.
    for (engine, uxn, _) in run_system(&Setup::new(&[0x80, 0x04, 0x96])) {
        assert_eq!(uxn.working_stack(), &[0x04, 0x01], "{engine}");
    }
    // LITr 05 DEIr: the return stack holds the port byte, rsp = 1.
    for (engine, uxn, _) in run_system(&Setup::new(&[0xc0, 0x05, 0x56]).wst(&[0xaa, 0xbb])) {
        assert_eq!(uxn.return_stack(), &[0x01], "{engine}");
        assert_eq!(uxn.working_stack(), &[0xaa, 0xbb], "{engine}");
    }
}

#[test]
fn deo_sees_and_can_set_the_stack_pointers() {
    // #11 #22 #33 #01 #04 DEO #44: DEO pops to wsp = 3, the device sets it
    // to 1, and the CPU carries on from there.
    let code = [
        0x80, 0x11, 0x80, 0x22, 0x80, 0x33, 0x80, 0x01, 0x80, 0x04, 0x17, 0x80, 0x44,
    ];
    for (engine, uxn, calls) in run_system(&Setup::new(&code)) {
        assert_eq!(uxn.working_stack(), &[0x11, 0x44], "{engine}");
        assert_eq!(calls, [Call::Out(0x04, 0x01)], "{engine}");
    }
    // LIT2r 0000 #00 #05 DEO LITr 66: the return stack pointer is reset to 0.
    let code = [0xe0, 0xab, 0xcd, 0x80, 0x00, 0x80, 0x05, 0x17, 0xc0, 0x66];
    for (engine, uxn, _) in run_system(&Setup::new(&code)) {
        assert_eq!(uxn.return_stack(), &[0x66], "{engine}");
    }
}

#[test]
fn dei_and_deo_shorts_are_two_byte_calls_high_first() {
    use Call::{In, Out};
    // #abcd #18 DEO2 then #12 DEI2.
    let setup = Setup::new(&[0xa0, 0xab, 0xcd, 0x80, 0x18, 0x37, 0x80, 0x12, 0x36]);
    for (engine, uxn, calls, exit) in setup.run_all() {
        assert_eq!(exit, Exit::Brk);
        assert_eq!(
            calls,
            [Out(0x18, 0xab), Out(0x19, 0xcd), In(0x12), In(0x13)],
            "{engine}"
        );
        assert_eq!(uxn.working_stack(), &[0xed, 0xec], "{engine}");
        assert_eq!(
            (uxn.dev[0x18], uxn.dev[0x19]),
            (0xab, 0xcd),
            "{engine}: stored in the device page"
        );
    }
    // DEO2kr keeps everything on the return stack; DEIr puts the byte there too.
    let setup = Setup::new(&[0xf7, 0xc0, 0x20, 0x56]).rst(&[0x01, 0x02, 0x30]);
    for (engine, uxn, calls, _) in setup.run_all() {
        assert_eq!(
            calls,
            [Out(0x30, 0x01), Out(0x31, 0x02), In(0x20)],
            "{engine}"
        );
        assert_eq!(uxn.return_stack(), &[0x01, 0x02, 0x30, 0xdf], "{engine}");
    }
    // The default Bus::dei returns the byte stored in the device page.
    for engine in Engine::ALL {
        let mut uxn = Setup::new(&[0x80, 0x42, 0x36]).machine();
        uxn.dev[0x42] = 0x12;
        uxn.dev[0x43] = 0x34;
        assert_eq!(
            Cpu::new(engine).run(&mut uxn, &mut hop::uxn::NoDevices, AT, 10),
            Exit::Brk
        );
        assert_eq!(uxn.working_stack(), &[0x12, 0x34], "{engine}");
    }
}

// ---------------------------------------------------------------------------
// The jump budget.

#[test]
fn budget_stops_on_the_refused_jump() {
    // Each jump opcode with a budget of 0, after a LIT that does run:
    // the run stops on the jump, which has changed nothing.
    let jumps: Vec<(Vec<u8>, &[u8], &[u8])> = vec![
        (vec![0x0c], &[0x10], &[]),             // JMP
        (vec![0x2c], &[0x12, 0x34], &[]),       // JMP2
        (vec![0x4c], &[], &[0x10]),             // JMPr
        (vec![0x8c], &[0x10], &[]),             // JMPk
        (vec![0x0d], &[0x01, 0x10], &[]),       // JCN
        (vec![0x0d], &[0x00, 0x10], &[]),       // JCN, not taken: still a jump
        (vec![0x2d], &[0x01, 0x12, 0x34], &[]), // JCN2
        (vec![0xed], &[], &[0x01, 0x12, 0x34]), // JCN2kr
        (vec![0x0e], &[0x10], &[]),             // JSR
        (vec![0x2e], &[0x12, 0x34], &[]),       // JSR2
        (vec![0x6e], &[], &[0x12, 0x34]),       // JSR2r
        (vec![0xce], &[], &[0x10]),             // JSRkr
        (vec![0x20, 0x00, 0x10], &[0x01], &[]), // JCI
        (vec![0x40, 0x00, 0x10], &[], &[]),     // JMI
        (vec![0x60, 0x00, 0x10], &[], &[]),     // JSI
    ];
    for (jump, wst, rst) in jumps {
        // LITr 77 then the jump at AT+2.
        let code: Vec<u8> = [0xc0, 0x77].iter().chain(&jump).copied().collect();
        let setup = Setup::new(&code).wst(wst).rst(rst).budget(0);
        let rst_after: Vec<u8> = rst.iter().chain(&[0x77]).copied().collect();
        for (engine, uxn, _, exit) in setup.run_all() {
            let what = format!("{engine}: {}", opcode_name(jump[0]));
            assert_eq!(exit, Exit::Budget { pc: AT + 2 }, "{what}");
            assert_eq!(uxn.working_stack(), wst, "{what}");
            assert_eq!(uxn.return_stack(), &rst_after[..], "{what}");
        }
    }
}

#[test]
fn budget_counts_jumps_only() {
    for engine in Engine::ALL {
        // Straight code without jumps runs to BRK on a zero budget.
        let mut code = vec![];
        for _ in 0..100 {
            code.extend_from_slice(&[0x80, 0x01, 0x18]); // #01 ADD
        }
        let setup = Setup::new(&code).wst(&[0x00]).budget(0);
        let (uxn, _, exit) = setup.run_with(engine, Recorder::default());
        assert_eq!(exit, Exit::Brk, "{engine}");
        assert_eq!(uxn.working_stack(), &[100], "{engine}");

        // #03 @loop #01 SUB DUP ?loop: three JCIs (on 2, 1, 0), the last one
        // not taken, so a budget of 3 is exactly enough and 2 stops on the
        // third with 00 00 on the stack.
        // 0300: 80 03 | 0302: 80 01 19 06 20 ff f9 | 0309: BRK
        let code = [0x80, 0x03, 0x80, 0x01, 0x19, 0x06, 0x20, 0xff, 0xf9];
        let (uxn, _, exit) = Setup::new(&code)
            .budget(3)
            .run_with(engine, Recorder::default());
        assert_eq!(
            (exit, uxn.working_stack()),
            (Exit::Brk, vec![0x00]),
            "{engine}"
        );
        let (uxn, _, exit) = Setup::new(&code)
            .budget(2)
            .run_with(engine, Recorder::default());
        assert_eq!(
            (exit, uxn.working_stack()),
            (Exit::Budget { pc: 0x0306 }, vec![0x00, 0x00]),
            "{engine}"
        );
        // Resuming from the refused (last, not taken) jump needs one more.
        let mut uxn = uxn;
        assert_eq!(
            Cpu::new(engine).run(&mut uxn, &mut Recorder::default(), 0x0306, 1),
            Exit::Brk,
            "{engine}"
        );
        assert_eq!(uxn.working_stack(), &[0x00], "{engine}");
    }
}
