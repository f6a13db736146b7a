//! The debugger's machine side: breakpoints, pausing and stepping, and a
//! trace of the last instructions run.
//!
//! While a [`Debugger`] is attached ([`Varvara::debug`]) the machine runs
//! one instruction at a time with the model engine's [`model::step`],
//! checking the breakpoints around each, through a [`Bus`] that watches the
//! ports. Without one, nothing here runs: the jobs take the tail-call
//! engine's path and pay one `Option` check per slice.
//!
//! A stop leaves the vector suspended where it stands, exactly as a slice
//! that ran out of time does (see [`super::jobs`]); while stopped, no job
//! runs at all: no vector, no audio finish event.

use std::collections::VecDeque;

use super::{Devices, Limit, Varvara};
use crate::asm::Labels;
use crate::uxn::{Bus, Exit, Uxn, WRAP_COST, model, opcode_name};

/// Where to stop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Breakpoint {
    /// Before the instruction at this address runs.
    At(u16),
    /// After an instruction stores a byte in `first..=last` (STZ, STR,
    /// STA; bytes a device writes, File/read say, are not seen).
    Write {
        /// The first address watched.
        first: u16,
        /// The last address watched.
        last: u16,
    },
    /// After an instruction reads (DEI) or writes (DEO) one of `ports`,
    /// named `name` (`Screen/pixel`).
    Port {
        /// The name it was set with.
        name: String,
        /// The port addresses.
        ports: Vec<u8>,
        /// DEO (true) or DEI (false).
        write: bool,
    },
    /// Before the BRK that ends the vector at this address.
    VectorEnd(u16),
}

impl Breakpoint {
    /// One line for the panel, with labels for addresses.
    pub fn describe(&self, labels: &Labels) -> String {
        let name = |at: u16| match labels.describe(at) {
            n if n.is_empty() => format!("{at:04x}"),
            n => format!("{at:04x} {n}"),
        };
        match self {
            Breakpoint::At(at) => format!("at {}", name(*at)),
            Breakpoint::Write { first, last } if first == last => format!("write {}", name(*first)),
            Breakpoint::Write { first, last } => format!("write {first:04x}-{last:04x}"),
            Breakpoint::Port { name, write, .. } => {
                format!("{} {name}", if *write { "deo" } else { "dei" })
            }
            Breakpoint::VectorEnd(at) => format!("brk of {}", name(*at)),
        }
    }
}

/// Why the machine stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Asked to ([`Varvara::pause`]).
    Paused,
    /// The breakpoint with this index.
    Breakpoint(usize),
    /// A step (one instruction, over a call, or into the next vector) is done.
    Step,
    /// The ROM wrote System/debug.
    Trap,
    /// The vector is about to BRK ([`Varvara::finish`]).
    VectorEnd,
    /// The vector ran past its jump budget or its time limit: it stands
    /// where it was stopped, with a fresh budget (without a debugger it
    /// would have been given up).
    Runaway(Limit),
}

/// Where and why the machine stands still.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop {
    /// What stopped it.
    pub why: Why,
    /// The next instruction of the suspended vector; None between vectors.
    pub pc: Option<u16>,
}

/// What to do until the next stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Command {
    Run,
    Step,
    /// Until `to` with the return stack back at `depth` (over a JSR).
    Over {
        to: u16,
        depth: u8,
    },
    /// Until the vector's BRK.
    Finish,
}

/// The debugger's state, attached to a machine.
#[derive(Debug)]
pub struct Debugger {
    /// Where to stop, in the order they were set.
    pub breakpoints: Vec<Breakpoint>,
    /// Whether a System/debug write stops the machine.
    pub traps: bool,
    stop: Option<Stop>,
    command: Command,
    /// Running on from a stop: the first instruction's breakpoints were
    /// seen already.
    resuming: bool,
    /// The last instructions run, if asked for.
    pub trace: Option<Trace>,
    /// Someone is at the panel (not only `--trace`).
    interactive: bool,
}

