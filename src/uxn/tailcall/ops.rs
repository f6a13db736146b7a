//! What each operation does, written once: one `#[inline(always)]` body per
//! base operation, generic over its opcode byte `OP` (the mode bits `2` =
//! 0x20, `r` = 0x40, `k` = 0x80 are constants in it). [`exec`] picks the
//! body for an opcode; the handlers in [`super`] are chains of one or more
//! bodies, so a plain handler and every fused form run the same code.
//!
//! A body runs after its handler has checked, once for the whole chain,
//! that every stack byte the chain touches is clear of the stack's ends
//! ([`Effect`], [`super::fits`]); so bodies index without wrapping. A body
//! that cannot finish on the fast path (a short store that would wrap
//! round the end of RAM, DEI) says so before changing anything
//! ([`Flow::Slow`]).

use super::{Code, Context, M, UNKNOWN};
use crate::uxn::Uxn;

/// How a body ended.
pub(super) enum Flow {
    /// Done: `m.pc` is the next instruction's address.
    Next,
    /// Nothing changed: the instruction runs on the model engine.
    Slow,
    /// A jump with no budget left: nothing changed.
    Budget,
    /// BRK.
    Brk,
    /// Done, but a device wrote RAM (decoded handlers must be refreshed
    /// before anything else runs) or asked the vector to stop.
    Written,
}

// Mode bits of an opcode, as constants of the body's `OP`.
pub(super) const fn short(op: u8) -> bool {
    op & 0x20 != 0
}
const fn ret(op: u8) -> bool {
    op & 0x40 != 0
}
const fn keep(op: u8) -> bool {
    op & 0x80 != 0
}
/// Bytes in one operand.
pub(super) const fn width(op: u8) -> u8 {
    if short(op) { 2 } else { 1 }
}

/// What an instruction does to one stack, in down-pointer terms (see
/// [`Stacks`]): it reads up to `below` bytes under the pointer, writes up to
/// `above` bytes over it, and moves it by `net` (positive: pops).
#[derive(Clone, Copy)]
pub(super) struct Side {
    pub below: i32,
    pub above: i32,
    pub net: i32,
}

const UNTOUCHED: Side = Side {
    below: 0,
    above: 0,
    net: 0,
};

/// An instruction's (or a chain's) [`Side`] on the working and the return
/// stack. The handler checks it once; the bodies rely on it.
#[derive(Clone, Copy)]
pub(super) struct Effect {
    pub wst: Side,
    pub rst: Side,
}

/// Pops `pops` bytes and pushes `pushes`; in keep mode the pops leave the
/// pointer where it was.
const fn side(op: u8, pops: u8, pushes: u8) -> Side {
    let (pops, pushes) = (pops as i32, pushes as i32);
    if keep(op) {
        Side {
            below: pops,
            above: pushes,
            net: -pushes,
        }
    } else {
        Side {
            below: pops,
            above: if pushes > pops { pushes - pops } else { 0 },
            net: pops - pushes,
        }
    }
}

/// The stack effect of one instruction: bytes popped and pushed on its own
/// stack, and pushed on the other one.
pub(super) const fn effect(op: u8) -> Effect {
    let w = width(op);
    let (own, other) = match op {
        0x00 | 0x40 => (UNTOUCHED, UNTOUCHED),
        // JCI pops its flag; JSI pushes the return address on the return
        // stack, which its r bit makes its own.
        0x20 => (side(0, 1, 0), UNTOUCHED),
        0x60 => (side(0, 0, 2), UNTOUCHED),
        0x80 | 0xa0 | 0xc0 | 0xe0 => (side(0, 0, w), UNTOUCHED),
        _ => {
            let (pops, pushes, other) = match op & 0x1f {
                0x01 => (w, w, 0),
                0x02 => (w, 0, 0),
                0x03 => (2 * w, w, 0),
                0x04 => (2 * w, 2 * w, 0),
                0x05 => (3 * w, 3 * w, 0),
                0x06 => (w, 2 * w, 0),
                0x07 => (2 * w, 3 * w, 0),
                0x08..=0x0b => (2 * w, 1, 0),
                0x0c => (w, 0, 0),
                0x0d => (w + 1, 0, 0),
                0x0e => (w, 0, 2),
                0x0f => (w, 0, w),
                0x10 | 0x12 | 0x16 => (1, w, 0),
                0x11 | 0x13 | 0x17 => (1 + w, 0, 0),
                0x14 => (2, w, 0),
                0x15 => (2 + w, 0, 0),
                0x18..=0x1e => (2 * w, w, 0),
                _ => (1 + w, w, 0),
            };
            (side(op, pops, pushes), side(0, 0, other))
        }
    };
    if ret(op) {
        Effect {
            wst: other,
            rst: own,
        }
    } else {
        Effect {
            wst: own,
            rst: other,
        }
    }
}

