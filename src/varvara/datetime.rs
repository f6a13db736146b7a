//! Datetime (0xc0): read-only ports that sample the clock on every read.

use jiff::{Timestamp, Zoned, tz::TimeZone};

use super::ports::{Layout, Port};
use crate::uxn::Uxn;

/// Datetime's ports, as offsets within the device (the names are the
/// specification's; `_LOW` is a short's second byte).
#[allow(missing_docs)]
pub mod port {
    pub const YEAR: u8 = 0x0;
    pub const YEAR_LOW: u8 = 0x1;
    pub const MONTH: u8 = 0x2;
    pub const DAY: u8 = 0x3;
    pub const HOUR: u8 = 0x4;
    pub const MINUTE: u8 = 0x5;
    pub const SECOND: u8 = 0x6;
    pub const DOTW: u8 = 0x7;
    pub const DOTY: u8 = 0x8;
    pub const DOTY_LOW: u8 = 0x9;
    pub const ISDST: u8 = 0xa;
}

/// The first of Datetime's ports on the device page.
pub const BASE: u8 = 0xc0;

/// Where Datetime is and what its ports are called.
pub const LAYOUT: Layout = Layout {
    name: "Datetime",
    base: BASE,
    ports: &[
        Port::short(port::YEAR, "year"),
        Port::byte(port::MONTH, "month"),
        Port::byte(port::DAY, "day"),
        Port::byte(port::HOUR, "hour"),
        Port::byte(port::MINUTE, "minute"),
        Port::byte(port::SECOND, "second"),
        Port::byte(port::DOTW, "dotw"),
        Port::short(port::DOTY, "doty"),
        Port::byte(port::ISDST, "isdst"),
    ],
};

/// Where the time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The host's local time, with its time zone and DST.
    Local,
    /// Emulated time, read as UTC, so runs of clock-reading ROMs can be
    /// reproduced: `epoch` (seconds since the Unix epoch) plus one second
    /// every 60 frames.
    Frames {
        /// Seconds since the Unix epoch at frame 0.
        epoch: i64,
    },
}

/// The device's state: where the time comes from.
pub struct Datetime {
    /// The host's clock or an emulated one.
    pub clock: Clock,
    /// The frame being run (counted from 0 after boot); the machine keeps it
    /// up to date for [`Clock::Frames`].
    pub frames: u64,
}

/// The Unix seconds the clock can show: years -9999 to 9999 (jiff's range,
/// which leaves a day at each end for time zone offsets).
/// (A test below checks these against jiff's.)
pub const CLOCK_RANGE: std::ops::RangeInclusive<i64> = -377_705_023_201..=253_402_207_200;

impl Datetime {
    /// A clock that reads the host's local time.
    pub fn new() -> Datetime {
        Datetime {
            clock: Clock::Local,
            frames: 0,
        }
    }

    fn now(&self) -> Zoned {
        match self.clock {
            Clock::Local => Zoned::now(),
            Clock::Frames { epoch } => {
                let elapsed = (self.frames / crate::varvara::host::FRAME_RATE as u64) as i64;
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

    /// The short registers whose high-byte read latches their low byte,
    /// in uxn2.
    pub fn latches_low_byte(port: u8) -> bool {
        matches!(port.wrapping_sub(BASE), port::YEAR | port::DOTY)
    }

    /// The named ports read the clock; the unused 0xb-0xf read back what
    /// was written to them, as on any plain port.
    pub fn dei(&self, uxn: &Uxn, port: u8) -> u8 {
        let now = self.now();
        let year = now.year() as u16;
        let yday = now.day_of_year() as u16 - 1;
        match port & 0x0f {
            port::YEAR => (year >> 8) as u8,
            port::YEAR_LOW => year as u8,
            port::MONTH => now.month() as u8 - 1,
            port::DAY => now.day() as u8,
            port::HOUR => now.hour() as u8,
            port::MINUTE => now.minute() as u8,
            port::SECOND => now.second() as u8,
            port::DOTW => now.weekday().to_sunday_zero_offset() as u8,
            port::DOTY => (yday >> 8) as u8,
            port::DOTY_LOW => yday as u8,
            port::ISDST => now
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
