//! The window icon (`_NET_WM_ICON`): the ROM's own, when its metadata has
//! one (extension 0x83, a 24x24 2bpp picture of 3x3 tiles), else hop's
//! rabbit (assets/icon.txt, drawn by assets/icon.py).

#![forbid(unsafe_code)]

use std::ffi::c_ulong;

/// Icons are 24x24 Varvara pixels.
const SIZE: usize = 24;

/// hop's icon: '.' transparent, 0-3 the launcher's colours.
const HOP: &str = include_str!("../../assets/icon.txt");

/// The launcher's palette (assets/launcher.tal): night, paper, teal, grey.
const LAUNCHER: [u32; 4] = [0xff111122, 0xffeeeeee, 0xff339988, 0xff777788];

/// Potato's palette, with which the ROM icons are meant to be shown
/// (the Varvara spec, System/metadata).
const POTATO: [u32; 4] = [0xff55bbaa, 0xff007777, 0xff000000, 0xffffffff];

/// A 24x24 ARGB picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icon {
    pub argb: Vec<u32>,
}

impl Icon {
    /// hop's own icon.
    pub fn hop() -> Icon {
        let argb = HOP
            .lines()
            .take(SIZE)
            .flat_map(|row| {
                let mut cells: Vec<u32> = row
                    .bytes()
                    .take(SIZE)
                    .map(|c| match c {
                        b'0'..=b'3' => LAUNCHER[(c - b'0') as usize],
                        _ => 0,
                    })
                    .collect();
                cells.resize(SIZE, 0);
                cells
            })
            .collect();
        Icon { argb }
    }

    /// A ROM's icon from its metadata ([`crate::varvara::metadata::Metadata::icon`]):
    /// nine 2bpp tiles, shown in Potato's colours.
    pub fn from_tiles(tiles: &[u8]) -> Icon {
        let mut argb = vec![0; SIZE * SIZE];
        // Tiles row by row; each tile is 8 bytes of low bits, then 8 of high.
        for (t, tile) in tiles.chunks_exact(16).enumerate() {
            let (tx, ty) = (t % 3 * 8, t / 3 * 8);
            for y in 0..8 {
                for x in 0..8 {
                    let bit = |plane: u8| (plane >> (7 - x)) & 1;
                    let colour = bit(tile[y]) | bit(tile[y + 8]) << 1;
                    argb[(ty + y) * SIZE + tx + x] = POTATO[colour as usize];
                }
            }
        }
        Icon { argb }
    }

    /// `_NET_WM_ICON` data: the icon at 1x, 2x and 4x (for docks and
    /// high-resolution panels), each as width, height, then the pixels.
    pub fn net_wm_icon(&self) -> Vec<c_ulong> {
        let mut data = Vec::new();
        for zoom in [1, 2, 4] {
            let side = SIZE * zoom;
            data.extend([side as c_ulong, side as c_ulong]);
            for y in 0..side {
                for x in 0..side {
                    data.push(self.argb[y / zoom * SIZE + x / zoom] as c_ulong);
                }
            }
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_icon_is_24_by_24_with_a_transparent_corner() {
        assert_eq!(HOP.lines().count(), SIZE);
        assert!(HOP.lines().all(|row| row.len() == SIZE));
        let icon = Icon::hop();
        assert_eq!(icon.argb[0], 0, "transparent");
        assert!(icon.argb.contains(&LAUNCHER[1]));
    }

    use crate::varvara::metadata::Metadata;

    #[test]
    fn a_metadata_icon_is_read_tile_by_tile() {
        let mut ram = vec![0u8; 0x10000];
        // Metadata at 0x0200: version, "Ab", NUL, 2 extensions.
        ram[0x200..0x20c].copy_from_slice(&[
            0x00, b'A', b'b', 0x00, 2, 0x56, 0x00, 0x50, 0x83, 0x03, 0x00, 0,
        ]);
        // Tile 0: top-left pixel colour 1; tile 4 (the middle): its first
        // row colour 3; tile 8: last pixel colour 2.
        ram[0x300] = 0x80;
        ram[0x300 + 4 * 16] = 0xff;
        ram[0x300 + 4 * 16 + 8] = 0xff;
        ram[0x300 + 8 * 16 + 15] = 0x01;
        let read = |ram: &[u8], at| Metadata::read(ram, at).icon.map(|t| Icon::from_tiles(&t));
        let icon = read(&ram, 0x200).unwrap();
        assert_eq!(icon.argb[0], POTATO[1]);
        assert_eq!(icon.argb[1], POTATO[0]);
        assert_eq!(icon.argb[8 * SIZE + 8], POTATO[3]);
        assert_eq!(icon.argb[8 * SIZE + 15], POTATO[3]);
        assert_eq!(icon.argb[9 * SIZE + 8], POTATO[0]);
        assert_eq!(icon.argb[SIZE * SIZE - 1], POTATO[2]);
        assert_eq!(read(&ram, 0), None);
        ram[0x208] = 0x88; // only a 1bpp icon: not read
        assert_eq!(read(&ram, 0x200), None);
    }

    #[test]
    fn net_wm_icon_has_three_sizes() {
        let data = Icon::hop().net_wm_icon();
        assert_eq!(data.len(), 2 * 3 + 24 * 24 + 48 * 48 + 96 * 96);
        assert_eq!(&data[..2], &[24, 24]);
    }
}
