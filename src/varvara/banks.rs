//! The expansion banks: Varvara's memory beyond the CPU's 64 KiB, reached
//! only through System's expansion commands and by sprites read past
//! 0xffff. Bank 0 is the CPU's own RAM; banks 1 to 15 live here. The CPU
//! knows nothing of them: a ROM longer than its 64 KiB spills into them
//! when the machine loads it.

use std::fmt;

use crate::uxn::{RESET_VECTOR, Uxn};

/// Size of one bank, the CPU's RAM included.
pub const BANK_SIZE: usize = 0x10000;
/// Number of banks, the CPU's RAM included.
pub const BANKS: usize = 16;
/// The largest ROM: everything from 0x0100 in bank 0, then 15 full banks.
pub const MAX_ROM_SIZE: usize = BANKS * BANK_SIZE - RESET_VECTOR as usize;

/// Banks 1 to 15, allocated on first use (most ROMs never touch them).
#[derive(Default)]
pub struct Banks {
    bytes: Vec<u8>,
}

/// A ROM that cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RomError {
    /// Zero bytes: there is nothing to run.
    Empty,
    /// More than [`MAX_ROM_SIZE`] bytes.
    TooLarge {
        /// The ROM's length in bytes.
        size: usize,
    },
}

impl fmt::Display for RomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RomError::Empty => write!(f, "the ROM is empty"),
            RomError::TooLarge { size } => write!(
                f,
                "the ROM is {size} bytes, more than the {MAX_ROM_SIZE} bytes that fit in 16 banks"
            ),
        }
    }
}

impl std::error::Error for RomError {}

impl Banks {
    /// Empty banks.
    pub fn new() -> Banks {
        Banks::default()
    }

    /// Copies `rom` to 0x0100 of the CPU's RAM; what does not fit there
    /// goes on into bank 1 and the banks after it.
    pub fn load_rom(&mut self, uxn: &mut Uxn, rom: &[u8]) -> Result<(), RomError> {
        if rom.is_empty() {
            return Err(RomError::Empty);
        }
        if rom.len() > MAX_ROM_SIZE {
            return Err(RomError::TooLarge { size: rom.len() });
        }
        let rest = uxn.load(rom);
        if !rest.is_empty() {
            self.allocated()[..rest.len()].copy_from_slice(rest);
        }
        Ok(())
    }

    /// Reads a byte of bank `bank` (0 is the CPU's RAM). Banks past 15
    /// read 0.
    pub fn byte(&self, uxn: &Uxn, bank: usize, addr: u16) -> u8 {
        match bank {
            0 => uxn.ram[addr as usize],
            1..BANKS => self
                .bytes
                .get((bank - 1) * BANK_SIZE + addr as usize)
                .copied()
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// Writes a byte of bank `bank` (0 is the CPU's RAM). Banks past 15
    /// are ignored.
    pub fn set_byte(&mut self, uxn: &mut Uxn, bank: usize, addr: u16, value: u8) {
        match bank {
            0 => uxn.ram.store(addr, value),
            1..BANKS => self.allocated()[(bank - 1) * BANK_SIZE + addr as usize] = value,
            _ => {}
        }
    }

    /// Reads `len` bytes at `addr` of one flat address space: bank 0, then
    /// bank 1 and on, as the reference lays its memory out (a sprite read
    /// past 0xffff reads bank 1). Past the last bank reads 0.
    pub fn read_flat(&self, uxn: &Uxn, addr: usize, out: &mut [u8]) {
        if addr + out.len() <= BANK_SIZE {
            out.copy_from_slice(&uxn.ram[addr..addr + out.len()]);
            return;
        }
        for (i, byte) in out.iter_mut().enumerate() {
            let at = addr + i;
            *byte = if at < BANKS * BANK_SIZE {
                self.byte(uxn, at / BANK_SIZE, at as u16)
            } else {
                0
            };
        }
    }

    /// The banks 1 to 15 that hold anything but zeros, with their bytes.
    pub fn used(&self) -> impl Iterator<Item = (usize, &[u8])> {
        self.bytes
            .chunks(BANK_SIZE)
            .enumerate()
            .filter(|(_, bytes)| bytes.iter().any(|&b| b != 0))
            .map(|(i, bytes)| (i + 1, bytes))
    }

    fn allocated(&mut self) -> &mut [u8] {
        if self.bytes.is_empty() {
            self.bytes = vec![0; (BANKS - 1) * BANK_SIZE];
        }
        &mut self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_rom_spills_into_bank_one() {
        let mut uxn = Uxn::new();
        let mut banks = Banks::new();
        let rom: Vec<u8> = (0..0x10000usize).map(|i| (i % 251) as u8 + 1).collect();
        banks.load_rom(&mut uxn, &rom).unwrap();
        assert_eq!(uxn.ram[0x100], rom[0]);
        assert_eq!(uxn.ram[0xffff], rom[0xfeff]);
        assert_eq!(banks.byte(&uxn, 1, 0), rom[0xff00]);
        assert_eq!(banks.byte(&uxn, 1, 0xff), rom[0xffff]);
        assert_eq!(banks.byte(&uxn, 1, 0x100), 0);
        assert_eq!(banks.used().map(|(b, _)| b).collect::<Vec<_>>(), [1]);
        let mut tile = [0; 4];
        banks.read_flat(&uxn, 0xfffe, &mut tile);
        assert_eq!(tile, [rom[0xfefe], rom[0xfeff], rom[0xff00], rom[0xff01]]);
    }

    #[test]
    fn roms_that_cannot_load() {
        let mut uxn = Uxn::new();
        let mut banks = Banks::new();
        assert_eq!(banks.load_rom(&mut uxn, &[]), Err(RomError::Empty));
        let size = MAX_ROM_SIZE + 1;
        assert_eq!(
            banks.load_rom(&mut uxn, &vec![1; size]),
            Err(RomError::TooLarge { size })
        );
    }
}
