//! The tail-call engine: every opcode is its own function, and each one ends
//! by jumping straight into the handler of the next opcode with `become`.
//! There is no dispatch loop: the machine state that changes on every
//! instruction (pc, both stack pointers, the jump budget) travels in
//! arguments, so it stays in registers from one handler to the next.
//!
//! Each base operation is written once, generic over its opcode byte `OP`;
//! the mode bits (`2` = 0x20, `r` = 0x40, `k` = 0x80) are constants inside
//! it, so every one of the 256 instantiations compiles to straight code.
//!
//! Each handler checks once that the stack bytes it touches are clear of
//! the stack's ends ([`fits`]); then it indexes without wrapping. The rare
//! instruction that would wrap, and DEI (which is device-bound anyway), run
//! on the model engine through [`wrapping`]. RAM is `[u8; 0x10000]` indexed
//! by `u16`, so RAM accesses need no bounds checks.

use super::{Bus, Exit, Uxn};

/// The shape every handler shares. `rust-preserve-none` lets the handlers
/// keep all their arguments in registers across the chain of jumps.
type Handler = extern "rust-preserve-none" fn(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    table: &'static Table,
    pc: u16,
    wp: usize,
    rp: usize,
    budget: i64,
) -> Exit;

/// The devices, behind a thin pointer: a `&mut dyn Bus` would take two
/// argument registers in every handler (and push the budget into `rcx`,
/// which variable shifts need).
type Device<'a> = &'a mut dyn Bus;

/// One handler per opcode. Aligned so that an entry never straddles cache lines.
#[repr(align(64))]
pub struct Table([Handler; 256]);

/// Fetches the opcode at `pc` and jumps to its handler.
macro_rules! next {
    ($vm:ident, $bus:ident, $t:ident, $pc:expr, $wp:expr, $rp:expr, $budget:expr) => {{
        let pc: u16 = $pc;
        let op = $vm.ram[pc as usize];
        become $t.0[op as usize]($vm, $bus, $t, pc.wrapping_add(1), $wp, $rp, $budget)
    }};
}

