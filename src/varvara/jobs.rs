//! The machine's work, in order, and running it in slices.
//!
//! Everything a host asks of the machine (boot, an input event, a console
//! byte, the finish vectors of ended notes, the screen vector) becomes a
//! [`Job`] in one queue, and each job runs its vector to BRK before the
//! next one starts, as the reference host does. [`Varvara::work`] runs the
//! queue until it is empty or until a deadline: a vector still running
//! then is suspended where it stands (the CPU leaves with its pc and
//! stacks intact, see [`crate::uxn::Exit::Budget`]) and resumed by the
//! next call. So a desktop stays responsive while a ROM computes for
//! seconds, and the same code runs the headless modes with no deadline.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::console::Console;
use super::controller::Controller;
use super::mouse::Mouse;
use super::{ConsoleKind, Event, Limit, Runaway, Varvara};
use crate::uxn::{Exit, WRAP_COST, model};

/// One piece of work, run when the jobs before it have finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Job {
    /// Run this vector as it is (the reset vector).
    Vector(u16),
    /// An input event: its ports are set when the job starts.
    Event(Event),
    /// One console byte of the given kind, for the console vector.
    Console(u8, ConsoleKind),
    /// A byte of the ROM's arguments (see [`Varvara::queue_args`]).
    Argument(u8, ConsoleKind),
    /// Every voice whose note ended in the audio rendered so far runs its
    /// finish vector, voice 0 first.
    AudioFinish,
    /// One voice's finish vector, read from its port when it starts.
    Finish(usize),
    /// The screen vector.
    Screen,
}

/// What to put back when a vector finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cleanup {
    Nothing,
    /// Controller/key holds its byte for one vector only.
    Key,
    /// The scroll ports return to 0 after the vector.
    Scroll,
}

/// The vector in progress, between two slices.
#[derive(Debug)]
struct Running {
    vector: u16,
    pc: u16,
    /// Jumps it may still run.
    jumps_left: u64,
    /// Time spent running it so far (not counting the waits between slices).
    ran: Duration,
    cleanup: Cleanup,
}

/// The queue and the vector in progress.
#[derive(Debug)]
pub(crate) struct Jobs {
    queue: VecDeque<Job>,
    running: Option<Running>,
    /// Jumps per slice, adapted so a slice takes about [`SLICE_TIME`].
    slice: u64,
}

/// How long one slice should run: short enough that a deadline is kept to
/// within a millisecond or two, long enough that looking at the clock
/// costs nothing measurable.
const SLICE_TIME: Duration = Duration::from_micros(500);
/// Bounds of the slice, in jumps.
const MIN_SLICE: u64 = 1;
const MAX_SLICE: u64 = 1 << 24;
/// At most this many jobs wait behind a busy vector; input beyond it is
/// dropped rather than kept without bound (a ROM busy for minutes while
/// the pointer moves).
const MAX_QUEUE: usize = 1 << 14;

impl Jobs {
    pub(crate) fn new() -> Jobs {
        Jobs {
            queue: VecDeque::new(),
            running: None,
            slice: 1 << 12,
        }
    }
}

impl Varvara {
    /// Queues a job behind the others. Pointer motion queued behind a busy
    /// vector replaces the motion before it, if nothing came between.
    pub(crate) fn queue(&mut self, job: Job) {
        let queue = &mut self.jobs.queue;
        if let (Job::Event(Event::MouseMove { .. }), Some(Job::Event(Event::MouseMove { .. }))) =
            (job, queue.back())
            && self.jobs.running.is_some()
        {
            *queue.back_mut().expect("just seen") = job;
            return;
        }
        if queue.len() < MAX_QUEUE {
            queue.push_back(job);
        }
    }

    /// Whether a job of this kind is already waiting (a busy machine is
    /// not given a second screen vector for every frame it misses).
    pub(crate) fn queued(&self, job: Job) -> bool {
        self.jobs.queue.contains(&job)
    }

    /// True while a vector is suspended or jobs wait: the machine has not
    /// caught up with what it was given.
    pub fn busy(&self) -> bool {
        self.jobs.running.is_some() || !self.jobs.queue.is_empty()
    }

    /// How long the vector in progress has run so far, if one is suspended.
    pub fn busy_for(&self) -> Option<Duration> {
        self.jobs.running.as_ref().map(|r| r.ran)
    }

    /// The vector in progress and where it stands (for the debugger).
    pub(crate) fn jobs_running(&self) -> Option<(u16, u16)> {
        self.jobs.running.as_ref().map(|r| (r.vector, r.pc))
    }

