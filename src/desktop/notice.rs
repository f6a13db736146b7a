//! One line of text over the screen for a few seconds: what hop itself has
//! to tell the person at the window (a refused drop, a reload, a stopped
//! ROM, a name the ROM may not open). stderr gets the same line, but
//! someone who started hop from a menu never sees stderr.
//!
//! The text is drawn in hop's own 5x7 font (`assets/font.tal`, the one the
//! launcher uses) on a dark bar at the bottom of a copy of the screen, so
//! the machine's own pixels are never touched.

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use super::font::{Canvas, Font};
use crate::varvara::screen::{Picture, Rect};

/// How long a notice stays.
pub const SHOWN_FOR: Duration = Duration::from_secs(4);

const BAR: u32 = 0x00_20_20_20;
const INK: u32 = 0x00_ff_ff_ff;

#[derive(Default)]
pub struct Notice {
    text: Option<(String, Instant)>,
    /// A line that stays until [`Notice::unpin`] (a source that does not
    /// assemble), under any passing one.
    pinned: Option<String>,
    font: Font,
    /// The screen with the notice drawn on it.
    canvas: Vec<u32>,
    /// The notice was on the screen at the last `overlay`: the whole
    /// screen is presented again once it goes.
    shown: bool,
}

impl Notice {
    pub fn new() -> Notice {
        Notice {
            font: Font::new(),
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

    /// The picture to present: `picture` itself when there is no notice, else
    /// a copy with the notice drawn on it (all of it marked changed, so
    /// the window shows the bar, and shows the screen again when it goes).
    pub fn overlay<'a>(&'a mut self, picture: Picture<'a>) -> Picture<'a> {
        let whole = Rect {
            x0: 0,
            y0: 0,
            x1: picture.width,
            y1: picture.height,
        };
        let Some(text) = self.current().map(str::to_string) else {
            if std::mem::take(&mut self.shown) {
                return Picture {
                    changed: Some(whole),
                    ..picture
                };
            }
            return picture;
        };
        self.shown = true;
        self.canvas.clear();
        self.canvas.extend_from_slice(picture.pixels);
        self.draw(&text, picture.width, picture.height);
        Picture {
            pixels: &self.canvas,
            width: picture.width,
            height: picture.height,
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
        let mut text: String = text.chars().collect();
        if text.chars().count() > fits {
            text = text.chars().take(fits.saturating_sub(3)).collect();
            text.push_str("...");
        }
        let top = height - line;
        for y in top..height {
            self.canvas[y * width..(y + 1) * width].fill(BAR);
        }
        let mut canvas = Canvas {
            pixels: &mut self.canvas,
            width,
            height,
        };
        self.font
            .draw(&mut canvas, (2 * scale, top + scale), &text, scale, INK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_drawn_over_a_copy_and_cut_to_fit() {
        let mut notice = Notice::new();
        let pixels = vec![0x123456; 64 * 40];
        let picture = |pixels| Picture {
            pixels,
            width: 64,
            height: 40,
            changed: None,
        };
        assert_eq!(
            notice.overlay(picture(&pixels)).changed,
            None,
            "nothing to say"
        );
        notice.text = Some(("a long line that cannot fit".into(), Instant::now()));
        let shown = notice.overlay(picture(&pixels));
        assert!(shown.changed.is_some());
        assert_eq!(shown.pixels[0], 0x123456, "above the bar: the screen");
        assert_eq!(shown.pixels[64 * 39], BAR, "the bottom row is the bar");
        assert!(shown.pixels[64 * 30..].contains(&INK), "with text on it");
        notice.text = None;
        assert!(
            notice.overlay(picture(&pixels)).changed.is_some(),
            "the screen again"
        );
        assert_eq!(notice.overlay(picture(&pixels)).changed, None);
    }
}