const fn max(a: i32, b: i32) -> i32 {
    if a > b { a } else { b }
}

/// `a` then `b` on one stack.
const fn then(a: Side, b: Side) -> Side {
    Side {
        below: max(a.below, a.net + b.below),
        above: max(a.above, b.above - a.net),
        net: a.net + b.net,
    }
}

/// The effect of a chain of instructions, run one after the other.
pub(super) const fn chain_effect(ops: &[u8]) -> Effect {
    let mut e = Effect {
        wst: UNTOUCHED,
        rst: UNTOUCHED,
    };
    let mut i = 0;
    while i < ops.len() {
        let next = effect(ops[i]);
        e = Effect {
            wst: then(e.wst, next.wst),
            rst: then(e.rst, next.rst),
        };
        i += 1;
    }
    e
}

/// Runs the body of `OP`. `m.pc` is the address just past the opcode; the
/// body leaves it at the next instruction's.
#[inline(always)]
pub(super) fn exec<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    match OP {
        0x00 => Flow::Brk,
        0x20 | 0x40 | 0x60 => jci::<OP>(m),
        0x80 | 0xa0 | 0xc0 | 0xe0 => lit::<OP>(m),
        _ => match OP & 0x1f {
            0x01 => inc::<OP>(m),
            0x02 => pop::<OP>(m),
            0x03 => nip::<OP>(m),
            0x04 => swp::<OP>(m),
            0x05 => rot::<OP>(m),
            0x06 => dup::<OP>(m),
            0x07 => ovr::<OP>(m),
            0x08 => equ::<OP>(m),
            0x09 => neq::<OP>(m),
            0x0a => gth::<OP>(m),
            0x0b => lth::<OP>(m),
            0x0c => jmp::<OP>(m),
            0x0d => jcn::<OP>(m),
            0x0e => jsr::<OP>(m),
            0x0f => sth::<OP>(m),
            0x10 => ldz::<OP>(m),
            0x11 => stz::<OP>(m),
            0x12 => ldr::<OP>(m),
            0x13 => str::<OP>(m),
            0x14 => lda::<OP>(m),
            0x15 => sta::<OP>(m),
            // DEI runs on the model engine: it is bound by the device call
            // anyway, the device may move the stack pointers (System/wst),
            // and it sees the port byte still on the stack exactly as the
            // model defines.
            0x16 => Flow::Slow,
            0x17 => deo::<OP>(m),
            0x18 => add::<OP>(m),
            0x19 => sub::<OP>(m),
            0x1a => mul::<OP>(m),
            0x1b => div::<OP>(m),
            0x1c => and::<OP>(m),
            0x1d => ora::<OP>(m),
            0x1e => eor::<OP>(m),
            _ => sft::<OP>(m),
        },
    }
}

/// The stack an instruction works on, with its pointer, and the other one.
///
/// Stacks are stored back to front (see [`crate::uxn::Stack`]), so handlers
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
fn stacks<'a, const OP: u8>(m: &'a mut M<'_, '_>) -> Stacks<'a> {
    let vm = &mut *m.vm;
    if ret(OP) {
        Stacks {
            st: &mut vm.rst.bytes,
            p: &mut m.rp,
            other: &mut vm.wst.bytes,
            other_p: &mut m.wp,
        }
    } else {
        Stacks {
            st: &mut vm.wst.bytes,
            p: &mut m.wp,
            other: &mut vm.rst.bytes,
            other_p: &mut m.rp,
        }
    }
}

/// Reads the operand whose last byte sits `off` bytes below the pointer.
/// Nothing wraps here (see the module doc); a short is one little-endian
/// load.
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

/// Pushes an operand, returning the new pointer.
#[inline(always)]
fn put(short: bool, st: &mut [u8; 256], d: usize, v: u16) -> usize {
    if short {
        // One 16-bit store, little-endian at d - 1. Written as two byte
        // stores, LLVM would sometimes keep them apart (where it sees
        // the bytes of `v` come from two places), and the next 16-bit
        // read of the short could not be forwarded from the store buffer.
        if let Some(at) = st.get_mut(d.wrapping_sub(1)..=d) {
            at.copy_from_slice(&v.to_le_bytes());
        }
        d - 2
    } else {
        st[d] = v as u8;
        d - 1
    }
}