    /// The jumps the vector in progress may still run.
    pub fn jumps_left(&self) -> Option<u64> {
        self.jobs.running.as_ref().map(|r| r.jumps_left)
    }

    /// Runs the queued jobs in order until none is left (`Ok(true)`) or
    /// until `deadline` has passed (`Ok(false)`: the vector in progress is
    /// suspended and the next call resumes it). Without a deadline and
    /// without a time limit, each vector runs in one go, exactly as
    /// [`crate::uxn::Cpu::run`] would. A vector that runs past its jump
    /// budget, or longer than the time limit, is stopped: the error says
    /// which, and the jobs still queued are dropped.
    pub fn work(&mut self, deadline: Option<Instant>) -> Result<bool, Runaway> {
        let result = self.work_queue(deadline);
        if result.is_err() {
            self.jobs.queue.clear();
            self.jobs.running = None;
        }
        result
    }

    fn work_queue(&mut self, deadline: Option<Instant>) -> Result<bool, Runaway> {
        loop {
            if self.debug.is_some() && self.paused() {
                return Ok(false);
            }
            if self.jobs.running.is_none() {
                let Some(job) = self.jobs.queue.pop_front() else {
                    return Ok(true);
                };
                self.begin_job(job);
                if let Some(running) = &self.jobs.running {
                    self.entered(running.pc);
                }
            } else if !self.advance(deadline)? {
                return Ok(false);
            }
        }
    }

    /// Sets the job's ports and makes its vector the one in progress. A
    /// halted machine and an unset vector run nothing.
    fn begin_job(&mut self, job: Job) {
        let uxn = &mut self.uxn;
        let (vector, cleanup) = match job {
            Job::Vector(vector) => (vector, Cleanup::Nothing),
            Job::Event(event) => match event {
                // Zero masks and key 0 do nothing, as in the reference.
                Event::ButtonDown(0) | Event::ButtonUp(0) | Event::Key(0) => return,
                Event::ButtonDown(mask) => {
                    Controller::press(uxn, mask);
                    (self.devices.controller.vector, Cleanup::Nothing)
                }
                Event::ButtonUp(mask) => {
                    Controller::release(uxn, mask);
                    (self.devices.controller.vector, Cleanup::Nothing)
                }
                Event::Key(key) => {
                    Controller::type_key(uxn, key);
                    (self.devices.controller.vector, Cleanup::Key)
                }
                Event::MouseMove { x, y } => {
                    Mouse::moved(uxn, x, y);
                    (self.devices.mouse.vector, Cleanup::Nothing)
                }
                Event::MouseDown(mask) => {
                    Mouse::press(uxn, self.devices.compat().mouse_bits(mask));
                    (self.devices.mouse.vector, Cleanup::Nothing)
                }
                Event::MouseUp(mask) => {
                    Mouse::release(uxn, self.devices.compat().mouse_bits(mask));
                    (self.devices.mouse.vector, Cleanup::Nothing)
                }
                Event::Scroll { x, y } => {
                    Mouse::scrolled(uxn, x, y);
                    (self.devices.mouse.vector, Cleanup::Scroll)
                }
                Event::ConsoleByte(byte) => {
                    return self.begin_job(Job::Console(byte, ConsoleKind::Stdin));
                }
                Event::ConsoleEnd => return self.begin_job(Job::Console(b'\n', ConsoleKind::End)),
            },
            // uxn2 sends the arguments only to a ROM that set a console
            // vector; to others they are not even stored.
            Job::Argument(..)
                if self.devices.compat().args_need_console_vector
                    && self.devices.console.vector == 0 =>
            {
                return;
            }
            Job::Console(byte, kind) | Job::Argument(byte, kind) => {
                Console::input(uxn, byte, kind);
                (self.devices.console.vector, Cleanup::Nothing)
            }
            Job::AudioFinish => {
                let finished = self.devices.audio.take_finished();
                let voices = (0..super::audio::VOICES).filter(|v| finished & 1 << v != 0);
                // In front of what waits, voice 0 first.
                for voice in voices.rev() {
                    self.jobs.queue.push_front(Job::Finish(voice));
                }
                return;
            }
            Job::Finish(voice) => (
                super::audio::finish_vector(&self.uxn, voice),
                Cleanup::Nothing,
            ),
            Job::Screen => (self.devices.screen.vector, Cleanup::Nothing),
        };
        if vector == 0 || self.halted() {
            self.clean_up(cleanup);
            return;
        }
        self.jobs.running = Some(Running {
            vector,
            pc: vector,
            jumps_left: self.budget,
            ran: Duration::ZERO,
            cleanup,
        });
    }

