//! Pitch: how far a voice moves through its sample per output sample.
//!
//! The reference engine is fixed point. A voice keeps a phase counter; each
//! output sample adds the note's *step* to it, and every whole *period* in
//! the counter moves the sample index on by one byte. Both numbers are
//! integers, so hop reproduces the reference's rounding exactly.

/// One octave of steps, from C (note 0 mod 12) to B: 2^19 * 2^(k/12),
/// rounded as the reference rounds them. Octave 8 (notes 96-107) uses them
/// as they are; each lower octave halves them by a right shift.
const STEPS: [u32; 12] = [
    0x80000, 0x879c8, 0x8facd, 0x9837f, 0xa1451, 0xaadc1, 0xb504f, 0xbfc88, 0xcb2ff, 0xd7450,
    0xe411f, 0xf1a1c,
];

/// Notes from here up are silent: there is no ninth octave.
pub const FIRST_SILENT_NOTE: u8 = 108;

/// The period of a long sample: with it note 60 (C4, step 0x10000) plays one
/// source byte per output sample, so a recording made at 44.1 kHz plays at
/// its own speed on middle C.
pub const SAMPLE_PERIOD: u32 = 0x10000;

/// Buffers up to this many bytes are one cycle of a waveform rather than a
/// recording ("single-cycle" mode).
pub const SINGLE_CYCLE_MAX: u16 = 0x100;

/// The phase step of a MIDI note, or `None` for notes the engine refuses
/// (108 and up), which silence the voice.
pub fn step(note: u8) -> Option<u32> {
    (note < FIRST_SILENT_NOTE).then(|| STEPS[(note % 12) as usize] >> (8 - note / 12) as u32)
}

/// The phase period for a sample of `len` bytes (`len` > 0).
///
/// A single-cycle buffer is stretched so that the whole buffer is one
/// waveform period and note 60 sounds near middle C (337/2 output samples
/// per cycle, about 261.7 Hz), whatever its length. The divisions truncate
/// in this order, as the reference's do.
pub fn period(len: u16) -> u32 {
    if len <= SINGLE_CYCLE_MAX {
        SAMPLE_PERIOD * 337 / 2 / len as u32
    } else {
        SAMPLE_PERIOD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn middle_c_plays_a_long_sample_at_its_own_rate() {
        assert_eq!(step(60), Some(SAMPLE_PERIOD));
        assert_eq!(period(0x101), SAMPLE_PERIOD);
        assert_eq!(period(0xffff), SAMPLE_PERIOD);
    }

    #[test]
    fn octaves_double_the_step() {
        for note in 12..FIRST_SILENT_NOTE {
            let (low, high) = (step(note - 12).unwrap(), step(note).unwrap());
            // The lower octave is the higher one shifted right by one bit.
            assert_eq!(low, high >> 1, "note {note}");
        }
        assert_eq!(step(0), Some(0x800));
        assert_eq!(step(69), Some(0xd7450 >> 3)); // A4
        assert_eq!(step(107), Some(0xf1a1c));
    }

    #[test]
    fn semitones_rise_by_the_twelfth_root_of_two() {
        for note in 97..FIRST_SILENT_NOTE {
            let ratio = step(note).unwrap() as f64 / step(note - 1).unwrap() as f64;
            assert!((ratio - 2f64.powf(1.0 / 12.0)).abs() < 1e-5, "note {note}");
        }
    }

    #[test]
    fn notes_from_108_are_refused() {
        assert!(step(107).is_some());
        for note in FIRST_SILENT_NOTE..=0x7f {
            assert_eq!(step(note), None, "note {note}");
        }
    }

    #[test]
    fn single_cycle_buffers_sound_near_middle_c_at_note_60() {
        // 337/2 output samples per cycle at note 60, whatever the length.
        assert_eq!(period(0x100), 43136); // 0x10000 * 337 / 2 / 256
        assert_eq!(period(1), 11_042_816);
        assert_eq!(period(3), 3_680_938); // truncated
        for len in [1u16, 16, 100, 255, 256] {
            let samples_per_cycle = period(len) as f64 * len as f64 / step(60).unwrap() as f64;
            let hz = 44100.0 / samples_per_cycle;
            assert!((hz - 261.7).abs() < 0.1, "len {len}: {hz} Hz");
        }
    }
}