/// Pushes operands, first to last. Bytes go two at a time, as one 16-bit
/// store: written apart, a pair that the next instruction reads as a short
/// (`#00 SWP ADD2`) could not be forwarded to that read from the store
/// buffer, which would wait for both stores to reach the cache.
#[inline(always)]
fn put_all<const N: usize>(short: bool, st: &mut [u8; 256], mut d: usize, vs: [u16; N]) -> usize {
    let mut i = 0;
    while i < N {
        if !short && i + 1 < N {
            // st[d] = vs[i], st[d - 1] = vs[i + 1]: one little-endian short
            // at d - 1, stored whole (two byte stores LLVM would keep apart).
            let pair = u16::from_le_bytes([vs[i + 1] as u8, vs[i] as u8]);
            if let Some(at) = st.get_mut(d.wrapping_sub(1)..=d) {
                at.copy_from_slice(&pair.to_le_bytes());
            }
            d -= 2;
            i += 2;
        } else {
            d = put(short, st, d, vs[i]);
            i += 1;
        }
    }
    d
}

/// The pointer after consuming `bytes` bytes: unchanged in keep mode.
#[inline(always)]
fn drop<const OP: u8>(d: usize, bytes: u8) -> usize {
    if keep(OP) { d } else { d + bytes as usize }
}

/// Reads a byte or a big-endian short at `addr`, the second byte wrapping
/// to 0 past the end of RAM.
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
/// the instructions that depend on the bytes written (see
/// [`super::LOOKAHEAD`]). A short must not cross the end of RAM (nor, for
/// STZ, of the zero page), nor a page: see [`splits`].
#[inline(always)]
fn store(short: bool, vm: &mut Uxn, cx: &Context, code: &mut Code, addr: u16, v: u16) {
    let ram = vm.ram.padded_mut();
    let at = addr as usize;
    // The page of the bytes written (a short never crosses one here).
    if cx.code_pages[at >> 8] {
        // The slots of `at - SLACK` to `at`, and `at + 1` for a short.
        code[at..at + super::SLACK + 1].fill(UNKNOWN);
        if short {
            code[at + super::SLACK + 1] = UNKNOWN;
        }
    }
    if short {
        // One 16-bit store; the padding keeps it in bounds for LLVM.
        ram[at..at + 2].copy_from_slice(&v.to_be_bytes());
    } else {
        ram[at] = v as u8;
    }
}

/// Whether a store of a short at `addr` has its bytes on two pages: at the
/// end of RAM or of the zero page (STZ) its second byte wraps to 0, and
/// elsewhere it would make the check of [`super::State::code_pages`] look at two
/// pages. Such stores run on the model engine: rare (one short in 256 at
/// an odd address), and writing the two bytes apart would keep the
/// machine's register out of r12 in the whole handler (x86 cannot address
/// a high-byte register next to it).
#[inline(always)]
fn splits(short: bool, addr: u16) -> bool {
    short && addr as u8 == 0xff
}

/// Reads an instruction's operand at `at` (just past its opcode): a byte,
/// or a big-endian short in one load. Handlers run only where every
/// operand they read is in RAM ([`super::EDGE`]); the padding keeps the
/// read in bounds for LLVM.
#[inline(always)]
fn operand(short: bool, vm: &Uxn, at: usize) -> u16 {
    let code = vm.ram.padded();
    if short {
        u16::from_be_bytes([code[at], code[at + 1]])
    } else {
        code[at] as u16
    }
}

/// Spends one unit of jump budget, or leaves the body (before the jump has
/// changed anything) when none is left.
macro_rules! spend {
    ($m:ident) => {
        // Counting down past zero is one decrement and a sign test.
        $m.cx.jumps_left -= 1;
        if $m.cx.jumps_left < 0 {
            return Flow::Budget;
        }
    };
}

/// A body that pops `n` operands and pushes what it computes from them.
macro_rules! stack_op {
    ($name:ident, $n:literal, |$($arg:ident),*| $($out:expr),*) => {
        #[inline(always)]
        fn $name<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
            let (w, sh) = (width(OP), short(OP));
            let s = stacks::<OP>(m);
            let p = *s.p;
            let mut _off = $n * w - w + 1;
            $(let $arg = get(sh, s.st, p, _off); _off = _off.wrapping_sub(w);)*
            let q = drop::<OP>(p, $n * w);
            *s.p = put_all(sh, s.st, q, [$($out),*]);
            Flow::Next
        }
    };
}

