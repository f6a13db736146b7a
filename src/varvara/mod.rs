//! The Varvara computer: a Uxn CPU plus its devices, as pure state and
//! "run this vector". No window, no audio driver, no threads: hosts (the
//! headless runner, the desktop) feed it events and read its output.

#![forbid(unsafe_code)]

pub mod audio;
pub mod banks;
pub mod compat;
pub mod console;
pub mod controller;
pub mod datetime;
pub mod debug;
pub mod file;
pub mod host;
mod jobs;
pub mod metadata;
pub mod mouse;
pub mod ports;
pub mod screen;
pub mod snapshot;
pub mod system;

use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use crate::uxn::{Bus, Cpu, Engine, Uxn};
use jobs::Jobs;
use system::System;

pub use banks::RomError;
pub use compat::Compat;
pub use console::{Captured, ConsoleKind, OutputFailure};
pub use host::Event;

/// How many jump instructions one vector may run before the host takes
/// control back (see [`crate::uxn::Cpu::run`]): about 6 s of a bare `@loop !loop`.
pub const DEFAULT_BUDGET: u64 = 1 << 31;

/// Everything the CPU reaches through DEI/DEO.
pub struct Devices {
    /// 0x00: stacks, banks, metadata, palette, state.
    pub system: system::System,
    /// 0x10: bytes in and out.
    pub console: console::Console,
    /// 0x20: two layers of pixels.
    pub screen: screen::Screen,
    /// 0x80: buttons and keys.
    pub controller: controller::Controller,
    /// 0x90: pointer, buttons, scroll.
    pub mouse: mouse::Mouse,
    /// 0xa0 and 0xb0: files in the sandbox.
    pub files: [file::File; 2],
    /// 0xc0: the clock.
    pub datetime: datetime::Datetime,
    /// 0x30 to 0x60: four voices.
    pub audio: audio::Audio,
    /// The behaviours that differ between the references (see [`Compat`]).
    compat: Compat,
    /// Whether the command line chose it; if not, the ROM's metadata may.
    compat_fixed: bool,
}

impl Devices {
    /// The devices of a machine set up as `config` says, every port 0. A
    /// [`Varvara`] owns one; a test of the devices alone may make its own
    /// and run a CPU over it.
    pub fn new(config: Config) -> Devices {
        let settings = config.settings;
        let grants: std::sync::Arc<[file::Grant]> = config.grants.into();
        let file = || file::File::with_grants(&settings.root, grants.clone());
        let mut devices = Devices {
            system: system::System::new(),
            console: console::Console::new(config.stdout, config.stderr),
            screen: screen::Screen::new(),
            controller: controller::Controller::new(),
            mouse: mouse::Mouse::new(),
            files: [file(), file()],
            datetime: datetime::Datetime::new(),
            audio: audio::Audio::new(),
            compat: Compat::Y2026,
            compat_fixed: settings.compat.is_some(),
        };
        devices.set_compat(settings.compat.unwrap_or(Compat::Y2026));
        devices
    }

    /// The behaviours that differ between the references, as they stand.
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
        screen::Screen::latches_low_byte(port) || datetime::Datetime::latches_low_byte(port)
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
        let lo = if self.compat.short_ports_act_once && !screen::Screen::is_size_low(low_port) {
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
            system::BASE => self.system.dei(uxn, port),
            screen::BASE => self.screen.dei(uxn, port),
            // uxn2 wires no port to the playing position.
            _ if self.compat.audio_position_not_reported && audio::is_position(port) => {
                uxn.dev[port as usize]
            }
            audio::FIRST_PAGE..=audio::LAST_PAGE => self.audio.dei(uxn, port),
            datetime::BASE => self.datetime.dei(uxn, port),
            _ => uxn.dev[port as usize],
        }
    }

    fn deo_byte(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        match port & 0xf0 {
            // The debug port prints both stacks to the ROM's stderr.
            _ if System::is_debug(port) => self.console.debug(&system::debug_text(
                uxn,
                self.compat.debug_marks_stack_bottom,
            )),
            // uxn2 recolours on the low byte of r, g and b only.
            _ if self.compat.short_ports_act_once && System::is_colour_high(port) => {}
            system::BASE => {
                self.system.deo(uxn, port, value);
                if let Some(warning) = self.system.take_warning() {
                    self.console.report(&warning);
                }
                if System::is_metadata_low(port) && !self.compat_fixed {
                    let at = self.system.metadata;
                    if let Some(compat) = compat::from_metadata(&uxn.ram[..], at) {
                        self.set_compat(compat);
                    }
                }
            }
            console::BASE => self.console.deo(uxn, port),
            screen::BASE => self.screen.deo(uxn, &self.system.banks, port),
            audio::FIRST_PAGE..=audio::LAST_PAGE => self.audio.deo(uxn, port),
            controller::BASE => self.controller.deo(uxn, port),
            mouse::BASE => self.mouse.deo(uxn, port),
            page @ (file::FIRST_PAGE | file::SECOND_PAGE) => {
                let file = &mut self.files[((page - file::FIRST_PAGE) >> 4) as usize];
                file.deo(uxn, port);
                if let Some(warning) = file.take_refusal() {
                    self.console.report(&warning);
                }
            }
            _ => {}
        }
    }
}

