//! Controller (0x80): a button byte that hosts change with OR/AND masks,
//! and a key byte that holds one typed character for one vector.

use crate::uxn::Uxn;

/// The Controller/button (0x82) bits.
pub mod button {
    /// Left Ctrl on the keyboard.
    pub const A: u8 = 0x01;
    /// Left Alt.
    pub const B: u8 = 0x02;
    /// Left Shift.
    pub const SELECT: u8 = 0x04;
    /// Home.
    pub const START: u8 = 0x08;
    pub const UP: u8 = 0x10;
    pub const DOWN: u8 = 0x20;
    pub const LEFT: u8 = 0x40;
    pub const RIGHT: u8 = 0x80;
}

pub struct Controller {
    /// The vector, latched when its low byte (0x81) is written.
    pub vector: u16,
}

impl Controller {
    pub fn new() -> Controller {
        Controller { vector: 0 }
    }

    pub fn deo(&mut self, uxn: &Uxn, port: u8) {
        if port == 0x81 {
            self.vector = u16::from_be_bytes([uxn.dev[0x80], uxn.dev[0x81]]);
        }
    }
}

impl Default for Controller {
    fn default() -> Self {
        Controller::new()
    }
}
