//! Controller (0x80): a button byte that hosts change with OR/AND masks,
//! and a key byte that holds one typed character for one vector.

use super::ports::{Layout, Port};
use crate::uxn::Uxn;

/// Controller's ports, as offsets within the device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const VECTOR_LOW: u8 = 0x1;
    pub const BUTTON: u8 = 0x2;
    pub const KEY: u8 = 0x3;
}

/// The first of Controller's ports on the device page.
pub const BASE: u8 = 0x80;

/// Where Controller is and what its ports are called.
pub const LAYOUT: Layout = Layout {
    name: "Controller",
    base: BASE,
    ports: &[
        Port::short(port::VECTOR, "vector"),
        Port::byte(port::BUTTON, "button"),
        Port::byte(port::KEY, "key"),
    ],
};

/// The Controller/button bits.
pub mod button {
    /// Left Ctrl on the keyboard.
    pub const A: u8 = 0x01;
    /// Left Alt.
    pub const B: u8 = 0x02;
    /// Left Shift.
    pub const SELECT: u8 = 0x04;
    /// Home.
    pub const START: u8 = 0x08;
    /// The arrow keys.
    pub const UP: u8 = 0x10;
    #[allow(missing_docs)]
    pub const DOWN: u8 = 0x20;
    #[allow(missing_docs)]
    pub const LEFT: u8 = 0x40;
    #[allow(missing_docs)]
    pub const RIGHT: u8 = 0x80;
}

/// The device's state beyond its ports: the latched vector.
#[derive(Default)]
pub struct Controller {
    /// The vector, latched when its low byte is written.
    pub vector: u16,
}

impl Controller {
    /// A controller with no vector and no button held.
    pub fn new() -> Controller {
        Controller::default()
    }

    /// Reacts to a write the CPU has stored: the vector latches.
    pub fn deo(&mut self, uxn: &Uxn, port: u8) {
        if port & 0x0f == port::VECTOR_LOW {
            let at = LAYOUT.at(port::VECTOR);
            self.vector = u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]]);
        }
    }

    /// Buttons pressed: their bits are ORed in, as a host only ever
    /// changes the byte (the ROM may write it too).
    pub fn press(uxn: &mut Uxn, mask: u8) {
        uxn.dev[LAYOUT.at(port::BUTTON)] |= mask;
    }

    /// Buttons released: their bits are cleared.
    pub fn release(uxn: &mut Uxn, mask: u8) {
        uxn.dev[LAYOUT.at(port::BUTTON)] &= !mask;
    }

    /// A typed character, held for the one vector that follows.
    pub fn type_key(uxn: &mut Uxn, key: u8) {
        uxn.dev[LAYOUT.at(port::KEY)] = key;
    }

    /// After that vector: the key byte goes back to 0.
    pub fn key_done(uxn: &mut Uxn) {
        uxn.dev[LAYOUT.at(port::KEY)] = 0;
    }
}
