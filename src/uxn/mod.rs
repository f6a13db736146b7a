//! The Uxn CPU: 64 KiB of RAM, two 256-byte stacks, a 256-byte device page
//! and 256 opcodes. It knows nothing of the computer built around it:
//! devices are reached through the [`Bus`] trait.
//!
//! Two engines run the same machine state:
//! - [`Engine::TailCall`], the product: one function per opcode, each ending
//!   in a `become` to the next opcode's handler (see [`tailcall`]).
//! - [`Engine::Model`], a plain `loop { match }` interpreter that is short
//!   enough to check by eye; it is the oracle in differential tests.
//!
//! Semantics follow the current reference (2023-09 onwards): stacks wrap
//! silently, division by zero gives 0, addresses wrap at 16 bits, and nothing
//! ever traps.

#![forbid(unsafe_code)]

pub mod model;
mod ram;
mod stack;
pub mod tailcall;

pub use ram::Ram;
pub use stack::Stack;

use std::fmt;

/// Size of RAM: the whole 16-bit address space.
pub const RAM_SIZE: usize = 0x10000;
/// Where programs are loaded and where the reset vector starts.
pub const RESET_VECTOR: u16 = 0x0100;
/// What running on past 0xffff into 0x0000 costs of the jump budget: 16
/// jumps for each byte of RAM passed. A pass runs up to 65536 instructions,
/// each of which may take the slow path (an empty stack, say) at some 20 ns
/// where a tight jump loop spends about 1 ns a jump; at this price a loop
/// with no jump in it stops within the default budget in seconds, as a
/// jump loop does (2048 passes).
pub const WRAP_COST: u64 = 1 << 20;

/// The devices, seen from the CPU: one byte in, one byte out.
///
/// DEI2/DEO2 go through `dei2`/`deo2`, which by default are two byte
/// calls, high byte (port) first, low byte (port+1) second; a bus may
/// override them (uxn2 calls a device once per short). Before `deo` runs,
/// the CPU has already stored the byte in `uxn.dev[port]`, so most devices
/// only need to react to it.
///
/// Both calls get the whole CPU, so a device can read or write memory and
/// the stacks. The CPU writes its stack pointers back into `uxn` before
/// the call and reloads them after it.
pub trait Bus {
    /// Reads a port. The default returns the byte last stored there.
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        uxn.dev[port as usize]
    }
    /// Reacts to a write that the CPU has already stored in `uxn.dev[port]`.
    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8);
    /// DEI2: by default the two bytes, each read with `dei`.
    fn dei2(&mut self, uxn: &mut Uxn, port: u8) -> u16 {
        let hi = self.dei(uxn, port);
        let lo = self.dei(uxn, port.wrapping_add(1));
        u16::from_be_bytes([hi, lo])
    }
    /// DEO2: by default the two bytes, each stored and then passed to `deo`.
    fn deo2(&mut self, uxn: &mut Uxn, port: u8, value: u16) {
        let [hi, lo] = value.to_be_bytes();
        uxn.dev[port as usize] = hi;
        self.deo(uxn, port, hi);
        let port = port.wrapping_add(1);
        uxn.dev[port as usize] = lo;
        self.deo(uxn, port, lo);
    }
}

/// A bus with no devices: reads give the stored byte, writes only store.
pub struct NoDevices;

impl Bus for NoDevices {
    fn deo(&mut self, _: &mut Uxn, _: u8, _: u8) {}
}

/// Which interpreter runs the code. Both give identical results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// One function per opcode chained with `become` (the fast one).
    #[default]
    TailCall,
    /// A plain `loop { match }` (the reference model).
    Model,
}

impl Engine {
    /// Both engines, the product first.
    pub const ALL: [Engine; 2] = [Engine::TailCall, Engine::Model];

    /// The name `--engine` takes.
    pub fn name(self) -> &'static str {
        match self {
            Engine::TailCall => "tailcall",
            Engine::Model => "model",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A BRK was executed: the vector finished normally.
    Brk,
    /// The jump budget ran out. `pc` is the address of the jump instruction
    /// (or of the instruction that would run on past 0xffff, which spends
    /// [`WRAP_COST`]) that was about to run; running again from there
    /// resumes exactly.
    Budget {
        /// Where to resume.
        pc: u16,
    },
}

/// The whole CPU state. RAM, stacks and device page sit inline in one
/// struct so the tail-call handlers reach all of them from one register.
pub struct Uxn {
    /// Memory: the whole 64 KiB address space.
    pub ram: Ram,
    /// Working stack data (index it by slot, 0 at the bottom).
    pub wst: Stack,
    /// Return stack data.
    pub rst: Stack,
    /// Working stack pointer: the number of items, wrapping at 256.
    pub wsp: u8,
    /// Return stack pointer.
    pub rsp: u8,
    /// The device page: 16 devices of 16 ports.
    pub dev: [u8; 256],
    /// Set by [`Uxn::interrupt`]: a device asks the running vector to stop.
    /// Each engine clears it when a run begins and looks at it where it
    /// spends jump budget (the tail-call engine also right after a device
    /// call, so its jumps need not look).
    pub(crate) stop: bool,
}

impl Uxn {
    /// A zeroed machine, on the heap (it is 66 KiB).
    pub fn new() -> Box<Uxn> {
        Box::new(Uxn {
            ram: Ram::new(),
            wst: Stack::new(),
            rst: Stack::new(),
            wsp: 0,
            rsp: 0,
            dev: [0; 256],
            stop: false,
        })
    }

