//! Audio (0x30, 0x40, 0x50, 0x60): four voices that play samples from RAM
//! with a pitch, an envelope and a stereo volume, in the reference's
//! fixed-point engine (restored upstream in January 2025), sample for sample.
//!
//! # Threads
//!
//! The machine runs no threads, but a desktop host pulls samples from its
//! audio driver's thread. So the voices live in a [`Mixer`] behind an
//! `Arc<Mutex<_>>` shared by two handles:
//! - [`Audio`], the device, owned by the machine on the main thread: DEO
//!   pitch starts a note, DEI reads position and loudness. Each locks the
//!   mixer for a moment.
//! - [`AudioOutput`], cloneable and `Send`, for the driver thread:
//!   [`AudioOutput::render`] locks the mixer for one buffer.
//!
//! A note that ends during a render sets its voice's bit in an atomic mask;
//! the main thread takes the mask ([`Varvara::run_audio_finish_vectors`])
//! and runs the finish vectors there, as the reference does with its event
//! queue. The headless runner renders itself, on the main thread
//! ([`Varvara::render_audio`]), so its output is deterministic.
//!
//! # Samples and RAM
//!
//! The reference mixer reads sample bytes straight from RAM while it plays.
//! The driver thread cannot reach the CPU's RAM, so each voice copies its
//! sample when the note starts, and the host refreshes the copies from RAM
//! before it renders ([`Varvara::render_audio`] does) or once per frame on
//! the desktop ([`Varvara::refresh_audio_samples`]). A ROM that rewrites a
//! waveform while it plays is heard as in the reference; the headless runner
//! renders after the frame's vectors, as the reference's frame procedure
//! does, so it matches exactly.
//!
//! # Mixing
//!
//! The reference adds voices into 16-bit samples and wraps around on
//! overflow. hop adds them exactly and saturates: identical whenever the sum
//! fits (it takes three loud voices to overflow), a clipped peak instead of
//! a loud click when it does not.

pub mod envelope;
pub mod mixer;
pub mod pitch;
pub mod voice;

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use mixer::{Mixer, VOICES};
pub use voice::Note;

use super::ports::{Layout, Port};
use crate::uxn::Uxn;
use crate::varvara::jobs::Job;
use crate::varvara::{Runaway, Varvara};

/// Output samples per second. A sample is one value per channel: in hop,
/// "frame" only ever means the 60 Hz tick of the screen vector.
pub const SAMPLE_RATE: u32 = 44100;
/// Left and right, interleaved.
pub const CHANNELS: usize = 2;
/// Samples per frame: what the headless runner renders after each screen
/// vector.
pub const SAMPLES_PER_FRAME: usize = SAMPLE_RATE as usize / super::host::FRAME_RATE as usize;

/// Each voice's ports, as offsets within its device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const POSITION: u8 = 0x2;
    pub const OUTPUT: u8 = 0x4;
    pub const ADSR: u8 = 0x8;
    pub const LENGTH: u8 = 0xa;
    pub const ADDR: u8 = 0xc;
    pub const VOLUME: u8 = 0xe;
    pub const PITCH: u8 = 0xf;
}

/// The first audio device page; voice n is at `FIRST_PAGE + 0x10 * n`.
pub const FIRST_PAGE: u8 = 0x30;
/// The last voice's page.
pub const LAST_PAGE: u8 = FIRST_PAGE + 0x10 * (VOICES as u8 - 1);

const PORTS: &[Port] = &[
    Port::short(port::VECTOR, "vector"),
    Port::short(port::POSITION, "position"),
    Port::byte(port::OUTPUT, "output"),
    Port::short(port::ADSR, "adsr"),
    Port::short(port::LENGTH, "length"),
    Port::short(port::ADDR, "addr"),
    Port::byte(port::VOLUME, "volume"),
    Port::byte(port::PITCH, "pitch"),
];

/// Where the four voices are and what their ports are called.
pub const LAYOUTS: [Layout; VOICES] = {
    let names = ["Audio0", "Audio1", "Audio2", "Audio3"];
    let mut layouts = [Layout {
        name: "",
        base: 0,
        ports: PORTS,
    }; VOICES];
    let mut voice = 0;
    while voice < VOICES {
        layouts[voice].name = names[voice];
        layouts[voice].base = FIRST_PAGE + 0x10 * voice as u8;
        voice += 1;
    }
    layouts
};