/// DUP and OVR: read `n` operands and push copies. Without keep mode the
/// operands stay where they are, so only the copies are written.
macro_rules! grow_op {
    ($name:ident, $n:literal, |$($arg:ident),*| $($out:expr),*) => {
        #[inline(always)]
        fn $name<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
            let (w, sh) = (width(OP), short(OP));
            let s = stacks::<OP>(m);
            let q = *s.p;
            let mut _off = $n * w - w + 1;
            $(let $arg = get(sh, s.st, q, _off); _off = _off.wrapping_sub(w);)*
            *s.p = if keep(OP) {
                put_all(sh, s.st, q, [$($arg,)* $($out),*])
            } else {
                put_all(sh, s.st, q, [$($out),*])
            };
            Flow::Next
        }
    };
}

stack_op!(inc, 1, |a| a.wrapping_add(1));
stack_op!(pop, 1, |_a|);
stack_op!(nip, 2, |_a, b| b);
stack_op!(swp, 2, |a, b| b, a);
stack_op!(rot, 3, |a, b, c| b, c, a);
grow_op!(dup, 1, |a| a);
grow_op!(ovr, 2, |a, _b| a);
stack_op!(add, 2, |a, b| a.wrapping_add(b));
stack_op!(sub, 2, |a, b| a.wrapping_sub(b));
stack_op!(mul, 2, |a, b| a.wrapping_mul(b));
stack_op!(div, 2, |a, b| a.checked_div(b).unwrap_or(0));
stack_op!(and, 2, |a, b| a & b);
stack_op!(ora, 2, |a, b| a | b);
stack_op!(eor, 2, |a, b| a ^ b);

/// Comparisons: two operands in, always one byte out.
macro_rules! compare_op {
    ($name:ident, |$a:ident, $b:ident| $flag:expr) => {
        #[inline(always)]
        fn $name<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
            let (w, sh) = (width(OP), short(OP));
            let s = stacks::<OP>(m);
            let p = *s.p;
            let $a = get(sh, s.st, p, w + 1);
            let $b = get(sh, s.st, p, 1);
            *s.p = put(false, s.st, drop::<OP>(p, 2 * w), $flag as u16);
            Flow::Next
        }
    };
}

compare_op!(equ, |a, b| a == b);
compare_op!(neq, |a, b| a != b);
compare_op!(gth, |a, b| a > b);
compare_op!(lth, |a, b| a < b);

/// LIT, LIT2, LITr, LIT2r: push the operand bytes that follow the opcode.
#[inline(always)]
fn lit<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    let v = operand(short(OP), m.vm, m.operand());
    let s = stacks::<OP>(m);
    *s.p = put(short(OP), s.st, *s.p, v);
    m.advance(width(OP));
    Flow::Next
}

/// JCI, JMI, JSI: a 16-bit relative jump whose offset follows the opcode.
#[inline(always)]
fn jci<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    spend!(m);
    let next = m.pc.wrapping_add(2);
    let taken = match OP {
        0x20 => {
            m.wp += 1;
            m.vm.wst.bytes[m.wp] != 0
        }
        0x60 => {
            m.rp = put(true, &mut m.vm.rst.bytes, m.rp, next);
            true
        }
        _ => true,
    };
    m.pc = if taken {
        next.wrapping_add(operand(true, m.vm, m.operand()))
    } else {
        next
    };
    Flow::Next
}

/// Where JMP, JCN and JSR go: a byte is a signed offset, a short an address.
#[inline(always)]
fn target<const OP: u8>(pc: u16, to: u16) -> u16 {
    if short(OP) {
        to
    } else {
        pc.wrapping_add(to as u8 as i8 as u16)
    }
}

#[inline(always)]
fn jmp<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    spend!(m);
    let pc = m.pc;
    let s = stacks::<OP>(m);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    m.pc = target::<OP>(pc, to);
    Flow::Next
}

#[inline(always)]
fn jcn<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    spend!(m);
    let w = width(OP);
    let pc = m.pc;
    let s = stacks::<OP>(m);
    let to = get(short(OP), s.st, *s.p, 1);
    let cond = get(false, s.st, *s.p, w + 1);
    *s.p = drop::<OP>(*s.p, w + 1);
    if cond != 0 {
        m.pc = target::<OP>(pc, to);
    }
    Flow::Next
}

#[inline(always)]
fn jsr<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    spend!(m);
    let pc = m.pc;
    let s = stacks::<OP>(m);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.other_p = put(true, s.other, *s.other_p, pc);
    m.pc = target::<OP>(pc, to);
    Flow::Next
}

#[inline(always)]
fn sth<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    let s = stacks::<OP>(m);
    let a = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.other_p = put(short(OP), s.other, *s.other_p, a);
    Flow::Next
}

