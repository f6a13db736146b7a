//! The model engine: a plain `loop { match }` written to be read, not to be
//! fast. It is the oracle the tail-call engine is tested against, and it
//! counts the Uxn instructions it runs (for x86-per-Uxn figures).

use super::{Bus, Exit, Stack, Uxn, WRAP_COST};

/// One instruction's view of the stacks: which stack it pops from, whether
/// operands are shorts, and (in keep mode) a shadow pointer for the pops.
struct Op<'a> {
    uxn: &'a mut Uxn,
    short: bool,
    ret: bool,
    keep: bool,
    /// Where pops read from in keep mode: they never move the real pointer.
    shadow: u8,
}

impl Op<'_> {
    fn src_ptr(&mut self) -> &mut u8 {
        if self.keep {
            &mut self.shadow
        } else if self.ret {
            &mut self.uxn.rsp
        } else {
            &mut self.uxn.wsp
        }
    }

    /// The stack the instruction pops from.
    fn stack(&self) -> &Stack {
        if self.ret {
            &self.uxn.rst
        } else {
            &self.uxn.wst
        }
    }

    fn pop8(&mut self) -> u8 {
        let ptr = self.src_ptr();
        *ptr = ptr.wrapping_sub(1);
        let at = *ptr as usize;
        self.stack()[at]
    }

    /// The top byte of the instruction's stack, left in place.
    fn peek8(&self) -> u8 {
        let ptr = if self.ret { self.uxn.rsp } else { self.uxn.wsp };
        self.stack()[ptr.wrapping_sub(1) as usize]
    }

    fn pop16(&mut self) -> u16 {
        let lo = self.pop8();
        let hi = self.pop8();
        u16::from_be_bytes([hi, lo])
    }

    /// Pops a byte or a short, by the instruction's mode.
    fn pop(&mut self) -> u16 {
        if self.short {
            self.pop16()
        } else {
            self.pop8() as u16
        }
    }

    /// Pushes a byte onto the working (`ret = false`) or return stack.
    fn push8_to(&mut self, ret: bool, value: u8) {
        let (stack, ptr) = if ret {
            (&mut self.uxn.rst, &mut self.uxn.rsp)
        } else {
            (&mut self.uxn.wst, &mut self.uxn.wsp)
        };
        stack[*ptr as usize] = value;
        *ptr = ptr.wrapping_add(1);
    }

    fn push16_to(&mut self, ret: bool, value: u16) {
        let [hi, lo] = value.to_be_bytes();
        self.push8_to(ret, hi);
        self.push8_to(ret, lo);
    }

    /// Pushes a byte or a short (by mode) onto the instruction's own stack.
    fn push(&mut self, value: u16) {
        if self.short {
            self.push16_to(self.ret, value)
        } else {
            self.push8_to(self.ret, value as u8)
        }
    }

    /// Pushes onto the other stack (JSR's return address, STH).
    fn push_other(&mut self, value: u16) {
        if self.short {
            self.push16_to(!self.ret, value)
        } else {
            self.push8_to(!self.ret, value as u8)
        }
    }

    /// Reads a byte or a short (by mode) at `addr`; a short's second byte
    /// is at `next` (addr + 1, wrapping in RAM or, for LDZ, in page 0).
    fn load(&self, addr: u16, next: u16) -> u16 {
        let hi = self.uxn.ram[addr as usize] as u16;
        if self.short {
            hi << 8 | self.uxn.ram[next as usize] as u16
        } else {
            hi
        }
    }

    /// Writes a byte or a short (by mode), the second byte at `next`.
    fn store(&mut self, addr: u16, next: u16, value: u16) {
        let [hi, lo] = value.to_be_bytes();
        if self.short {
            self.uxn.ram.store(addr, hi);
            self.uxn.ram.store(next, lo);
        } else {
            self.uxn.ram.store(addr, lo);
        }
    }

    /// Where JMP, JCN and JSR go: a byte is a signed offset, a short an address.
    fn target(&self, pc: u16, to: u16) -> u16 {
        if self.short {
            to
        } else {
            pc.wrapping_add(to as u8 as i8 as u16)
        }
    }
}

