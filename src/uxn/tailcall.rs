//! The tail-call engine: every opcode is its own function, and each one ends
//! by jumping straight into the handler of the next opcode with `become`.
//! There is no dispatch loop: the machine state that changes on every
//! instruction (pc and both stack pointers) travels in arguments, so it
//! stays in registers from one handler to the next.
//!
//! Each base operation is written once, generic over its opcode byte `OP`;
//! the mode bits (`2` = 0x20, `r` = 0x40, `k` = 0x80) are constants inside
//! it, so every one of the 256 instantiations compiles to straight code.
//!
//! Handlers do not read the opcode they dispatch on: they jump through
//! [`Code`], which holds the handler for each address of RAM, looked up by
//! [`decode`] the first time that address runs. Stores forget the handlers
//! of the bytes they write, and RAM tracks what devices, the host and the
//! model engine write ([`super::Ram`]); [`refresh`] forgets those.
//!
//! Each handler checks once that the stack bytes it touches are clear of
//! the stack's ends ([`fits`]); then it indexes without wrapping. The rare
//! instruction that would wrap, and DEI (which is device-bound anyway), run
//! on the model engine through [`wrapping`]. RAM is `[u8; 0x10000]` indexed
//! by `u16`, so RAM accesses need no bounds checks.
//!
//! Running on past 0xffff into 0x0000 spends [`super::WRAP_COST`] of the
//! jump budget ([`super::model::wraps`]), so code that never jumps cannot
//! loop forever. Rather than checking the pc on every instruction, the
//! addresses from [`EDGE`] on decode to [`edge`], which runs them on the
//! model engine. Everything before runs at full speed and reads its
//! operand without a check: an instruction there, even one reached
//! through a fused literal or comparison, has its operand in RAM. (The
//! operand reads use [`super::Ram::padded`], so that LLVM sees them in
//! bounds.)

use super::{Bus, Exit, Uxn};

/// The shape every handler shares. `rust-preserve-none` lets the handlers
/// keep all their arguments in registers across the chain of jumps.
///
/// `at` is the address of the handler's own instruction: jumps dispatch
/// their target as it is, and only straight code adds one.
type Handler = extern "rust-preserve-none" fn(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit;

/// The devices, behind a thin pointer: a `&mut dyn Bus` would take two
/// argument registers in every handler.
type Device<'a> = &'a mut dyn Bus;

/// What the handlers dispatch through, in one register: the handler for
/// every address of RAM (the one [`decode`] chose for what is there, or
/// [`decode`] itself when that is not known yet), address `a` in slot
/// `a + SLACK`. A struct, as a type cannot name itself.
pub(crate) struct Code([Handler; CODE_LEN]);

impl std::ops::Deref for Code {
    type Target = [Handler; CODE_LEN];
    #[inline(always)]
    fn deref(&self) -> &[Handler; CODE_LEN] {
        &self.0
    }
}

impl std::ops::DerefMut for Code {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [Handler; CODE_LEN] {
        &mut self.0
    }
}

/// Slots before address 0 in [`Code`]. A handler can depend on the three
/// bytes after its own (see [`decode`]), so a store at `a` forgets the
/// slots of `a - 3` to `a`: with the slack, that needs no wrapping (the
/// addresses 0xfffd..=0xffff that `a - 3` would wrap to are past [`EDGE`],
/// where nothing is fused).
const SLACK: usize = 3;
/// The slack, 64 Ki addresses, and one slot for the second byte of a
/// short stored at 0xffff (which runs on the model, but LLVM cannot know).
const CODE_LEN: usize = SLACK + 0x10000 + 1;

/// The first address whose instruction runs on the model engine (see the
/// module doc): a literal before it has its operand and the instruction
/// it fuses with in RAM, and so do that instruction's operand and a JCI
/// fused after a comparison.
const EDGE: usize = 0xfffa;

/// A machine's decoded handlers, kept between runs.
pub(crate) struct Decoded(Box<Code>);

impl Decoded {
    fn new() -> Decoded {
        Decoded(Box::new(Code([decode; CODE_LEN])))
    }
}

/// Jumps to the handler of the instruction at `pc`.
macro_rules! next {
    ($vm:ident, $bus:ident, $t:ident, $pc:expr, $wp:expr, $rp:expr) => {{
        let pc: u16 = $pc;
        let handler = $t[pc as usize + SLACK];
        become handler($vm, $bus, pc, $wp, $rp, $t)
    }};
}

/// The handler of an address whose opcode has not been looked up since it
/// was last written: it looks it up, remembers it and runs it.
///
/// Some instructions fuse with the next one here, once, rather than on
/// every run: LIT and LIT2 with the instruction after the literal (see
/// [`after_lit`]), and a comparison with a JCI right after it. Those
/// handlers depend on the bytes up to three past their own address, which
/// is why stores forget the three slots before theirs.
extern "rust-preserve-none" fn decode(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    let handler = if at as usize >= EDGE {
        edge
    } else {
        fused(&vm.ram, at as usize)
    };
    t[at as usize + SLACK] = handler;
    become handler(vm, bus, at, wp, rp, t)
}

/// The handler for the instruction at `at` (before [`EDGE`]), fused with
/// the one after it where that pays (see [`decode`]).
fn fused(ram: &[u8; 0x10000], at: usize) -> Handler {
    let op = ram[at];
    match op {
        0x80 => AFTER_LIT_OPS[ram[at + 2] as usize],
        0xa0 => AFTER_LIT2_OPS[ram[at + 3] as usize],
        // Comparisons that leave their flag on the working stack, then JCI.
        0x08..=0x0b | 0x28..=0x2b | 0x88..=0x8b | 0xa8..=0xab if ram[at + 1] == 0x20 => {
            THEN_JCI[(op >> 5 & 1 | op >> 6 & 2) as usize][(op & 3) as usize]
        }
        _ => OPS[op as usize],
    }
}

/// Forgets the decoded handlers of the RAM bytes written since the last
/// look (see [`super::Ram`]).
#[inline(never)]
fn refresh(vm: &mut Uxn, code: &mut Code) {
    if let Some((first, last)) = vm.ram.take_written() {
        // The slots of `first - 3` to `last` (see [`SLACK`]).
        code[first..=last + SLACK].fill(decode);
    }
}

/// Spends one unit of jump budget, or leaves the engine (before the jump
/// has changed anything) when none is left.
macro_rules! spend {
    ($vm:ident, $pc:ident, $wp:ident, $rp:ident) => {
        // Counting down past zero is one decrement and a sign test.
        $vm.jumps_left -= 1;
        if $vm.jumps_left < 0 {
            $vm.wsp = up($wp);
            $vm.rsp = up($rp);
            return Exit::Budget {
                pc: $pc.wrapping_sub(1),
            };
        }
    };
}

// Mode bits of an opcode, as constants of the handler's `OP`.
const fn short(op: u8) -> bool {
    op & 0x20 != 0
}
const fn ret(op: u8) -> bool {
    op & 0x40 != 0
}
const fn keep(op: u8) -> bool {
    op & 0x80 != 0
}
/// Bytes in one operand.
const fn width(op: u8) -> u8 {
    if short(op) { 2 } else { 1 }
}

/// The stack an instruction works on, with its pointer, and the other one.
///
/// Stacks are stored back to front (see [`super::Stack`]), so handlers
/// carry *down pointers*: `d = 255 - sp`, the byte index of the next free
/// slot. The top byte is at `d + 1`, a short on top is the little-endian
/// word at `d + 1`, and a push writes at `d` and below. They travel as
/// `usize` holding 0..=255: a `u8` argument would be zero-extended again
/// before every tail call.
struct Stacks<'a> {
    st: &'a mut [u8; 256],
    p: &'a mut usize,
    other: &'a mut [u8; 256],
    other_p: &'a mut usize,
}