/// How a machine runs, as the person chose it: the same for every host
/// (the headless runners and the desktop carry one of these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Which CPU engine runs the code.
    pub engine: Engine,
    /// Jumps one vector may run before it is stopped.
    pub budget: u64,
    /// How long one vector may run (time spent running it, not waiting
    /// between slices) before it is stopped; None: no limit.
    pub timeout: Option<Duration>,
    /// The file devices' sandbox: nothing outside it is reachable but the
    /// files granted with [`Config::grants`].
    pub root: PathBuf,
    /// The reference to behave like; None: 2026 unless the ROM's metadata
    /// names an older Varvara version (see [`compat::from_metadata`]).
    pub compat: Option<Compat>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            engine: Engine::default(),
            budget: DEFAULT_BUDGET,
            timeout: None,
            root: PathBuf::from("."),
            compat: None,
        }
    }
}

/// One machine's settings, and where its console output goes.
pub struct Config {
    /// How it runs.
    pub settings: Settings,
    /// The files named on the command line, reachable beside the root
    /// (see [`file::grants`]).
    pub grants: Vec<file::Grant>,
    /// Where Console/write goes.
    pub stdout: Box<dyn Write>,
    /// Where Console/error, the debug port and hop's diagnostics go.
    pub stderr: Box<dyn Write>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            settings: Settings::default(),
            grants: Vec::new(),
            stdout: Box::new(std::io::sink()),
            stderr: Box::new(std::io::sink()),
        }
    }
}

/// Which limit stopped a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// It ran its whole jump budget ([`Settings::budget`]).
    Jumps,
    /// It ran longer than [`Settings::timeout`].
    Time,
}

/// A vector that did not reach BRK within its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runaway {
    /// The vector that was started.
    pub vector: u16,
    /// Where the CPU was interrupted.
    pub pc: u16,
    /// Which limit it reached.
    pub limit: Limit,
    /// What that limit was: jumps, or time.
    budget: u64,
    timeout: Option<Duration>,
}

impl Runaway {
    /// What the vector ran past, for a short message: `ran 2147483648
    /// jumps` or `ran for 5 s`.
    pub fn what(&self) -> String {
        match (self.limit, self.timeout) {
            (Limit::Time, Some(t)) => format!("ran for {} s", t.as_secs_f64()),
            _ => format!("ran {} jumps", self.budget),
        }
    }
}

/// The one sentence every host prints about a runaway, before saying what
/// it does about it.
impl fmt::Display for Runaway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the vector at {:#06x} {} without reaching BRK (stopped at {:#06x})",
            self.vector,
            self.what(),
            self.pc
        )
    }
}

/// The Varvara computer: a CPU, its devices and the work queued for them.
/// Hosts reach it through the methods of [`host`] (and [`snapshot`],
/// [`debug`], [`audio`]), never through its parts.
pub struct Varvara {
    uxn: Box<Uxn>,
    devices: Devices,
    cpu: Cpu,
    budget: u64,
    timeout: Option<Duration>,
    jobs: Jobs,
    /// Uxn instructions run so far, when the engine counts them.
    instructions: Option<u64>,
    /// Frames run so far (see [`Varvara::run_frame`]).
    frames: u64,
    /// The ROM's identity, for snapshots ([`snapshot::fnv1a`]).
    rom_hash: u64,
    /// The debugger, when one is attached (see [`debug`]).
    debug: Option<Box<debug::Debugger>>,
}

impl Varvara {
    /// A machine with `rom` loaded, not yet booted.
    pub fn new(rom: &[u8], config: Config) -> Result<Varvara, RomError> {
        let settings = config.settings.clone();
        let mut uxn = Uxn::new();
        let mut devices = Devices::new(config);
        devices.system.banks.load_rom(&mut uxn, rom)?;
        Ok(Varvara {
            uxn,
            devices,
            cpu: Cpu::new(settings.engine),
            budget: settings.budget,
            timeout: settings.timeout,
            jobs: Jobs::new(),
            instructions: (settings.engine == Engine::Model).then_some(0),
            frames: 0,
            rom_hash: snapshot::fnv1a(rom),
            debug: None,
        })
    }
}