    fn clean_up(&mut self, cleanup: Cleanup) {
        match cleanup {
            Cleanup::Nothing => {}
            Cleanup::Key => Controller::key_done(&mut self.uxn),
            Cleanup::Scroll => Mouse::scroll_done(&mut self.uxn),
        }
    }

    /// Runs the vector in progress until BRK (`Ok(true)`), or until the
    /// deadline passes (`Ok(false)`).
    fn advance(&mut self, deadline: Option<Instant>) -> Result<bool, Runaway> {
        let timed = deadline.is_some() || self.timeout.is_some();
        loop {
            let running = self.jobs.running.as_mut().expect("a vector in progress");
            let slice = if !timed {
                running.jumps_left
            } else if model::wraps(running.pc, self.uxn.ram[running.pc as usize]) {
                // A smaller slice could never pay for the run past 0xffff.
                WRAP_COST
            } else {
                self.jobs.slice
            }
            .min(running.jumps_left);
            let began = timed.then(Instant::now);
            let (exit, steps, spent) = match self.debug.as_deref_mut() {
                None => {
                    let (exit, steps) =
                        self.cpu
                            .run_counted(&mut self.uxn, &mut self.devices, running.pc, slice);
                    (Some(exit), steps, slice)
                }
                Some(debugger) => {
                    let ran = super::debug::run(
                        debugger,
                        &mut self.uxn,
                        &mut self.devices,
                        running.vector,
                        running.pc,
                        slice,
                    );
                    (ran.exit, Some(ran.steps), ran.spent)
                }
            };
            if let (Some(total), Some(steps)) = (&mut self.instructions, steps) {
                *total += steps;
            }
            let now = began.map(|began| (Instant::now(), began.elapsed()));
            let jobs = &mut self.jobs;
            let running = jobs.running.as_mut().expect("still in progress");
            if let Some((_, took)) = now {
                running.ran += took;
                // Aim each slice at SLICE_TIME.
                if took < SLICE_TIME / 4 && slice >= jobs.slice {
                    jobs.slice = (jobs.slice * 2).min(MAX_SLICE);
                } else if took > SLICE_TIME * 4 {
                    jobs.slice = (jobs.slice / 2).max(MIN_SLICE);
                }
            }
            let Some(exit) = exit else {
                // The debugger stopped it: suspended where it stands.
                running.pc = self
                    .debug
                    .as_ref()
                    .and_then(|d| d.stopped()?.pc)
                    .unwrap_or(running.pc);
                running.jumps_left -= spent;
                self.devices.console.flush();
                return Ok(false);
            };
            match exit {
                Exit::Brk => {
                    let cleanup = running.cleanup;
                    self.jobs.running = None;
                    self.clean_up(cleanup);
                    self.devices.console.flush();
                    return Ok(true);
                }
                // Interrupted because the output is gone: the console has
                // halted the machine, so nothing more runs.
                Exit::Budget { .. } if self.devices.console.failure().is_some() => {
                    self.jobs.running = None;
                    self.jobs.queue.clear();
                    return Ok(true);
                }
                Exit::Budget { pc } => {
                    running.pc = pc;
                    running.jumps_left -= slice;
                    let limit = if running.jumps_left == 0 {
                        Some(Limit::Jumps)
                    } else if self.timeout.is_some_and(|t| running.ran >= t) {
                        Some(Limit::Time)
                    } else {
                        None
                    };
                    if let Some(limit) = limit {
                        self.devices.console.flush();
                        // The debugger's panel shows where it is stuck
                        // instead, with a fresh budget to step on with.
                        if let Some(debugger) = self.debug.as_deref_mut()
                            && debugger.catches_runaways()
                        {
                            debugger.caught(limit, pc);
                            running.jumps_left = self.budget;
                            running.ran = Duration::ZERO;
                            return Ok(false);
                        }
                        return Err(Runaway {
                            vector: running.vector,
                            pc,
                            limit,
                            budget: self.budget,
                            timeout: self.timeout,
                        });
                    }
                    if let (Some(deadline), Some((now, _))) = (deadline, now)
                        && now >= deadline
                    {
                        // What the vector printed so far shows now.
                        self.devices.console.flush();
                        return Ok(false);
                    }
                }
            }
        }
    }
}