#[inline(always)]
fn stacks<'a, const OP: u8>(vm: &'a mut Uxn, wp: &'a mut usize, rp: &'a mut usize) -> Stacks<'a> {
    if ret(OP) {
        Stacks {
            st: &mut vm.rst.bytes,
            p: rp,
            other: &mut vm.wst.bytes,
            other_p: wp,
        }
    } else {
        Stacks {
            st: &mut vm.wst.bytes,
            p: wp,
            other: &mut vm.rst.bytes,
            other_p: rp,
        }
    }
}

/// Whether an instruction that reads `below` bytes under the pointer and
/// then writes up to `above` bytes over it stays clear of the stack's ends.
/// Almost every instruction does; those can use plain indexing, which lets
/// the compiler merge byte pairs into 16-bit loads and stores and drop the
/// 8-bit wrap-around on every access. The rest take the wrapping path.
/// In down-pointer terms: reads reach `d + below`, pushes reach `d - above + 1`,
/// and the new pointer stays at or above 0.
#[inline(always)]
fn fits(d: usize, below: u8, above: u8) -> bool {
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

/// Reads the operand whose last byte sits `off` bytes below the pointer.
/// Handlers call it only once [`fits`] has held, so nothing wraps here; a
/// short is one little-endian load.
#[inline(always)]
fn get(short: bool, st: &[u8; 256], d: usize, off: u8) -> u16 {
    let at = d + off as usize;
    if short {
        // One 16-bit read from the start: built from two byte reads, LLVM
        // sometimes folds the bytes into an address before it can merge them.
        let pair: [u8; 2] = st[at..at + 2].try_into().unwrap_or([0, 0]);
        u16::from_le_bytes(pair)
    } else {
        st[at] as u16
    }
}

/// Pushes an operand (after [`fits`]), returning the new pointer.
#[inline(always)]
fn put(short: bool, st: &mut [u8; 256], d: usize, v: u16) -> usize {
    write(short, st, d, v);
    if short { d - 2 } else { d - 1 }
}

/// Writes an operand where a push at `d` would put it, leaving the
/// pointer alone: for results that replace operands in place, and for the
/// bytes a fused literal leaves behind the pointer.
#[inline(always)]
fn write(short: bool, st: &mut [u8; 256], d: usize, v: u16) {
    if short {
        // Two byte stores, which LLVM merges into one 16-bit store (a slice
        // here leaves range checks it cannot always remove).
        st[d] = (v >> 8) as u8;
        st[d - 1] = v as u8;
    } else {
        st[d] = v as u8;
    }
}

/// Bytes written above the pointer by an instruction that pops `pops` bytes
/// and pushes `pushes`: in keep mode the pops leave the pointer in place.
const fn above(op: u8, pops: u8, pushes: u8) -> u8 {
    if keep(op) {
        pushes
    } else {
        pushes.saturating_sub(pops)
    }
}

/// The pointer after consuming `bytes` bytes: unchanged in keep mode.
/// After [`fits`], so it never wraps.
#[inline(always)]
fn drop<const OP: u8>(d: usize, bytes: u8) -> usize {
    if keep(OP) { d } else { d + bytes as usize }
}

#[inline(always)]
fn load(short: bool, ram: &[u8; 0x10000], addr: u16) -> u16 {
    let at = addr as usize;
    if !short {
        ram[at] as u16
    } else if at < 0xffff {
        u16::from_be_bytes([ram[at], ram[at + 1]])
    } else {
        u16::from_be_bytes([ram[0xffff], ram[0]])
    }
}

/// Stores a byte or a short at `addr`, forgetting the decoded handlers of
/// the bytes written and of the instructions fused with them. A short
/// must not cross the end of RAM (nor, for
/// STZ, of the zero page): see [`splits`].
#[inline(always)]
fn store(short: bool, vm: &mut Uxn, code: &mut Code, addr: u16, v: u16) {
    let ram = vm.ram.padded_mut();
    let at = addr as usize;
    // The slots of `at - 3` to `at` (see [`SLACK`]), and `at + 1` for a short.
    code[at..at + SLACK + 1].fill(decode);
    if short {
        // One 16-bit store; the padding keeps it in bounds for LLVM.
        ram[at..at + 2].copy_from_slice(&v.to_be_bytes());
        code[at + SLACK + 1] = decode;
    } else {
        ram[at] = v as u8;
    }
}

/// Whether a store of a short at `addr` would have its second byte wrap
/// to 0, past the end of RAM or (`zero_page`) of the zero page. Such
/// stores run on the model engine: rare, and writing the two bytes apart
/// would keep the machine's register out of r12 in the whole handler (x86
/// cannot address a high-byte register next to it).
#[inline(always)]
fn splits(short: bool, addr: u16, zero_page: bool) -> bool {
    short && addr == if zero_page { 0xff } else { 0xffff }
}

/// Reads an instruction's operand at `at` (just past its opcode): a byte,
/// or a big-endian short in one load. Only for handlers that never run
/// where the operand would cross the end of RAM (see the module doc); the
/// padding keeps the read in bounds for LLVM, even at `at` = 0x10000.
#[inline(always)]
fn operand(short: bool, vm: &Uxn, at: usize) -> u16 {
    let code = vm.ram.padded();
    if short {
        u16::from_be_bytes([code[at], code[at + 1]])
    } else {
        code[at] as u16
    }
}

/// Declares a handler generic over its opcode byte. The body sees the
/// machine and returns the new pc; `next!` then dispatches.
macro_rules! handler {
    ($name:ident, |$vm:ident, $bus:ident, $t:ident, $pc:ident, $wp:ident, $rp:ident| $body:block) => {
        #[allow(unused_mut)]
        extern "rust-preserve-none" fn $name<const OP: u8>(
            $vm: &mut Uxn,
            $bus: &mut Device<'_>,
            at: u16,
            mut $wp: usize,
            mut $rp: usize,
            $t: &mut Code,
        ) -> Exit {
            // Past the opcode, where the body reads operands from.
            let $pc = at.wrapping_add(1);
            let pc: u16 = $body;
            next!($vm, $bus, $t, pc, $wp, $rp)
        }
    };
}

/// Takes the model's wrapping path unless the stack bytes the instruction
/// touches are all clear of the ends (see [`fits`]): `below` read under its
/// own pointer, `above` written over it, `other` pushed on the other stack.
macro_rules! guard {
    ($vm:ident, $bus:ident, $t:ident, $pc:ident, $wp:ident, $rp:ident; $below:expr, $above:expr, $other:expr) => {
        let (p, q) = if ret(OP) { ($rp, $wp) } else { ($wp, $rp) };
        // Two tests rather than `||`, which LLVM would turn into setcc
        // arithmetic on every run of the handler.
        if !fits(p, $below, $above) {
            become wrapping($vm, $bus, $pc.wrapping_sub(1), $wp, $rp, $t)
        }
        if $other != 0 && !fits(q, 0, $other) {
            become wrapping($vm, $bus, $pc.wrapping_sub(1), $wp, $rp, $t)
        }
    };
}

/// Runs the instruction at `at` on the model engine,
/// whose every stack access wraps, then carries on down the chain. Guards
/// reach it with a tail call, so the fast paths save no registers for it
/// (inlined, its call into the model would give them a stack frame).
#[inline(never)]
extern "rust-preserve-none" fn wrapping(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    // A run past the end of RAM spends the budget.
    if super::model::wraps(at, vm.ram[at as usize]) {
        vm.jumps_left -= super::WRAP_COST as i64;
        if vm.jumps_left < 0 {
            return Exit::Budget { pc: at };
        }
    }
    // BRK has its own handler, so the model always returns a next pc.
    let pc = super::model::step(vm, *bus, at).unwrap_or(at);
    // The instruction may have written RAM.
    refresh(vm, t);
    next!(vm, bus, t, pc, down(vm.wsp), down(vm.rsp))
}

/// A handler that pops `n` operands and pushes what it computes from them.
macro_rules! stack_op {
    ($name:ident, $n:literal, |$($arg:ident),*| $($out:expr),*) => {
        handler!($name, |vm, bus, t, pc, wp, rp| {
            let (w, sh) = (width(OP), short(OP));
            let pushes: u8 = 0 $(+ { let _ = stringify!($out); w })*;
            guard!(vm, bus, t, pc, wp, rp; $n * w, above(OP, $n * w, pushes), 0);
            let s = stacks::<OP>(vm, &mut wp, &mut rp);
            let p = *s.p;
            let mut _off = $n * w - w + 1;
            $(let $arg = get(sh, s.st, p, _off); _off = _off.wrapping_sub(w);)*
            #[allow(unused_mut)]
            let mut q = drop::<OP>(p, $n * w);
            $(q = put(sh, s.st, q, $out);)*
            *s.p = q;
            pc
        });
    };
}

stack_op!(inc, 1, |a| a.wrapping_add(1));
stack_op!(pop, 1, |_a|);
stack_op!(nip, 2, |_a, b| b);
stack_op!(swp, 2, |a, b| b, a);
stack_op!(rot, 3, |a, b, c| b, c, a);
/// DUP and OVR: read `n` operands and push copies. Without keep mode the
/// operands stay where they are, so only the copies are written.
macro_rules! grow_op {
    ($name:ident, $n:literal, |$($arg:ident),*| $($out:expr),*) => {
        handler!($name, |vm, bus, t, pc, wp, rp| {
            let (w, sh) = (width(OP), short(OP));
            let copies: u8 = 0 $(+ { let _ = stringify!($out); w })*;
            let pushes = if keep(OP) { $n * w + copies } else { copies };
            guard!(vm, bus, t, pc, wp, rp; $n * w, pushes, 0);
            let s = stacks::<OP>(vm, &mut wp, &mut rp);
            let mut q = *s.p;
            let mut _off = $n * w - w + 1;
            $(let $arg = get(sh, s.st, q, _off); _off = _off.wrapping_sub(w);)*
            if keep(OP) {
                $(q = put(sh, s.st, q, $arg);)*
            }
            $(q = put(sh, s.st, q, $out);)*
            *s.p = q;
            pc
        });
    };
}

grow_op!(dup, 1, |a| a);
grow_op!(ovr, 2, |a, _b| a);
stack_op!(add, 2, |a, b| a.wrapping_add(b));
stack_op!(sub, 2, |a, b| a.wrapping_sub(b));
stack_op!(mul, 2, |a, b| a.wrapping_mul(b));
stack_op!(div, 2, |a, b| a.checked_div(b).unwrap_or(0));
stack_op!(and, 2, |a, b| a & b);
stack_op!(ora, 2, |a, b| a | b);
stack_op!(eor, 2, |a, b| a ^ b);

/// Comparisons: two operands in, always one byte out. `$jci` is the same
/// comparison followed by JCI, which [`decode`] chooses when one follows.
macro_rules! compare_op {
    ($name:ident, $jci:ident, |$a:ident, $b:ident| $flag:expr) => {
        handler!($name, |vm, bus, t, pc, wp, rp| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp; 2 * w, above(OP, 2 * w, 1), 0);
            let s = stacks::<OP>(vm, &mut wp, &mut rp);
            let p = *s.p;
            let $a = get(sh, s.st, p, w + 1);
            let $b = get(sh, s.st, p, 1);
            *s.p = put(false, s.st, drop::<OP>(p, 2 * w), $flag as u16);
            pc
        });
        handler!($jci, |vm, bus, t, pc, wp, rp| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp; 2 * w, above(OP, 2 * w, 1), 0);
            let p = wp;
            let $a = get(sh, &vm.wst.bytes, p, w + 1);
            let $b = get(sh, &vm.wst.bytes, p, 1);
            let flag = $flag as u8;
            wp = put(false, &mut vm.wst.bytes, drop::<OP>(p, 2 * w), flag as u16);
            then_jci!(vm, bus, t, pc, wp, rp, flag);
            pc
        });
    };
}

