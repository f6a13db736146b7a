//! Mouse (0x90): position, a button byte that both the host and the ROM
//! write (so hosts apply changes, never the absolute state), and scroll
//! deltas that last for one vector.

use crate::uxn::Uxn;

/// The buttons as hosts name them in [`super::Event::MouseDown`] and
/// `MouseUp`: the 2025 Mouse/state (0x96) bits. The machine stores them
/// as its compatibility profile says (uxn2 swaps middle and right, see
/// [`super::Compat::mouse_bits`]).
pub mod button {
    pub const LEFT: u8 = 0x01;
    pub const MIDDLE: u8 = 0x02;
    pub const RIGHT: u8 = 0x04;
}

pub struct Mouse {
    /// The vector, latched when its low byte (0x91) is written.
    pub vector: u16,
}

impl Mouse {
    pub fn new() -> Mouse {
        Mouse { vector: 0 }
    }

    pub fn deo(&mut self, uxn: &Uxn, port: u8) {
        if port == 0x91 {
            self.vector = u16::from_be_bytes([uxn.dev[0x90], uxn.dev[0x91]]);
        }
    }
}

impl Default for Mouse {
    fn default() -> Self {
        Mouse::new()
    }
}
