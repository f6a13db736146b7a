//! The Varvara computer: a Uxn CPU plus its devices, as pure state and
//! "run this vector". No window, no audio driver, no threads: hosts (the
//! headless runner, the desktop) feed it events and read its output.

pub mod audio;
pub mod compat;
pub mod console;
pub mod controller;
pub mod datetime;
pub mod debug;
pub mod file;
pub mod frame;
mod jobs;
pub mod metadata;
pub mod mouse;
pub mod screen;
pub mod snapshot;
pub mod system;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::uxn::{Bus, Cpu, Engine, RESET_VECTOR, RomError, Uxn};
use jobs::{Job, Jobs};

pub use compat::Compat;
pub use console::{Captured, ConsoleKind, OutputFailure};
pub use frame::Event;

/// How many jump instructions one vector may run before the host takes
/// control back (see [`Uxn::run`]): about 6 s of a bare `@loop !loop`.
pub const DEFAULT_BUDGET: u64 = 1 << 31;

/// Everything the CPU reaches through DEI/DEO.
pub struct Devices {
    pub system: system::System,
    pub console: console::Console,
    pub screen: screen::Screen,
    pub controller: controller::Controller,
    pub mouse: mouse::Mouse,
    pub files: [file::File; 2],
    pub datetime: datetime::Datetime,
    pub audio: audio::Audio,
    /// The behaviours that differ between the references (see [`Compat`]).
    compat: Compat,
    /// Whether the command line chose it; if not, the ROM's metadata may.
    compat_fixed: bool,
}

impl Devices {
    pub fn compat(&self) -> Compat {
        self.compat
    }

    /// Switches every device to `compat`.
    pub fn set_compat(&mut self, compat: Compat) {
        self.compat = compat;
        self.screen.compat = compat;
        self.system.compat = compat;
        self.files.iter_mut().for_each(|f| f.compat = compat);
    }

    /// The short registers whose high-byte read, in uxn2, also stores their
    /// low byte in the port that a DEI2 then reads as it stands.
    fn latches_low_byte(port: u8) -> bool {
        matches!(port, 0x28 | 0x2a | 0x2c | 0xc0 | 0xc8)
    }
}

impl Bus for Devices {
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        if self.compat.short_ports_act_once {
            // uxn2: the low byte of these reads what the high byte's read
            // left there, not the live register.
            if Self::latches_low_byte(port.wrapping_sub(1)) {
                return uxn.dev[port as usize];
            }
            if Self::latches_low_byte(port) {
                let low = self.dei_live(uxn, port + 1);
                uxn.dev[port as usize + 1] = low;
            }
        }
        self.dei_live(uxn, port)
    }

    fn dei2(&mut self, uxn: &mut Uxn, port: u8) -> u16 {
        let hi = self.dei(uxn, port);
        let low_port = port.wrapping_add(1);
        // uxn2 keeps the screen size in its ports (it writes them on every
        // resize); hop computes it, so those two are read live.
        let lo = if self.compat.short_ports_act_once && !matches!(low_port, 0x23 | 0x25) {
            uxn.dev[low_port as usize]
        } else {
            self.dei(uxn, low_port)
        };
        u16::from_be_bytes([hi, lo])
    }

    fn deo2(&mut self, uxn: &mut Uxn, port: u8, value: u16) {
        let [hi, lo] = value.to_be_bytes();
        uxn.dev[port as usize] = hi;
        if !self.compat.short_ports_act_once {
            self.deo(uxn, port, hi);
        }
        let port = port.wrapping_add(1);
        uxn.dev[port as usize] = lo;
        self.deo(uxn, port, lo);
    }

    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        self.deo_byte(uxn, port, value);
        // Nobody reads the output any more: stop the vector now (it might
        // print forever) rather than at the end of its budget.
        if self.console.failure().is_some() {
            uxn.interrupt();
        }
    }
}

impl Devices {
    /// A port's value as the device has it now.
    fn dei_live(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        match port & 0xf0 {
            0x00 => self.system.dei(uxn, port),
            0x20 => self.screen.dei(uxn, port),
            // uxn2 wires no port to the playing position.
            0x30..=0x60 if self.compat.audio_position_not_reported && port & 0x0e == 0x02 => {
                uxn.dev[port as usize]
            }
            0x30..=0x60 => self.audio.dei(uxn, port),
            0xc0 => self.datetime.dei(uxn, port),
            _ => uxn.dev[port as usize],
        }
    }