impl Default for Debugger {
    fn default() -> Self {
        Debugger::new()
    }
}

impl Debugger {
    /// A debugger with no breakpoints that stops on debug traps.
    pub fn new() -> Debugger {
        Debugger {
            breakpoints: Vec::new(),
            traps: true,
            stop: None,
            command: Command::Run,
            resuming: false,
            trace: None,
            interactive: true,
        }
    }

    /// Only a trace of the last `n` instructions (`--trace`): no stop ever.
    pub fn tracing(n: usize) -> Debugger {
        Debugger {
            traps: false,
            trace: Some(Trace::new(n)),
            interactive: false,
            ..Debugger::new()
        }
    }

    /// Whether a runaway vector stops here rather than being given up:
    /// for the person at the panel, not for `--trace`.
    pub(crate) fn catches_runaways(&self) -> bool {
        self.interactive
    }

    pub(crate) fn caught(&mut self, limit: Limit, pc: u16) {
        self.halt(Why::Runaway(limit), Some(pc));
    }

    /// Where and why the machine stands still, if it does.
    pub fn stopped(&self) -> Option<&Stop> {
        self.stop.as_ref()
    }

    fn halt(&mut self, why: Why, pc: Option<u16>) {
        self.stop = Some(Stop { why, pc });
        self.command = Command::Run;
    }

    fn go(&mut self, command: Command) {
        self.stop = None;
        self.command = command;
        self.resuming = true;
    }

    /// Why to stop before the instruction `op` at `pc` runs, if at all.
    fn before(&self, vector: u16, pc: u16, op: u8, uxn: &Uxn) -> Option<Why> {
        let hit = self.breakpoints.iter().position(|b| match b {
            Breakpoint::At(at) => *at == pc,
            Breakpoint::VectorEnd(v) => op == 0 && *v == vector,
            _ => false,
        });
        if let Some(i) = hit {
            return Some(Why::Breakpoint(i));
        }
        match self.command {
            Command::Finish if op == 0 => Some(Why::VectorEnd),
            Command::Over { to, depth } if pc == to && uxn.rsp == depth => Some(Why::Step),
            _ => None,
        }
    }

    /// The breakpoint a store to `first..=last` hits, if any.
    fn stores(&self, (first, last): (u16, u16)) -> Option<Why> {
        let touches =
            |a: u16, b: u16| first <= b && a <= last || last < first && (a <= last || first <= b);
        self.breakpoints
            .iter()
            .position(|b| matches!(b, Breakpoint::Write { first: a, last: b } if touches(*a, *b)))
            .map(Why::Breakpoint)
    }
}

/// The addresses a store instruction at `pc` is about to write (first,
/// last: a short's second byte wraps as the CPU wraps it), or None.
fn store_range(uxn: &Uxn, pc: u16, op: u8) -> Option<(u16, u16)> {
    let (stack, sp) = if op & 0x40 != 0 {
        (&uxn.rst, uxn.rsp)
    } else {
        (&uxn.wst, uxn.wsp)
    };
    let top = |i: u8| stack[sp.wrapping_sub(i) as usize];
    let short = op & 0x20 != 0;
    let first = match op & 0x1f {
        0x11 => top(1) as u16,
        0x13 => pc.wrapping_add(1).wrapping_add(top(1) as i8 as u16),
        0x15 => u16::from_be_bytes([top(2), top(1)]),
        _ => return None,
    };
    let last = match (short, op & 0x1f) {
        (false, _) => first,
        (true, 0x11) => (first + 1) & 0xff,
        (true, _) => first.wrapping_add(1),
    };
    Some((first, last))
}

/// The devices, watched for port breakpoints and debug traps.
struct Watch<'a> {
    devices: &'a mut Devices,
    breakpoints: &'a [Breakpoint],
    traps: bool,
    hit: Option<Why>,
}

