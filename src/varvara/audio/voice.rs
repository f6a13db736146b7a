//! One of the four voices: a note playing a sample from RAM through an
//! envelope, in the reference's fixed-point arithmetic.

use super::envelope::Envelope;
use super::pitch;
use super::port;

/// What a ROM writes to an audio device page before starting a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note {
    /// Sample start in RAM (port 0xc).
    pub addr: u16,
    /// Sample length in bytes (port 0xa).
    pub len: u16,
    /// Envelope durations, nibbles A D S R (port 0x8).
    pub adsr: u16,
    /// High nibble left, low nibble right (port 0xe).
    pub volume: u8,
    /// Bit 7 = play once; bits 0-6 = MIDI note (port 0xf).
    pub pitch: u8,
}

impl Note {
    /// The note described by the 16 bytes of an audio device page.
    pub fn from_ports(page: &[u8; 16]) -> Note {
        let short = |at: usize| u16::from_be_bytes([page[at], page[at + 1]]);
        Note {
            addr: short(port::ADDR as usize),
            len: short(port::LENGTH as usize),
            adsr: short(port::ADSR as usize),
            volume: page[port::VOLUME as usize],
            pitch: page[port::PITCH as usize],
        }
    }
}

/// A voice's playing state. Silent while `step` is 0.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Voice {
    /// The bytes the voice plays: a copy of RAM from `addr`, `len` long,
    /// taken at note start and refreshed by [`Voice::refresh`] (the
    /// reference reads RAM live; see the module docs of `audio`).
    sample: Vec<u8>,
    addr: u16,
    len: u16,
    /// Phase added per output sample; 0 = silent.
    step: u32,
    /// Phase per sample byte.
    period: u32,
    /// Phase accumulated towards the next byte. Not reset by a new note,
    /// as in the reference, so it carries a little phase over.
    phase: u32,
    /// The byte being played (the Audio/position port).
    index: u16,
    /// Output samples since the note started.
    age: u32,
    envelope: Envelope,
    /// Left and right, 0-15.
    volume: [i32; 2],
    looping: bool,
}

impl Voice {
    /// True while the voice is sounding (or at least has not noticed it ended).
    pub fn is_playing(&self) -> bool {
        self.step != 0
    }

    /// Starts `note`, replacing whatever played (no crossfade, no finish
    /// event). A length of 0 or a note from 108 up only silences the voice.
    /// The sample length is clamped to the end of RAM.
    pub fn start(&mut self, note: Note, ram: &[u8]) {
        self.addr = note.addr;
        self.len = note
            .len
            .min((0x10000 - note.addr as u32).min(0xffff) as u16);
        self.volume = [(note.volume >> 4) as i32, (note.volume & 0xf) as i32];
        self.looping = note.pitch & 0x80 == 0;
        let step = pitch::step(note.pitch & 0x7f).filter(|_| self.len != 0);
        let Some(step) = step else {
            self.step = 0;
            return;
        };
        self.step = step;
        self.envelope = Envelope::new(note.adsr);
        self.age = 0;
        self.index = 0;
        self.period = pitch::period(self.len);
        self.sample.clear();
        self.sample.extend_from_slice(self.region(ram));
    }

    /// Re-reads the playing sample from RAM, so that a ROM that rewrites its
    /// waveform while it plays is heard as it does so.
    pub fn refresh(&mut self, ram: &[u8]) {
        if self.is_playing() {
            let range = self.addr as usize..self.addr as usize + self.len as usize;
            self.sample.copy_from_slice(&ram[range]);
        }
    }