/// Memory reads: pop an address of `addr_bytes` bytes, push what `read`
/// finds.
macro_rules! load_op {
    ($name:ident, $addr_bytes:literal, |$ram:ident, $addr:ident, $pc:ident| $read:expr) => {
        #[inline(always)]
        fn $name<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
            let $pc = m.pc;
            let vm = &mut *m.vm;
            let $ram = &vm.ram;
            let (st, p) = if ret(OP) {
                (&mut vm.rst.bytes, &mut m.rp)
            } else {
                (&mut vm.wst.bytes, &mut m.wp)
            };
            let d = *p;
            let $addr = get($addr_bytes == 2, st, d, 1);
            *p = put(short(OP), st, drop::<OP>(d, $addr_bytes), $read);
            Flow::Next
        }
    };
}

load_op!(ldz, 1, |ram, addr, _pc| {
    let at = addr as u8 as usize;
    if !short(OP) {
        ram[at] as u16
    } else if at < 0xff {
        // One 16-bit load, so that the short is pushed with one 16-bit
        // store: pushed as two bytes, the next instruction's 16-bit read
        // of it could not be forwarded from the store buffer, and would
        // wait for both stores to reach the cache.
        u16::from_be_bytes([ram[at], ram[at + 1]])
    } else {
        // The second byte of a zero-page short wraps inside page 0.
        u16::from_be_bytes([ram[0xff], ram[0]])
    }
});
load_op!(ldr, 1, |ram, addr, pc| load(
    short(OP),
    ram,
    pc.wrapping_add(addr as u8 as i8 as u16)
));
load_op!(lda, 2, |ram, addr, _pc| load(short(OP), ram, addr));

/// Memory writes: pop an address of `addr_bytes` bytes and a value, and
/// store it at `at` (computed from `addr` and `pc`).
macro_rules! store_op {
    ($name:ident, $addr_bytes:literal, |$addr:ident, $pc:ident| $at:expr) => {
        #[inline(always)]
        fn $name<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
            let (w, sh) = (width(OP), short(OP));
            let $pc = m.pc;
            let vm = &mut *m.vm;
            let (st, p) = if ret(OP) {
                (&mut vm.rst.bytes, &mut m.rp)
            } else {
                (&mut vm.wst.bytes, &mut m.wp)
            };
            let d = *p;
            let $addr = get($addr_bytes == 2, st, d, 1);
            let at: u16 = $at;
            if splits(sh, at) {
                return Flow::Slow;
            }
            let v = get(sh, st, d, $addr_bytes + 1);
            *p = drop::<OP>(d, $addr_bytes + w);
            store(sh, vm, m.cx, m.t, at, v);
            Flow::Next
        }
    };
}

// (A short at 0xff would have its second byte wrap inside the zero page:
// see [`splits`].)
store_op!(stz, 1, |addr, _pc| addr as u8 as u16);
store_op!(str, 1, |addr, pc| pc.wrapping_add(addr as u8 as i8 as u16));
store_op!(sta, 2, |addr, _pc| addr);

#[inline(always)]
fn deo<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    let s = stacks::<OP>(m);
    let port = get(false, s.st, *s.p, 1) as u8;
    let v = get(short(OP), s.st, *s.p, 2);
    *s.p = drop::<OP>(*s.p, 1 + width(OP));
    let vm = &mut *m.vm;
    vm.wsp = super::up(m.wp);
    vm.rsp = super::up(m.rp);
    if short(OP) {
        // The bus decides how a short reaches the devices (uxn2: once).
        m.cx.bus.deo2(vm, port, v);
    } else {
        vm.dev[port as usize] = v as u8;
        m.cx.bus.deo(vm, port, v as u8);
    }
    // The device may have moved the pointers (System/wst), written RAM
    // (a file read, an expansion copy) or asked the vector to stop.
    m.wp = super::down(vm.wsp);
    m.rp = super::down(vm.rsp);
    if vm.ram.was_written() || vm.stop {
        Flow::Written
    } else {
        Flow::Next
    }
}

#[inline(always)]
fn sft<const OP: u8>(m: &mut M<'_, '_>) -> Flow {
    let (w, sh) = (width(OP), short(OP));
    let s = stacks::<OP>(m);
    let p = *s.p;
    let shift = get(false, s.st, p, 1);
    let a = get(sh, s.st, p, 2) as u32;
    *s.p = put(
        sh,
        s.st,
        drop::<OP>(p, 1 + w),
        (a >> (shift & 0x0f) << (shift >> 4)) as u16,
    );
    Flow::Next
}
