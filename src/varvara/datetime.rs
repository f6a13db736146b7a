//! Datetime (0xc0): read-only ports that sample the clock on every read.

use jiff::{Timestamp, Zoned, tz::TimeZone};

use crate::uxn::Uxn;

/// Where the time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The host's local time, with its time zone and DST.
    Local,
    /// Emulated time, read as UTC, so runs of clock-reading ROMs can be
    /// reproduced: `epoch` (seconds since the Unix epoch) plus one second
    /// every 60 frames.
    Frames { epoch: i64 },
}

pub struct Datetime {
    pub clock: Clock,
    /// The frame being run (counted from 0 after boot); the machine keeps it
    /// up to date for [`Clock::Frames`].
    pub frame: u64,
}

/// The Unix seconds the clock can show: years -9999 to 9999 (jiff's range,
/// which leaves a day at each end for time zone offsets).
/// (A test below checks these against jiff's.)
pub const CLOCK_RANGE: std::ops::RangeInclusive<i64> = -377_705_023_201..=253_402_207_200;

impl Datetime {
    pub fn new() -> Datetime {
        Datetime {
            clock: Clock::Local,
            frame: 0,
        }
    }

    fn now(&self) -> Zoned {
        match self.clock {
            Clock::Local => Zoned::now(),
            Clock::Frames { epoch } => {
                let elapsed = (self.frame / crate::varvara::frame::FRAME_RATE as u64) as i64;
                // A run that goes past the end of year 9999 stays there.
                let second = epoch
                    .saturating_add(elapsed)
                    .clamp(*CLOCK_RANGE.start(), *CLOCK_RANGE.end());
                Timestamp::from_second(second)
                    .unwrap_or(Timestamp::UNIX_EPOCH)
                    .to_zoned(TimeZone::UTC)
            }
        }
    }

    /// Ports 0x0-0xa read the clock; the unused 0xb-0xf read back what
    /// was written to them, as on any plain port.
    pub fn dei(&self, uxn: &Uxn, port: u8) -> u8 {
        let now = self.now();
        let year = now.year() as u16;
        let yday = now.day_of_year() as u16 - 1;
        match port & 0x0f {
            0x0 => (year >> 8) as u8,
            0x1 => year as u8,
            0x2 => now.month() as u8 - 1,
            0x3 => now.day() as u8,
            0x4 => now.hour() as u8,
            0x5 => now.minute() as u8,
            0x6 => now.second() as u8,
            0x7 => now.weekday().to_sunday_zero_offset() as u8,
            0x8 => (yday >> 8) as u8,
            0x9 => yday as u8,
            0xa => now
                .time_zone()
                .to_offset_info(now.timestamp())
                .dst()
                .is_dst() as u8,
            _ => uxn.dev[port as usize],
        }
    }
}

impl Default for Datetime {
    fn default() -> Self {
        Datetime::new()
    }
}

#[cfg(test)]
mod clock_range_tests {
    use super::*;

    #[test]
    fn the_clock_range_is_jiffs() {
        assert_eq!(*CLOCK_RANGE.start(), Timestamp::MIN.as_second());
        assert_eq!(*CLOCK_RANGE.end(), Timestamp::MAX.as_second());
    }
}
