//! The debugger's panel (F8, `--debug`): drawn by hop beside the ROM's
//! screen, in hop's own font, zoomed with the screen, and driven from the
//! keyboard while it has the focus (the ROM then gets no key events).
//!
//! It shows why and where the machine stands, both stacks, the code
//! around the pc with labels, memory as hex, every device's ports by name,
//! the breakpoints and the keys. The machine side is
//! [`crate::varvara::debug`]; this file only draws it and turns keys into
//! its calls. Each stop is also told on stderr, in one line.

#![forbid(unsafe_code)]

use super::font::{CELL, Canvas, Font};
use super::session::Session;
use crate::asm::Labels;
use crate::varvara::controller::button;
use crate::varvara::debug::{self, Breakpoint, Debugger, Stop, Why};
use crate::varvara::ports::{self, Port};
use crate::varvara::screen::{Picture, Rect};
use crate::varvara::{Event, Limit};

/// The panel's size in characters.
const COLUMNS: usize = 64;
const ROWS: usize = 56;
/// Its size in pixels (before the window's zoom).
pub const WIDTH: usize = COLUMNS * CELL.0 + 4;
pub const HEIGHT: usize = ROWS * CELL.1 + 4;

const BACKGROUND: u32 = 0x00_18_18_20;
const INK: u32 = 0x00_e0_e0_e0;
const TITLE: u32 = 0x00_70_c0_ff;
const MARK: u32 = 0x00_ff_d0_40;

/// Memory bytes shown: rows of 16.
const MEMORY_ROWS: usize = 4;
/// Code lines shown, and how many of them come before the pc's.
const CODE_ROWS: usize = 9;
const CODE_BEFORE: usize = 3;

/// What is being typed at the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asking {
    Breakpoint,
    Memory,
}

#[derive(Default)]
pub struct Panel {
    open: bool,
    /// The panel has the keyboard (Tab gives it to the ROM and back).
    focus: bool,
    /// Breakpoints kept while the panel is closed (the machine then runs
    /// without a debugger, at full speed) and across reloads.
    kept: Vec<Breakpoint>,
    /// The first address of the memory view.
    memory: u16,
    prompt: Option<(Asking, String)>,
    /// The answer to the last command (a breakpoint set, a name unknown).
    message: String,
    /// The stop last told on stderr.
    told: Option<Stop>,
    font: Font,
    canvas: Vec<u32>,
    /// The text to draw, and the text drawn last (to redraw only on a change).
    text: Vec<Line>,
    drawn: Vec<Line>,
}

/// One line of the panel and its colour.
type Line = (String, u32);

