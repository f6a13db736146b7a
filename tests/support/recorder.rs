//! The device both engines run against in the differential tests and the
//! `engines` fuzz target (which includes this file by path).

use hop::uxn::{Bus, Uxn};

/// A device that records every call and answers reads with a value that
/// depends on the port and on how many calls came before.
#[derive(Default, Debug, PartialEq)]
pub struct Recorder {
    pub calls: Vec<(char, u8, u8)>,
}

impl Bus for Recorder {
    fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        // Also exposes what the device sees of the stack pointers.
        let value =
            port ^ (self.calls.len() as u8).wrapping_mul(37) ^ uxn.wsp ^ uxn.rsp.rotate_left(3);
        self.calls.push(('i', port, value));
        value
    }
    fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        assert_eq!(
            uxn.dev[port as usize], value,
            "the byte is stored before deo runs"
        );
        self.calls.push(('o', port, value));
        // Port 0x04/0x05 act like System/wst and rst, to test the pointer
        // sync; ports 0x06 and 0x07 write RAM at 0x0180, as a file read
        // would, to test that code a device rewrites runs as rewritten:
        // through `Ram::store`, which marks just that byte written, and
        // through indexing, which marks all of RAM.
        match port {
            0x04 => uxn.wsp = value,
            0x05 => uxn.rsp = value,
            0x06 => uxn.ram.store(0x0180, value),
            0x07 => uxn.ram[0x0180] = value,
            _ => {}
        }
    }
}
