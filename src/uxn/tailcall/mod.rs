//! The tail-call engine: every opcode is its own function, and each one ends
//! by jumping straight into the handler of the next opcode with `become`.
//! There is no dispatch loop: the machine state that changes on every
//! instruction (pc and both stack pointers) travels in arguments, so it
//! stays in registers from one handler to the next.
//!
//! What each operation does is written once, in [`ops`], as a body generic
//! over its opcode byte. A handler is a *chain* of one to three bodies
//! ([`one`], [`two`], [`three`]): the plain handler of an opcode runs its
//! body alone, and the fused forms run a literal with the instruction
//! after it (`#10 SFT2`, `;x LDA2`), or an instruction that leaves a flag
//! with the JCI after it (`LTH2 ?&loop`), or both (`#00 EQU ?&done`), in
//! one handler with one stack check and one dispatch. Every fusion is a
//! table entry ([`fused`]).
//!
//! Handlers do not read the opcode they dispatch on: they jump through
//! [`Code`], which holds the handler for each address of RAM, looked up by
//! [`decode`] the first time that address runs. A handler depends on the
//! bytes up to [`LOOKAHEAD`] past its own address; stores forget the
//! handlers that depend on the bytes they write, and RAM tracks what
//! devices, the host and the model engine write ([`super::Ram`]);
//! [`refresh`] forgets those.
//!
//! Each handler checks once that the stack bytes its chain touches are
//! clear of the stack's ends ([`fits`], [`ops::Effect`]); then its bodies
//! index without wrapping. The rare instruction that would wrap, and DEI
//! (which is device-bound anyway), run on the model engine through
//! [`wrapping`]. RAM is `[u8; 0x10000]` indexed by `u16`, so RAM accesses
//! need no bounds checks.
//!
//! Running on past 0xffff into 0x0000 spends [`super::WRAP_COST`] of the
//! jump budget ([`super::model::wraps`]), so code that never jumps cannot
//! loop forever. Rather than checking the pc on every instruction, the
//! addresses from [`EDGE`] on decode to [`wrapping`], which runs them on
//! the model engine. Everything before runs at full speed and reads its
//! operands without a check: everything a handler before the edge reads
//! is in RAM. (The operand reads use [`super::Ram::padded`], so that LLVM
//! sees them in bounds.)

mod ops;

use super::{Bus, Exit, Uxn};
use ops::{Flow, chain_effect, exec};

/// The shape every handler shares. `rust-preserve-none` lets the handlers
/// keep all their arguments in registers across the chain of jumps.
///
/// `at` is the address of the handler's own instruction: jumps dispatch
/// their target as it is, and only straight code adds one.
type Handler = extern "rust-preserve-none" fn(
    vm: &mut Uxn,
    cx: &mut Context<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit;

/// What one run needs beside the machine and the table, behind one thin
/// pointer: the devices (a `&mut dyn Bus` would take two argument
/// registers in every handler), the jump budget, and the pages that hold
/// decoded code.
pub(super) struct Context<'a> {
    bus: &'a mut dyn Bus,
    /// The jump budget left in the running vector. Only jumps touch it.
    jumps_left: i64,
    /// [`State::code_pages`], for the length of the run.
    code_pages: [bool; 256],
}

/// What the handlers dispatch through, in one register: the handler for
/// every address of RAM (the one [`decode`] chose for what is there, or
/// [`decode`] itself when that is not known yet), address `a` in slot
/// `a + SLACK`.
pub(crate) type Code = [Slot; CODE_LEN];

/// One slot of [`Code`]: a struct, as a type cannot name itself.
#[derive(Clone, Copy)]
pub(crate) struct Slot(Handler);

/// A slot not decoded yet.
const UNKNOWN: Slot = Slot(decode);

/// How many bytes past its own address a handler may read: its chain's
/// opcodes and operands. Everything else derives from it: [`EDGE`], the
/// slots a store forgets ([`SLACK`]) and RAM's padding
/// ([`super::ram::PADDING`]). The longest chain is `LIT2 nn OP JCI nnnn`.
pub(crate) const LOOKAHEAD: usize = 6;