    /// Ends the running vector before its next jump (or run past 0xffff),
    /// as if its jump budget had run out: the run returns
    /// [`Exit::Budget`]. A device calls it when going on is pointless. It
    /// costs the engines nothing on straight code: the model checks the
    /// flag only when it spends budget, the tail-call engine only after a
    /// device call.
    pub fn interrupt(&mut self) {
        self.stop = true;
    }

    /// Zeroes RAM from `from` on, both stacks and the device page.
    /// `from = 0` is a cold boot; a soft reset keeps the zero page with 0x100.
    pub fn reset(&mut self, from: u16) {
        self.ram[from as usize..].fill(0);
        self.wst = Stack::new();
        self.rst = Stack::new();
        self.wsp = 0;
        self.rsp = 0;
        self.dev = [0; 256];
    }

    /// Copies `program` to [`RESET_VECTOR`] and returns what did not fit
    /// below 0x10000 (a machine with more memory may put it elsewhere).
    pub fn load<'a>(&mut self, program: &'a [u8]) -> &'a [u8] {
        let room = RAM_SIZE - RESET_VECTOR as usize;
        let (fits, rest) = program.split_at(program.len().min(room));
        self.ram[RESET_VECTOR as usize..][..fits.len()].copy_from_slice(fits);
        rest
    }

    /// The working stack's items, bottom first.
    pub fn working_stack(&self) -> Vec<u8> {
        self.wst.bottom(self.wsp)
    }

    /// The return stack's items, bottom first.
    pub fn return_stack(&self) -> Vec<u8> {
        self.rst.bottom(self.rsp)
    }
}

/// What runs a machine: the chosen engine, with what that engine keeps
/// between runs (the tail-call engine's decoded handlers). Keep one `Cpu`
/// beside each machine; the [`Uxn`] holds only the machine's own state.
pub struct Cpu {
    engine: Engine,
    /// Made on the first run with the tail-call engine.
    tailcall: Option<tailcall::State>,
}

impl Cpu {
    /// A CPU that runs with `engine`; the tail-call engine's table is made
    /// on its first run.
    pub fn new(engine: Engine) -> Cpu {
        Cpu {
            engine,
            tailcall: None,
        }
    }

    /// The engine it runs with.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Runs `uxn` from `pc` until BRK, or until `budget` jump instructions
    /// (JMP, JCN, JSR, JCI, JMI, JSI in any mode) have run: the budget is
    /// spent only on jumps, so checking it costs nothing on straight code.
    /// Running on past 0xffff into 0x0000 spends [`WRAP_COST`] (see
    /// [`model::wraps`]), so code that never jumps cannot loop forever.
    pub fn run(&mut self, uxn: &mut Uxn, bus: &mut dyn Bus, pc: u16, budget: u64) -> Exit {
        self.run_counted(uxn, bus, pc, budget).0
    }

    /// [`Cpu::run`], also returning how many instructions ran when the
    /// engine counts them (the model does; the tail-call engine, built for
    /// speed, does not and returns `None`).
    pub fn run_counted(
        &mut self,
        uxn: &mut Uxn,
        bus: &mut dyn Bus,
        pc: u16,
        budget: u64,
    ) -> (Exit, Option<u64>) {
        match self.engine {
            Engine::TailCall => {
                let state = self.tailcall.get_or_insert_with(tailcall::State::new);
                (tailcall::run(state, uxn, bus, pc, budget), None)
            }
            Engine::Model => {
                let (exit, steps) = model::run(uxn, bus, pc, budget);
                (exit, Some(steps))
            }
        }
    }
}

/// The base operation names, indexed by the low five bits of an opcode.
pub const BASE_NAMES: [&str; 32] = [
    "BRK", "INC", "POP", "NIP", "SWP", "ROT", "DUP", "OVR", "EQU", "NEQ", "GTH", "LTH", "JMP",
    "JCN", "JSR", "STH", "LDZ", "STZ", "LDR", "STR", "LDA", "STA", "DEI", "DEO", "ADD", "SUB",
    "MUL", "DIV", "AND", "ORA", "EOR", "SFT",
];

/// The assembler name of an opcode, e.g. `ADD2kr` or `JCI`.
pub fn opcode_name(op: u8) -> String {
    match op {
        0x00 => "BRK".into(),
        0x20 => "JCI".into(),
        0x40 => "JMI".into(),
        0x60 => "JSI".into(),
        0x80 => "LIT".into(),
        0xa0 => "LIT2".into(),
        0xc0 => "LITr".into(),
        0xe0 => "LIT2r".into(),
        _ => {
            let mut name = BASE_NAMES[(op & 0x1f) as usize].to_string();
            if op & 0x20 != 0 {
                name.push('2');
            }
            if op & 0x80 != 0 {
                name.push('k');
            }
            if op & 0x40 != 0 {
                name.push('r');
            }
            name
        }
    }
}