/// Whether `port` is a voice's playing position (its high or low byte).
pub fn is_position(port: u8) -> bool {
    (FIRST_PAGE..LAST_PAGE + 0x10).contains(&port) && port & 0x0e == port::POSITION
}

/// What the device and the driver thread share.
#[derive(Debug, Default)]
struct Shared {
    mixer: Mutex<Mixer>,
    /// Bit n: voice n finished a note and its vector has not run yet.
    finished: AtomicU8,
}

impl Shared {
    fn mixer(&self) -> MutexGuard<'_, Mixer> {
        // The mixer cannot panic mid-update; should a host thread die while
        // holding the lock, the voices are still consistent.
        self.mixer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The driver side: renders samples on any thread.
#[derive(Debug, Clone)]
pub struct AudioOutput {
    shared: Arc<Shared>,
}

impl AudioOutput {
    /// Overwrites `out` (interleaved left/right, 44100 Hz, signed 16-bit)
    /// with the next samples, and records which voices finished a note so
    /// that the main thread runs their vectors.
    pub fn render(&self, out: &mut [i16]) {
        let finished = self.shared.mixer().render(out);
        if finished != 0 {
            self.shared.finished.fetch_or(finished, Ordering::Release);
        }
    }

    /// True while any voice sounds: a host may pause its stream otherwise
    /// (the reference does), and resume it after the next note starts.
    pub fn is_playing(&self) -> bool {
        self.shared.mixer().is_playing()
    }
}

/// The Audio devices, as the CPU sees them.
#[derive(Debug, Default)]
pub struct Audio {
    shared: Arc<Shared>,
}

impl Audio {
    /// Four silent voices and no finished note.
    pub fn new() -> Audio {
        Audio::default()
    }

    /// A handle for the thread that plays the sound.
    pub fn output(&self) -> AudioOutput {
        AudioOutput {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Ports 0x30-0x6f. Position (port 2) stores the whole short in ports
    /// 2-3 and returns the high byte, so DEI2 reads it and a lone DEI of
    /// port 3 reads what the last port-2 read left. Output (port 4) is the
    /// loudness. Everything else reads back what was stored.
    pub fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        let voice = voice_of(port);
        let base = (port & 0xf0) as usize;
        match port & 0x0f {
            port::POSITION => {
                let at = base + port::POSITION as usize;
                let position = self.shared.mixer().position(voice);
                uxn.dev[at..at + 2].copy_from_slice(&position.to_be_bytes());
                uxn.dev[at]
            }
            port::OUTPUT => self.shared.mixer().vu(voice),
            _ => uxn.dev[port as usize],
        }
    }

    /// A write to pitch (port 0xf) starts the note the page describes; the
    /// other ports only store their byte.
    pub fn deo(&mut self, uxn: &mut Uxn, port: u8) {
        if port & 0x0f == port::PITCH {
            let base = (port & 0xf0) as usize;
            let mut page = [0; 16];
            page.copy_from_slice(&uxn.dev[base..base + 16]);
            let note = Note::from_ports(&page);
            self.shared
                .mixer()
                .start(voice_of(port), note, &uxn.ram[..]);
        }
    }

    /// Takes the mask of voices that finished a note since the last call
    /// (bit n = voice n).
    pub fn take_finished(&self) -> u8 {
        self.shared.finished.swap(0, Ordering::Acquire)
    }

    /// Re-reads the playing samples from RAM (see the module docs).
    pub fn refresh(&self, ram: &[u8]) {
        self.shared.mixer().refresh(ram);
    }

    /// The voices and the notes finished but not yet announced, for a
    /// snapshot.
    pub(crate) fn snapshot(&self) -> (Mixer, u8) {
        let finished = self.shared.finished.load(Ordering::Acquire);
        (self.shared.mixer().clone(), finished)
    }

    /// Puts back what [`Audio::snapshot`] took (checked with
    /// [`Mixer::is_sane`]).
    pub(crate) fn restore(&self, mixer: Mixer, finished: u8) {
        *self.shared.mixer() = mixer;
        self.shared.finished.store(finished, Ordering::Release);
    }
}

/// The voice a port belongs to (0x30-0x3f is voice 0).
fn voice_of(port: u8) -> usize {
    ((port >> 4) - (FIRST_PAGE >> 4)) as usize
}

/// The finish vector of voice `voice`, read from port memory when it is due
/// (audio vectors are not latched, unlike the other devices').
pub(crate) fn finish_vector(uxn: &Uxn, voice: usize) -> u16 {
    let at = LAYOUTS[voice].at(port::VECTOR);
    u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]])
}

