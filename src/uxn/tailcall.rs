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
//! Stack pointers are `u8` and stacks `[u8; 256]`, RAM is `[u8; 0x10000]`
//! indexed by `u16`: every index is in range by its type, so there are no
//! bounds checks and wrap-around is free.

use super::{Bus, Exit, Uxn};

/// The shape every handler shares. `rust-preserve-none` lets the handlers
/// keep all their arguments in registers across the chain of jumps.
type Handler = extern "rust-preserve-none" fn(
    vm: &mut Uxn,
    bus: &mut dyn Bus,
    table: &'static Table,
    pc: u16,
    wp: u8,
    rp: u8,
    budget: u64,
) -> Exit;

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
        if $budget == 0 {
            $vm.wsp = $wp;
            $vm.rsp = $rp;
            return Exit::Budget { pc: $pc.wrapping_sub(1) };
        }
        $budget -= 1;
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
struct Stacks<'a> {
    st: &'a mut [u8; 256],
    p: &'a mut u8,
    other: &'a mut [u8; 256],
    op: &'a mut u8,
}

#[inline(always)]
fn stacks<'a, const OP: u8>(vm: &'a mut Uxn, wp: &'a mut u8, rp: &'a mut u8) -> Stacks<'a> {
    if ret(OP) {
        Stacks { st: &mut vm.rst, p: rp, other: &mut vm.wst, op: wp }
    } else {
        Stacks { st: &mut vm.wst, p: wp, other: &mut vm.rst, op: rp }
    }
}

/// Reads the operand whose last byte sits `off` bytes below the pointer.
#[inline(always)]
fn get(short: bool, st: &[u8; 256], p: u8, off: u8) -> u16 {
    let lo = st[p.wrapping_sub(off) as usize] as u16;
    if short { (st[p.wrapping_sub(off + 1) as usize] as u16) << 8 | lo } else { lo }
}

/// Pushes an operand, returning the new pointer.
#[inline(always)]
fn put(short: bool, st: &mut [u8; 256], p: u8, v: u16) -> u8 {
    if short {
        st[p as usize] = (v >> 8) as u8;
        st[p.wrapping_add(1) as usize] = v as u8;
        p.wrapping_add(2)
    } else {
        st[p as usize] = v as u8;
        p.wrapping_add(1)
    }
}

/// The pointer after consuming `bytes` bytes: unchanged in keep mode.
#[inline(always)]
fn drop<const OP: u8>(p: u8, bytes: u8) -> u8 {
    if keep(OP) { p } else { p.wrapping_sub(bytes) }
}

#[inline(always)]
fn load(short: bool, ram: &[u8; 0x10000], addr: u16) -> u16 {
    let hi = ram[addr as usize] as u16;
    if short { hi << 8 | ram[addr.wrapping_add(1) as usize] as u16 } else { hi }
}

#[inline(always)]
fn store(short: bool, ram: &mut [u8; 0x10000], addr: u16, v: u16) {
    if short {
        ram[addr as usize] = (v >> 8) as u8;
        ram[addr.wrapping_add(1) as usize] = v as u8;
    } else {
        ram[addr as usize] = v as u8;
    }
}

/// Declares a handler generic over its opcode byte. The body sees the
/// machine and returns the new pc; `next!` then dispatches.
macro_rules! handler {
    ($name:ident, |$vm:ident, $bus:ident, $pc:ident, $wp:ident, $rp:ident, $budget:ident| $body:block) => {
        #[allow(unused_mut)]
        extern "rust-preserve-none" fn $name<const OP: u8>(
            $vm: &mut Uxn,
            $bus: &mut dyn Bus,
            table: &'static Table,
            $pc: u16,
            mut $wp: u8,
            mut $rp: u8,
            mut $budget: u64,
        ) -> Exit {
            let pc: u16 = $body;
            next!($vm, $bus, table, pc, $wp, $rp, $budget)
        }
    };
}

/// A handler that pops `n` operands and pushes what `f` computes from them.
macro_rules! stack_op {
    ($name:ident, $n:literal, |$($arg:ident),*| $($out:expr),*) => {
        handler!($name, |vm, _bus, pc, wp, rp, budget| {
            let s = stacks::<OP>(vm, &mut wp, &mut rp);
            let w = width(OP);
            let mut _off = $n * w - w + 1;
            $(let $arg = get(short(OP), s.st, *s.p, _off); _off = _off.wrapping_sub(w);)*
            #[allow(unused_mut)]
            let mut p = drop::<OP>(*s.p, $n * w);
            $(p = put(short(OP), s.st, p, $out);)*
            *s.p = p;
            pc
        });
    };
}

stack_op!(inc, 1, |a| a.wrapping_add(1));
stack_op!(pop, 1, |_a|);
stack_op!(nip, 2, |_a, b| b);
stack_op!(swp, 2, |a, b| b, a);
stack_op!(rot, 3, |a, b, c| b, c, a);
stack_op!(dup, 1, |a| a, a);
stack_op!(ovr, 2, |a, b| a, b, a);
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
        handler!($name, |vm, _bus, pc, wp, rp, budget| {
            let s = stacks::<OP>(vm, &mut wp, &mut rp);
            let w = width(OP);
            let $a = get(short(OP), s.st, *s.p, w + 1);
            let $b = get(short(OP), s.st, *s.p, 1);
            let p = drop::<OP>(*s.p, 2 * w);
            *s.p = put(false, s.st, p, $flag as u16);
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
    if short(OP) { to } else { pc.wrapping_add(to as u8 as i8 as u16) }
}

handler!(jmp, |vm, _bus, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    target::<OP>(pc, to)
});

