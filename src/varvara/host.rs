//! The machine's host interface: what a host (the headless runners, the
//! desktop, a test) feeds the machine, in which order the machine runs the
//! vectors (as the reference host loop does, spec §1.4), and what it reads
//! back. Hosts reach the machine through these methods and no other way.
//!
//! Words: a *frame* is one 60 Hz tick (the screen vector and the events
//! before it); the *picture* is the composed screen; a *sample* is one
//! value per audio channel.

use super::console::{Console, ConsoleKind, OutputFailure};
use super::datetime::Clock;
use super::jobs::Job;
use super::metadata::Metadata;
use super::screen::{Picture, Screen};
use super::system::System;
use super::{Runaway, Varvara, file};
use crate::uxn::{Bus, RESET_VECTOR, Uxn};

/// Frames per second: how often the screen vector runs.
pub const FRAME_RATE: u32 = 60;

/// One input event, as the reference host delivers it: each runs its
/// device's vector at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Controller buttons pressed (a mask of [`super::controller::button`]
    /// bits, ORed into Controller/button).
    ButtonDown(u8),
    /// Controller buttons released (ANDed out of Controller/button).
    ButtonUp(u8),
    /// One key byte: Controller/key holds it for one vector.
    Key(u8),
    /// The pointer moved to these screen pixel coordinates.
    MouseMove {
        /// Column.
        x: u16,
        /// Row.
        y: u16,
    },
    /// Mouse buttons pressed (a mask of [`super::mouse::button`] bits).
    MouseDown(u8),
    /// Mouse buttons released.
    MouseUp(u8),
    /// Scroll deltas as the ROM sees them (wheel up is y = -1); they are
    /// cleared after the vector.
    Scroll {
        /// Right is positive.
        x: i16,
        /// Down is positive.
        y: i16,
    },
    /// One byte of standard input for the console (type 1).
    ConsoleByte(u8),
    /// The end of standard input (type 4).
    ConsoleEnd,
}

impl Varvara {
    /// Delivers one event: updates the device ports and runs the vector.
    /// Zero button masks and key 0 are ignored, as the reference does.
    pub fn deliver(&mut self, event: Event) -> Result<(), Runaway> {
        self.queue(Job::Event(event));
        self.work(None).map(drop)
    }

    /// Runs one frame: the audio finish vectors due, the events that
    /// arrived during it, in order, then the screen vector. A halted
    /// machine runs nothing; the host stops when [`Varvara::halted`] says so.
    pub fn run_frame(&mut self, events: impl IntoIterator<Item = Event>) -> Result<(), Runaway> {
        if self.halted() {
            return Ok(());
        }
        self.queue_frame(events);
        self.work(None).map(drop)
    }

    /// [`Varvara::run_frame`], queued for [`Varvara::work`]. A machine
    /// still busy with earlier frames gets the events, but no second
    /// screen vector or finish pass while one already waits.
    pub fn queue_frame(&mut self, events: impl IntoIterator<Item = Event>) {
        if self.halted() {
            return;
        }
        self.devices.datetime.frames = self.frames;
        // The voices that ended while the previous frame's samples were
        // rendered run their finish vectors first.
        if !self.queued(Job::AudioFinish) {
            self.queue(Job::AudioFinish);
        }
        for event in events {
            self.queue(Job::Event(event));
        }
        if !self.queued(Job::Screen) {
            self.queue(Job::Screen);
        }
        // The host renders this frame's audio after the work: the headless
        // runner 735 samples with `render_audio`, the desktop's
        // audio thread as its device asks.
        self.frames += 1;
    }