    fn deo_byte(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        match port & 0xf0 {
            // The debug port prints both stacks to the ROM's stderr.
            0x00 if port == 0x0e => self.console.debug(&system::debug_text(
                uxn,
                self.compat.debug_marks_stack_bottom,
            )),
            // uxn2 recolours on the low byte of r, g and b only.
            0x00 if self.compat.short_ports_act_once && matches!(port, 0x08 | 0x0a | 0x0c) => {}
            0x00 => {
                self.system.deo(uxn, port, value);
                if let Some(warning) = self.system.take_warning() {
                    self.console.report(&warning);
                }
                if port == 0x07 && !self.compat_fixed {
                    let at = self.system.metadata;
                    if let Some(compat) = compat::from_metadata(&uxn.ram[..], at) {
                        self.set_compat(compat);
                    }
                }
            }
            0x10 => self.console.deo(uxn, port),
            0x20 => self.screen.deo(uxn, port),
            0x30..=0x60 => self.audio.deo(uxn, port),
            0x80 => self.controller.deo(uxn, port),
            0x90 => self.mouse.deo(uxn, port),
            0xa0 | 0xb0 => {
                let file = &mut self.files[(port >> 4) as usize - 0x0a];
                file.deo(uxn, port);
                if let Some(warning) = file.take_refusal() {
                    self.console.report(&warning);
                }
            }
            _ => {}
        }
    }
}

/// Where the machine's console output goes, and where files live.
pub struct Config {
    pub engine: Engine,
    /// Jumps one vector may run before it is interrupted.
    pub budget: u64,
    /// How long one vector may run (time spent running it, not waiting
    /// between slices) before it is stopped; None: no limit.
    pub timeout: Option<Duration>,
    /// The file devices' sandbox: nothing outside it is reachable...
    pub root: PathBuf,
    /// ...but these files, named on the command line (see [`file::grants`]).
    pub grants: Vec<file::Grant>,
    pub stdout: Box<dyn Write>,
    pub stderr: Box<dyn Write>,
    /// The reference to behave like; None: 2026 unless the ROM's metadata
    /// names an older Varvara version (see [`compat::from_metadata`]).
    pub compat: Option<Compat>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            engine: Engine::default(),
            budget: DEFAULT_BUDGET,
            timeout: None,
            root: PathBuf::from("."),
            grants: Vec::new(),
            stdout: Box::new(std::io::sink()),
            stderr: Box::new(std::io::sink()),
            compat: None,
        }
    }
}

/// Which limit stopped a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// It ran its whole jump budget ([`Config::budget`]).
    Jumps,
    /// It ran longer than [`Config::timeout`].
    Time,
}

/// A vector that did not reach BRK within its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runaway {
    /// The vector that was started.
    pub vector: u16,
    /// Where the CPU was interrupted.
    pub pc: u16,
    pub limit: Limit,
}

impl Runaway {
    /// What the vector ran past, for a message: `ran 2147483648 jumps` or
    /// `ran for 5 s`.
    pub fn what(&self, budget: u64, timeout: Option<Duration>) -> String {
        match (self.limit, timeout) {
            (Limit::Time, Some(t)) => format!("ran for {} s", t.as_secs_f64()),
            _ => format!("ran {budget} jumps"),
        }
    }
}

pub struct Varvara {
    pub uxn: Box<Uxn>,
    pub devices: Devices,
    cpu: Cpu,
    budget: u64,
    timeout: Option<Duration>,
    jobs: Jobs,
    /// Uxn instructions run so far, when the engine counts them.
    pub instructions: Option<u64>,
    /// Frames run so far (see [`Varvara::run_frame`]).
    pub frame: u64,
    /// The ROM's identity, for snapshots ([`snapshot::fnv1a`]).
    rom_hash: u64,
    /// The debugger, when one is attached (see [`debug`]).
    debug: Option<Box<debug::Debugger>>,
}