    fn region<'a>(&self, ram: &'a [u8]) -> &'a [u8] {
        &ram[self.addr as usize..self.addr as usize + self.len as usize]
    }

    /// Audio/position: the index of the byte being played.
    pub fn position(&self) -> u16 {
        self.index
    }

    /// Audio/output: the loudness of each side, 1-15 (high nibble left,
    /// low nibble right), 0 for a silent side or voice.
    ///
    /// Like the reference, this looks at the envelope *now*: a note whose
    /// envelope has just run out but that the mixer has not yet reached
    /// stops here, and then sends no finish event.
    pub fn vu(&mut self) -> u8 {
        if !self.is_playing() {
            return 0;
        }
        let mut sides = [0u8; 2];
        for (side, &volume) in sides.iter_mut().zip(&self.volume) {
            if volume == 0 {
                continue;
            }
            let level = match self.envelope.level(self.age) {
                Some(level) => level as i32,
                None => {
                    self.step = 0;
                    0
                }
            };
            *side = (1 + level * volume / 0x800).min(15) as u8;
        }
        sides[0] << 4 | sides[1]
    }

    /// Whether a voice read from a snapshot is one that [`Voice::start`]
    /// and [`Voice::render`] could have left: rendering it cannot go out
    /// of its sample, divide by zero or overflow.
    pub fn is_sane(&self) -> bool {
        !self.is_playing()
            || (self.len != 0
                && self.addr as usize + self.len as usize <= 0x10000
                && self.sample.len() == self.len as usize
                && self.index < self.len
                && self.period == pitch::period(self.len)
                && self.phase < self.period
                && (0..0x80).any(|p| pitch::step(p) == Some(self.step))
                && self.volume.iter().all(|v| (0..16).contains(v))
                && self.envelope.is_sane(self.age))
    }

    /// Adds this voice to `mix` (interleaved left/right pairs). Returns true
    /// when the note ended during these samples: a play-once sample ran
    /// out, or the envelope did.
    pub fn render(&mut self, mix: &mut [i32]) -> bool {
        if !self.is_playing() {
            return false;
        }
        for frame in mix.chunks_exact_mut(2) {
            // Move through the sample first, then play the byte reached.
            self.phase += self.step;
            self.index = self.index.wrapping_add((self.phase / self.period) as u16);
            self.phase %= self.period;
            if self.index >= self.len {
                if !self.looping {
                    self.step = 0;
                    return true;
                }
                self.index %= self.len;
            }
            let Some(level) = self.envelope.level(self.age) else {
                self.step = 0;
                return true;
            };
            self.age += 1;
            // Bytes are unsigned, centred on 0x80.
            let value = (self.sample[self.index as usize] as i32 - 0x80) * level as i32;
            frame[0] += value * self.volume[0] / 0x180;
            frame[1] += value * self.volume[1] / 0x180;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::envelope::{FULL, HALF, UNIT};
    use super::*;

    fn ram_with(addr: u16, bytes: &[u8]) -> Vec<u8> {
        let mut ram = vec![0x80; 0x10000];
        ram[addr as usize..addr as usize + bytes.len()].copy_from_slice(bytes);
        ram
    }

    fn note(addr: u16, len: u16, adsr: u16, volume: u8, pitch: u8) -> Note {
        Note {
            addr,
            len,
            adsr,
            volume,
            pitch,
        }
    }

    /// Renders `count` samples (both channels) of one voice; returns them
    /// and whether it ended.
    fn play(voice: &mut Voice, count: usize) -> (Vec<i32>, bool) {
        let mut mix = vec![0; count * 2];
        let ended = voice.render(&mut mix);
        (mix, ended)
    }

    #[test]
    fn ports_map_to_note_fields() {
        let mut page = [0u8; 16];
        page[8..16].copy_from_slice(&[0x12, 0x34, 0x01, 0x80, 0x30, 0x00, 0xf7, 0xbc]);
        assert_eq!(
            Note::from_ports(&page),
            note(0x3000, 0x0180, 0x1234, 0xf7, 0xbc)
        );
    }

    #[test]
    fn middle_c_plays_a_long_sample_byte_by_byte() {
        // 0x200 bytes: sample mode. Byte k = k, so the output tells the index.
        let bytes: Vec<u8> = (0..0x200).map(|k| k as u8).collect();
        let ram = ram_with(0x1000, &bytes);
        let mut voice = Voice::default();
        voice.start(note(0x1000, 0x200, 0, 0xf0, 60), &ram);
        let (mix, ended) = play(&mut voice, 4);
        assert!(!ended);
        // The index advances before the first byte plays: 1, 2, 3, 4.
        // (k - 0x80) * 0x888 * 15 / 0x180 on the left, silence on the right.
        let expect = |k: i32| (k - 0x80) * FULL as i32 * 15 / 0x180;
        assert_eq!(
            mix,
            [expect(1), 0, expect(2), 0, expect(3), 0, expect(4), 0]
        );
        assert_eq!(voice.position(), 4);
    }

    #[test]
    fn octave_up_skips_every_other_byte_and_down_repeats_bytes() {
        let bytes: Vec<u8> = (0..0x200).map(|k| k as u8).collect();
        let ram = ram_with(0, &bytes);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0, 0x0f, 72), &ram);
        play(&mut voice, 10);
        assert_eq!(voice.position(), 20);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0, 0x0f, 48), &ram);
        play(&mut voice, 10);
        assert_eq!(voice.position(), 5);
    }

    #[test]
    fn looping_sample_wraps_and_never_ends() {
        let ram = ram_with(0x2000, &[0xff; 0x101]);
        let mut voice = Voice::default();
        voice.start(note(0x2000, 0x101, 0, 0x11, 60), &ram);
        let (_, ended) = play(&mut voice, 0x101 * 3 + 7);
        assert!(!ended);
        assert!(voice.is_playing());
        assert_eq!(voice.position(), 7);
    }

    #[test]
    fn one_shot_sample_ends_when_it_runs_out() {
        let ram = ram_with(0x2000, &[0xff; 0x101]);
        let mut voice = Voice::default();
        voice.start(note(0x2000, 0x101, 0, 0x11, 0x80 | 60), &ram);
        // Indexes 1..=0x100 play; the next step reaches 0x101 = len and ends.
        let (mix, ended) = play(&mut voice, 0x100);
        assert!(!ended);
        assert!(mix.iter().all(|&s| s == 0x7f * FULL as i32 / 0x180));
        let (mix, ended) = play(&mut voice, 10);
        assert!(ended);
        assert!(!voice.is_playing());
        assert!(mix.iter().all(|&s| s == 0), "nothing after the end");
        assert_eq!(voice.position(), 0x101, "position stays past the end");
        // A silent voice reports nothing more.
        assert_eq!(play(&mut voice, 10), (vec![0; 20], false));
        assert_eq!(voice.vu(), 0);
    }

    #[test]
    fn single_cycle_waveform_repeats_at_middle_c() {
        // A 2-byte square wave: one cycle per 337/2 output samples at note 60.
        let ram = ram_with(0x300, &[0xff, 0x00]);
        let mut voice = Voice::default();
        voice.start(note(0x300, 2, 0, 0xff, 60), &ram);
        let (mix, _) = play(&mut voice, 44100);
        let left: Vec<i32> = mix.iter().step_by(2).copied().collect();
        let rises = left.windows(2).filter(|w| w[0] < 0 && w[1] > 0).count();
        assert!((261..=262).contains(&rises), "{rises} cycles in one second");
    }

    #[test]
    fn envelope_shapes_the_output_and_ends_the_note() {
        let ram = ram_with(0, &[0xff; 0x200]);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0x0001, 0x0f, 60), &ram); // release only
        let (mix, ended) = play(&mut voice, UNIT as usize);
        assert!(!ended);
        let right: Vec<i32> = mix.iter().skip(1).step_by(2).copied().collect();
        assert_eq!(right[0], 0x7f * HALF as i32 * 15 / 0x180);
        assert_eq!(
            right[UNIT as usize / 2],
            0x7f * (HALF / 2) as i32 * 15 / 0x180
        );
        assert!(right.windows(2).all(|w| w[1] <= w[0]));
        // The envelope ends on the next sample: the voice finishes in the
        // next render, even though a looping sample would go on.
        assert!(voice.is_playing());
        let (mix, ended) = play(&mut voice, 5);
        assert!(ended);
        assert!(mix.iter().all(|&s| s == 0));
    }

    #[test]
    fn vu_follows_envelope_and_volume() {
        let ram = ram_with(0, &[0x80; 0x200]);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0, 0xf3, 60), &ram);
        // 1 + 0x888 * 15 / 0x800 = 16, capped to 15; 1 + 0x888 * 3 / 0x800 = 4.
        assert_eq!(voice.vu(), 0xf4);
        voice.start(note(0, 0x200, 0, 0x80, 60), &ram);
        assert_eq!(voice.vu(), 0x90, "a silent side reads 0");
        voice.start(note(0, 0x200, 0x1000, 0xff, 60), &ram);
        assert_eq!(voice.vu(), 0x11, "start of the attack: level 0");
        play(&mut voice, UNIT as usize / 2);
        // 1 + 0x444 * 15 / 0x800 = 1 + 7 (16380 / 2048 truncates)
        assert_eq!(voice.vu(), 0x88);
    }

    #[test]
    fn vu_read_after_the_envelope_ran_out_stops_the_note_silently() {
        let ram = ram_with(0, &[0x80; 0x200]);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0x0001, 0x0f, 60), &ram);
        play(&mut voice, UNIT as usize);
        assert_eq!(voice.vu(), 0x01, "level 0 reads as 1 on a sounding side");
        assert!(!voice.is_playing());
        assert_eq!(play(&mut voice, 4), (vec![0; 8], false), "no finish event");
        assert_eq!(voice.vu(), 0);
    }

    #[test]
    fn vu_of_a_voice_with_no_volume_does_not_touch_the_envelope() {
        let ram = ram_with(0, &[0x80; 0x200]);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0x0001, 0x00, 60), &ram);
        play(&mut voice, UNIT as usize);
        assert_eq!(voice.vu(), 0x00);
        assert!(voice.is_playing());
        assert!(play(&mut voice, 4).1, "the envelope still ends the note");
    }

    #[test]
    fn refused_notes_silence_the_voice() {
        let ram = ram_with(0, &[0xff; 0x200]);
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0, 0xff, 60), &ram);
        play(&mut voice, 3);
        voice.start(note(0, 0x200, 0, 0xff, 108), &ram);
        assert!(!voice.is_playing());
        assert_eq!(voice.position(), 3, "position is left alone");
        voice.start(note(0, 0x200, 0, 0xff, 60), &ram);
        voice.start(note(0, 0, 0, 0xff, 60), &ram);
        assert!(!voice.is_playing(), "length 0");
    }

    #[test]
    fn length_is_clamped_to_the_end_of_ram() {
        let ram = ram_with(0xfff0, &[0xff; 0x10]);
        let mut voice = Voice::default();
        voice.start(note(0xfff0, 0x1000, 0, 0xff, 0x80 | 60), &ram);
        // 16 bytes: single-cycle mode, so note 60 is slow; use the count of
        // output samples until the one-shot ends instead.
        let period = pitch::period(16) as u64;
        let frames = (16 * period).div_ceil(0x10000) as usize;
        let (_, ended) = play(&mut voice, frames - 1);
        assert!(!ended);
        assert!(play(&mut voice, 1).1);
        // And at address 0 the whole of RAM is reachable.
        let mut voice = Voice::default();
        voice.start(note(0, 0xffff, 0, 0xff, 60), &ram);
        play(&mut voice, 0xfffe);
        assert_eq!(voice.position(), 0xfffe);
    }

    #[test]
    fn a_new_note_restarts_but_keeps_the_phase_remainder() {
        let ram = ram_with(0, &[0xff; 0x200]);
        // Note 62 steps 0x11f59 per sample: on a fresh voice, one byte.
        let mut fresh = Voice::default();
        fresh.start(note(0, 0x200, 0, 0xff, 62), &ram);
        play(&mut fresh, 1);
        assert_eq!(fresh.position(), 1);
        // Note 61 steps 0x10f39: after 15 samples 0xe457 of phase is left.
        let mut voice = Voice::default();
        voice.start(note(0, 0x200, 0, 0xff, 61), &ram);
        play(&mut voice, 15);
        assert_eq!(voice.position(), 15);
        voice.start(note(0, 0x200, 0, 0xff, 62), &ram);
        assert_eq!(voice.position(), 0);
        // 0xe457 + 0x11f59 crosses two bytes at once.
        play(&mut voice, 1);
        assert_eq!(voice.position(), 2);
    }

    #[test]
    fn refresh_picks_up_rewritten_samples() {
        let mut ram = ram_with(0x100, &[0x80; 0x200]);
        let mut voice = Voice::default();
        voice.start(note(0x100, 0x200, 0, 0xf0, 60), &ram);
        ram[0x101] = 0xff;
        let (mix, _) = play(&mut voice, 1);
        assert_eq!(mix[0], 0, "the copy taken at note start");
        ram[0x102] = 0xff;
        voice.refresh(&ram);
        let (mix, _) = play(&mut voice, 1);
        assert_eq!(mix[0], 0x7f * FULL as i32 * 15 / 0x180);
    }
}