impl Panel {
    pub fn new() -> Panel {
        Panel {
            memory: 0x0100,
            ..Panel::default()
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// F8: opens the panel (with the focus), gives it the focus back, or
    /// closes it.
    pub fn toggle(&mut self, session: &mut Session) {
        if self.open && !self.focus {
            self.focus = true;
        } else if self.open {
            self.close(session);
        } else {
            self.open = true;
            self.focus = true;
            self.attach(session);
            eprintln!("hop: debugger open");
        }
    }

    fn close(&mut self, session: &mut Session) {
        if let Some(debugger) = session.machine.debugger() {
            self.kept = debugger.breakpoints.clone();
        }
        // Back to full speed, running on (with the trace of --trace).
        let trace = session.machine.debugger_mut().and_then(|d| d.trace.take());
        session.machine.attach_debugger(trace.map(|trace| {
            let mut tracing = Debugger::tracing(0);
            tracing.trace = Some(trace);
            tracing
        }));
        self.open = false;
        self.focus = false;
        self.told = None;
        eprintln!("hop: debugger closed");
    }

    /// A new machine (reload, reset, a ROM opened): the open panel attaches
    /// to it with the breakpoints it had.
    fn attach(&mut self, session: &mut Session) {
        let machine = &mut session.machine;
        let mut debugger = Debugger::new();
        debugger.breakpoints = std::mem::take(&mut self.kept);
        debugger.trace = machine.debugger_mut().and_then(|d| d.trace.take());
        // A session started for the debugger waits before its reset vector.
        let paused = machine.paused();
        machine.attach_debugger(Some(debugger));
        if paused {
            machine.pause();
        }
        self.told = None;
    }

    /// `new` replaces `old` (reload, reset, another ROM): an open panel
    /// moves its breakpoints over and lets the new machine run (it waits
    /// before its reset vector so that they are there from the start, see
    /// [`Session::start`]).
    pub fn carry(&mut self, old: &Session, new: &mut Session) {
        if !self.open {
            return;
        }
        if let Some(debugger) = old.machine.debugger() {
            self.kept = debugger.breakpoints.clone();
        }
        self.attach(new);
        new.machine.resume();
    }

    /// Takes the key events of the frame while the panel has the focus
    /// (the ROM gets none), acting on them; other events pass.
    pub fn take_keys(&mut self, events: &mut Vec<Event>, session: &mut Session) {
        if !self.open || !self.focus {
            return;
        }
        events.retain(|&event| match event {
            Event::Key(byte) => {
                self.key(byte, session);
                false
            }
            Event::ButtonDown(mask) => {
                self.button(mask);
                false
            }
            Event::ButtonUp(_) => false,
            _ => true,
        });
    }

    fn button(&mut self, mask: u8) {
        let rows = (MEMORY_ROWS * 16) as u16;
        self.memory = match mask {
            button::UP => self.memory.wrapping_sub(16),
            button::DOWN => self.memory.wrapping_add(16),
            button::LEFT => self.memory.wrapping_sub(rows),
            button::RIGHT => self.memory.wrapping_add(rows),
            _ => return,
        };
    }

    fn key(&mut self, byte: u8, session: &mut Session) {
        if let Some((asking, text)) = &mut self.prompt {
            match byte {
                0x0d => {
                    let (asking, text) = (*asking, std::mem::take(text));
                    self.prompt = None;
                    self.answer(asking, text.trim(), session);
                }
                0x1b => self.prompt = None,
                0x08 | 0x7f => {
                    text.pop();
                }
                0x20..0x7f if text.len() < COLUMNS - 12 => text.push(byte as char),
                _ => {}
            }
            return;
        }
        let machine = &mut session.machine;
        match byte {
            b'p' => machine.pause(),
            b'c' => machine.resume(),
            b's' => machine.step(),
            b'n' => machine.step_over(),
            b'f' => machine.finish(),
            b'b' => self.prompt = Some((Asking::Breakpoint, String::new())),
            b'm' => self.prompt = Some((Asking::Memory, String::new())),
            b'd' => {
                if let Some(debugger) = machine.debugger_mut() {
                    debugger.breakpoints.pop();
                    self.message = "removed the last breakpoint".into();
                }
            }
            b't' => {
                if let Some(debugger) = machine.debugger_mut() {
                    debugger.traps = !debugger.traps;
                    let on = if debugger.traps { "on" } else { "off" };
                    self.message = format!("System/debug traps {on}");
                }
            }
            0x09 => {
                self.focus = false;
                self.message = "the ROM has the keyboard: F8 takes it back".into();
            }
            _ => {}
        }
    }

    /// What was typed at a prompt.
    fn answer(&mut self, asking: Asking, text: &str, session: &mut Session) {
        let labels = &session.program.labels;
        let result = match asking {
            Asking::Memory => address(text, labels).map(|at| {
                self.memory = at & !0xf;
                format!("memory at {at:04x}")
            }),
            Asking::Breakpoint => {
                let vector = session.machine.current_vector().map(|(v, _)| v);
                breakpoint(text, labels, vector).map(|b| {
                    let said = format!("break {}", b.describe(labels));
                    if let Some(debugger) = session.machine.debugger_mut() {
                        debugger.breakpoints.push(b);
                    }
                    said
                })
            }
        };
        self.message = result.unwrap_or_else(|why| why);
        eprintln!("hop: debugger: {}", self.message);
    }

    /// After the machine's frame: tells a new stop on stderr (once), and
    /// writes the panel's text for [`Panel::beside`].
    pub fn update(&mut self, session: &Session) {
        if !self.open {
            return;
        }
        self.text = self.lines(session);
        let stop = session
            .machine
            .debugger()
            .and_then(|d| d.stopped())
            .cloned();
        if stop != self.told {
            if let (Some(stop), Some(debugger)) = (&stop, session.machine.debugger()) {
                eprintln!(
                    "hop: debugger: {}",
                    stop_text(stop, debugger, &session.program.labels)
                );
            }
            self.told = stop;
        }
    }

    /// The picture to present: the ROM's screen with the panel to its right
    /// when the panel is open, else `picture` itself.
    pub fn beside<'a>(&'a mut self, picture: Picture<'a>) -> Picture<'a> {
        if !self.open {
            return picture;
        }
        let lines = std::mem::take(&mut self.text);
        let (width, height) = (picture.width + WIDTH, picture.height.max(HEIGHT));
        let resized = self.canvas.len() != width * height;
        if resized {
            self.canvas = vec![0; width * height];
        }
        let changed = picture.changed.is_some() || resized || lines != self.drawn;
        if !changed {
            return Picture {
                pixels: &self.canvas,
                width,
                height,
                changed: None,
            };
        }
        for y in 0..picture.height {
            self.canvas[y * width..y * width + picture.width]
                .copy_from_slice(&picture.pixels[y * picture.width..(y + 1) * picture.width]);
        }
        for y in 0..height {
            let start = if y < picture.height { picture.width } else { 0 };
            self.canvas[y * width + start..(y + 1) * width].fill(BACKGROUND);
        }
        let mut canvas = Canvas {
            pixels: &mut self.canvas,
            width,
            height,
        };
        for (row, (text, ink)) in lines.iter().enumerate() {
            let at = (picture.width + 2, 2 + row * CELL.1);
            self.font.draw(&mut canvas, at, text, 1, *ink);
        }
        self.drawn = lines;
        Picture {
            pixels: &self.canvas,
            width,
            height,
            changed: Some(Rect {
                x0: 0,
                y0: 0,
                x1: width,
                y1: height,
            }),
        }
    }

    /// The panel's text, line by line.
    fn lines(&self, session: &Session) -> Vec<Line> {
        let machine = &session.machine;
        let labels = &session.program.labels;
        let uxn = machine.cpu();
        let mut out: Vec<Line> = Vec::new();
        let mut say = |text: String, ink: u32| out.push((text, ink));
        let Some(debugger) = machine.debugger() else {
            return Vec::new();
        };
        let stop = debugger.stopped();
        say(
            match stop {
                Some(stop) => format!("DEBUGGER  stopped: {}", why_text(stop, debugger, labels)),
                None => "DEBUGGER  running".into(),
            },
            TITLE,
        );
        let running = machine.current_vector();
        say(
            match running {
                Some((vector, pc)) => format!(
                    "vector {vector:04x} {}  pc {pc:04x}  jumps left {}",
                    labels.describe(vector),
                    machine.jumps_left().unwrap_or(0)
                ),
                None => "between vectors".into(),
            },
            INK,
        );
        say(stack_line("wst", &uxn.working_stack()), INK);
        say(stack_line("rst", &uxn.return_stack()), INK);
        say(String::new(), INK);
        // The code around the pc, from the nearest label before it.
        say("code".into(), TITLE);
        let pc = stop.and_then(|s| s.pc).or(running.map(|(_, pc)| pc));
        match pc {
            Some(pc) => {
                for (at, text) in code_around(uxn, pc, labels) {
                    let mark = if at == pc { ">" } else { " " };
                    let ink = if at == pc { MARK } else { INK };
                    say(
                        format!("{mark}{at:04x} {:<20} {text}", labels.describe(at)),
                        ink,
                    );
                }
            }
            None => say(" (no vector runs: s steps into the next)".into(), INK),
        }
        say(String::new(), INK);
        say(
            format!(
                "memory {:04x} {}",
                self.memory,
                labels.describe(self.memory)
            ),
            TITLE,
        );
        for row in 0..MEMORY_ROWS as u16 {
            let at = self.memory.wrapping_add(row * 16);
            let bytes: Vec<String> = (0..16)
                .map(|i| format!("{:02x}", uxn.ram[at.wrapping_add(i) as usize]))
                .collect();
            say(format!("{at:04x} {}", bytes.join(" ")), INK);
        }
        say(String::new(), INK);
        say("devices".into(), TITLE);
        for layout in &ports::DEVICES {
            let mut line = format!("{:<10}", layout.name);
            for &Port {
                offset,
                name,
                width,
            } in layout.ports
            {
                let port = layout.at(offset);
                let value = match width {
                    2 => format!("{:02x}{:02x}", uxn.dev[port], uxn.dev[port + 1]),
                    _ => format!("{:02x}", uxn.dev[port]),
                };
                let item = format!(" {name} {value}");
                if line.len() + item.len() > COLUMNS {
                    say(std::mem::take(&mut line), INK);
                    line = " ".repeat(10);
                }
                line.push_str(&item);
            }
            say(line, INK);
        }
        say(String::new(), INK);
        say("breakpoints".into(), TITLE);
        if debugger.breakpoints.is_empty() {
            say(" none: b sets one".into(), INK);
        }
        for (i, b) in debugger.breakpoints.iter().enumerate() {
            say(format!(" {} {}", i + 1, b.describe(labels)), INK);
        }
        let traps = if debugger.traps { "on" } else { "off" };
        say(format!(" System/debug traps {traps}"), INK);
        say(String::new(), INK);
        say(
            "p pause  c continue  s step  n step over  f to the BRK".into(),
            TITLE,
        );
        say(
            "b break  d delete last  m memory  arrows scroll  t traps".into(),
            TITLE,
        );
        say(
            "Tab keys to the ROM  F8 focus/close  (b: LABEL ADDR".into(),
            TITLE,
        );
        say(
            " w ADDR[-ADDR]  dei/deo Screen/pixel  brk [VECTOR])".into(),
            TITLE,
        );
        match &self.prompt {
            Some((asking, text)) => {
                let what = match asking {
                    Asking::Breakpoint => "break",
                    Asking::Memory => "memory at",
                };
                say(format!("{what}: {text}_"), MARK);
            }
            None if !self.focus => say("the ROM has the keyboard: F8 takes it back".into(), MARK),
            None => say(self.message.clone(), MARK),
        }
        out.truncate(ROWS);
        out
    }
}

/// `wst 01 02 03` with the depth, the top at the right; long stacks
/// show their top only.
fn stack_line(name: &str, bytes: &[u8]) -> String {
    let fits = (COLUMNS - 10) / 3;
    let shown = &bytes[bytes.len().saturating_sub(fits)..];
    let mut line = format!("{name} {:>3}:", bytes.len());
    if shown.len() < bytes.len() {
        line.push_str(" ..");
    }
    for b in shown {
        line.push_str(&format!(" {b:02x}"));
    }
    line
}

/// Why and where, in a few words: `at 0123 loop (breakpoint 1: at 0123 loop)`.
fn stop_text(stop: &Stop, debugger: &Debugger, labels: &Labels) -> String {
    let why = why_text(stop, debugger, labels);
    match stop.pc {
        Some(pc) => match labels.describe(pc) {
            name if name.is_empty() => format!("stopped at {pc:04x} ({why})"),
            name => format!("stopped at {pc:04x} {name} ({why})"),
        },
        None => format!("stopped between vectors ({why})"),
    }
}

/// Why it stopped: `paused`, `breakpoint 1: at 0123 loop`...
fn why_text(stop: &Stop, debugger: &Debugger, labels: &Labels) -> String {
    match &stop.why {
        Why::Paused => "paused".to_string(),
        Why::Step => "stepped".to_string(),
        Why::Trap => "System/debug trap".to_string(),
        Why::VectorEnd => "at the vector's BRK".to_string(),
        Why::Runaway(Limit::Jumps) => "ran its whole jump budget".to_string(),
        Why::Runaway(Limit::Time) => "ran past its time limit".to_string(),
        Why::Breakpoint(i) => match debugger.breakpoints.get(*i) {
            Some(b) => format!("breakpoint {}: {}", i + 1, b.describe(labels)),
            None => format!("breakpoint {}", i + 1),
        },
    }
}

/// The instructions around `pc`: decoded from the nearest label before it
/// (when near), so that the lines before the pc are real instructions.
fn code_around(uxn: &crate::uxn::Uxn, pc: u16, labels: &Labels) -> Vec<(u16, String)> {
    let byte = |at: u16| uxn.ram[at as usize];
    let label = labels.describe(pc);
    let offset = label
        .rsplit_once('+')
        .and_then(|(_, d)| d.parse::<u16>().ok())
        .unwrap_or(0);
    let mut at = if offset <= 48 { pc - offset } else { pc };
    let mut before: Vec<(u16, String)> = Vec::new();
    while at < pc && before.len() < 64 {
        let (text, len) = debug::disassemble(&byte, at, labels);
        before.push((at, text));
        at = at.wrapping_add(len);
    }
    // An instruction decoded from the label may straddle the pc: the
    // pc's own decoding wins.
    let mut lines: Vec<(u16, String)> = before.split_off(before.len().saturating_sub(CODE_BEFORE));
    at = pc;
    while lines.len() < CODE_ROWS {
        let (text, len) = debug::disassemble(&byte, at, labels);
        lines.push((at, text));
        at = at.wrapping_add(len);
    }
    lines
}

/// An address: a label (`loop`, `on-frame/draw`, with or without `@` or
/// `&`) or hex (`0123`, `#0123`).
fn address(text: &str, labels: &Labels) -> Result<u16, String> {
    let name = text.trim_start_matches(['@', '&']);
    if let Some(at) = labels.address_of(name) {
        return Ok(at);
    }
    let hex = text.trim_start_matches(['#', '$']).trim_start_matches("0x");
    if !hex.is_empty()
        && hex.len() <= 4
        && let Ok(at) = u16::from_str_radix(hex, 16)
    {
        return Ok(at);
    }
    Err(format!("{text}: no such label, and not an address"))
}

/// A breakpoint as typed: `LABEL` or `ADDR`; `w ADDR[-ADDR]` (a write to
/// memory); `dei Device/port`, `deo Device/port`; `brk [VECTOR]` (the
/// BRK of that vector, by default the one running).
fn breakpoint(text: &str, labels: &Labels, vector: Option<u16>) -> Result<Breakpoint, String> {
    let (word, rest) = text
        .split_once(' ')
        .map_or((text, ""), |(w, r)| (w, r.trim()));
    match word {
        "w" => {
            let (first, last) = rest.split_once('-').unwrap_or((rest, rest));
            let (first, last) = (address(first, labels)?, address(last, labels)?);
            Ok(Breakpoint::Write { first, last })
        }
        "dei" | "deo" => match ports::named(rest) {
            Some(ports) => Ok(Breakpoint::Port {
                name: rest.to_string(),
                ports,
                write: word == "deo",
            }),
            None => Err(format!(
                "{rest}: no such port (Device/port, as Screen/pixel)"
            )),
        },
        "brk" if rest.is_empty() => vector
            .map(Breakpoint::VectorEnd)
            .ok_or_else(|| "brk: no vector runs; name one (brk on-frame)".to_string()),
        "brk" => address(rest, labels).map(Breakpoint::VectorEnd),
        "" => Err("nothing typed".into()),
        _ => address(text, labels).map(Breakpoint::At),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakpoints_are_typed_by_label_address_range_port_and_vector() {
        let labels = Labels::new(&[(0x0100, b"on-reset".to_vec()), (0x0120, b"loop".to_vec())]);
        let b = |t: &str| breakpoint(t, &labels, Some(0x0100));
        assert_eq!(b("loop"), Ok(Breakpoint::At(0x0120)));
        assert_eq!(b("@loop"), Ok(Breakpoint::At(0x0120)));
        assert_eq!(b("0123"), Ok(Breakpoint::At(0x0123)));
        assert_eq!(
            b("w 0200-020f"),
            Ok(Breakpoint::Write {
                first: 0x200,
                last: 0x20f
            })
        );
        assert_eq!(
            b("deo Screen/pixel"),
            Ok(Breakpoint::Port {
                name: "Screen/pixel".into(),
                ports: vec![0x2e],
                write: true
            })
        );
        assert_eq!(b("brk"), Ok(Breakpoint::VectorEnd(0x0100)));
        assert_eq!(b("brk loop"), Ok(Breakpoint::VectorEnd(0x0120)));
        assert!(b("nowhere").is_err());
        assert!(b("dei Screen/nothing").is_err());
    }
}
