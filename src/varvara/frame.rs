//! Host events and the 60 Hz frame: what a host (the headless frames
//! runner, the desktop) feeds the machine, and in which order the machine
//! runs the vectors, as the reference host loop does (spec §1.4).

use super::jobs::Job;
use super::screen::Frame;
use super::{Runaway, Varvara};

/// Frames per second of the screen vector.
pub const FRAME_RATE: u32 = 60;
/// Audio sample frames rendered per video frame (44100 Hz / 60).
pub const SAMPLES_PER_FRAME: usize = 735;

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
    MouseMove { x: u16, y: u16 },
    /// Mouse buttons pressed (a mask of [`super::mouse::button`] bits).
    MouseDown(u8),
    /// Mouse buttons released.
    MouseUp(u8),
    /// Scroll deltas as the ROM sees them (wheel up is y = -1); they are
    /// cleared after the vector.
    Scroll { x: i16, y: i16 },
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
        self.devices.datetime.frame = self.frame;
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
        // runner 735 sample frames with `render_audio`, the desktop's
        // audio thread as its device asks.
        self.frame += 1;
    }

    /// The composed screen, recomposed where it changed since the last call.
    pub fn screen_frame(&mut self) -> Frame<'_> {
        self.devices.screen.frame(&self.devices.system.palette)
    }
}
