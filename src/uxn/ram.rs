//! Main memory, with two bytes of padding past its end.

use std::ops::{Deref, DerefMut};

use super::BANK_SIZE;

/// Bytes past the end of RAM that nothing ever writes.
const PADDING: usize = 2;

/// The 64 KiB of bank 0. It reads and writes as a `[u8; 0x10000]`; the
/// tail-call engine alone also sees [`Ram::padded`], two zero bytes longer,
/// so that it reads an instruction's operand bytes (at most two past the
/// opcode) with plain indexing and no bounds check. Those handlers never
/// run at the addresses where the operand would cross the end of RAM (see
/// the module doc of [`super::tailcall`]), so the padding is never
/// actually read; it only spares the checks.
#[derive(Clone, PartialEq, Eq)]
pub struct Ram {
    padded: [u8; BANK_SIZE + PADDING],
}

impl Ram {
    pub fn new() -> Ram {
        Ram {
            padded: [0; BANK_SIZE + PADDING],
        }
    }

    /// RAM and the padding, for reading operands.
    #[inline(always)]
    pub(crate) fn padded(&self) -> &[u8; BANK_SIZE + PADDING] {
        &self.padded
    }
}

impl Default for Ram {
    fn default() -> Ram {
        Ram::new()
    }
}

impl Deref for Ram {
    type Target = [u8; BANK_SIZE];

    #[inline(always)]
    fn deref(&self) -> &[u8; BANK_SIZE] {
        self.padded.first_chunk().expect("RAM is longer than a bank")
    }
}

impl DerefMut for Ram {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [u8; BANK_SIZE] {
        self.padded
            .first_chunk_mut()
            .expect("RAM is longer than a bank")
    }
}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ram({} bytes)", BANK_SIZE)
    }
}