/// What a host calls; see the module docs for which thread calls what.
impl Varvara {
    /// The handle a desktop passes to its audio driver's thread.
    pub fn audio_output(&self) -> AudioOutput {
        self.devices.audio.output()
    }

    /// Runs the vectors of the voices whose notes ended since the last call,
    /// voice 0 first. The headless runner calls it at the start of each
    /// frame (for the notes that ended in the previous frame's audio); a
    /// desktop calls it whenever it handles events.
    pub fn run_audio_finish_vectors(&mut self) -> Result<(), Runaway> {
        self.queue(Job::AudioFinish);
        self.work(None).map(drop)
    }

    /// Refreshes the voices' copies of their samples from RAM, so the driver
    /// thread plays what the ROM has written. A desktop calls it once a
    /// frame, after the frame's vectors.
    pub fn refresh_audio_samples(&mut self) {
        self.devices.audio.refresh(&self.uxn.ram[..]);
    }

    /// Renders the next `out.len() / 2` samples (both channels) on this thread, reading
    /// samples from RAM as it is now. The headless runner calls it after
    /// each screen vector with [`SAMPLES_PER_FRAME`] samples.
    pub fn render_audio(&mut self, out: &mut [i16]) {
        self.refresh_audio_samples();
        self.audio_output().render(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::varvara::Config;

    /// A machine whose ROM is `code` at 0x0100.
    fn machine(code: &[u8]) -> Varvara {
        Varvara::new(code, Config::default()).unwrap()
    }

    /// Fills voice `voice`'s page the way a ROM would before writing pitch.
    fn set_page(m: &mut Varvara, voice: usize, note: Note) {
        let base = 0x30 + 0x10 * voice;
        m.uxn.dev[base + 8..base + 10].copy_from_slice(&note.adsr.to_be_bytes());
        m.uxn.dev[base + 0xa..base + 0xc].copy_from_slice(&note.len.to_be_bytes());
        m.uxn.dev[base + 0xc..base + 0xe].copy_from_slice(&note.addr.to_be_bytes());
        m.uxn.dev[base + 0xe] = note.volume;
    }

    /// DEO of `pitch` to voice `voice`, as the CPU does it.
    fn write_pitch(m: &mut Varvara, voice: usize, pitch: u8) {
        let port = 0x3f + 0x10 * voice as u8;
        m.uxn.dev[port as usize] = pitch;
        m.devices.audio.deo(&mut m.uxn, port);
    }

    fn dei(m: &mut Varvara, port: u8) -> u8 {
        m.devices.audio.dei(&mut m.uxn, port)
    }

    #[test]
    fn pitch_write_starts_a_note_from_the_page() {
        let mut m = machine(&[0x00]);
        m.uxn.ram[0x8000..0x8200].fill(0xc0);
        set_page(
            &mut m,
            2,
            Note {
                addr: 0x8000,
                len: 0x200,
                adsr: 0,
                volume: 0x3c,
                pitch: 0,
            },
        );
        let mut out = [0i16; 4];
        m.render_audio(&mut out);
        assert_eq!(out, [0; 4], "nothing before the pitch write");
        write_pitch(&mut m, 2, 60);
        m.render_audio(&mut out);
        let level = |vol: i32| (0x40 * 0x888 * vol / 0x180) as i16;
        assert_eq!(out, [level(3), level(12), level(3), level(12)]);
    }

    #[test]
    fn position_port_reads_as_a_short() {
        let mut m = machine(&[0x00]);
        set_page(
            &mut m,
            1,
            Note {
                addr: 0,
                len: 0x1000,
                adsr: 0,
                volume: 0x11,
                pitch: 0,
            },
        );
        write_pitch(&mut m, 1, 72); // two bytes per output sample
        let mut out = vec![0i16; 2 * 0x123];
        m.render_audio(&mut out);
        // A lone DEI of the low byte is stale until the high byte is read.
        assert_eq!(dei(&mut m, 0x43), 0);
        assert_eq!(dei(&mut m, 0x42), 0x02);
        assert_eq!(dei(&mut m, 0x43), 0x46);
        assert_eq!(m.uxn.dev[0x42..0x44], [0x02, 0x46]);
        assert_eq!(dei(&mut m, 0x32), 0, "other voices untouched");
    }

    #[test]
    fn output_port_reads_loudness() {
        let mut m = machine(&[0x00]);
        assert_eq!(dei(&mut m, 0x64), 0, "idle voice");
        set_page(
            &mut m,
            3,
            Note {
                addr: 0,
                len: 0x200,
                adsr: 0,
                volume: 0x7f,
                pitch: 0,
            },
        );
        write_pitch(&mut m, 3, 60);
        // 1 + 0x888 * 7 / 0x800 = 8; right is capped at 15.
        assert_eq!(dei(&mut m, 0x64), 0x8f);
        // Other ports read what is stored.
        assert_eq!(dei(&mut m, 0x6e), 0x7f);
        assert_eq!(dei(&mut m, 0x65), 0);
    }

    #[test]
    fn finish_vector_runs_once_for_each_ended_note() {
        // Voice 1's finish vector at 0x0200 increments RAM[0x10].
        // The ROM starts at 0x0100: BRK there, then at 0x0200
        // LIT 10 LDZ INC LIT 10 STZ BRK.
        let mut rom = vec![0u8; 0x108];
        rom[0x100..0x108].copy_from_slice(&[0x80, 0x10, 0x10, 0x01, 0x80, 0x10, 0x11, 0x00]);
        let mut m = machine(&rom);
        m.uxn.dev[0x40..0x42].copy_from_slice(&[0x02, 0x00]);
        set_page(
            &mut m,
            1,
            Note {
                addr: 0,
                len: 0x101,
                adsr: 0,
                volume: 0xff,
                pitch: 0,
            },
        );
        write_pitch(&mut m, 1, 0x80 | 60); // one-shot: ends after 257 samples
        let mut out = vec![0i16; 2 * SAMPLES_PER_FRAME];
        m.run_audio_finish_vectors().unwrap();
        assert_eq!(m.uxn.ram[0x10], 0, "nothing has ended yet");
        m.render_audio(&mut out);
        m.run_audio_finish_vectors().unwrap();
        assert_eq!(m.uxn.ram[0x10], 1);
        m.render_audio(&mut out);
        m.run_audio_finish_vectors().unwrap();
        assert_eq!(m.uxn.ram[0x10], 1, "a finished voice does not finish again");
        // Restarting the note (or replacing it) sends no event; its end does.
        write_pitch(&mut m, 1, 0x80 | 60);
        write_pitch(&mut m, 1, 0x80 | 60);
        m.render_audio(&mut out);
        m.run_audio_finish_vectors().unwrap();
        assert_eq!(m.uxn.ram[0x10], 2);
    }

    #[test]
    fn output_handle_renders_from_another_thread() {
        let mut m = machine(&[0x00]);
        m.uxn.ram[0x4000..0x4200].fill(0xff);
        set_page(
            &mut m,
            0,
            Note {
                addr: 0x4000,
                len: 0x200,
                adsr: 0x0001,
                volume: 0xff,
                pitch: 0,
            },
        );
        write_pitch(&mut m, 0, 60);
        let output = m.audio_output();
        let (first, second) = std::thread::spawn(move || {
            let mut first = vec![0i16; 2 * 4096];
            let mut second = first.clone();
            output.render(&mut first);
            output.render(&mut second);
            (first, second)
        })
        .join()
        .unwrap();
        // The 2940 samples of release fit in the first buffer.
        assert_eq!(first[0], (0x7f * 0x444 * 15 / 0x180) as i16);
        assert!(first[2 * 2940..].iter().all(|&s| s == 0));
        assert!(second.iter().all(|&s| s == 0));
        assert_eq!(m.devices.audio.take_finished(), 0b0001);
        assert_eq!(m.devices.audio.take_finished(), 0, "taken once");
    }
}
