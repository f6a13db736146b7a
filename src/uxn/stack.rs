//! A Uxn stack: 256 bytes, stored back to front.
//!
//! Uxn shorts are big-endian with the high byte deeper in the stack. Kept
//! back to front in memory (logical slot `i` at byte `255 - i`), every short
//! on the stack is a native little-endian word: the tail-call engine reads
//! and writes it with one plain load or store and no byte swap, and the
//! compiler can fold such loads into arithmetic.
//!
//! Everything outside the tail-call engine uses logical slot numbers through
//! `Index`/`IndexMut` (slot 0 is the bottom) and never sees the layout.

use std::fmt;
use std::ops::{Index, IndexMut};

/// One of the CPU's two 256-byte stacks.
#[derive(Clone, PartialEq, Eq)]
pub struct Stack {
    /// Slot `i` lives at `bytes[255 - i]`.
    pub(crate) bytes: [u8; 256],
}

impl Stack {
    /// An empty stack, all zeros.
    pub const fn new() -> Stack {
        Stack { bytes: [0; 256] }
    }

    /// The bottom `len` slots, bottom first.
    pub fn bottom(&self, len: u8) -> Vec<u8> {
        (0..len as usize).map(|i| self[i]).collect()
    }

    /// Overwrites the bottom slots with `values`, bottom first.
    pub fn set_bottom(&mut self, values: &[u8]) {
        for (i, &v) in values.iter().enumerate() {
            self[i] = v;
        }
    }

    /// All 256 bytes in storage order (for filling with noise in tests).
    pub fn bytes_mut(&mut self) -> &mut [u8; 256] {
        &mut self.bytes
    }
}

impl Default for Stack {
    fn default() -> Self {
        Stack::new()
    }
}

/// Slot numbers wrap at 256, like the stack pointer.
impl Index<usize> for Stack {
    type Output = u8;
    fn index(&self, slot: usize) -> &u8 {
        &self.bytes[255 - (slot & 0xff)]
    }
}

impl IndexMut<usize> for Stack {
    fn index_mut(&mut self, slot: usize) -> &mut u8 {
        &mut self.bytes[255 - (slot & 0xff)]
    }
}

impl fmt::Debug for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries((0..256).map(|i| self[i])).finish()
    }
}