/// Spends one unit of jump budget, or leaves the engine (before the jump
/// has changed anything) when none is left.
macro_rules! spend {
    ($vm:ident, $pc:ident, $wp:ident, $rp:ident, $budget:ident) => {
        // Counting down past zero is one decrement and a sign test.
        $budget -= 1;
        if $budget < 0 {
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
        u16::from_le_bytes([st[at], st[at + 1]])
    } else {
        st[at] as u16
    }
}

/// Pushes an operand (after [`fits`]), returning the new pointer.
#[inline(always)]
fn put(short: bool, st: &mut [u8; 256], d: usize, v: u16) -> usize {
    if short {
        st[d - 1..=d].copy_from_slice(&v.to_le_bytes());
        d - 2
    } else {
        st[d] = v as u8;
        d - 1
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

#[inline(always)]
fn store(short: bool, ram: &mut [u8; 0x10000], addr: u16, v: u16) {
    let at = addr as usize;
    let [hi, lo] = v.to_be_bytes();
    if !short {
        ram[at] = lo;
    } else if at < 0xffff {
        ram[at] = hi;
        ram[at + 1] = lo;
    } else {
        ram[0xffff] = hi;
        ram[0] = lo;
    }
}

/// Declares a handler generic over its opcode byte. The body sees the
/// machine and returns the new pc; `next!` then dispatches.
macro_rules! handler {
    ($name:ident, |$vm:ident, $bus:ident, $t:ident, $pc:ident, $wp:ident, $rp:ident, $budget:ident| $body:block) => {
        #[allow(unused_mut)]
        extern "rust-preserve-none" fn $name<const OP: u8>(
            $vm: &mut Uxn,
            $bus: &mut Device<'_>,
            $t: &'static Table,
            $pc: u16,
            mut $wp: usize,
            mut $rp: usize,
            mut $budget: i64,
        ) -> Exit {
            let pc: u16 = $body;
            next!($vm, $bus, $t, pc, $wp, $rp, $budget)
        }
    };
}

/// Takes the model's wrapping path unless the stack bytes the instruction
/// touches are all clear of the ends (see [`fits`]): `below` read under its
/// own pointer, `above` written over it, `other` pushed on the other stack.
macro_rules! guard {
    ($vm:ident, $bus:ident, $t:ident, $pc:ident, $wp:ident, $rp:ident, $budget:ident; $below:expr, $above:expr, $other:expr) => {
        let (p, q) = if ret(OP) { ($rp, $wp) } else { ($wp, $rp) };
        if !fits(p, $below, $above) || ($other != 0 && !fits(q, 0, $other)) {
            become wrapping($vm, $bus, $t, $pc, $wp, $rp, $budget)
        }
    };
}

/// Runs the instruction just fetched (at `pc - 1`) on the model engine,
/// whose every stack access wraps, then carries on down the chain. Guards
/// reach it with a tail call, so the fast paths save no registers for it
/// (inlined, its call into the model would give them a stack frame).
#[inline(never)]
extern "rust-preserve-none" fn wrapping(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    t: &'static Table,
    pc: u16,
    wp: usize,
    rp: usize,
    budget: i64,
) -> Exit {
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    // BRK has its own handler, so the model always returns a next pc.
    let pc = super::model::step(vm, *bus, pc.wrapping_sub(1)).unwrap_or(pc);
    next!(vm, bus, t, pc, down(vm.wsp), down(vm.rsp), budget)
}

/// A handler that pops `n` operands and pushes what it computes from them.
macro_rules! stack_op {
    ($name:ident, $n:literal, |$($arg:ident),*| $($out:expr),*) => {
        handler!($name, |vm, bus, t, pc, wp, rp, budget| {
            let (w, sh) = (width(OP), short(OP));
            let pushes: u8 = 0 $(+ { let _ = stringify!($out); w })*;
            guard!(vm, bus, t, pc, wp, rp, budget; $n * w, above(OP, $n * w, pushes), 0);
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
        handler!($name, |vm, bus, t, pc, wp, rp, budget| {
            let (w, sh) = (width(OP), short(OP));
            let copies: u8 = 0 $(+ { let _ = stringify!($out); w })*;
            let pushes = if keep(OP) { $n * w + copies } else { copies };
            guard!(vm, bus, t, pc, wp, rp, budget; $n * w, pushes, 0);
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

/// Comparisons: two operands in, always one byte out.
macro_rules! compare_op {
    ($name:ident, |$a:ident, $b:ident| $flag:expr) => {
        handler!($name, |vm, bus, t, pc, wp, rp, budget| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp, budget; 2 * w, above(OP, 2 * w, 1), 0);
            let s = stacks::<OP>(vm, &mut wp, &mut rp);
            let p = *s.p;
            let $a = get(sh, s.st, p, w + 1);
            let $b = get(sh, s.st, p, 1);
            *s.p = put(false, s.st, drop::<OP>(p, 2 * w), $flag as u16);
            pc
        });
    };
}

compare_op!(equ, |a, b| a == b);
compare_op!(neq, |a, b| a != b);
compare_op!(gth, |a, b| a > b);
compare_op!(lth, |a, b| a < b);

/// Where JMP, JCN and JSR go: a byte is a signed offset, a short an address.
#[inline(always)]
fn target<const OP: u8>(pc: u16, to: u16) -> u16 {
    if short(OP) {
        to
    } else {
        pc.wrapping_add(to as u8 as i8 as u16)
    }
}

handler!(jmp, |vm, bus, t, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    guard!(vm, bus, t, pc, wp, rp, budget; width(OP), 0, 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    target::<OP>(pc, to)
});

handler!(jcn, |vm, bus, t, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    let w = width(OP);
    guard!(vm, bus, t, pc, wp, rp, budget; w + 1, 0, 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    let cond = get(false, s.st, *s.p, w + 1);
    *s.p = drop::<OP>(*s.p, w + 1);
    if cond != 0 { target::<OP>(pc, to) } else { pc }
});

handler!(jsr, |vm, bus, t, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    guard!(vm, bus, t, pc, wp, rp, budget; width(OP), 0, 2);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.other_p = put(true, s.other, *s.other_p, pc);
    target::<OP>(pc, to)
});

handler!(sth, |vm, bus, t, pc, wp, rp, budget| {
    guard!(vm, bus, t, pc, wp, rp, budget; width(OP), 0, width(OP));
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let a = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.other_p = put(short(OP), s.other, *s.other_p, a);
    pc
});

/// Memory reads: pop an address of `addr_bytes` bytes, push what `read` finds.
macro_rules! load_op {
    ($name:ident, $addr_bytes:literal, |$ram:ident, $addr:ident, $pc:ident| $read:expr) => {
        handler!($name, |vm, bus, t, pc, wp, rp, budget| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp, budget; $addr_bytes, above(OP, $addr_bytes, w), 0);
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

/// Memory writes: pop an address of `addr_bytes` bytes and a value, store it.
macro_rules! store_op {
    ($name:ident, $addr_bytes:literal, |$ram:ident, $addr:ident, $v:ident, $pc:ident| $write:block) => {
        handler!($name, |vm, bus, t, pc, wp, rp, budget| {
            let (w, sh) = (width(OP), short(OP));
            guard!(vm, bus, t, pc, wp, rp, budget; $addr_bytes + w, 0, 0);
            let s = if ret(OP) { (&mut vm.rst.bytes, &mut rp) } else { (&mut vm.wst.bytes, &mut wp) };
            let p = *s.1;
            let $addr = get($addr_bytes == 2, s.0, p, 1);
            let $v = get(sh, s.0, p, $addr_bytes + 1);
            *s.1 = drop::<OP>(p, $addr_bytes + w);
            let $ram = &mut vm.ram;
            let $pc = pc;
            $write
            pc
        });
    };
}

store_op!(stz, 1, |ram, addr, v, _pc| {
    let addr = addr as u8;
    if short(OP) {
        ram[addr as usize] = (v >> 8) as u8;
        ram[addr.wrapping_add(1) as usize] = v as u8;
    } else {
        ram[addr as usize] = v as u8;
    }
});
store_op!(str, 1, |ram, addr, v, pc| {
    store(short(OP), ram, pc.wrapping_add(addr as u8 as i8 as u16), v);
});
store_op!(sta, 2, |ram, addr, v, _pc| {
    store(short(OP), ram, addr, v);
});

/// DEI runs on the model engine: it is bound by the device call anyway, the
/// device may move the stack pointers (System/wst), and it sees the port
/// byte still on the stack exactly as the model defines.
extern "rust-preserve-none" fn dei<const OP: u8>(
    vm: &mut Uxn,
    bus: &mut Device<'_>,
    t: &'static Table,
    pc: u16,
    wp: usize,
    rp: usize,
    budget: i64,
) -> Exit {
    become wrapping(vm, bus, t, pc, wp, rp, budget)
}

handler!(deo, |vm, bus, t, pc, wp, rp, budget| {
    guard!(vm, bus, t, pc, wp, rp, budget; 1 + width(OP), 0, 0);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let port = get(false, s.st, *s.p, 1) as u8;
    let v = get(short(OP), s.st, *s.p, 2);
    *s.p = drop::<OP>(*s.p, 1 + width(OP));
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    if short(OP) {
        let [hi, lo] = v.to_be_bytes();
        vm.dev[port as usize] = hi;
        bus.deo(vm, port, hi);
        let port = port.wrapping_add(1);
        vm.dev[port as usize] = lo;
        bus.deo(vm, port, lo);
    } else {
        vm.dev[port as usize] = v as u8;
        bus.deo(vm, port, v as u8);
    }
    wp = down(vm.wsp);
    rp = down(vm.rsp);
    pc
});

handler!(sft, |vm, bus, t, pc, wp, rp, budget| {
    let (w, sh) = (width(OP), short(OP));
    guard!(vm, bus, t, pc, wp, rp, budget; 1 + w, above(OP, 1 + w, w), 0);
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
handler!(lit, |vm, bus, t, pc, wp, rp, budget| {
    guard!(vm, bus, t, pc, wp, rp, budget; 0, width(OP), 0);
    if short(OP) && pc == 0xffff {
        become wrapping(vm, bus, t, pc, wp, rp, budget)
    }
    // Not at 0xffff: a short operand is one load.
    let v = load(short(OP), &vm.ram, pc);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, *s.p, v);
    pc.wrapping_add(width(OP) as u16)
});

// JCI, JMI, JSI: a 16-bit relative jump whose offset follows the opcode.
handler!(jci, |vm, bus, t, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    // JCI pops a byte from the working stack; JSI pushes a short on the
    // return stack, which the guard sees as its own (0x60 has the r bit).
    let (pops, pushes) = match OP {
        0x20 => (1, 0),
        0x60 => (0, 2),
        _ => (0, 0),
    };
    guard!(vm, bus, t, pc, wp, rp, budget; pops, pushes, 0);
    if pc == 0xffff {
        become wrapping(vm, bus, t, pc, wp, rp, budget)
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
        next.wrapping_add(load(true, &vm.ram, pc))
    } else {
        next
    }
});

extern "rust-preserve-none" fn brk(
    vm: &mut Uxn,
    _bus: &mut Device<'_>,
    _table: &'static Table,
    _pc: u16,
    wp: usize,
    rp: usize,
    _budget: i64,
) -> Exit {
    vm.wsp = up(wp);
    vm.rsp = up(rp);
    Exit::Brk
}

/// Builds the 256-entry table: row `m` (mode bits) times column `c` (base op).
macro_rules! table {
    ($($m:literal)*) => {
        Table([$(
            special::<$m>(), inc::<{ $m | 0x01 }>, pop::<{ $m | 0x02 }>, nip::<{ $m | 0x03 }>,
            swp::<{ $m | 0x04 }>, rot::<{ $m | 0x05 }>, dup::<{ $m | 0x06 }>, ovr::<{ $m | 0x07 }>,
            equ::<{ $m | 0x08 }>, neq::<{ $m | 0x09 }>, gth::<{ $m | 0x0a }>, lth::<{ $m | 0x0b }>,
            jmp::<{ $m | 0x0c }>, jcn::<{ $m | 0x0d }>, jsr::<{ $m | 0x0e }>, sth::<{ $m | 0x0f }>,
            ldz::<{ $m | 0x10 }>, stz::<{ $m | 0x11 }>, ldr::<{ $m | 0x12 }>, str::<{ $m | 0x13 }>,
            lda::<{ $m | 0x14 }>, sta::<{ $m | 0x15 }>, dei::<{ $m | 0x16 }>, deo::<{ $m | 0x17 }>,
            add::<{ $m | 0x18 }>, sub::<{ $m | 0x19 }>, mul::<{ $m | 0x1a }>, div::<{ $m | 0x1b }>,
            and::<{ $m | 0x1c }>, ora::<{ $m | 0x1d }>, eor::<{ $m | 0x1e }>, sft::<{ $m | 0x1f }>,
        )*])
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

static TABLE: Table = table!(0x00 0x20 0x40 0x60 0x80 0xa0 0xc0 0xe0);

/// Runs from `pc` until BRK or until the jump budget is spent.
pub fn run(vm: &mut Uxn, mut bus: &mut dyn Bus, pc: u16, budget: u64) -> Exit {
    let op = vm.ram[pc as usize];
    let (wp, rp) = (down(vm.wsp), down(vm.rsp));
    // Handlers count the budget as an i64 (so spending it is a decrement
    // and a sign test); more than i64::MAX jumps is no limit at all.
    let budget = budget.min(i64::MAX as u64) as i64;
    (TABLE.0[op as usize])(vm, &mut bus, &TABLE, pc.wrapping_add(1), wp, rp, budget)
}
