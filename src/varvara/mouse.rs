//! Mouse (0x90): position, a button byte that both the host and the ROM
//! write (so hosts apply changes, never the absolute state), and scroll
//! deltas that last for one vector.

use super::ports::{Layout, Port};
use crate::uxn::Uxn;

/// Mouse's ports, as offsets within the device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const VECTOR_LOW: u8 = 0x1;
    pub const X: u8 = 0x2;
    pub const Y: u8 = 0x4;
    pub const STATE: u8 = 0x6;
    pub const SCROLL_X: u8 = 0xa;
    pub const SCROLL_Y: u8 = 0xc;
}

/// The first of Mouse's ports on the device page.
pub const BASE: u8 = 0x90;

/// Where Mouse is and what its ports are called.
pub const LAYOUT: Layout = Layout {
    name: "Mouse",
    base: BASE,
    ports: &[
        Port::short(port::VECTOR, "vector"),
        Port::short(port::X, "x"),
        Port::short(port::Y, "y"),
        Port::byte(port::STATE, "state"),
        Port::short(port::SCROLL_X, "scrollx"),
        Port::short(port::SCROLL_Y, "scrolly"),
    ],
};

/// The buttons as hosts name them in [`super::Event::MouseDown`] and
/// `MouseUp`: the 2025 Mouse/state bits. The machine stores them as its
/// compatibility profile says (uxn2 swaps middle and right, see
/// [`super::Compat::mouse_bits`]).
#[allow(missing_docs)]
pub mod button {
    pub const LEFT: u8 = 0x01;
    pub const MIDDLE: u8 = 0x02;
    pub const RIGHT: u8 = 0x04;
}

/// The device's state beyond its ports: the latched vector.
#[derive(Default)]
pub struct Mouse {
    /// The vector, latched when its low byte is written.
    pub vector: u16,
}

impl Mouse {
    /// A mouse with no vector.
    pub fn new() -> Mouse {
        Mouse::default()
    }

    /// Reacts to a write the CPU has stored: the vector latches.
    pub fn deo(&mut self, uxn: &Uxn, port: u8) {
        if port & 0x0f == port::VECTOR_LOW {
            let at = LAYOUT.at(port::VECTOR);
            self.vector = u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]]);
        }
    }

    /// The pointer is at (x, y) in screen pixels.
    pub fn moved(uxn: &mut Uxn, x: u16, y: u16) {
        set_short(uxn, port::X, x);
        set_short(uxn, port::Y, y);
    }

    /// Buttons pressed, as Mouse/state bits: ORed in.
    pub fn press(uxn: &mut Uxn, bits: u8) {
        uxn.dev[LAYOUT.at(port::STATE)] |= bits;
    }

    /// Buttons released, as Mouse/state bits: cleared.
    pub fn release(uxn: &mut Uxn, bits: u8) {
        uxn.dev[LAYOUT.at(port::STATE)] &= !bits;
    }

    /// Scroll deltas for the one vector that follows.
    pub fn scrolled(uxn: &mut Uxn, x: i16, y: i16) {
        set_short(uxn, port::SCROLL_X, x as u16);
        set_short(uxn, port::SCROLL_Y, y as u16);
    }

    /// After that vector: the deltas go back to 0.
    pub fn scroll_done(uxn: &mut Uxn) {
        Mouse::scrolled(uxn, 0, 0);
    }
}

fn set_short(uxn: &mut Uxn, offset: u8, value: u16) {
    let at = LAYOUT.at(offset);
    uxn.dev[at..at + 2].copy_from_slice(&value.to_be_bytes());
}
