//! The four voices mixed into one stereo stream.

use super::voice::{Note, Voice};

/// Voices, one per audio device page (0x30, 0x40, 0x50, 0x60).
pub const VOICES: usize = 4;

/// Samples (both channels) mixed per pass: the accumulator lives on the stack.
const CHUNK: usize = 256;

/// The four voices, mixed into one stream of samples.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Mixer {
    voices: [Voice; VOICES],
}

impl Mixer {
    /// Four silent voices.
    pub fn new() -> Mixer {
        Mixer::default()
    }

    /// Starts `note` on `voice`, its sample read from `ram`.
    pub fn start(&mut self, voice: usize, note: Note, ram: &[u8]) {
        self.voices[voice].start(note, ram);
    }

    /// Where `voice` is in its sample (Audio/position).
    pub fn position(&self, voice: usize) -> u16 {
        self.voices[voice].position()
    }

    /// How loud `voice` is now (Audio/output).
    pub fn vu(&mut self, voice: usize) -> u8 {
        self.voices[voice].vu()
    }

    /// True while any voice sounds (a host may pause its stream otherwise).
    /// Whether every voice is one a note could have left (a snapshot's).
    pub fn is_sane(&self) -> bool {
        self.voices.iter().all(Voice::is_sane)
    }

    /// Whether any voice makes a sound.
    pub fn is_playing(&self) -> bool {
        self.voices.iter().any(Voice::is_playing)
    }

    /// Re-reads every playing sample from RAM (see [`Voice::refresh`]).
    pub fn refresh(&mut self, ram: &[u8]) {
        self.voices.iter_mut().for_each(|v| v.refresh(ram));
    }

    /// Overwrites `out` (interleaved left/right, 44100 Hz) with the next
    /// samples of all voices. Returns a bit mask of the voices whose note
    /// ended during them (bit n = voice n): their finish vectors are due.
    ///
    /// The voices are summed exactly and then saturated to 16 bits; the
    /// reference wraps around instead. The two agree whenever the sum fits,
    /// which takes three loud voices to break.
    pub fn render(&mut self, out: &mut [i16]) -> u8 {
        let mut finished = 0;
        for chunk in out.chunks_mut(CHUNK * 2) {
            let mut mix = [0i32; CHUNK * 2];
            let mix = &mut mix[..chunk.len() & !1];
            for (n, voice) in self.voices.iter_mut().enumerate() {
                if voice.render(mix) {
                    finished |= 1 << n;
                }
            }
            for (sample, &sum) in chunk.iter_mut().zip(mix.iter()) {
                *sample = sum.clamp(i16::MIN as i32, i16::MAX as i32) as i16;
            }
            // An odd length leaves half a frame: it stays silent.
            if chunk.len() % 2 == 1 {
                chunk[chunk.len() - 1] = 0;
            }
        }
        finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loud(addr: u16, pitch: u8) -> Note {
        Note {
            addr,
            len: 0x200,
            adsr: 0,
            volume: 0xff,
            pitch,
        }
    }

    #[test]
    fn voices_add_up() {
        let mut ram = vec![0x80u8; 0x10000];
        ram[0x1000..0x1200].fill(0xa0);
        ram[0x2000..0x2200].fill(0x70);
        let mut mixer = Mixer::new();
        mixer.start(0, loud(0x1000, 60), &ram);
        mixer.start(3, loud(0x2000, 60), &ram);
        let mut out = [1i16; 6];
        assert_eq!(mixer.render(&mut out), 0);
        let a = 0x20 * 0x888 * 15 / 0x180;
        let b = -0x10 * 0x888 * 15 / 0x180;
        assert_eq!(out, [(a + b) as i16; 6]);
    }

    #[test]
    fn silence_is_zero_and_overwrites_the_buffer() {
        let mut mixer = Mixer::new();
        let mut out = [123i16; 10];
        assert_eq!(mixer.render(&mut out), 0);
        assert_eq!(out, [0; 10]);
        assert!(!mixer.is_playing());
    }

    #[test]
    fn chunking_does_not_change_the_stream() {
        let ram: Vec<u8> = (0..0x10000).map(|k| (k * 7 % 251) as u8).collect();
        let start = |mixer: &mut Mixer| {
            mixer.start(0, loud(0x100, 61), &ram);
            mixer.start(
                1,
                Note {
                    len: 0x40,
                    adsr: 0x1111,
                    ..loud(0x4000, 70)
                },
                &ram,
            );
            mixer.start(
                2,
                Note {
                    pitch: 0x80 | 50,
                    ..loud(0x9000, 0)
                },
                &ram,
            );
        };
        let (mut whole, mut pieces) = (Mixer::new(), Mixer::new());
        start(&mut whole);
        start(&mut pieces);
        let mut expected = vec![0i16; 2 * 20000];
        let finished = whole.render(&mut expected);
        let mut got = vec![0i16; 2 * 20000];
        let mut pieces_finished = 0;
        for part in got.chunks_mut(2 * 735) {
            pieces_finished |= pieces.render(part);
        }
        assert_eq!(finished, 0b110);
        assert_eq!(pieces_finished, finished);
        assert!(expected == got, "same samples whatever the buffer size");
    }

    #[test]
    fn overflowing_sums_saturate() {
        let mut ram = vec![0x80u8; 0x10000];
        ram[0x1000..0x1200].fill(0xff);
        ram[0x2000..0x2200].fill(0x00);
        let mut mixer = Mixer::new();
        for voice in 0..4 {
            mixer.start(voice, loud(0x1000, 60), &ram);
        }
        let mut out = [0i16; 4];
        mixer.render(&mut out);
        // 4 * 0x7f * 0x888 * 15 / 0x180 = 43,180: too loud for 16 bits.
        assert_eq!(out, [i16::MAX; 4]);
        for voice in 0..4 {
            mixer.start(voice, loud(0x2000, 60), &ram);
        }
        mixer.render(&mut out);
        assert_eq!(out, [i16::MIN; 4]);
    }

    #[test]
    fn finish_mask_names_the_voices_that_ended() {
        let ram = vec![0x80u8; 0x10000];
        let mut mixer = Mixer::new();
        mixer.start(
            1,
            Note {
                len: 0x101,
                pitch: 0x80 | 60,
                ..loud(0, 0)
            },
            &ram,
        );
        mixer.start(
            3,
            Note {
                adsr: 0x0001,
                ..loud(0, 60)
            },
            &ram,
        );
        let mut out = vec![0i16; 2 * 735];
        assert_eq!(
            mixer.render(&mut out),
            0b0010,
            "one-shot ends after 257 samples"
        );
        for _ in 0..3 {
            assert_eq!(mixer.render(&mut out), 0);
        }
        // Four buffers hold the 2940 samples of release; the envelope runs
        // out on the first sample of the fifth.
        assert_eq!(mixer.render(&mut out), 0b1000);
        assert!(!mixer.is_playing());
    }
}