impl Watch<'_> {
    fn port(&mut self, port: u8, writing: bool) {
        if self.hit.is_some() {
            return;
        }
        self.hit = self
            .breakpoints
            .iter()
            .position(|b| {
                matches!(b, Breakpoint::Port { ports, write, .. }
                    if *write == writing && ports.contains(&port))
            })
            .map(Why::Breakpoint);
    }
}

impl Bus for Watch<'_> {
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        self.port(port, false);
        self.devices.dei(uxn, port)
    }

    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        self.port(port, true);
        if self.traps && super::system::System::is_debug(port) && self.hit.is_none() {
            self.hit = Some(Why::Trap);
        }
        self.devices.deo(uxn, port, value);
    }
}

/// What a debugged run of a vector's slice did: how it ended (None: it
/// stopped, see [`Debugger::stopped`]), the instructions it ran and the
/// jump budget it spent.
pub(crate) struct Ran {
    pub exit: Option<Exit>,
    pub steps: u64,
    pub spent: u64,
}

/// Runs the vector `vector` from `pc` one instruction at a time, as
/// [`model::run`] does with `budget`, stopping where the debugger says.
pub(crate) fn run(
    debugger: &mut Debugger,
    uxn: &mut Uxn,
    devices: &mut Devices,
    vector: u16,
    mut pc: u16,
    budget: u64,
) -> Ran {
    let (mut steps, mut spent) = (0, 0);
    uxn.stop = false;
    loop {
        let op = uxn.ram[pc as usize];
        if !std::mem::take(&mut debugger.resuming)
            && let Some(why) = debugger.before(vector, pc, op, uxn)
        {
            debugger.halt(why, Some(pc));
            return Ran {
                exit: None,
                steps,
                spent,
            };
        }
        let cost = if model::is_jump(op) {
            1
        } else if model::wraps(pc, op) {
            WRAP_COST
        } else {
            0
        };
        if cost > 0 {
            if budget - spent < cost || uxn.stop {
                return Ran {
                    exit: Some(Exit::Budget { pc }),
                    steps,
                    spent,
                };
            }
            spent += cost;
        }
        if let Some(trace) = &mut debugger.trace {
            trace.record(uxn, pc);
        }
        let stored = store_range(uxn, pc, op).and_then(|range| debugger.stores(range));
        let mut watch = Watch {
            devices,
            breakpoints: &debugger.breakpoints,
            traps: debugger.traps,
            hit: stored,
        };
        let next = model::step(uxn, &mut watch, pc);
        let hit = watch.hit;
        steps += 1;
        let stepped = debugger.command == Command::Step;
        let Some(next) = next else {
            // A step, or a step over a call that never came back, ends
            // with its vector.
            if stepped || matches!(debugger.command, Command::Over { .. }) {
                debugger.halt(Why::Step, None);
            }
            return Ran {
                exit: Some(Exit::Brk),
                steps,
                spent,
            };
        };
        pc = next;
        if let Some(why) = hit.or(stepped.then_some(Why::Step)) {
            debugger.halt(why, Some(pc));
            return Ran {
                exit: None,
                steps,
                spent,
            };
        }
    }
}

/// The last instructions run, oldest first, each with both stacks as
/// it found them.
#[derive(Debug)]
pub struct Trace {
    capacity: usize,
    entries: VecDeque<Traced>,
}

#[derive(Debug, Clone)]
struct Traced {
    pc: u16,
    /// The instruction's bytes (opcode and literal).
    code: [u8; 3],
    wst: Vec<u8>,
    rst: Vec<u8>,
}

/// Stack bytes a trace line shows (the top ones).
const TRACED_STACK: usize = 8;

impl Trace {
    /// A trace that keeps the last `capacity` instructions.
    pub fn new(capacity: usize) -> Trace {
        Trace {
            capacity,
            entries: VecDeque::with_capacity(capacity.min(1 << 16)),
        }
    }