/// Slots before address 0 in [`Code`]. A handler can depend on the
/// [`LOOKAHEAD`] bytes after its own, so a store at `a` forgets the slots
/// of `a - LOOKAHEAD` to `a`: with the slack, that needs no wrapping (the
/// addresses at the end of RAM that `a - LOOKAHEAD` would wrap to are past
/// [`EDGE`], where nothing is fused).
const SLACK: usize = LOOKAHEAD;
/// The slack, 64 Ki addresses, and one slot for the second byte of a
/// short stored at 0xffff (which runs on the model, but LLVM cannot know).
const CODE_LEN: usize = SLACK + 0x10000 + 1;

/// The first address whose instruction runs on the model engine (see the
/// module doc): a handler before it has everything it reads in RAM.
const EDGE: usize = 0x10000 - LOOKAHEAD;

const _: () = assert!(EDGE + LOOKAHEAD == 0x10000);
// The bytes a handler depends on span two pages at most.
const _: () = assert!(LOOKAHEAD < 256);
const _: () = assert!(SLACK >= LOOKAHEAD);
const _: () = assert!(super::ram::PADDING >= LOOKAHEAD);
// Nothing fused at 0xffff - LOOKAHEAD and after, which a store at 0 would
// forget (were it not for the slack).
const _: () = assert!(EDGE <= 0x10000 - SLACK);

/// The engine's own state, kept between runs (see [`super::Cpu`]).
pub struct State {
    /// The handler for each address.
    slots: Box<Code>,
    /// For each 256-byte page of RAM, whether a handler in `slots` may
    /// depend on one of its bytes: stores to pages that hold none (data,
    /// most of the time) forget no handlers, and leave the table's cache
    /// lines alone. Set when a handler is decoded, cleared only with the
    /// whole table.
    code_pages: [bool; 256],
    /// The address of the machine the table was decoded for: RAM tracks
    /// the writes to one machine, so on another one the table starts
    /// afresh.
    machine: usize,
}

impl State {
    pub(super) fn new() -> State {
        // The table is made on the heap directly: through the stack, half
        // a megabyte would be written twice (and could overflow a small
        // thread's stack).
        let slots: Box<[Slot]> = vec![UNKNOWN; CODE_LEN].into_boxed_slice();
        State {
            slots: slots.try_into().unwrap_or_else(|_| unreachable!()),
            code_pages: [false; 256],
            machine: 0,
        }
    }
}

/// A handler's state while its bodies run: the machine, and the pc and
/// stack pointers it carries in registers. Bodies get it by reference and
/// are inlined, so it never lives in memory.
pub(super) struct M<'a, 'b> {
    vm: &'a mut Uxn,
    cx: &'a mut Context<'b>,
    t: &'a mut Code,
    /// Past the running instruction's opcode; the body leaves it at the
    /// next instruction.
    pc: u16,
    /// The chain's own address, and how far `pc` is past it until a jump
    /// (which ends the chain): operands are read at `at + off`, which
    /// LLVM sees in bounds of the padded RAM without wrapping it to 16
    /// bits (before [`EDGE`], nothing there wraps).
    at: u16,
    off: usize,
    wp: usize,
    rp: usize,
}

impl M<'_, '_> {
    /// Moves past `bytes` bytes of straight code.
    #[inline(always)]
    fn advance(&mut self, bytes: u8) {
        self.pc = self.pc.wrapping_add(bytes as u16);
        self.off += bytes as usize;
    }

    /// Where the running instruction's operand is, in [`super::Ram::padded`].
    #[inline(always)]
    fn operand(&self) -> usize {
        self.at as usize + self.off
    }
}

/// Jumps to the handler of the instruction at `pc`.
macro_rules! next {
    ($vm:ident, $cx:ident, $t:ident, $pc:expr, $wp:expr, $rp:expr) => {{
        let pc: u16 = $pc;
        let handler = $t[pc as usize + SLACK].0;
        become handler($vm, $cx, pc, $wp, $rp, $t)
    }};
}

