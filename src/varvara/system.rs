//! System (0x00): stack pointers, memory expansion commands, metadata,
//! palette, the debug port and the halt/exit state.

use super::Compat;
use crate::uxn::{Stack, Uxn};

pub struct System {
    /// Where the ROM's metadata block is (0 when none was announced).
    pub metadata: u16,
    /// The four colours as 0RGB, recomputed on every palette write (the
    /// screen repaints everything when it sees them change).
    pub palette: [u32; 4],
    /// What the last expansion command had to say (an unknown opcode), for
    /// the host to print on the ROM's stderr once.
    warning: Option<Vec<u8>>,
    /// Expansion rules that differ between the references.
    pub compat: Compat,
}

impl System {
    pub fn new() -> System {
        System {
            metadata: 0,
            palette: [0; 4],
            warning: None,
            compat: Compat::default(),
        }
    }

    pub fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        match port {
            0x04 => uxn.wsp,
            0x05 => uxn.rsp,
            _ => uxn.dev[port as usize],
        }
    }

    pub fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        match port {
            0x03 if self.compat.expansion_stops_at_bank_end => {
                self.warning = expansion_2026(uxn, short(uxn, 0x02));
            }
            0x03 => self.warning = expansion(uxn, short(uxn, 0x02)),
            0x04 => uxn.wsp = value,
            0x05 => uxn.rsp = value,
            0x07 => self.metadata = short(uxn, 0x06),
            0x08..=0x0d => {
                self.palette = palette(&uxn.dev[0x08..0x0e]);
            }
            // 0x0f (state) is acted on by the host between vectors.
            _ => {}
        }
    }

    /// The message of the last expansion command that was not understood,
    /// once.
    pub fn take_warning(&mut self) -> Option<Vec<u8>> {
        self.warning.take()
    }
}

impl Default for System {
    fn default() -> Self {
        System::new()
    }
}

fn short(uxn: &Uxn, port: u8) -> u16 {
    u16::from_be_bytes([uxn.dev[port as usize], uxn.dev[port as usize + 1]])
}

/// Colour `i` is made of the i-th nibble (from the top) of the red, green
/// and blue shorts; a nibble n becomes the channel value n * 0x11.
pub fn palette(rgb: &[u8]) -> [u32; 4] {
    let nibble = |channel: usize, i: usize| {
        let short = u16::from_be_bytes([rgb[channel * 2], rgb[channel * 2 + 1]]);
        ((short >> (12 - 4 * i)) & 0xf) as u32 * 0x11
    };
    std::array::from_fn(|i| nibble(0, i) << 16 | nibble(1, i) << 8 | nibble(2, i))
}

/// Runs the expansion command stored at `addr`: 00 fill, 01 copy forward,
/// 02 copy backward. Fields are big-endian shorts; addresses wrap inside
/// their 64 KiB bank; banks past 15 make the command a no-op. Any other
/// opcode does nothing but returns the reference's complaint: "Unknown
/// command: " and the command's bytes up to the first NUL, as it prints
/// them (so a ROM author sees that a command went astray).
fn expansion(uxn: &mut Uxn, addr: u16) -> Option<Vec<u8>> {
    let field = |i: u16| {
        let at = addr.wrapping_add(1 + 2 * i);
        u16::from_be_bytes([uxn.ram[at as usize], uxn.ram[at.wrapping_add(1) as usize]])
    };
    let len = field(0) as usize;
    match uxn.ram[addr as usize] {
        0x00 => {
            let (bank, start) = (field(1) as usize, field(2));
            let value = uxn.ram[addr.wrapping_add(7) as usize];
            if bank < crate::uxn::BANKS {
                for i in 0..len {
                    uxn.set_bank_byte(bank, start.wrapping_add(i as u16), value);
                }
            }
        }
        op @ (0x01 | 0x02) => {
            let (src_bank, src) = (field(1) as usize, field(2));
            let (dst_bank, dst) = (field(3) as usize, field(4));
            if src_bank >= crate::uxn::BANKS || dst_bank >= crate::uxn::BANKS {
                return None;
            }
            let copy = |uxn: &mut Uxn, i: usize| {
                let byte = uxn.bank_byte(src_bank, src.wrapping_add(i as u16));
                uxn.set_bank_byte(dst_bank, dst.wrapping_add(i as u16), byte);
            };
            if op == 0x01 {
                (0..len).for_each(|i| copy(uxn, i));
            } else {
                (0..len).rev().for_each(|i| copy(uxn, i));
            }
        }
        _ => {
            let bytes = &uxn.ram[addr as usize..];
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            return Some([b"Unknown command: ", &bytes[..end], b"\n"].concat());
        }
    }
    None
}

/// What the debug port prints: both stacks, as the reference does.
/// uxn2's expansion commands: lengths stop at the end of the bank (of the
/// source and of the destination), a copy moves the bytes as if through a
/// buffer whatever its direction opcode, and an unknown opcode is named in
/// hex.
fn expansion_2026(uxn: &mut Uxn, addr: u16) -> Option<Vec<u8>> {
    let field = |i: u16| {
        let at = addr.wrapping_add(1 + 2 * i);
        u16::from_be_bytes([uxn.ram[at as usize], uxn.ram[at.wrapping_add(1) as usize]])
    };
    let room = |start: u16| 0x10000 - start as usize;
    let (bank, start) = (field(1) as usize, field(2));
    let len = (field(0) as usize).min(room(start));
    match uxn.ram[addr as usize] {
        0x00 => {
            let value = uxn.ram[addr.wrapping_add(7) as usize];
            if bank < crate::uxn::BANKS {
                for i in 0..len {
                    uxn.set_bank_byte(bank, start + i as u16, value);
                }
            }
        }
        0x01 | 0x02 => {
            let (dst_bank, dst) = (field(3) as usize, field(4));
            let len = len.min(room(dst));
            if bank < crate::uxn::BANKS && dst_bank < crate::uxn::BANKS {
                let bytes: Vec<u8> = (0..len)
                    .map(|i| uxn.bank_byte(bank, start + i as u16))
                    .collect();
                for (i, byte) in bytes.into_iter().enumerate() {
                    uxn.set_bank_byte(dst_bank, dst + i as u16, byte);
                }
            }
        }
        op => return Some(format!("Unknown command: {op:02x}\n").into_bytes()),
    }
    None
}

pub fn debug_text(uxn: &Uxn, mark_bottom: bool) -> String {
    stack_line("WST", &uxn.wst, uxn.wsp, mark_bottom)
        + &stack_line("RST", &uxn.rst, uxn.rsp, mark_bottom)
}

/// The reference debug line for one stack: its name, the eight bytes below
/// the pointer (oldest first, wrapping), then the pointer itself. With
/// `mark_bottom` (uxn2), a stack of exactly 8 bytes has `|` after its name.
pub fn stack_line(name: &str, data: &Stack, ptr: u8, mark_bottom: bool) -> String {
    let mut line = format!("{name}{}", if mark_bottom && ptr == 8 { '|' } else { ' ' });
    for i in (1..=8u8).rev() {
        let at = ptr.wrapping_sub(i);
        line.push_str(&format!(
            "{:02x}{}",
            data[at as usize],
            if at == 0xff { '|' } else { ' ' }
        ));
    }
    line.push_str(&format!("<{ptr:02x}\n"));
    line
}
