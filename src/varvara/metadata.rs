//! A ROM's metadata block (announced through System/metadata), read in one
//! place for everyone who needs it: its name for the window title, its
//! icon, the Varvara version it targets.
//!
//! The block: a version byte, text up to a NUL (the name is its first
//! line), an extension count, then per extension an id byte and a short.

/// How far the text may run before the block is taken as malformed.
const MAX_TEXT: usize = 0x1000;

/// The metadata extension id of a 24x24 2bpp icon (3x3 tiles).
const ICON_2BPP: u8 = 0x83;
/// The bytes of that icon: nine 2bpp tiles of 16 bytes.
pub const ICON_BYTES: usize = 9 * 16;

/// What a ROM says about itself, for hosts: a window title, an icon.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The first line of the text (None: no block, or an empty line).
    pub name: Option<String>,
    /// The 24x24 icon as nine 2bpp tiles, row by row (each tile 8 bytes
    /// of low bits, then 8 of high bits), if the block has one.
    pub icon: Option<Vec<u8>>,
}

impl Metadata {
    /// The block at `at` in `ram` (0: none announced).
    pub fn read(ram: &[u8], at: u16) -> Metadata {
        let icon = extension(ram, at, ICON_2BPP).and_then(|address| {
            let start = address as usize;
            ram.get(start..start + ICON_BYTES).map(<[u8]>::to_vec)
        });
        Metadata {
            name: name(ram, at),
            icon,
        }
    }
}

/// Where the block's text ends (its NUL), if it is well formed.
fn text_end(ram: &[u8], at: u16) -> Option<usize> {
    if at == 0 {
        return None;
    }
    let text = at as usize + 1;
    Some(
        text + ram
            .get(text..)?
            .iter()
            .take(MAX_TEXT)
            .position(|&b| b == 0)?,
    )
}

/// The value of extension `id` in the block at `at`, if it has one.
pub fn extension(ram: &[u8], at: u16, id: u8) -> Option<u16> {
    let byte = |i: usize| ram.get(i).copied();
    let end = text_end(ram, at)?;
    let count = byte(end + 1)? as usize;
    (0..count).find_map(|i| {
        let entry = end + 2 + i * 3;
        (byte(entry)? == id)
            .then(|| Some(u16::from_be_bytes([byte(entry + 1)?, byte(entry + 2)?])))
            .flatten()
    })
}

/// The ROM's name: the first line of the block's text, trimmed (None when
/// there is no block or the line is empty).
pub fn name(ram: &[u8], at: u16) -> Option<String> {
    if at == 0 {
        return None;
    }
    let text = ram.get(at as usize + 1..)?;
    let end = text
        .iter()
        .position(|&b| b == 0 || b == b'\n')
        .unwrap_or(text.len())
        .min(255);
    let name = String::from_utf8_lossy(&text[..end]).trim().to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block at 0x200: version 1, "Left\nText", then `extensions`.
    fn ram_with(extensions: &[(u8, u16)]) -> Vec<u8> {
        let mut ram = vec![0u8; 0x10000];
        let mut block = vec![1];
        block.extend(b"Left\nText\0");
        block.push(extensions.len() as u8);
        for &(id, value) in extensions {
            block.push(id);
            block.extend(value.to_be_bytes());
        }
        ram[0x200..0x200 + block.len()].copy_from_slice(&block);
        ram
    }

    #[test]
    fn extensions_and_the_name_are_found_and_absent_ones_are_none() {
        let ram = ram_with(&[(0x83, 0x1234), (b'V', 0x0050)]);
        assert_eq!(extension(&ram, 0x200, b'V'), Some(0x0050));
        assert_eq!(extension(&ram, 0x200, 0x83), Some(0x1234));
        assert_eq!(extension(&ram, 0x200, 0x84), None);
        assert_eq!(extension(&ram, 0, b'V'), None);
        assert_eq!(name(&ram, 0x200).as_deref(), Some("Left"));
        assert_eq!(name(&ram, 0), None);
        // Text with no NUL before the limit is no block.
        let mut ram = vec![b'x'; 0x10000];
        ram[0x200] = 1;
        assert_eq!(extension(&ram, 0x200, b'V'), None);
    }
}