/// Whether a chain that reads `below` bytes under the pointer and writes up
/// to `above` bytes over it stays clear of the stack's ends. Almost every
/// chain does; those can use plain indexing, which lets the compiler merge
/// byte pairs into 16-bit loads and stores and drop the 8-bit wrap-around
/// on every access. The rest take the wrapping path. In down-pointer
/// terms: reads reach `d + below`, pushes reach `d - above + 1`.
#[inline(always)]
fn fits(d: usize, below: i32, above: i32) -> bool {
    d >= above as usize && d <= 255 - below as usize
}

/// The down pointer for a stack pointer, and back.
#[inline(always)]
fn down(sp: u8) -> usize {
    255 - sp as usize
}
#[inline(always)]
fn up(d: usize) -> u8 {
    (255 - d) as u8
}

/// Runs the body of `$op` on `$m`, and leaves the handler unless it ends
/// on the fast path.
macro_rules! step {
    ($m:ident, $op:ident) => {
        $m.advance(1);
        match exec::<$op>(&mut $m) {
            Flow::Next => {}
            Flow::Slow => {
                let M {
                    vm,
                    cx,
                    t,
                    pc,
                    wp,
                    rp,
                    ..
                } = $m;
                become wrapping(vm, cx, pc.wrapping_sub(1), wp, rp, t)
            }
            Flow::Budget => {
                $m.vm.wsp = up($m.wp);
                $m.vm.rsp = up($m.rp);
                return Exit::Budget {
                    pc: $m.pc.wrapping_sub(1),
                };
            }
            Flow::Brk => {
                $m.vm.wsp = up($m.wp);
                $m.vm.rsp = up($m.rp);
                return Exit::Brk;
            }
            Flow::Written => {
                let M {
                    vm,
                    cx,
                    t,
                    pc,
                    wp,
                    rp,
                    ..
                } = $m;
                become after_device_write(vm, cx, pc, wp, rp, t)
            }
        }
    };
}