    fn record(&mut self, uxn: &Uxn, pc: u16) {
        if self.capacity == 0 {
            return;
        }
        let mut entry = if self.entries.len() == self.capacity {
            self.entries.pop_front().expect("full")
        } else {
            Traced {
                pc: 0,
                code: [0; 3],
                wst: Vec::with_capacity(TRACED_STACK),
                rst: Vec::with_capacity(TRACED_STACK),
            }
        };
        entry.pc = pc;
        entry.code = [0, 1, 2].map(|i| uxn.ram[pc.wrapping_add(i) as usize]);
        top_of(&mut entry.wst, uxn, false);
        top_of(&mut entry.rst, uxn, true);
        self.entries.push_back(entry);
    }

    /// One line per instruction, oldest first: address, label, the
    /// instruction, then the top of both stacks before it ran (at most
    /// eight bytes each, `..` when there are more).
    pub fn lines(&self, labels: &Labels) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| {
                let code = |at: u16| {
                    e.code
                        .get(at.wrapping_sub(e.pc) as usize)
                        .copied()
                        .unwrap_or(0)
                };
                let (text, _) = disassemble(&code, e.pc, labels);
                format!(
                    "{:04x} {:<16} {:<16} wst {}  rst {}",
                    e.pc,
                    labels.describe(e.pc),
                    text,
                    stack_text(&e.wst),
                    stack_text(&e.rst),
                )
                .trim_end()
                .to_string()
            })
            .collect()
    }
}

/// A stack's depth, then its top [`TRACED_STACK`] bytes, into `out`.
fn top_of(out: &mut Vec<u8>, uxn: &Uxn, ret: bool) {
    let (stack, sp) = if ret {
        (&uxn.rst, uxn.rsp)
    } else {
        (&uxn.wst, uxn.wsp)
    };
    out.clear();
    let shown = (sp as usize).min(TRACED_STACK);
    out.push(sp);
    out.extend((0..shown).rev().map(|i| stack[sp as usize - 1 - i]));
}

/// What [`top_of`] kept, as text: `-` for an empty stack, else its bytes,
/// `..` first when the stack is deeper than what was kept.
fn stack_text(bytes: &[u8]) -> String {
    let Some((&depth, shown)) = bytes.split_first() else {
        return "-".into();
    };
    if depth == 0 {
        return "-".into();
    }
    let mut text = String::new();
    if depth as usize > shown.len() {
        text.push_str("..");
    }
    for b in shown {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&format!("{b:02x}"));
    }
    text
}

/// The instruction at `pc` as Uxntal (`LIT2 0001`, `JSI 0123 draw`, `ADD2k`),
/// reading memory through `byte`, and its length in bytes.
pub fn disassemble(byte: &dyn Fn(u16) -> u8, pc: u16, labels: &Labels) -> (String, u16) {
    let op = byte(pc);
    let short = |at: u16| u16::from_be_bytes([byte(at), byte(at.wrapping_add(1))]);
    let name = opcode_name(op);
    match op {
        0x80 | 0xc0 => (format!("{name} {:02x}", byte(pc.wrapping_add(1))), 2),
        0xa0 | 0xe0 => (format!("{name} {:04x}", short(pc.wrapping_add(1))), 3),
        0x20 | 0x40 | 0x60 => {
            let to = pc.wrapping_add(3).wrapping_add(short(pc.wrapping_add(1)));
            let text = match labels.describe(to) {
                n if n.is_empty() => format!("{name} {to:04x}"),
                n => format!("{name} {to:04x} {n}"),
            };
            (text, 3)
        }
        _ => (name, 1),
    }
}

impl Varvara {
    /// Attaches a debugger (the machine then runs one instruction at a
    /// time), or detaches it with None (full speed again, running on).
    pub fn attach_debugger(&mut self, debugger: Option<Debugger>) {
        self.debug = debugger.map(Box::new);
    }

    /// The attached debugger.
    pub fn debugger(&self) -> Option<&Debugger> {
        self.debug.as_deref()
    }