fn read16(uxn: &Uxn, at: u16) -> u16 {
    u16::from_be_bytes([uxn.ram[at as usize], uxn.ram[at.wrapping_add(1) as usize]])
}

/// True for the opcodes that spend the jump budget.
pub fn is_jump(op: u8) -> bool {
    matches!(op, 0x20 | 0x40 | 0x60) || matches!(op & 0x1f, 0x0c..=0x0e)
}

/// Bytes an instruction takes in RAM: the opcode and its literal operand.
pub fn length(op: u8) -> usize {
    match op {
        0x80 | 0xc0 => 2,
        0x20 | 0x40 | 0x60 | 0xa0 | 0xe0 => 3,
        _ => 1,
    }
}

/// True when the instruction `op` at `at` is not a jump (nor BRK) and runs
/// on past 0xffff into 0x0000. Such a wrap spends [`WRAP_COST`] of the jump
/// budget: otherwise code that never jumps could run through all of RAM
/// and around again forever, out of the budget's reach.
pub fn wraps(at: u16, op: u8) -> bool {
    at as usize + length(op) > 0xffff && op != 0x00 && !is_jump(op)
}

/// Runs until BRK or until the budget runs out; also returns the number of
/// instructions executed.
pub fn run(uxn: &mut Uxn, bus: &mut dyn Bus, pc: u16, budget: u64) -> (Exit, u64) {
    run_steps(uxn, bus, pc, budget, u64::MAX)
}

/// [`run`], but also stopping (as if the budget had run out) after
/// `max_steps` instructions: tests use it to bound how long a random
/// program may run.
pub fn run_steps(
    uxn: &mut Uxn,
    bus: &mut dyn Bus,
    mut pc: u16,
    mut budget: u64,
    max_steps: u64,
) -> (Exit, u64) {
    let mut steps = 0u64;
    uxn.stop = false;
    loop {
        let op = uxn.ram[pc as usize];
        if steps == max_steps {
            return (Exit::Budget { pc }, steps);
        }
        let cost = if is_jump(op) {
            1
        } else if wraps(pc, op) {
            WRAP_COST
        } else {
            0
        };
        if cost > 0 {
            if budget < cost || uxn.stop {
                return (Exit::Budget { pc }, steps);
            }
            budget -= cost;
        }
        steps += 1;
        match step(uxn, bus, pc) {
            Some(next) => pc = next,
            None => return (Exit::Brk, steps),
        }
    }
}