/// Runs the JCI (at `pc`) after an instruction that has just pushed a flag
/// byte on the working stack, without a dispatch of its own and without
/// reading the flag back. With no budget left it falls through, and the
/// plain JCI reports the jump.
macro_rules! then_jci {
    ($vm:ident, $bus:ident, $t:ident, $pc:ident, $wp:ident, $rp:ident, $flag:expr) => {
        $vm.jumps_left -= 1;
        if $vm.jumps_left >= 0 {
            // Pop the flag JCI consumes (the byte stays behind, as it would).
            $wp += 1;
            let next = $pc.wrapping_add(3);
            let pc = if $flag != 0 {
                // Before EDGE, so its operand is in RAM.
                next.wrapping_add(operand(true, $vm, $pc as usize + 1))
            } else {
                next
            };
            next!($vm, $bus, $t, pc, $wp, $rp)
        }
        // The budget was zero (handlers never start below it), so it is
        // zero again: storing a constant lets the decrement above stay one
        // instruction on memory.
        $vm.jumps_left = 0;
    };
}

/// [`then_jci`] when the next instruction is JCI, as it nearly always is
/// after a comparison; for comparisons fused with their literal, which
/// [`decode`] does not look past.
macro_rules! jci_after_flag {
    ($vm:ident, $bus:ident, $t:ident, $pc:ident, $wp:ident, $rp:ident, $flag:expr) => {
        if $vm.ram[$pc as usize] == 0x20 {
            then_jci!($vm, $bus, $t, $pc, $wp, $rp, $flag);
        }
    };
}