    /// The attached debugger, to change.
    pub fn debugger_mut(&mut self) -> Option<&mut Debugger> {
        self.debug.as_deref_mut()
    }

    /// True while an attached debugger holds the machine still.
    pub fn paused(&self) -> bool {
        self.debug.as_ref().is_some_and(|d| d.stop.is_some())
    }

    /// The vector in progress (suspended or stopped) and its next
    /// instruction, if one is.
    pub fn current_vector(&self) -> Option<(u16, u16)> {
        self.jobs_running()
    }

    /// Stops the machine where it stands (between instructions, or
    /// between vectors).
    pub fn pause(&mut self) {
        let pc = self.current_vector().map(|(_, pc)| pc);
        if let Some(debugger) = self.debug.as_deref_mut()
            && debugger.stop.is_none()
        {
            debugger.halt(Why::Paused, pc);
        }
    }

    /// Runs on until a breakpoint.
    pub fn resume(&mut self) {
        if let Some(debugger) = self.debug.as_deref_mut() {
            debugger.go(Command::Run);
        }
    }

    /// Runs one instruction; between vectors, starts the next one and
    /// stops before its first instruction.
    pub fn step(&mut self) {
        if let Some(debugger) = self.debug.as_deref_mut() {
            debugger.go(Command::Step);
        }
    }

    /// Like [`Varvara::step`], but a JSR (or JSI) runs until it returns.
    pub fn step_over(&mut self) {
        let Some((_, pc)) = self.current_vector() else {
            return self.step();
        };
        let op = self.uxn.ram[pc as usize];
        // JSI, and JSR in any mode but r (whose return address goes on
        // the working stack, where the depth check below cannot see it).
        let call = op == 0x60 || (op & 0x1f == 0x0e && op & 0x40 == 0);
        let to = pc.wrapping_add(model::length(op) as u16);
        let depth = self.uxn.rsp;
        if let Some(debugger) = self.debug.as_deref_mut() {
            debugger.go(if call {
                Command::Over { to, depth }
            } else {
                Command::Step
            });
        }
    }

    /// Runs until the vector in progress is about to BRK.
    pub fn finish(&mut self) {
        let running = self.jobs_running().is_some();
        if let Some(debugger) = self.debug.as_deref_mut() {
            debugger.go(if running {
                Command::Finish
            } else {
                Command::Step
            });
        }
    }