    /// The composed screen, recomposed where it changed since the last call.
    pub fn picture(&mut self) -> Picture<'_> {
        self.devices.screen.picture(&self.devices.system.palette)
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
            Console::announce_arguments(&mut self.uxn);
        }
        self.queue(Job::Vector(RESET_VECTOR));
    }

    /// True once the ROM has written a non-zero System/state.
    /// A failed write to stdout or stderr halts it too (see
    /// [`console::Console::failure`]).
    pub fn halted(&self) -> bool {
        System::halted(&self.uxn) || self.devices.console.failure().is_some()
    }

    /// hop's diagnostics about the ROM written since the last call, one
    /// line each (see [`console::Console::report`]), for a host that shows
    /// them elsewhere too.
    pub fn take_diagnostics(&mut self) -> Vec<String> {
        self.devices.console.take_reports()
    }

    /// The process exit code the ROM asked for (System/state & 0x7f).
    pub fn exit_code(&self) -> i32 {
        System::exit_code(&self.uxn)
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

    /// Boots the ROM and streams it `args` (see [`Varvara::queue_start`]).
    pub fn start(&mut self, args: &[impl AsRef<[u8]>]) -> Result<(), Runaway> {
        self.queue_start(args);
        self.work(None).map(drop)
    }

    /// What every host does first: the reset vector, told whether
    /// arguments follow, then the arguments through the console vector.
    pub fn queue_start(&mut self, args: &[impl AsRef<[u8]>]) {
        self.queue_boot(!args.is_empty());
        self.queue_args(args);
    }

    /// Frames run so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Uxn instructions run so far, when the engine counts them (the model
    /// engine does).
    pub fn instructions(&self) -> Option<u64> {
        self.instructions
    }

    /// What the ROM says about itself in its metadata block.
    pub fn metadata(&self) -> Metadata {
        Metadata::read(&self.uxn.ram[..], self.devices.system.metadata)
    }

    /// Whether the ROM set a mouse vector: it then draws its own pointer,
    /// and a host may hide its own.
    pub fn uses_mouse(&self) -> bool {
        self.devices.mouse.vector != 0
    }

    /// Whether the ROM set a console vector: it then reads standard input.
    pub fn reads_console(&self) -> bool {
        self.devices.console.vector != 0
    }

    /// The screen's size in pixels.
    pub fn screen_size(&self) -> (usize, usize) {
        (self.devices.screen.width(), self.devices.screen.height())
    }

    /// The screen device, to look at (its layers, pixel by pixel).
    pub fn screen(&self) -> &Screen {
        &self.devices.screen
    }

    /// The CPU, to look at: RAM, the stacks, the device page.
    pub fn cpu(&self) -> &Uxn {
        &self.uxn
    }

    /// Both stacks, as System/debug prints them.
    pub fn stacks_text(&self) -> String {
        super::system::debug_text(&self.uxn, self.devices.compat().debug_marks_stack_bottom)
    }

    /// Where the Datetime device takes its time from.
    pub fn set_clock(&mut self, clock: Clock) {
        self.devices.datetime.clock = clock;
    }

    /// The first failed write to the ROM's stdout or stderr, if any (the
    /// machine halted then).
    pub fn output_failure(&self) -> Option<OutputFailure> {
        self.devices.console.failure()
    }

    /// How many diagnostics were not shown, as a line for the end of a run.
    pub fn unshown_summary(&self) -> Option<String> {
        self.devices.console.unshown_summary()
    }

    /// Writes `bytes` to RAM at `addr` (wrapping at 0xffff), as a device
    /// would: the CPU forgets what it had decoded there.
    pub fn poke(&mut self, addr: u16, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            self.uxn.ram.store(addr.wrapping_add(i as u16), b);
        }
    }

    /// A DEO of `value` to `port`, as the CPU does it.
    pub fn deo(&mut self, port: u8, value: u8) {
        self.uxn.dev[port as usize] = value;
        self.devices.deo(&mut self.uxn, port, value);
    }

    /// A DEI of `port`, as the CPU does it.
    pub fn dei(&mut self, port: u8) -> u8 {
        self.devices.dei(&mut self.uxn, port)
    }

    /// How many diagnostics about the ROM were only counted, not shown.
    pub fn unshown_diagnostics(&self) -> u64 {
        self.devices.console.unshown_reports()
    }
}