/// Executes the one instruction at `pc` (no budget involved) and returns
/// the address of the next one, or `None` for BRK. The tail-call engine
/// also uses it for the rare instructions whose stack accesses wrap.
pub fn step(uxn: &mut Uxn, bus: &mut dyn Bus, mut pc: u16) -> Option<u16> {
    let op = uxn.ram[pc as usize];
    pc = pc.wrapping_add(1);
    match op {
        0x00 => return None,
        // JCI, JMI, JSI: a 16-bit relative operand follows the opcode.
        0x20 | 0x40 | 0x60 => {
            let rel = read16(uxn, pc);
            let next = pc.wrapping_add(2);
            let taken = match op {
                0x20 => {
                    uxn.wsp = uxn.wsp.wrapping_sub(1);
                    uxn.wst[uxn.wsp as usize] != 0
                }
                0x60 => {
                    let [hi, lo] = next.to_be_bytes();
                    uxn.rst[uxn.rsp as usize] = hi;
                    uxn.rst[uxn.rsp.wrapping_add(1) as usize] = lo;
                    uxn.rsp = uxn.rsp.wrapping_add(2);
                    true
                }
                _ => true,
            };
            pc = if taken { next.wrapping_add(rel) } else { next };
        }
        // LIT, LIT2, LITr, LIT2r: push the bytes that follow.
        0x80 | 0xa0 | 0xc0 | 0xe0 => {
            let mut o = Op {
                uxn,
                short: op & 0x20 != 0,
                ret: op & 0x40 != 0,
                keep: false,
                shadow: 0,
            };
            let value = o.load(pc, pc.wrapping_add(1));
            o.push(value);
            pc = pc.wrapping_add(if o.short { 2 } else { 1 });
        }
        _ => {
            let ret = op & 0x40 != 0;
            let shadow = if ret { uxn.rsp } else { uxn.wsp };
            let mut o = Op {
                uxn,
                short: op & 0x20 != 0,
                ret,
                keep: op & 0x80 != 0,
                shadow,
            };
            match op & 0x1f {
                0x01 => {
                    let a = o.pop();
                    o.push(a.wrapping_add(1));
                }
                0x02 => {
                    o.pop();
                }
                0x03 => {
                    let b = o.pop();
                    o.pop();
                    o.push(b);
                }
                0x04 => {
                    let b = o.pop();
                    let a = o.pop();
                    o.push(b);
                    o.push(a);
                }
                0x05 => {
                    let c = o.pop();
                    let b = o.pop();
                    let a = o.pop();
                    o.push(b);
                    o.push(c);
                    o.push(a);
                }
                0x06 => {
                    let a = o.pop();
                    o.push(a);
                    o.push(a);
                }
                0x07 => {
                    let b = o.pop();
                    let a = o.pop();
                    o.push(a);
                    o.push(b);
                    o.push(a);
                }
                0x08..=0x0b => {
                    let b = o.pop();
                    let a = o.pop();
                    let flag = match op & 0x1f {
                        0x08 => a == b,
                        0x09 => a != b,
                        0x0a => a > b,
                        _ => a < b,
                    };
                    o.push8_to(ret, flag as u8);
                }
                0x0c => {
                    let to = o.pop();
                    pc = o.target(pc, to);
                }
                0x0d => {
                    let to = o.pop();
                    let cond = o.pop8();
                    if cond != 0 {
                        pc = o.target(pc, to);
                    }
                }
                0x0e => {
                    let to = o.pop();
                    o.push16_to(!ret, pc);
                    pc = o.target(pc, to);
                }
                0x0f => {
                    let a = o.pop();
                    o.push_other(a);
                }
                // Zero page: a short's second byte wraps inside page 0.
                0x10 => {
                    let addr = o.pop8();
                    let value = o.load(addr as u16, addr.wrapping_add(1) as u16);
                    o.push(value);
                }
                0x11 => {
                    let addr = o.pop8();
                    let value = o.pop();
                    o.store(addr as u16, addr.wrapping_add(1) as u16, value);
                }
                0x12 => {
                    let rel = o.pop8();
                    let addr = pc.wrapping_add(rel as i8 as u16);
                    let value = o.load(addr, addr.wrapping_add(1));
                    o.push(value);
                }
                0x13 => {
                    let rel = o.pop8();
                    let value = o.pop();
                    let addr = pc.wrapping_add(rel as i8 as u16);
                    o.store(addr, addr.wrapping_add(1), value);
                }
                0x14 => {
                    let addr = o.pop16();
                    let value = o.load(addr, addr.wrapping_add(1));
                    o.push(value);
                }
                0x15 => {
                    let addr = o.pop16();
                    let value = o.pop();
                    o.store(addr, addr.wrapping_add(1), value);
                }
                0x16 => {
                    // The device sees the stack as it was before the port
                    // byte is popped (the 2026 System/wst expectation).
                    let port = o.peek8();
                    let value = if o.short {
                        bus.dei2(o.uxn, port)
                    } else {
                        bus.dei(o.uxn, port) as u16
                    };
                    o.pop8();
                    o.push(value);
                }
                0x17 => {
                    let port = o.pop8();
                    let value = o.pop();
                    if o.short {
                        bus.deo2(o.uxn, port, value);
                    } else {
                        o.uxn.dev[port as usize] = value as u8;
                        bus.deo(o.uxn, port, value as u8);
                    }
                }
                0x1f => {
                    // SFT: the shift amount is always one byte.
                    let shift = o.pop8();
                    let a = o.pop() as u32;
                    o.push((a >> (shift & 0x0f) << (shift >> 4)) as u16);
                }
                base => {
                    let b = o.pop();
                    let a = o.pop();
                    o.push(match base {
                        0x18 => a.wrapping_add(b),
                        0x19 => a.wrapping_sub(b),
                        0x1a => a.wrapping_mul(b),
                        0x1b => a.checked_div(b).unwrap_or(0),
                        0x1c => a & b,
                        0x1d => a | b,
                        _ => a ^ b,
                    });
                }
            }
        }
    }
    Some(pc)
}
