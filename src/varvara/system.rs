//! System (0x00): stack pointers, memory expansion commands, metadata,
//! palette, the debug port and the halt/exit state.

use super::Compat;
use super::banks::{BANKS, Banks};
use super::ports::{Layout, Port};
use crate::uxn::{Stack, Uxn};

/// System's ports, as offsets within the device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const EXPANSION: u8 = 0x2;
    pub const EXPANSION_LOW: u8 = 0x3;
    pub const WST: u8 = 0x4;
    pub const RST: u8 = 0x5;
    pub const METADATA: u8 = 0x6;
    pub const METADATA_LOW: u8 = 0x7;
    pub const RED: u8 = 0x8;
    pub const GREEN: u8 = 0xa;
    pub const BLUE: u8 = 0xc;
    pub const BLUE_LOW: u8 = 0xd;
    pub const DEBUG: u8 = 0xe;
    pub const STATE: u8 = 0xf;
}

/// The first of System's ports on the device page.
pub const BASE: u8 = 0x00;

/// Where System is and what its ports are called.
pub const LAYOUT: Layout = Layout {
    name: "System",
    base: BASE,
    ports: &[
        Port::short(port::VECTOR, "vector"),
        Port::short(port::EXPANSION, "expansion"),
        Port::byte(port::WST, "wst"),
        Port::byte(port::RST, "rst"),
        Port::short(port::METADATA, "metadata"),
        Port::short(port::RED, "red"),
        Port::short(port::GREEN, "green"),
        Port::short(port::BLUE, "blue"),
        Port::byte(port::DEBUG, "debug"),
        Port::byte(port::STATE, "state"),
    ],
};

/// The device's state beyond its ports.
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
    /// The memory the expansion commands reach beyond the CPU's 64 KiB.
    pub banks: Banks,
}

impl System {
    /// A system with the default palette (all black) and empty banks.
    pub fn new() -> System {
        System {
            metadata: 0,
            palette: [0; 4],
            warning: None,
            compat: Compat::default(),
            banks: Banks::new(),
        }
    }

    /// Reads a port: the stack pointers live in the CPU.
    pub fn dei(&mut self, uxn: &mut Uxn, port: u8) -> u8 {
        match port & 0x0f {
            port::WST => uxn.wsp,
            port::RST => uxn.rsp,
            _ => uxn.dev[port as usize],
        }
    }

    /// Reacts to a write the CPU has stored.
    pub fn deo(&mut self, uxn: &mut Uxn, port: u8, value: u8) {
        match port & 0x0f {
            port::EXPANSION_LOW if self.compat.expansion_stops_at_bank_end => {
                self.warning = expansion_2026(&mut self.banks, uxn, short(uxn, port::EXPANSION));
            }
            port::EXPANSION_LOW => {
                self.warning = expansion(&mut self.banks, uxn, short(uxn, port::EXPANSION))
            }
            port::WST => uxn.wsp = value,
            port::RST => uxn.rsp = value,
            port::METADATA_LOW => self.metadata = short(uxn, port::METADATA),
            port::RED..=port::BLUE_LOW => self.palette = palette_of(uxn),
            // State is acted on by the host between vectors.
            _ => {}
        }
    }

    /// Whether the ROM has halted the machine: a non-zero System/state.
    pub fn halted(uxn: &Uxn) -> bool {
        uxn.dev[LAYOUT.at(port::STATE)] != 0
    }

    /// The process exit code the ROM asked for (System/state & 0x7f).
    pub fn exit_code(uxn: &Uxn) -> i32 {
        (uxn.dev[LAYOUT.at(port::STATE)] & 0x7f) as i32
    }

    /// Whether `port` is the debug port (hop prints both stacks there).
    pub fn is_debug(port: u8) -> bool {
        port == BASE + port::DEBUG
    }

    /// Whether `port` is the first byte of a colour (uxn2 recolours on
    /// the second byte only).
    pub fn is_colour_high(port: u8) -> bool {
        [port::RED, port::GREEN, port::BLUE].contains(&port.wrapping_sub(BASE))
    }

    /// Whether `port` completes a metadata address.
    pub fn is_metadata_low(port: u8) -> bool {
        port == BASE + port::METADATA_LOW
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

fn short(uxn: &Uxn, offset: u8) -> u16 {
    let at = LAYOUT.at(offset);
    u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]])
}

/// The palette the colour ports hold now.
pub fn palette_of(uxn: &Uxn) -> [u32; 4] {
    palette(&uxn.dev[LAYOUT.at(port::RED)..LAYOUT.at(port::DEBUG)])
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
fn expansion(banks: &mut Banks, uxn: &mut Uxn, addr: u16) -> Option<Vec<u8>> {
    let field = |i: u16| {
        let at = addr.wrapping_add(1 + 2 * i);
        u16::from_be_bytes([uxn.ram[at as usize], uxn.ram[at.wrapping_add(1) as usize]])
    };
    let len = field(0) as usize;
    match uxn.ram[addr as usize] {
        0x00 => {
            let (bank, start) = (field(1) as usize, field(2));
            let value = uxn.ram[addr.wrapping_add(7) as usize];
            if bank < BANKS {
                for i in 0..len {
                    banks.set_byte(uxn, bank, start.wrapping_add(i as u16), value);
                }
            }
        }
        op @ (0x01 | 0x02) => {
            let (src_bank, src) = (field(1) as usize, field(2));
            let (dst_bank, dst) = (field(3) as usize, field(4));
            if src_bank >= BANKS || dst_bank >= BANKS {
                return None;
            }
            let mut copy = |i: usize| {
                let byte = banks.byte(uxn, src_bank, src.wrapping_add(i as u16));
                banks.set_byte(uxn, dst_bank, dst.wrapping_add(i as u16), byte);
            };
            if op == 0x01 {
                (0..len).for_each(&mut copy);
            } else {
                (0..len).rev().for_each(copy);
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

/// uxn2's expansion commands: lengths stop at the end of the bank (of the
/// source and of the destination), a copy moves the bytes as if through a
/// buffer whatever its direction opcode, and an unknown opcode is named in
/// hex.
fn expansion_2026(banks: &mut Banks, uxn: &mut Uxn, addr: u16) -> Option<Vec<u8>> {
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
            if bank < BANKS {
                for i in 0..len {
                    banks.set_byte(uxn, bank, start + i as u16, value);
                }
            }
        }
        0x01 | 0x02 => {
            let (dst_bank, dst) = (field(3) as usize, field(4));
            let len = len.min(room(dst));
            if bank < BANKS && dst_bank < BANKS {
                let bytes: Vec<u8> = (0..len)
                    .map(|i| banks.byte(uxn, bank, start + i as u16))
                    .collect();
                for (i, byte) in bytes.into_iter().enumerate() {
                    banks.set_byte(uxn, dst_bank, dst + i as u16, byte);
                }
            }
        }
        op => return Some(format!("Unknown command: {op:02x}\n").into_bytes()),
    }
    None
}

/// What the debug port prints: both stacks, as the reference does.
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