    /// Called as a job's vector starts: a step between vectors stops
    /// before its first instruction.
    pub(crate) fn entered(&mut self, pc: u16) {
        // A new vector: no breakpoint of it was seen yet.
        if let Some(debugger) = self.debug.as_deref_mut()
            && std::mem::take(&mut debugger.resuming)
            && debugger.command != Command::Run
        {
            debugger.halt(Why::Step, Some(pc));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::varvara::Config;

    fn assemble(source: &str) -> (Vec<u8>, Labels) {
        let assembly =
            crate::asm::assemble_source("t.tal", source.as_bytes(), &mut crate::asm::no_includes)
                .expect("assembles");
        (assembly.rom, Labels::new(&assembly.symbols))
    }

    /// A machine running `source` with a debugger attached.
    fn machine(source: &str) -> (Varvara, Labels) {
        let (rom, labels) = assemble(source);
        let mut machine = Varvara::new(&rom, Config::default()).expect("loads");
        machine.attach_debugger(Some(Debugger::new()));
        (machine, labels)
    }

    fn add(machine: &mut Varvara, breakpoint: Breakpoint) {
        machine.debugger_mut().unwrap().breakpoints.push(breakpoint);
    }

    fn stop(machine: &Varvara) -> Option<Stop> {
        machine.debugger().unwrap().stopped().cloned()
    }

    const PROGRAM: &str =
        "|0100 @on-reset #01 #02 ADD #0200 STA #03 ;two JSR2 #04 #18 DEO BRK @two #05 JMP2r";

    #[test]
    fn an_address_breakpoint_stops_before_it_and_continues() {
        let (mut m, labels) = machine(PROGRAM);
        let two = labels.address_of("two").unwrap();
        add(&mut m, Breakpoint::At(two));
        assert_eq!(m.boot(false), Ok(()));
        assert!(m.busy(), "stopped inside the reset vector");
        assert_eq!(
            stop(&m),
            Some(Stop {
                why: Why::Breakpoint(0),
                pc: Some(two)
            })
        );
        assert_eq!(
            m.uxn.working_stack(),
            [0x03],
            "the literal before the call ran"
        );
        assert!(!m.work(None).unwrap(), "nothing runs while stopped");
        m.resume();
        assert!(m.work(None).unwrap());
        assert_eq!(m.uxn.working_stack(), [0x03, 0x05]);
    }

    #[test]
    fn a_memory_write_breakpoint_stops_after_the_store() {
        let (mut m, _) = machine(PROGRAM);
        add(
            &mut m,
            Breakpoint::Write {
                first: 0x01ff,
                last: 0x0200,
            },
        );
        m.boot(false).unwrap();
        let stop = stop(&m).unwrap();
        assert_eq!(stop.why, Why::Breakpoint(0));
        assert_eq!(m.uxn.ram[0x0200], 0x03, "the store ran");
        assert_eq!(
            m.uxn.ram[stop.pc.unwrap() as usize],
            0x80,
            "at the LIT after STA"
        );
    }

    #[test]
    fn port_breakpoints_see_reads_and_writes_by_name() {
        let (mut m, _) = machine(
            "|0100 #0a #18 DEO .Screen/width DEI2 POP2 BRK |00 @System $10 @Console $10 @Screen &vector $2 &width $2",
        );
        let ports = super::super::ports::named("Console/write").unwrap();
        assert_eq!(ports, [0x18]);
        add(
            &mut m,
            Breakpoint::Port {
                name: "Console/write".into(),
                ports,
                write: true,
            },
        );
        add(
            &mut m,
            Breakpoint::Port {
                name: "Screen/width".into(),
                ports: super::super::ports::named("screen/WIDTH").unwrap(),
                write: false,
            },
        );
        m.boot(false).unwrap();
        assert_eq!(stop(&m).unwrap().why, Why::Breakpoint(0));
        m.resume();
        m.work(None).unwrap();
        assert_eq!(stop(&m).unwrap().why, Why::Breakpoint(1));
        assert_eq!(m.uxn.working_stack().len(), 2, "after the DEI2");
        m.resume();
        assert!(m.work(None).unwrap());
        assert_eq!(
            super::super::ports::named("File/write").unwrap(),
            [0xae, 0xaf, 0xbe, 0xbf]
        );
        assert_eq!(super::super::ports::named("Nothing/here"), None);
    }

    #[test]
    fn a_vector_end_breakpoint_stops_before_its_brk() {
        let (mut m, _) = machine(PROGRAM);
        add(&mut m, Breakpoint::VectorEnd(0x0100));
        m.boot(false).unwrap();
        let stop = stop(&m).unwrap();
        assert_eq!(stop.why, Why::Breakpoint(0));
        assert_eq!(m.uxn.ram[stop.pc.unwrap() as usize], 0x00, "at the BRK");
        m.resume();
        assert!(m.work(None).unwrap());
        assert!(!m.busy());
    }

    #[test]
    fn a_debug_trap_stops_only_with_traps_on() {
        let source = "|0100 #01 #0e DEO #02 BRK";
        let (mut m, _) = machine(source);
        m.boot(false).unwrap();
        assert_eq!(stop(&m).unwrap().why, Why::Trap);
        assert_eq!(m.uxn.working_stack(), [] as [u8; 0]);
        m.resume();
        m.work(None).unwrap();
        assert_eq!(m.uxn.working_stack(), [0x02]);
        let (rom, _) = assemble(source);
        let mut m = Varvara::new(&rom, Config::default()).unwrap();
        m.attach_debugger(Some(Debugger::tracing(4)));
        assert_eq!(m.boot(false), Ok(()));
    }

    #[test]
    fn steps_run_one_instruction_over_a_call_and_to_the_brk() {
        let (mut m, labels) = machine(PROGRAM);
        m.pause();
        m.queue_boot(false);
        assert!(!m.work(None).unwrap());
        m.step();
        m.work(None).unwrap();
        assert_eq!(
            stop(&m).unwrap(),
            Stop {
                why: Why::Step,
                pc: Some(0x0100)
            },
            "entered"
        );
        m.step();
        m.work(None).unwrap();
        assert_eq!(stop(&m).unwrap().pc, Some(0x0102));
        assert_eq!(m.uxn.working_stack(), [0x01]);
        let call = labels.address_of("on-reset").unwrap() + 14;
        assert_eq!(crate::uxn::opcode_name(m.uxn.ram[call as usize]), "JSR2");
        add(&mut m, Breakpoint::At(call));
        m.resume();
        m.work(None).unwrap();
        m.step_over();
        m.work(None).unwrap();
        assert_eq!(
            stop(&m).unwrap(),
            Stop {
                why: Why::Step,
                pc: Some(call + 1)
            }
        );
        assert_eq!(m.uxn.working_stack(), [0x03, 0x05], "the call ran");
        m.finish();
        m.work(None).unwrap();
        let end = stop(&m).unwrap();
        assert_eq!(end.why, Why::VectorEnd);
        assert_eq!(m.uxn.ram[end.pc.unwrap() as usize], 0x00);
        m.step();
        m.work(None).unwrap();
        assert_eq!(stop(&m).unwrap().pc, None, "between vectors");
        assert!(!m.busy());
    }

    #[test]
    fn a_runaway_vector_stops_at_the_panel_instead_of_being_given_up() {
        let (rom, _) = assemble("|0100 @on-reset #01 @loop INC !loop");
        let config = || Config {
            settings: crate::varvara::Settings {
                budget: 3,
                ..Default::default()
            },
            ..Config::default()
        };
        let mut m = Varvara::new(&rom, config()).unwrap();
        m.attach_debugger(Some(Debugger::new()));
        assert_eq!(m.boot(false), Ok(()));
        let stop = stop(&m).unwrap();
        assert_eq!(
            stop,
            Stop {
                why: Why::Runaway(Limit::Jumps),
                pc: Some(0x0103)
            }
        );
        assert_eq!(m.current_vector(), Some((0x0100, 0x0103)), "still there");
        m.step();
        m.work(None).unwrap();
        assert_eq!(
            super::super::Varvara::jumps_left(&m),
            Some(2),
            "a fresh budget"
        );
        // Only tracing (--trace): given up as without a debugger.
        let mut m = Varvara::new(&rom, config()).unwrap();
        m.attach_debugger(Some(Debugger::tracing(2)));
        assert!(m.boot(false).is_err());
    }

    #[test]
    fn a_trace_keeps_the_last_instructions() {
        let (rom, labels) = assemble("|0100 @on-reset #01 @loop INC !loop");
        let mut m = Varvara::new(
            &rom,
            Config {
                settings: crate::varvara::Settings {
                    budget: 3,
                    ..Default::default()
                },
                ..Config::default()
            },
        )
        .unwrap();
        m.attach_debugger(Some(Debugger::tracing(3)));
        assert!(m.boot(false).is_err());
        let lines = m.debugger().unwrap().trace.as_ref().unwrap().lines(&labels);
        assert_eq!(
            lines,
            [
                "0102 loop             INC              wst 03  rst -",
                "0103 loop+1           JMI 0102 loop    wst 04  rst -",
                "0102 loop             INC              wst 04  rst -",
            ]
        );
    }
}