compare_op!(equ, equ_jci, |a, b| a == b);
compare_op!(neq, neq_jci, |a, b| a != b);
compare_op!(gth, gth_jci, |a, b| a > b);
compare_op!(lth, lth_jci, |a, b| a < b);

/// The comparisons followed by JCI, by mode (`2` in bit 0, `k` in bit 1)
/// and base operation.
#[rustfmt::skip]
const THEN_JCI: [[Handler; 4]; 4] = [
    [equ_jci::<0x08>, neq_jci::<0x09>, gth_jci::<0x0a>, lth_jci::<0x0b>],
    [equ_jci::<0x28>, neq_jci::<0x29>, gth_jci::<0x2a>, lth_jci::<0x2b>],
    [equ_jci::<0x88>, neq_jci::<0x89>, gth_jci::<0x8a>, lth_jci::<0x8b>],
    [equ_jci::<0xa8>, neq_jci::<0xa9>, gth_jci::<0xaa>, lth_jci::<0xab>],
];

/// Where JMP, JCN and JSR go: a byte is a signed offset, a short an address.
#[inline(always)]
fn target<const OP: u8>(pc: u16, to: u16) -> u16 {
    if short(OP) {
        to
    } else {
        pc.wrapping_add(to as u8 as i8 as u16)
    }
}