impl Varvara {
    /// A machine with `rom` loaded, not yet booted.
    pub fn new(rom: &[u8], config: Config) -> Result<Varvara, RomError> {
        let mut uxn = Uxn::new();
        uxn.load_rom(rom)?;
        let grants: std::sync::Arc<[file::Grant]> = config.grants.into();
        let file = || file::File::with_grants(&config.root, grants.clone());
        let mut machine = Varvara {
            uxn,
            devices: Devices {
                system: system::System::new(),
                console: console::Console::new(config.stdout, config.stderr),
                screen: screen::Screen::new(),
                controller: controller::Controller::new(),
                mouse: mouse::Mouse::new(),
                files: [file(), file()],
                datetime: datetime::Datetime::new(),
                audio: audio::Audio::new(),
                compat: Compat::Y2026,
                compat_fixed: config.compat.is_some(),
            },
            cpu: Cpu::new(config.engine),
            budget: config.budget,
            timeout: config.timeout,
            jobs: Jobs::new(),
            instructions: (config.engine == Engine::Model).then_some(0),
            frame: 0,
            rom_hash: snapshot::fnv1a(rom),
            debug: None,
        };
        machine
            .devices
            .set_compat(config.compat.unwrap_or(Compat::Y2026));
        Ok(machine)
    }

    /// Runs the reset vector. With `has_args`, Console/type reads 1 first,
    /// which tells ROMs such as Left to wait for a path on the console.
    pub fn boot(&mut self, has_args: bool) -> Result<(), Runaway> {
        self.queue_boot(has_args);
        self.work(None).map(drop)
    }

    /// [`Varvara::boot`], queued for [`Varvara::work`].
    pub fn queue_boot(&mut self, has_args: bool) {
        if has_args {
            self.uxn.dev[0x17] = 1;
        }
        self.queue(Job::Vector(RESET_VECTOR));
    }

    /// True once the ROM has written a non-zero System/state.
    /// A failed write to stdout or stderr halts it too (see
    /// [`console::Console::failure`]).
    pub fn halted(&self) -> bool {
        self.uxn.dev[0x0f] != 0 || self.devices.console.failure().is_some()
    }

    /// hop's diagnostics about the ROM written since the last call, one
    /// line each (see [`console::Console::report`]), for a host that shows
    /// them elsewhere too.
    pub fn take_diagnostics(&mut self) -> Vec<String> {
        self.devices.console.take_reports()
    }

    /// The process exit code the ROM asked for (System/state & 0x7f).
    pub fn exit_code(&self) -> i32 {
        (self.uxn.dev[0x0f] & 0x7f) as i32
    }

    /// Runs one vector to BRK (after any queued work). An unset vector (0)
    /// and a halted machine run nothing: halting is only ever acted on
    /// between vectors.
    pub fn run_vector(&mut self, vector: u16) -> Result<(), Runaway> {
        self.queue(Job::Vector(vector));
        self.work(None).map(drop)
    }

    /// Lets `hook` follow the ROM's snarf file (see [`file::SnarfHook`]).
    pub fn set_snarf_hook(&mut self, hook: std::sync::Arc<dyn file::SnarfHook>) {
        for file in &mut self.devices.files {
            file.set_snarf_hook(hook.clone());
        }
    }

    /// Shows the snarf hook what the ROM wrote to `.snarf` since the last
    /// call (see [`file::File::report_snarf`]).
    pub fn report_snarf(&mut self) {
        self.devices
            .files
            .iter_mut()
            .for_each(file::File::report_snarf);
    }

    /// Closes both file devices' open files and listings. Their writes are
    /// on disk already (they are not buffered); this only ends the handles,
    /// as dropping the machine does. A host that resets the machine in
    /// place rather than making a new one calls it first.
    pub fn close_files(&mut self) {
        self.devices.files.iter_mut().for_each(file::File::close);
    }

    /// Delivers one console byte (an argument byte, a separator, stdin, or
    /// the end marker) and runs the console vector.
    pub fn console_input(&mut self, byte: u8, kind: ConsoleKind) -> Result<(), Runaway> {
        self.queue(Job::Console(byte, kind));
        self.work(None).map(drop)
    }

    /// Streams the ROM arguments through the console vector: each byte as
    /// type 2, then `\n` as type 3 between arguments and type 4 after the last.
    pub fn send_args(&mut self, args: &[impl AsRef<[u8]>]) -> Result<(), Runaway> {
        self.queue_args(args);
        self.work(None).map(drop)
    }

    /// [`Varvara::send_args`], queued for [`Varvara::work`].
    pub fn queue_args(&mut self, args: &[impl AsRef<[u8]>]) {
        for (i, arg) in args.iter().enumerate() {
            for &byte in arg.as_ref() {
                self.queue(Job::Argument(byte, ConsoleKind::Argument));
            }
            let kind = if i + 1 == args.len() {
                ConsoleKind::End
            } else {
                ConsoleKind::ArgumentEnd
            };
            self.queue(Job::Argument(b'\n', kind));
        }
    }
}