/// Declares a handler that runs a chain of bodies, the opcodes its const
/// parameters, after one check of the stacks for all of them.
macro_rules! chain {
    ($(#[$doc:meta])* $name:ident, $($op:ident),+) => {
        $(#[$doc])*
        // Each handler starts a 64-byte line: where LLVM packed them at 16
        // bytes, the same code ran 10% slower or faster on mandel and tak
        // as unrelated handlers moved (most likely a hot handler split over
        // two lines of the instruction caches; no counters here to tell).
        // Aligned, it no longer moves with them. The binary grows by 73 KB.
        #[rustc_align(64)]
        extern "rust-preserve-none" fn $name<$(const $op: u8),+>(
            vm: &mut Uxn,
            cx: &mut Context<'_>,
            at: u16,
            wp: usize,
            rp: usize,
            t: &mut Code,
        ) -> Exit {
            let e = const {
                assert!(span(&[$($op),+]) <= LOOKAHEAD, "a chain reads past LOOKAHEAD");
                chain_effect(&[$($op),+])
            };
            // Two tests rather than `||`, which LLVM would turn into setcc
            // arithmetic on every run of the handler.
            if (e.wst.below != 0 || e.wst.above != 0) && !fits(wp, e.wst.below, e.wst.above) {
                become wrapping(vm, cx, at, wp, rp, t)
            }
            if (e.rst.below != 0 || e.rst.above != 0) && !fits(rp, e.rst.below, e.rst.above) {
                become wrapping(vm, cx, at, wp, rp, t)
            }
            let mut m = M { vm, cx, t, pc: at, at, off: 0, wp, rp };
            $(step!(m, $op);)+
            let M { vm, cx, t, pc, wp, rp, .. } = m;
            next!(vm, cx, t, pc, wp, rp)
        }
    };
}

chain!(
    /// The plain handler of `A`.
    one, A
);
chain!(
    /// `A` then `B`: a literal and the instruction after it, or an
    /// instruction that leaves a flag and a JCI.
    two, A, B
);
chain!(
    /// A literal, an instruction that leaves a flag, and a JCI.
    three, A, B, C
);

/// Bytes an instruction takes in RAM: its opcode and its operand.
const fn length(op: u8) -> usize {
    match op {
        0x80 | 0xc0 => 2,
        0x20 | 0x40 | 0x60 | 0xa0 | 0xe0 => 3,
        _ => 1,
    }
}

/// The last byte a chain reads, counted from its first opcode.
const fn span(ops: &[u8]) -> usize {
    let mut total = 0;
    let mut i = 0;
    while i < ops.len() {
        total += length(ops[i]);
        i += 1;
    }
    total - 1
}

/// Whether a JCI may fuse after `op`: an instruction that goes on to the
/// next one and touches neither RAM nor devices, so nothing can have
/// changed the JCI by the time it runs (stores, DEO and DEI end chains).
const fn flows_on(op: u8) -> bool {
    match op {
        0x00 | 0x20 | 0x40 | 0x60 => false,
        0x80 | 0xa0 | 0xc0 | 0xe0 => true,
        _ => !matches!(op & 0x1f, 0x0c..=0x0e | 0x11 | 0x13 | 0x15 | 0x16 | 0x17),
    }
}

/// The handler of an address whose opcode has not been looked up since it
/// was last written: it looks it up, remembers it and runs it.
extern "rust-preserve-none" fn decode(
    vm: &mut Uxn,
    cx: &mut Context<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    let handler = if at as usize >= EDGE {
        // Reads RAM as it runs, so it depends on nothing.
        wrapping
    } else {
        // The bytes it depends on, `at` to `at + LOOKAHEAD`: two pages at
        // most.
        cx.code_pages[at as usize >> 8] = true;
        cx.code_pages[(at as usize + LOOKAHEAD) >> 8] = true;
        fused(&vm.ram, at as usize)
    };
    t[at as usize + SLACK] = Slot(handler);
    become handler(vm, cx, at, wp, rp, t)
}

/// The handler for the instruction at `at` (before [`EDGE`]), fused with
/// the ones after it where that pays: a literal with the next instruction
/// (LIT is the most common instruction, and its value is almost always
/// consumed at once; LITr's often is), and a JCI with the instruction
/// before it.
fn fused(ram: &[u8; 0x10000], at: usize) -> Handler {
    let op = ram[at];
    match op {
        0x80 | 0xa0 => {
            let w = length(op) - 1;
            let next = ram[at + 1 + w];
            if flows_on(next) && length(next) == 1 && ram[at + 2 + w] == 0x20 {
                if op == 0x80 {
                    LIT_THEN_JCI[next as usize]
                } else {
                    LIT2_THEN_JCI[next as usize]
                }
            } else if op == 0x80 {
                LIT_THEN[next as usize]
            } else {
                LIT2_THEN[next as usize]
            }
        }
        0xc0 => LITR_THEN[ram[at + 2] as usize],
        0xe0 => LIT2R_THEN[ram[at + 3] as usize],
        _ if flows_on(op) && ram[at + length(op)] == 0x20 => THEN_JCI[op as usize],
        // Two instructions that often come in a row (`OVR2 OVR2`, `ROT
        // ROT`, `STH2kr LDA2`, `POP2 JMP2r`), unless the second one fuses
        // with a JCI.
        _ if FIRST[op as usize] < 32
            && SECOND[ram[at + 1] as usize] < 32
            && ram[at + 2] != 0x20 =>
        {
            PAIRS[FIRST[op as usize] as usize][SECOND[ram[at + 1] as usize] as usize]
        }
        _ => OPS[op as usize],
    }
}

/// Forgets the decoded handlers of the RAM bytes written since the last
/// look (see [`super::Ram`]).
#[inline(never)]
fn refresh(vm: &mut Uxn, code: &mut Code) {
    if let Some((first, last)) = vm.ram.take_written() {
        // The slots of `first - SLACK` to `last`.
        code[first..=last + SLACK].fill(UNKNOWN);
    }
}

/// Builds a 256-entry table of `$f::<op>()` for every opcode.
macro_rules! table {
    ($f:ident) => {
        table!(@rows $f; 0x00 0x10 0x20 0x30 0x40 0x50 0x60 0x70 0x80 0x90 0xa0 0xb0 0xc0 0xd0 0xe0 0xf0)
    };
    (@rows $f:ident; $($r:literal)*) => {
        [$(
            $f::<{ $r | 0x0 }>(), $f::<{ $r | 0x1 }>(), $f::<{ $r | 0x2 }>(), $f::<{ $r | 0x3 }>(),
            $f::<{ $r | 0x4 }>(), $f::<{ $r | 0x5 }>(), $f::<{ $r | 0x6 }>(), $f::<{ $r | 0x7 }>(),
            $f::<{ $r | 0x8 }>(), $f::<{ $r | 0x9 }>(), $f::<{ $r | 0xa }>(), $f::<{ $r | 0xb }>(),
            $f::<{ $r | 0xc }>(), $f::<{ $r | 0xd }>(), $f::<{ $r | 0xe }>(), $f::<{ $r | 0xf }>(),
        )*]
    };
}

// The entries of the tables, chosen at compile time: a table entry that is
// never decoded names a handler that exists anyway, so none is compiled
// for it.
const fn plain<const A: u8>() -> Handler {
    one::<A>
}
const fn lit_then<const B: u8>() -> Handler {
    two::<0x80, B>
}
const fn lit2_then<const B: u8>() -> Handler {
    two::<0xa0, B>
}
const fn litr_then<const B: u8>() -> Handler {
    two::<0xc0, B>
}
const fn lit2r_then<const B: u8>() -> Handler {
    two::<0xe0, B>
}
const fn then_jci<const A: u8>() -> Handler {
    if flows_on(A) {
        two::<A, 0x20>
    } else {
        one::<A>
    }
}
const fn lit_then_jci<const B: u8>() -> Handler {
    if flows_on(B) && length(B) == 1 {
        three::<0x80, B, 0x20>
    } else {
        two::<0x80, B>
    }
}
const fn lit2_then_jci<const B: u8>() -> Handler {
    if flows_on(B) && length(B) == 1 {
        three::<0xa0, B, 0x20>
    } else {
        two::<0xa0, B>
    }
}

/// The plain handlers, by opcode.
const OPS: [Handler; 256] = table!(plain);
/// `LIT n` and `LIT2 nn` with the instruction after the literal, by its opcode.
const LIT_THEN: [Handler; 256] = table!(lit_then);
const LIT2_THEN: [Handler; 256] = table!(lit2_then);
/// `LITr n` and `LIT2r nn` with the instruction after the literal (`LIT2r
/// 0001 ADD2r`, `LITr 00 STHr`).
const LITR_THEN: [Handler; 256] = table!(litr_then);
const LIT2R_THEN: [Handler; 256] = table!(lit2r_then);
/// Instructions that often come first in a pair: stack shuffles, loads,
/// some arithmetic, and taking from and keeping off the return stack. Each flows on
/// (see [`flows_on`]), so the second of the pair is the one after it.
macro_rules! firsts {
    ($m:ident $(, $arg:tt)*) => {
        $m!($($arg)*; 0x04 0x05 0x06 0x07 0x21 0x22 0x23 0x24 0x25 0x26 0x27 0x2f 0x38 0x6f 0xcf 0xef 0x01 0x02 0x03 0x10 0x30 0x14 0x34 0x18 0x39 0x3a 0x1c 0x0f 0x4f 0x3f 0x3e 0x94)
    };
}

/// Instructions that often come second: the same, and a few loads,
/// stores, arithmetic and the return (`POP2 JMP2r`).
macro_rules! seconds {
    ($m:ident $(, $arg:tt)*) => {
        $m!($($arg)*; 0x04 0x05 0x06 0x07 0x21 0x22 0x23 0x24 0x25 0x26 0x27 0x2f 0x38 0x6f 0xcf 0xef 0x6c 0x18 0x39 0x14 0x34 0x10 0x30 0x15 0x35 0x11 0x31 0x3a 0x1c 0x01 0x0f 0x4f)
    };
}

/// For each opcode, its index among [`firsts`] and among [`seconds`], or
/// 32.
const FIRST: [u8; 256] = firsts!(index);
const SECOND: [u8; 256] = seconds!(index);

/// The index of each opcode in a list of them.
macro_rules! index {
    (; $($op:literal)*) => {{
        let mut index = [32u8; 256];
        let mut i = 0;
        $(
            assert!(index[$op] == 32, "listed twice");
            index[$op] = i;
            i += 1;
        )*
        let _ = i;
        index
    }};
}
use index;

const _: () = {
    macro_rules! all_flow_on {
        (; $($op:literal)*) => {
            $(assert!(flows_on($op) && length($op) == 1);)*
        };
    }
    firsts!(all_flow_on);
};

/// A first and a second in a row, by their indices.
const PAIRS: [[Handler; 32]; 32] = {
    macro_rules! row {
        ($a:literal; $($b:literal)*) => {
            [$(two::<$a, $b>),*]
        };
    }
    macro_rules! rows {
        (; $($a:literal)*) => {
            [$(seconds!(row, $a)),*]
        };
    }
    firsts!(rows)
};

/// An instruction (by opcode) and the JCI after it.
const THEN_JCI: [Handler; 256] = table!(then_jci);
/// `LIT n` and `LIT2 nn`, the instruction after the literal (by opcode), and a JCI.
const LIT_THEN_JCI: [Handler; 256] = table!(lit_then_jci);
const LIT2_THEN_JCI: [Handler; 256] = table!(lit2_then_jci);

/// Runs the instruction at `at` on the model engine, whose every stack
/// access wraps, then carries on down the chain: for the instructions at
/// the end of RAM ([`EDGE`] on), and for those a handler cannot finish on
/// its fast path. It spends the budget as the model does: one for a jump
/// (a handler sends a jump here before spending), [`super::WRAP_COST`]
/// for a run past the end of RAM. Handlers reach it with a tail call, so
/// their fast paths save no registers for it (inlined, its call into the
/// model would give them a stack frame).
#[inline(never)]
extern "rust-preserve-none" fn wrapping(
    vm: &mut Uxn,
    cx: &mut Context<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    let op = vm.ram[at as usize];
    let cost = if super::model::is_jump(op) {
        1
    } else if super::model::wraps(at, op) {
        super::WRAP_COST as i64
    } else {
        0
    };
    cx.jumps_left -= cost;
    if cx.jumps_left < 0 {
        return Exit::Budget { pc: at };
    }
    let Some(pc) = super::model::step(vm, cx.bus, at) else {
        return Exit::Brk;
    };
    // The instruction may have written RAM, or asked to stop.
    refresh(vm, t);
    if vm.stop {
        cx.jumps_left = 0;
    }
    next!(vm, cx, t, pc, down(vm.wsp), down(vm.rsp))
}

/// Carries on at `pc` after a device wrote RAM (see [`refresh`]), or asked
/// the vector to stop ([`Uxn::interrupt`]): then its next jump finds no
/// budget left, as the model's does.
#[inline(never)]
extern "rust-preserve-none" fn after_device_write(
    vm: &mut Uxn,
    cx: &mut Context<'_>,
    pc: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    refresh(vm, t);
    if vm.stop {
        cx.jumps_left = 0;
    }
    next!(vm, cx, t, pc, wp, rp)
}

/// Runs from `pc` until BRK or until the jump budget is spent.
pub(super) fn run(
    state: &mut State,
    vm: &mut Uxn,
    bus: &mut dyn Bus,
    pc: u16,
    budget: u64,
) -> Exit {
    let (wp, rp) = (down(vm.wsp), down(vm.rsp));
    vm.stop = false;
    let machine = &raw const *vm as usize;
    if state.machine != machine {
        // Another machine's table (or none yet): start afresh.
        state.machine = machine;
        state.slots.fill(UNKNOWN);
        state.code_pages = [false; 256];
        vm.ram.take_written();
    } else {
        refresh(vm, &mut state.slots);
    }
    let mut cx = Context {
        bus,
        // Handlers count the budget as an i64 (so spending it is a
        // decrement and a sign test); more than i64::MAX jumps is no
        // limit at all.
        jumps_left: budget.min(i64::MAX as u64) as i64,
        code_pages: state.code_pages,
    };
    let t = &mut *state.slots;
    let handler = t[pc as usize + SLACK].0;
    let exit = handler(vm, &mut cx, pc, wp, rp, t);
    state.code_pages = cx.code_pages;
    exit
}