handler!(jmp, |vm, bus, t, pc, wp, rp| {
    spend!(vm, pc, wp, rp);
    guard!(vm, bus, t, pc, wp, rp; width(OP), 0, 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    target::<OP>(pc, to)
});

handler!(jcn, |vm, bus, t, pc, wp, rp| {
    spend!(vm, pc, wp, rp);
    let w = width(OP);
    guard!(vm, bus, t, pc, wp, rp; w + 1, 0, 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    let cond = get(false, s.st, *s.p, w + 1);
    *s.p = drop::<OP>(*s.p, w + 1);
    if cond != 0 { target::<OP>(pc, to) } else { pc }
});

handler!(jsr, |vm, bus, t, pc, wp, rp| {
    spend!(vm, pc, wp, rp);
    guard!(vm, bus, t, pc, wp, rp; width(OP), 0, 2);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.other_p = put(true, s.other, *s.other_p, pc);
    target::<OP>(pc, to)
});

handler!(sth, |vm, bus, t, pc, wp, rp| {
    guard!(vm, bus, t, pc, wp, rp; width(OP), 0, width(OP));
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let a = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.other_p = put(short(OP), s.other, *s.other_p, a);
    pc
});

/// Memory reads: pop an address of `addr_bytes` bytes, push what `read` finds.
macro_rules! load_op {
    ($name:ident, $addr_bytes:literal, |$ram:ident, $addr:ident, $pc:ident| $read:expr) => {
        handler!($name, |vm, bus, t, pc, wp, rp| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp; $addr_bytes, above(OP, $addr_bytes, w), 0);
            let $ram = &vm.ram;
            let $pc = pc;
            let s = if ret(OP) {
                (&mut vm.rst.bytes, &mut rp)
            } else {
                (&mut vm.wst.bytes, &mut wp)
            };
            let p = *s.1;
            let $addr = get($addr_bytes == 2, s.0, p, 1);
            *s.1 = put(sh, s.0, drop::<OP>(p, $addr_bytes), $read);
            pc
        });
    };
}

load_op!(ldz, 1, |ram, addr, _pc| {
    // The second byte of a zero-page short wraps inside page 0.
    let hi = ram[addr as u8 as usize] as u16;
    if short(OP) {
        hi << 8 | ram[(addr as u8).wrapping_add(1) as usize] as u16
    } else {
        hi
    }
});
load_op!(ldr, 1, |ram, addr, pc| load(
    short(OP),
    ram,
    pc.wrapping_add(addr as u8 as i8 as u16)
));
load_op!(lda, 2, |ram, addr, _pc| load(short(OP), ram, addr));

/// Memory writes: pop an address of `addr_bytes` bytes and a value, and
/// store it at `at` (computed from `addr` and `pc`), in the zero page for
/// `zero_page`.
macro_rules! store_op {
    ($name:ident, $addr_bytes:literal, |$addr:ident, $pc:ident| $at:expr, $zero_page:expr) => {
        handler!($name, |vm, bus, t, pc, wp, rp| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp; $addr_bytes + w, 0, 0);
            let s = if ret(OP) { (&mut vm.rst.bytes, &mut rp) } else { (&mut vm.wst.bytes, &mut wp) };
            let p = *s.1;
            let $addr = get($addr_bytes == 2, s.0, p, 1);
            let $pc = pc;
            let at: u16 = $at;
            if splits(sh, at, $zero_page) {
                become wrapping(vm, bus, pc.wrapping_sub(1), wp, rp, t)
            }
            let v = get(sh, s.0, p, $addr_bytes + 1);
            *s.1 = drop::<OP>(p, $addr_bytes + w);
            store(sh, vm, t, at, v);
            pc
        });
    };
}

// A short's second byte wraps inside the zero page.
store_op!(stz, 1, |addr, _pc| addr as u8 as u16, true);
store_op!(
    str,
    1,
    |addr, pc| pc.wrapping_add(addr as u8 as i8 as u16),
    false
);
store_op!(sta, 2, |addr, _pc| addr, false);

/// DEI runs on the model engine: it is bound by the device call anyway, the
/// device may move the stack pointers (System/wst), and it sees the port
/// byte still on the stack exactly as the model defines.
extern "rust-preserve-none" fn dei<const OP: u8>(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    become wrapping(vm, bus, at, wp, rp, t)
}

