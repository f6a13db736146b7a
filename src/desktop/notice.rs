//! One line of text over the screen for a few seconds: what hop itself has
//! to tell the person at the window (a refused drop, a reload, a stopped
//! ROM, a name the ROM may not open). stderr gets the same line, but
//! someone who started hop from a menu never sees stderr.
//!
//! The text is drawn in hop's own 5x7 font (`assets/font.tal`, the one the
//! launcher uses) on a dark bar at the bottom of a copy of the screen, so
//! the machine's own pixels are never touched.

use std::time::{Duration, Instant};

use crate::varvara::screen::{Frame, Rect};

/// How long a notice stays.
pub const SHOWN_FOR: Duration = Duration::from_secs(4);

const FONT_SOURCE: &str = include_str!("../../assets/font.tal");
/// The first and last characters the font has.
const FIRST: u8 = 0x20;
const LAST: u8 = 0x7e;
const BAR: u32 = 0x00_20_20_20;
const INK: u32 = 0x00_ff_ff_ff;

#[derive(Default)]
pub struct Notice {
    text: Option<(String, Instant)>,
    /// A line that stays until [`Notice::unpin`] (a source that does not
    /// assemble), under any passing one.
    pinned: Option<String>,
    /// Glyph rows, 8 bytes a character from FIRST, read from the font.
    font: Vec<u8>,
    /// The screen with the notice drawn on it.
    canvas: Vec<u32>,
    /// The notice was on the screen at the last `overlay`: the whole
    /// screen is presented again once it goes.
    shown: bool,
}

impl Notice {
    pub fn new() -> Notice {
        Notice {
            font: parse_font(FONT_SOURCE),
            ..Notice::default()
        }
    }

    /// Shows `text` from now on (replacing what was shown) and prints it
    /// on stderr.
    pub fn say(&mut self, text: impl Into<String>) {
        let text = text.into();
        eprintln!("hop: {text}");
        self.text = Some((text, Instant::now()));
    }

    /// Shows a line that is on stderr already (the machine's own
    /// diagnostics, such as a file name the ROM may not open).
    pub fn show(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        let text = text.trim_end().trim_start_matches("hop: ").to_string();
        self.text = Some((text, Instant::now()));
    }

    /// Shows a line that is on stderr already until [`Notice::unpin`].
    pub fn pin(&mut self, text: impl Into<String>) {
        let text: String = text.into();
        self.pinned = Some(text.trim_end().trim_start_matches("hop: ").to_string());
    }

    pub fn unpin(&mut self) {
        self.pinned = None;
    }

    /// The text on the screen now, if any (tests read it from stderr).
    pub fn current(&self) -> Option<&str> {
        match &self.text {
            Some((text, since)) if since.elapsed() < SHOWN_FOR => Some(text),
            _ => self.pinned.as_deref(),
        }
    }

    /// The frame to present: `frame` itself when there is no notice, else
    /// a copy with the notice drawn on it (all of it marked changed, so
    /// the window shows the bar, and shows the screen again when it goes).
    pub fn overlay<'a>(&'a mut self, frame: Frame<'a>) -> Frame<'a> {
        let whole = Rect {
            x0: 0,
            y0: 0,
            x1: frame.width,
            y1: frame.height,
        };
        let Some(text) = self.current().map(str::to_string) else {
            if std::mem::take(&mut self.shown) {
                return Frame {
                    changed: Some(whole),
                    ..frame
                };
            }
            return frame;
        };
        self.shown = true;
        self.canvas.clear();
        self.canvas.extend_from_slice(frame.pixels);
        self.draw(&text, frame.width, frame.height);
        Frame {
            pixels: &self.canvas,
            width: frame.width,
            height: frame.height,
            changed: Some(whole),
        }
    }

    /// The bar and the text, as large as the screen allows (screens wider
    /// than 400 pixels get a 2x font), cut with "..." when it is too long.
    fn draw(&mut self, text: &str, width: usize, height: usize) {
        let scale = if width >= 400 && height >= 100 { 2 } else { 1 };
        let (cell, line) = (6 * scale, 10 * scale);
        if height < line || width < cell {
            return;
        }
        let fits = (width - 2 * scale) / cell;
        let mut bytes: Vec<u8> = text
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c as u8
                } else {
                    b'?'
                }
            })
            .collect();
        if bytes.len() > fits {
            bytes.truncate(fits.saturating_sub(3));
            bytes.extend_from_slice(b"...");
        }
        let top = height - line;
        for y in top..height {
            self.canvas[y * width..(y + 1) * width].fill(BAR);
        }
        for (i, &c) in bytes.iter().enumerate() {
            let glyph = (c.clamp(FIRST, LAST) - FIRST) as usize * 8;
            let Some(rows) = self.font.get(glyph..glyph + 8) else {
                continue;
            };
            let x0 = 2 * scale + i * cell;
            for (row, bits) in rows.iter().enumerate() {
                for col in 0..8 {
                    if bits & (0x80 >> col) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let (x, y) = (x0 + col * scale + dx, top + scale + row * scale + dy);
                            if x < width && y < height {
                                self.canvas[y * width + x] = INK;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The glyph bytes of `font.tal`: every two-digit hex token after `@font`,
/// comments skipped.
fn parse_font(source: &str) -> Vec<u8> {
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
        let font = parse_font(FONT_SOURCE);
        assert_eq!(font.len(), (LAST - FIRST + 1) as usize * 8);
        // '!' is a bar with a dot under it.
        assert_eq!(
            &font[8..16],
            &[0x10, 0x10, 0x10, 0x10, 0x10, 0x00, 0x10, 0x00]
        );
    }

    #[test]
    fn a_notice_is_drawn_over_a_copy_and_cut_to_fit() {
        let mut notice = Notice::new();
        let pixels = vec![0x123456; 64 * 40];
        let frame = |pixels| Frame {
            pixels,
            width: 64,
            height: 40,
            changed: None,
        };
        assert_eq!(
            notice.overlay(frame(&pixels)).changed,
            None,
            "nothing to say"
        );
        notice.text = Some(("a long line that cannot fit".into(), Instant::now()));
        let shown = notice.overlay(frame(&pixels));
        assert!(shown.changed.is_some());
        assert_eq!(shown.pixels[0], 0x123456, "above the bar: the screen");
        assert_eq!(shown.pixels[64 * 39], BAR, "the bottom row is the bar");
        assert!(shown.pixels[64 * 30..].contains(&INK), "with text on it");
        notice.text = None;
        assert!(
            notice.overlay(frame(&pixels)).changed.is_some(),
            "the screen again"
        );
        assert_eq!(notice.overlay(frame(&pixels)).changed, None);
    }
}
