//! hop's own 5x7 font (`assets/font.tal`, the one the launcher uses), for
//! what hop draws over or beside the ROM's screen: notices and the
//! debugger's panel.

#![forbid(unsafe_code)]

const SOURCE: &str = include_str!("../../assets/font.tal");
/// The first and last characters the font has.
pub const FIRST: u8 = 0x20;
pub const LAST: u8 = 0x7e;
/// A character's cell: 5 pixels of glyph and 1 of space across, 7 of
/// glyph and 3 of space down.
pub const CELL: (usize, usize) = (6, 10);

pub struct Font {
    /// Glyph rows, 8 bytes a character from FIRST, read from the font.
    glyphs: Vec<u8>,
}

/// Where to draw: a canvas of `width` pixels a row.
pub struct Canvas<'a> {
    pub pixels: &'a mut [u32],
    pub width: usize,
    pub height: usize,
}

impl Font {
    pub fn new() -> Font {
        Font {
            glyphs: parse(SOURCE),
        }
    }

    /// Draws `text` with its top-left corner at `x`, `y`, each font pixel
    /// `scale` pixels across, in `ink`; what falls outside is cut.
    /// Characters the font lacks show as `?`.
    pub fn draw(
        &self,
        canvas: &mut Canvas,
        (x, y): (usize, usize),
        text: &str,
        scale: usize,
        ink: u32,
    ) {
        for (i, c) in text.chars().enumerate() {
            let c = if c.is_ascii() && !c.is_ascii_control() {
                c as u8
            } else {
                b'?'
            };
            let glyph = (c.clamp(FIRST, LAST) - FIRST) as usize * 8;
            let Some(rows) = self.glyphs.get(glyph..glyph + 8) else {
                continue;
            };
            let x0 = x + i * CELL.0 * scale;
            for (row, bits) in rows.iter().enumerate() {
                for col in 0..8 {
                    if bits & (0x80 >> col) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let (px, py) = (x0 + col * scale + dx, y + row * scale + dy);
                            if px < canvas.width && py < canvas.height {
                                canvas.pixels[py * canvas.width + px] = ink;
                            }
                        }
                    }
                }
            }
        }
    }
}

impl Default for Font {
    fn default() -> Self {
        Font::new()
    }
}

/// The glyph bytes of `font.tal`: every two-digit hex token after `@font`,
/// comments skipped.
fn parse(source: &str) -> Vec<u8> {
    let body = source.split_once("@font").map_or("", |(_, body)| body);
    let mut bytes = Vec::new();
    let mut depth = 0;
    for token in body.split_ascii_whitespace() {
        match token {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ if depth == 0 && token.len() == 2 => {
                if let Ok(byte) = u8::from_str_radix(token, 16) {
                    bytes.push(byte);
                }
            }
            _ => {}
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_every_printable_character() {
        let font = parse(SOURCE);
        assert_eq!(font.len(), (LAST - FIRST + 1) as usize * 8);
        // '!' is a bar with a dot under it.
        assert_eq!(
            &font[8..16],
            &[0x10, 0x10, 0x10, 0x10, 0x10, 0x00, 0x10, 0x00]
        );
    }
}