handler!(deo, |vm, bus, t, pc, wp, rp| {
    guard!(vm, bus, t, pc, wp, rp; 1 + width(OP), 0, 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let port = get(false, s.st, *s.p, 1) as u8;
    let v = get(short(OP), s.st, *s.p, 2);
    *s.p = drop::<OP>(*s.p, 1 + width(OP));
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    if short(OP) {
        bus.deo2(vm, port, v);
    } else {
        vm.dev[port as usize] = v as u8;
        bus.deo(vm, port, v as u8);
    }
    wp = down(vm.wsp);
    rp = down(vm.rsp);
    // The device may have written RAM (a file read, an expansion copy).
    if vm.ram.was_written() {
        become after_device_write(vm, bus, pc, wp, rp, t)
    }
    pc
});

/// Carries on at `pc` after a device wrote RAM (see [`refresh`]).
#[inline(never)]
extern "rust-preserve-none" fn after_device_write(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    pc: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    refresh(vm, t);
    next!(vm, bus, t, pc, wp, rp)
}

handler!(sft, |vm, bus, t, pc, wp, rp| {
    let (w, sh) = (width(OP), short(OP));
    guard!(vm, bus, t, pc, wp, rp; 1 + w, above(OP, 1 + w, w), 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let p = *s.p;
    let shift = get(false, s.st, p, 1);
    let a = get(sh, s.st, p, 2) as u32;
    *s.p = put(
        sh,
        s.st,
        drop::<OP>(p, 1 + w),
        (a >> (shift & 0x0f) << (shift >> 4)) as u16,
    );
    pc
});

// LIT, LIT2, LITr, LIT2r: push the operand bytes that follow the opcode.
// (LIT and LIT2 run here only when [`decode`] could not fuse them, which
// it always does.)
handler!(lit, |vm, bus, t, pc, wp, rp| {
    guard!(vm, bus, t, pc, wp, rp; 0, width(OP), 0);
    // The operand never crosses the end of RAM here (see the module doc).
    let v = operand(short(OP), vm, pc as usize);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, *s.p, v);
    pc.wrapping_add(width(OP) as u16)
});

/// Pushes the literal `lit` (a short when `short`) onto the working stack,
/// wrapping, and hands over to the plain handler of `OP`, the instruction
/// that followed the literal: what runs after a literal when no fused form
/// applies.
macro_rules! push_then_plain {
    ($vm:ident, $bus:ident, $pc:ident, $wp:ident, $rp:ident, $t:ident, $lit:ident, $short:expr) => {{
        if $short {
            if !fits($wp, 0, 2) {
                // A short that wraps round the stack: LIT2 itself runs
                // again on the model, which pushes it byte by byte. (Here,
                // the high byte would go through a high-byte register,
                // which would keep the machine out of r12 in the whole
                // handler, as x86 cannot address one next to it.)
                become wrapping($vm, $bus, $pc.wrapping_sub(4), $wp, $rp, $t)
            }
            $wp = put(true, &mut $vm.wst.bytes, $wp, $lit);
        } else {
            // `& 0xff` on a pointer that is always in 0..=255 only spares a bounds check.
            $vm.wst.bytes[$wp & 0xff] = $lit as u8;
            $wp = $wp.wrapping_sub(1) & 0xff;
        }
        // Another literal goes through its decoded handler, which is
        // [`edge`] at the end of RAM: a chain of literals must not fuse its
        // way past [`EDGE`]. Every other instruction here is before it.
        let at = $pc.wrapping_sub(1);
        let plain: Handler = if OP == 0x80 || OP == 0xa0 {
            $t[at as usize + SLACK]
        } else {
            const { OPS[OP as usize] }
        };
        become plain($vm, $bus, at, $wp, $rp, $t)
    }};
}

/// Arithmetic and comparison results, for the fused forms below.
#[inline(always)]
fn binary(base: u8, a: u16, b: u16) -> u16 {
    match base {
        0x08 => (a == b) as u16,
        0x09 => (a != b) as u16,
        0x0a => (a > b) as u16,
        0x0b => (a < b) as u16,
        0x18 => a.wrapping_add(b),
        0x19 => a.wrapping_sub(b),
        0x1a => a.wrapping_mul(b),
        0x1b => a.checked_div(b).unwrap_or(0),
        0x1c => a & b,
        0x1d => a | b,
        _ => a ^ b,
    }
}

/// Spends one jump for a fused jump, or (budget spent) leaves the jump to
/// the plain handler, which reports it with the literal on the stack.
macro_rules! spend_fused {
    ($vm:ident, $bus:ident, $pc:ident, $wp:ident, $rp:ident, $t:ident, $lit:ident, $short:expr) => {
        $vm.jumps_left -= 1;
        if $vm.jumps_left < 0 {
            // It was zero (see `jci_after_flag!`).
            $vm.jumps_left = 0;
            push_then_plain!($vm, $bus, $pc, $wp, $rp, $t, $lit, $short)
        }
    };
}

/// `LIT n` followed by `OP`, as [`decode`] fuses them: LIT is the most
/// common instruction, and its literal is almost always consumed at once by
/// the next instruction (`#10 SFT2`, `.x LDZ2`, `#01 ADD`). So the literal
/// is not pushed: it goes straight to `OP`. (`at` is where LIT is.)
///
/// The literal's stack byte is still written where `OP` leaves it behind
/// the pointer (the `st[wp] = b` below): System/wst can move the pointer
/// back over it, so it must hold what the plain instructions leave there.
extern "rust-preserve-none" fn after_lit<const OP: u8>(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    mut wp: usize,
    mut rp: usize,
    t: &mut Code,
) -> Exit {
    // Before EDGE, so the literal is in RAM.
    let lit = operand(false, vm, at as usize + 1);
    let mut pc = at.wrapping_add(3);
    let st = &mut vm.wst.bytes;
    let b = lit as u8;
    match OP {
        // Byte arithmetic and comparisons: the result replaces the top byte.
        0x08..=0x0b if wp < 255 => {
            st[wp] = b;
            let flag = binary(OP, st[wp + 1] as u16, lit) as u8;
            st[wp + 1] = flag;
            jci_after_flag!(vm, bus, t, pc, wp, rp, flag);
        }
        0x18..=0x1e if wp < 255 => {
            st[wp] = b;
            st[wp + 1] = binary(OP, st[wp + 1] as u16, lit) as u8;
        }
        0x04 if fits(wp, 1, 1) => {
            // SWP: the literal goes under the top byte.
            st[wp] = st[wp + 1];
            st[wp + 1] = b;
            wp -= 1;
        }
        0x1f | 0x3f if wp <= 255 - width(OP) as usize => {
            st[wp] = b;
            let a = get(short(OP), st, wp, 1) as u32;
            write(
                short(OP),
                st,
                wp + width(OP) as usize,
                (a >> (b & 0x0f) << (b >> 4)) as u16,
            );
        }
        0x10 | 0x30 if fits(wp, 0, width(OP)) => {
            let ram = &vm.ram;
            let at = b as usize;
            let v = if !short(OP) {
                ram[at] as u16
            } else if at < 0xff {
                u16::from_be_bytes([ram[at], ram[at + 1]])
            } else {
                // The second byte of a zero-page short wraps inside page 0.
                u16::from_be_bytes([ram[0xff], ram[0]])
            };
            wp = put(short(OP), st, wp, v);
        }
        0x11 | 0x31 if wp <= 255 - width(OP) as usize => {
            // Tested apart: in the match guard, LLVM would combine the two
            // tests with setcc arithmetic.
            if splits(short(OP), b as u16, true) {
                push_then_plain!(vm, bus, pc, wp, rp, t, lit, false)
            }
            st[wp] = b;
            let v = get(short(OP), st, wp, 1);
            wp += width(OP) as usize;
            store(short(OP), vm, t, b as u16, v);
        }
        0x12 | 0x32 if fits(wp, 0, width(OP)) => {
            let v = load(short(OP), &vm.ram, pc.wrapping_add(b as i8 as u16));
            wp = put(short(OP), st, wp, v);
        }
        0x13 | 0x33 if wp <= 255 - width(OP) as usize => {
            if splits(short(OP), pc.wrapping_add(b as i8 as u16), false) {
                push_then_plain!(vm, bus, pc, wp, rp, t, lit, false)
            }
            st[wp] = b;
            let v = get(short(OP), st, wp, 1);
            wp += width(OP) as usize;
            store(short(OP), vm, t, pc.wrapping_add(b as i8 as u16), v);
        }
        0x0c => {
            spend_fused!(vm, bus, pc, wp, rp, t, lit, false);
            vm.wst.bytes[wp & 0xff] = b;
            pc = pc.wrapping_add(b as i8 as u16);
        }
        0x0d if wp < 255 => {
            spend_fused!(vm, bus, pc, wp, rp, t, lit, false);
            vm.wst.bytes[wp] = b;
            wp += 1;
            if vm.wst.bytes[wp] != 0 {
                pc = pc.wrapping_add(b as i8 as u16);
            }
        }
        0x0e if fits(rp, 0, 2) => {
            spend_fused!(vm, bus, pc, wp, rp, t, lit, false);
            vm.wst.bytes[wp & 0xff] = b;
            rp = put(true, &mut vm.rst.bytes, rp, pc);
            pc = pc.wrapping_add(b as i8 as u16);
        }
        _ => push_then_plain!(vm, bus, pc, wp, rp, t, lit, false),
    }
    next!(vm, bus, t, pc, wp, rp)
}

/// `LIT2 nn` followed by `OP`, as [`decode`] fuses them (see
/// [`after_lit`]; `#1234 ADD2`, `;x LDA2`). As there, the literal's bytes
/// are written where `OP` leaves them behind the pointer ([`write`]),
/// which needs `wp >= 1`.
extern "rust-preserve-none" fn after_lit2<const OP: u8>(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    mut wp: usize,
    mut rp: usize,
    t: &mut Code,
) -> Exit {
    // Before EDGE, so the literal is in RAM.
    let lit = operand(true, vm, at as usize + 1);
    let mut pc = at.wrapping_add(4);
    let st = &mut vm.wst.bytes;
    match OP {
        // Short arithmetic: the result replaces the top short.
        0x38..=0x3e if fits(wp, 2, 1) => {
            write(true, st, wp, lit);
            write(
                true,
                st,
                wp + 2,
                binary(OP & 0x1f, get(true, st, wp, 1), lit),
            );
        }
        // Short comparisons: a byte flag replaces the top short.
        0x28..=0x2b if fits(wp, 2, 1) => {
            write(true, st, wp, lit);
            let flag = binary(OP & 0x1f, get(true, st, wp, 1), lit) as u8;
            st[wp + 2] = flag;
            wp += 1;
            jci_after_flag!(vm, bus, t, pc, wp, rp, flag);
        }
        0x14 if fits(wp, 0, 1) => {
            st[wp - 1] = lit as u8;
            wp = put(false, st, wp, load(false, &vm.ram, lit));
        }
        0x34 if fits(wp, 0, 2) => {
            wp = put(true, st, wp, load(true, &vm.ram, lit));
        }
        0x15 | 0x35 if fits(wp, width(OP), 1) => {
            if splits(short(OP), lit, false) {
                push_then_plain!(vm, bus, pc, wp, rp, t, lit, true)
            }
            write(true, st, wp, lit);
            let v = get(short(OP), st, wp, 1);
            wp += width(OP) as usize;
            store(short(OP), vm, t, lit, v);
        }
        0x2c if fits(wp, 0, 1) => {
            spend_fused!(vm, bus, pc, wp, rp, t, lit, true);
            write(true, &mut vm.wst.bytes, wp, lit);
            pc = lit;
        }
        0x2d if fits(wp, 1, 1) => {
            spend_fused!(vm, bus, pc, wp, rp, t, lit, true);
            write(true, &mut vm.wst.bytes, wp, lit);
            wp += 1;
            if vm.wst.bytes[wp] != 0 {
                pc = lit;
            }
        }
        0x2e if fits(wp, 0, 1) && fits(rp, 0, 2) => {
            spend_fused!(vm, bus, pc, wp, rp, t, lit, true);
            write(true, &mut vm.wst.bytes, wp, lit);
            rp = put(true, &mut vm.rst.bytes, rp, pc);
            pc = lit;
        }
        _ => push_then_plain!(vm, bus, pc, wp, rp, t, lit, true),
    }
    next!(vm, bus, t, pc, wp, rp)
}

/// Builds a 256-entry table of `$f::<op>` for every opcode.
macro_rules! literal_table {
    ($f:ident) => {
        literal_table!(@rows $f; 0x00 0x10 0x20 0x30 0x40 0x50 0x60 0x70 0x80 0x90 0xa0 0xb0 0xc0 0xd0 0xe0 0xf0)
    };
    (@rows $f:ident; $($r:literal)*) => {
        [$(
            $f::<{ $r | 0x0 }>, $f::<{ $r | 0x1 }>, $f::<{ $r | 0x2 }>, $f::<{ $r | 0x3 }>,
            $f::<{ $r | 0x4 }>, $f::<{ $r | 0x5 }>, $f::<{ $r | 0x6 }>, $f::<{ $r | 0x7 }>,
            $f::<{ $r | 0x8 }>, $f::<{ $r | 0x9 }>, $f::<{ $r | 0xa }>, $f::<{ $r | 0xb }>,
            $f::<{ $r | 0xc }>, $f::<{ $r | 0xd }>, $f::<{ $r | 0xe }>, $f::<{ $r | 0xf }>,
        )*]
    };
}

// JCI, JMI, JSI: a 16-bit relative jump whose offset follows the opcode.
handler!(jci, |vm, bus, t, pc, wp, rp| {
    spend!(vm, pc, wp, rp);
    // JCI pops a byte from the working stack; JSI pushes a short on the
    // return stack, which the guard sees as its own (0x60 has the r bit).
    let (pops, pushes) = match OP {
        0x20 => (1, 0),
        0x60 => (0, 2),
        _ => (0, 0),
    };
    // JMI touches no stack, so it needs no guard.
    if OP != 0x40 {
        guard!(vm, bus, t, pc, wp, rp; pops, pushes, 0);
    }
    let next = pc.wrapping_add(2);
    let taken = match OP {
        0x20 => {
            wp += 1;
            vm.wst.bytes[wp] != 0
        }
        0x60 => {
            rp = put(true, &mut vm.rst.bytes, rp, next);
            true
        }
        _ => true,
    };
    if taken {
        next.wrapping_add(operand(true, vm, pc as usize))
    } else {
        next
    }
});

extern "rust-preserve-none" fn brk(
    vm: &mut Uxn,
    _bus: &mut Device<'_>,
    _at: u16,
    wp: usize,
    rp: usize,
    _t: &mut Code,
) -> Exit {
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    Exit::Brk
}

/// Builds the 256-entry table: row `m` (mode bits) times column `c` (base op).
macro_rules! table {
    ($($m:literal)*) => {
        [$(
            special::<$m>(), inc::<{ $m | 0x01 }>, pop::<{ $m | 0x02 }>, nip::<{ $m | 0x03 }>,
            swp::<{ $m | 0x04 }>, rot::<{ $m | 0x05 }>, dup::<{ $m | 0x06 }>, ovr::<{ $m | 0x07 }>,
            equ::<{ $m | 0x08 }>, neq::<{ $m | 0x09 }>, gth::<{ $m | 0x0a }>, lth::<{ $m | 0x0b }>,
            jmp::<{ $m | 0x0c }>, jcn::<{ $m | 0x0d }>, jsr::<{ $m | 0x0e }>, sth::<{ $m | 0x0f }>,
            ldz::<{ $m | 0x10 }>, stz::<{ $m | 0x11 }>, ldr::<{ $m | 0x12 }>, str::<{ $m | 0x13 }>,
            lda::<{ $m | 0x14 }>, sta::<{ $m | 0x15 }>, dei::<{ $m | 0x16 }>, deo::<{ $m | 0x17 }>,
            add::<{ $m | 0x18 }>, sub::<{ $m | 0x19 }>, mul::<{ $m | 0x1a }>, div::<{ $m | 0x1b }>,
            and::<{ $m | 0x1c }>, ora::<{ $m | 0x1d }>, eor::<{ $m | 0x1e }>, sft::<{ $m | 0x1f }>,
        )*]
    };
}

/// The x0 column of each row: BRK, JCI, JMI, JSI, LIT, LIT2, LITr, LIT2r.
const fn special<const M: u8>() -> Handler {
    match M {
        0x00 => brk,
        0x20 => jci::<0x20>,
        0x40 => jci::<0x40>,
        0x60 => jci::<0x60>,
        0x80 => lit::<0x80>,
        0xa0 => lit::<0xa0>,
        0xc0 => lit::<0xc0>,
        _ => lit::<0xe0>,
    }
}

/// The plain handlers, by opcode.
const OPS: [Handler; 256] = table!(0x00 0x20 0x40 0x60 0x80 0xa0 0xc0 0xe0);
/// `LIT n` fused with the instruction after it, by its opcode.
const AFTER_LIT_OPS: [Handler; 256] = literal_table!(after_lit);
/// `LIT2 nn` fused with the instruction after it, by its opcode.
const AFTER_LIT2_OPS: [Handler; 256] = literal_table!(after_lit2);

/// The instructions at the end of RAM ([`EDGE`] on) run on the model
/// engine, which wraps and charges a run past the end; a jump spends its
/// budget first, as its own handler would.
extern "rust-preserve-none" fn edge(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    at: u16,
    wp: usize,
    rp: usize,
    t: &mut Code,
) -> Exit {
    let op = vm.ram[at as usize];
    if op == 0x00 {
        become brk(vm, bus, at, wp, rp, t)
    }
    if super::model::is_jump(op) {
        let pc = at.wrapping_add(1);
        spend!(vm, pc, wp, rp);
    }
    become wrapping(vm, bus, at, wp, rp, t)
}

/// Runs from `pc` until BRK or until the jump budget is spent.
pub fn run(vm: &mut Uxn, mut bus: &mut dyn Bus, pc: u16, budget: u64) -> Exit {
    let (wp, rp) = (down(vm.wsp), down(vm.rsp));
    // Handlers count the budget as an i64 (so spending it is a decrement
    // and a sign test); more than i64::MAX jumps is no limit at all.
    vm.jumps_left = budget.min(i64::MAX as u64) as i64;
    vm.interrupted = false;
    let mut decoded = vm.decoded.take().unwrap_or_else(Decoded::new);
    let t = &mut *decoded.0;
    refresh(vm, t);
    let handler = t[pc as usize + SLACK];
    let exit = handler(vm, &mut bus, pc, wp, rp, t);
    vm.decoded = Some(decoded);
    exit
}
