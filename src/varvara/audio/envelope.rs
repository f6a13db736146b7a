//! The ADSR envelope of the reference's fixed-point engine.
//!
//! The four nibbles of the adsr short are durations in fifteenths of a
//! second. The amplitude rises linearly from 0 to [`FULL`] during the
//! attack, falls to [`HALF`] during the decay, *holds* at [`HALF`] for the
//! sustain (a duration, not a level), and falls to 0 during the release;
//! then the note is over. An adsr of 0 means no envelope at all: full
//! amplitude for as long as the sample plays.

/// Output samples per envelope unit: 1/15 s at 44.1 kHz.
pub const UNIT: u32 = 44100 / 15;

/// The amplitude at the end of the attack (and of an envelope-less note).
pub const FULL: u32 = 0x888;

/// The amplitude after the decay, held during the sustain.
pub const HALF: u32 = 0x444;

/// When each stage ends, in output samples since the note started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Envelope {
    attack_end: u32,
    decay_end: u32,
    sustain_end: u32,
    release_end: u32,
}

impl Envelope {
    /// The envelope of an adsr short (nibbles A, D, S, R from the top).
    pub fn new(adsr: u16) -> Envelope {
        let nibble = |shift: u16| UNIT * ((adsr >> shift) & 0xf) as u32;
        let attack_end = nibble(12);
        let decay_end = attack_end + nibble(8);
        let sustain_end = decay_end + nibble(4);
        let release_end = sustain_end + nibble(0);
        Envelope {
            attack_end,
            decay_end,
            sustain_end,
            release_end,
        }
    }

    /// Whether this is the envelope of some adsr short (one read from a
    /// snapshot must be), and `age` a point in it.
    pub fn is_sane(&self, age: u32) -> bool {
        let ends = [
            0,
            self.attack_end,
            self.decay_end,
            self.sustain_end,
            self.release_end,
        ];
        let mut adsr = 0u16;
        for pair in ends.windows(2) {
            match pair[1].checked_sub(pair[0]) {
                Some(span) if span % UNIT == 0 && span / UNIT < 16 => {
                    adsr = adsr << 4 | (span / UNIT) as u16;
                }
                _ => return false,
            }
        }
        *self == Envelope::new(adsr) && (self.release_end == 0 || age <= self.release_end)
    }

    /// The amplitude `age` samples into the note, or `None` once the
    /// envelope is over (the note then ends). Integer arithmetic that
    /// truncates exactly where the reference's does.
    pub fn level(&self, age: u32) -> Option<u32> {
        let Envelope {
            attack_end: a,
            decay_end: d,
            sustain_end: s,
            release_end: r,
        } = *self;
        // All four durations are zero only for adsr 0: no envelope.
        if r == 0 {
            Some(FULL)
        } else if age < a {
            Some(FULL * age / a)
        } else if age < d {
            // A line from FULL at `a` to HALF at `d`.
            Some(HALF * (2 * d - a - age) / (d - a))
        } else if age < s {
            Some(HALF)
        } else if age < r {
            Some(HALF * (r - age) / (r - s))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_envelope_is_full_level_forever() {
        let none = Envelope::new(0);
        for age in [0, 1, UNIT, 100 * UNIT, u32::MAX] {
            assert_eq!(none.level(age), Some(FULL));
        }
    }

    #[test]
    fn attack_rises_linearly_from_silence() {
        let env = Envelope::new(0x1000); // attack only: 2940 samples
        assert_eq!(env.level(0), Some(0));
        assert_eq!(env.level(1), Some(0)); // 0x888 / 2940 truncates to 0
        assert_eq!(env.level(2), Some(1)); // 2 * 2184 / 2940
        assert_eq!(env.level(UNIT / 2), Some(FULL / 2));
        assert_eq!(env.level(UNIT - 1), Some(2183));
        // No decay, sustain or release: the note ends right after the attack.
        assert_eq!(env.level(UNIT), None);
    }

    #[test]
    fn decay_falls_from_full_to_half() {
        let env = Envelope::new(0x0100); // decay only
        assert_eq!(env.level(0), Some(FULL));
        assert_eq!(env.level(UNIT / 2), Some(0x666));
        assert_eq!(env.level(UNIT - 1), Some(0x444)); // 1092 * 2941 / 2940
        assert_eq!(env.level(UNIT), None);
    }

    #[test]
    fn sustain_is_a_duration_at_half_level() {
        let env = Envelope::new(0x0020); // two units of sustain
        assert_eq!(env.level(0), Some(HALF));
        assert_eq!(env.level(2 * UNIT - 1), Some(HALF));
        assert_eq!(env.level(2 * UNIT), None);
    }

    #[test]
    fn release_falls_from_half_to_silence() {
        let env = Envelope::new(0x0001);
        assert_eq!(env.level(0), Some(HALF));
        assert_eq!(env.level(UNIT / 2), Some(HALF / 2));
        assert_eq!(env.level(UNIT - 1), Some(0)); // 1092 / 2940
        assert_eq!(env.level(UNIT), None);
    }

    #[test]
    fn stages_follow_each_other() {
        let env = Envelope::new(0x1234); // 1, 2, 3, 4 units
        let (a, d, s, r) = (UNIT, 3 * UNIT, 6 * UNIT, 10 * UNIT);
        assert_eq!(env.level(a - 1), Some(FULL * (a - 1) / a));
        assert_eq!(env.level(a), Some(FULL));
        assert_eq!(env.level(a + UNIT), Some(0x666)); // halfway down the decay
        assert_eq!(env.level(d), Some(HALF));
        assert_eq!(env.level(s - 1), Some(HALF));
        assert_eq!(env.level(s), Some(HALF));
        assert_eq!(env.level(s + 2 * UNIT), Some(HALF / 2));
        assert_eq!(env.level(r - 1), Some(0));
        assert_eq!(env.level(r), None);
        assert_eq!(env.level(u32::MAX), None);
        // Never louder than FULL, never rising after the attack.
        let mut last = FULL;
        for age in a..r {
            let level = env.level(age).unwrap();
            assert!(level <= last, "age {age}: {level} after {last}");
            last = level;
        }
    }

    #[test]
    fn longest_envelope_stays_in_range() {
        let env = Envelope::new(0xffff); // 60 units = 4 s
        assert_eq!(env.level(60 * UNIT - 1), Some(0));
        assert_eq!(env.level(60 * UNIT), None);
        assert_eq!(env.level(15 * UNIT), Some(FULL));
    }
}
