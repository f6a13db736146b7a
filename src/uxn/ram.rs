//! Main memory, with a few bytes of padding past its end.

use std::ops::{Deref, DerefMut};

use super::RAM_SIZE;

/// Bytes past the end of RAM that nothing ever writes: as many as the
/// tail-call engine's handlers read past their own address.
pub(super) const PADDING: usize = super::tailcall::LOOKAHEAD;

/// The 64 KiB of memory. It reads and writes as a `[u8; 0x10000]`; the
/// tail-call engine alone also sees [`Ram::padded`], [`PADDING`] zero bytes
/// longer, so that it reads the operand bytes of the instructions a
/// handler runs with plain indexing and no bounds check. Those handlers never
/// run at the addresses where the operand would cross the end of RAM (see
/// the module doc of [`super::tailcall`]), so the padding is never
/// actually read; it only spares the checks.
///
/// RAM also remembers which bytes were written since the tail-call engine
/// last looked ([`Ram::take_written`]): that engine keeps a handler for
/// each address, decoded from the opcode there, and must forget those
/// whose bytes change. Writes through `DerefMut` (devices, the host)
/// count as writes to all of RAM; [`Ram::store`] (the model engine, the
/// System device) and [`Ram::range_mut`] (the File device) mark just the
/// bytes they write; the tail-call engine's own stores ([`Ram::padded_mut`])
/// are not tracked, as it updates its handlers itself.
pub struct Ram {
    padded: [u8; RAM_SIZE + PADDING],
    /// The first and last address written, or `CLEAN`.
    written: (u32, u32),
}

/// [`Ram::written`] when nothing was written.
const CLEAN: (u32, u32) = (u32::MAX, 0);
/// [`Ram::written`] when all of it was.
const ALL: (u32, u32) = (0, RAM_SIZE as u32 - 1);

impl Ram {
    /// 64 KiB of zeros.
    pub fn new() -> Ram {
        Ram {
            padded: [0; RAM_SIZE + PADDING],
            written: ALL,
        }
    }

    /// Stores a byte, marking it written.
    #[inline]
    pub fn store(&mut self, addr: u16, value: u8) {
        self.padded[addr as usize] = value;
        let at = addr as u32;
        self.written = (self.written.0.min(at), self.written.1.max(at));
    }

    /// `len` bytes from `start` to write into (a device's transfer), marked
    /// written. Writing through indexing instead would mark all of RAM,
    /// which costs the tail-call engine a re-decode of everything.
    pub fn range_mut(&mut self, start: usize, len: usize) -> &mut [u8] {
        if len > 0 {
            let last = (start + len - 1) as u32;
            self.written = (self.written.0.min(start as u32), self.written.1.max(last));
        }
        &mut self.engine_mut()[start..start + len]
    }

    /// The addresses written since the last call (first and last, inclusive).
    pub(crate) fn take_written(&mut self) -> Option<(usize, usize)> {
        let (first, last) = std::mem::replace(&mut self.written, CLEAN);
        (first <= last).then_some((first as usize, last as usize))
    }

    /// Whether anything was written since [`Ram::take_written`].
    #[inline(always)]
    pub(crate) fn was_written(&self) -> bool {
        self.written.0 != CLEAN.0
    }

    /// RAM and the padding for the tail-call engine's own stores, which are
    /// not tracked. Nothing may write the padding: the engine uses it only
    /// so that LLVM sees a 16-bit store at 0xffff in bounds, and never
    /// stores there.
    #[inline(always)]
    pub(crate) fn padded_mut(&mut self) -> &mut [u8; RAM_SIZE + PADDING] {
        &mut self.padded
    }

    /// RAM, writes not tracked.
    #[inline(always)]
    fn engine_mut(&mut self) -> &mut [u8; RAM_SIZE] {
        self.padded
            .first_chunk_mut()
            .expect("the padded RAM holds the whole address space")
    }

    /// RAM and the padding, for reading operands.
    #[inline(always)]
    pub(crate) fn padded(&self) -> &[u8; RAM_SIZE + PADDING] {
        &self.padded
    }
}

impl Default for Ram {
    fn default() -> Ram {
        Ram::new()
    }
}

impl Deref for Ram {
    type Target = [u8; RAM_SIZE];

    #[inline(always)]
    fn deref(&self) -> &[u8; RAM_SIZE] {
        self.padded
            .first_chunk()
            .expect("the padded RAM holds the whole address space")
    }
}

impl DerefMut for Ram {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut [u8; RAM_SIZE] {
        self.written = ALL;
        self.engine_mut()
    }
}

/// A copy counts as all written: it may replace another machine's RAM
/// (`uxn.ram = saved.clone()`), whose decoded handlers must all go.
impl Clone for Ram {
    fn clone(&self) -> Ram {
        Ram {
            padded: self.padded,
            written: ALL,
        }
    }
}

impl PartialEq for Ram {
    fn eq(&self, other: &Ram) -> bool {
        self.padded == other.padded
    }
}

impl Eq for Ram {}

impl std::fmt::Debug for Ram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ram({} bytes)", RAM_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_marked_as_precisely_as_they_are_made() {
        let mut ram = Ram::new();
        // A new RAM counts as all written.
        assert_eq!(ram.take_written(), Some((0, 0xffff)));
        assert_eq!(ram.take_written(), None);
        assert!(!ram.was_written());
        ram.store(0x1234, 7);
        ram.store(0x0100, 8);
        assert!(ram.was_written());
        assert_eq!(ram.take_written(), Some((0x0100, 0x1234)));
        ram.range_mut(0x8000, 0x10).fill(9);
        ram.range_mut(0x9000, 0).fill(9);
        assert_eq!(ram.take_written(), Some((0x8000, 0x800f)));
        assert_eq!(ram[0x800f], 9);
        // Reading marks nothing; writing through indexing marks everything.
        assert_eq!(ram[0x1234], 7);
        assert_eq!(ram.take_written(), None);
        ram[0x4000] = 1;
        assert_eq!(ram.take_written(), Some((0, 0xffff)));
        // The engine's own stores are not tracked, and never touch the padding.
        ram.padded_mut()[0x10] = 3;
        assert_eq!(ram.take_written(), None);
        assert_eq!(ram.padded()[RAM_SIZE..], [0; PADDING]);
        // A copy may replace another machine's RAM: all of it is new there.
        let mut copy = ram.clone();
        assert_eq!(copy.take_written(), Some((0, 0xffff)));
        assert!(copy == ram);
    }
}