handler!(jcn, |vm, _bus, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let w = width(OP);
    let to = get(short(OP), s.st, *s.p, 1);
    let cond = get(false, s.st, *s.p, w + 1);
    *s.p = drop::<OP>(*s.p, w + 1);
    if cond != 0 { target::<OP>(pc, to) } else { pc }
});

handler!(jsr, |vm, _bus, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let to = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.op = put(true, s.other, *s.op, pc);
    target::<OP>(pc, to)
});

handler!(sth, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let a = get(short(OP), s.st, *s.p, 1);
    *s.p = drop::<OP>(*s.p, width(OP));
    *s.op = put(short(OP), s.other, *s.op, a);
    pc
});

handler!(ldz, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let addr = get(false, s.st, *s.p, 1) as u8;
    let hi = vm.ram[addr as usize] as u16;
    let v = if short(OP) { hi << 8 | vm.ram[addr.wrapping_add(1) as usize] as u16 } else { hi };
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, drop::<OP>(*s.p, 1), v);
    pc
});

handler!(stz, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let addr = get(false, s.st, *s.p, 1) as u8;
    let v = get(short(OP), s.st, *s.p, 2);
    *s.p = drop::<OP>(*s.p, 1 + width(OP));
    if short(OP) {
        vm.ram[addr as usize] = (v >> 8) as u8;
        vm.ram[addr.wrapping_add(1) as usize] = v as u8;
    } else {
        vm.ram[addr as usize] = v as u8;
    }
    pc
});

handler!(ldr, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let rel = get(false, s.st, *s.p, 1) as u8 as i8;
    let v = load(short(OP), &vm.ram, pc.wrapping_add(rel as u16));
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, drop::<OP>(*s.p, 1), v);
    pc
});

handler!(str, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let rel = get(false, s.st, *s.p, 1) as u8 as i8;
    let v = get(short(OP), s.st, *s.p, 2);
    *s.p = drop::<OP>(*s.p, 1 + width(OP));
    store(short(OP), &mut vm.ram, pc.wrapping_add(rel as u16), v);
    pc
});

handler!(lda, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let addr = get(true, s.st, *s.p, 1);
    let v = load(short(OP), &vm.ram, addr);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, drop::<OP>(*s.p, 2), v);
    pc
});

handler!(sta, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let addr = get(true, s.st, *s.p, 1);
    let v = get(short(OP), s.st, *s.p, 3);
    *s.p = drop::<OP>(*s.p, 2 + width(OP));
    store(short(OP), &mut vm.ram, addr, v);
    pc
});

handler!(dei, |vm, bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let port = get(false, s.st, *s.p, 1) as u8;
    // The device sees the stacks with the port byte still on them (the
    // 2026 System/wst expectation), and may look at anything in `vm`.
    vm.wsp = wp;
    vm.rsp = rp;
    let v = if short(OP) {
        let hi = bus.dei(vm, port) as u16;
        hi << 8 | bus.dei(vm, port.wrapping_add(1)) as u16
    } else {
        bus.dei(vm, port) as u16
    };
    wp = vm.wsp;
    rp = vm.rsp;
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, drop::<OP>(*s.p, 1), v);
    pc
});

handler!(deo, |vm, bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let port = get(false, s.st, *s.p, 1) as u8;
    let v = get(short(OP), s.st, *s.p, 2);
    *s.p = drop::<OP>(*s.p, 1 + width(OP));
    vm.wsp = wp;
    vm.rsp = rp;
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
    wp = vm.wsp;
    rp = vm.rsp;
    pc
});

handler!(sft, |vm, _bus, pc, wp, rp, budget| {
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    let shift = get(false, s.st, *s.p, 1);
    let a = get(short(OP), s.st, *s.p, 2) as u32;
    let p = drop::<OP>(*s.p, 1 + width(OP));
    *s.p = put(short(OP), s.st, p, (a >> (shift & 0x0f) << (shift >> 4)) as u16);
    pc
});

// LIT, LIT2, LITr, LIT2r: push the operand bytes that follow the opcode.
handler!(lit, |vm, _bus, pc, wp, rp, budget| {
    let v = load(short(OP), &vm.ram, pc);
    let s = stacks::<OP>(vm, &mut wp, &mut rp);
    *s.p = put(short(OP), s.st, *s.p, v);
    pc.wrapping_add(width(OP) as u16)
});

// JCI, JMI, JSI: a 16-bit relative jump whose offset follows the opcode.
handler!(jci, |vm, _bus, pc, wp, rp, budget| {
    spend!(vm, pc, wp, rp, budget);
    let next = pc.wrapping_add(2);
    let taken = match OP {
        0x20 => {
            wp = wp.wrapping_sub(1);
            vm.wst[wp as usize] != 0
        }
        0x60 => {
            rp = put(true, &mut vm.rst, rp, next);
            true
        }
        _ => true,
    };
    if taken { next.wrapping_add(load(true, &vm.ram, pc)) } else { next }
});

extern "rust-preserve-none" fn brk(
    vm: &mut Uxn,
    _bus: &mut dyn Bus,
    _table: &'static Table,
    _pc: u16,
    wp: u8,
    rp: u8,
    _budget: u64,
) -> Exit {
    vm.wsp = wp;
    vm.rsp = rp;
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
pub fn run(vm: &mut Uxn, bus: &mut dyn Bus, pc: u16, budget: u64) -> Exit {
    let op = vm.ram[pc as usize];
    let (wp, rp) = (vm.wsp, vm.rsp);
    (TABLE.0[op as usize])(vm, bus, &TABLE, pc.wrapping_add(1), wp, rp, budget)
}
