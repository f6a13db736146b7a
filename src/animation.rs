//! The screen as an animated GIF, for `--record` and F10: written frame
//! by frame as the machine runs, so memory stays flat however long it
//! runs.
//!
//! One GIF frame per change of the screen: a 60 Hz frame that shows the
//! same picture as the one before lengthens that frame's delay instead.
//! Delays are in hundredths of a second, rounded on the run's own clock
//! (frame n starts at n/60 s), so a long recording does not drift; a
//! screen that changes every frame gets delays of 2, 1, 2, 2, 1... (players that
//! slow down delays under 2 play it slower). Each frame has its own
//! palette of the colours it uses (at most the four system colours). The
//! picture keeps the size of the first frame: a screen resized later is
//! cut or padded with the first colour.

#![forbid(unsafe_code)]

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The GIF and WAV files of a recording named `out`: `out.gif` and
/// `out.wav` (an `out` ending in `.gif` or `.wav` loses that first).
pub fn paths(out: &Path) -> (PathBuf, PathBuf) {
    let stem = match out.extension() {
        Some(e) if e == "gif" || e == "wav" => out.with_extension(""),
        _ => out.to_path_buf(),
    };
    let with = |ext: &str| {
        let mut name = stem.clone().into_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    (with(".gif"), with(".wav"))
}

/// A GIF being written.
pub struct Animation {
    /// The file, until the first frame gives the size.
    file: Option<BufWriter<File>>,
    encoder: Option<gif::Encoder<BufWriter<File>>>,
    path: PathBuf,
    width: usize,
    height: usize,
    /// 60 Hz frames seen so far.
    frames: u64,
    /// The picture not written yet (its delay is not known until the
    /// screen changes): its pixels, and the frame it first showed at.
    pending: Option<(Vec<u32>, u64)>,
    /// GIF frames written.
    written: u64,
    /// The first error; nothing more is written after it.
    error: Option<String>,
}

impl Animation {
    /// Creates (or truncates) `path`; the error is one sentence.
    pub fn create(path: &Path) -> Result<Animation, String> {
        let file =
            File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Animation {
            file: Some(BufWriter::new(file)),
            encoder: None,
            path: path.to_path_buf(),
            width: 0,
            height: 0,
            frames: 0,
            pending: None,
            written: 0,
            error: None,
        })
    }

    /// The path it is written to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The screen after one 60 Hz frame: `width * height` 0RGB pixels.
    pub fn frame(&mut self, pixels: &[u32], width: usize, height: usize) {
        if let Some(file) = self.file.take() {
            self.start(file, width, height);
        }
        let now = self.frames;
        self.frames += 1;
        let picture = self.fit(pixels, width, height);
        match &self.pending {
            Some((last, _)) if *last == picture => {}
            _ => {
                self.flush(now);
                self.pending = Some((picture, now));
            }
        }
    }

    /// One more 60 Hz frame of the picture before (after at least one
    /// [`Animation::frame`]).
    pub fn repeat(&mut self) {
        self.frames += 1;
    }

    /// The GIF's header, at the first frame's size.
    fn start(&mut self, file: BufWriter<File>, width: usize, height: usize) {
        let (w, h) = (width.clamp(1, 0xffff), height.clamp(1, 0xffff));
        (self.width, self.height) = (w, h);
        let started = gif::Encoder::new(file, w as u16, h as u16, &[]).and_then(|mut encoder| {
            encoder.set_repeat(gif::Repeat::Infinite)?;
            Ok(encoder)
        });
        match started {
            Ok(encoder) => self.encoder = Some(encoder),
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, e: impl std::fmt::Display) {
        if self.error.is_none() {
            self.error = Some(format!("cannot write {}: {e}", self.path.display()));
        }
    }

    /// Writes the last picture and the GIF's end; the number of GIF frames,
    /// or why the file is not whole. A recording of no frame at all is a
    /// 1x1 picture of nothing.
    pub fn finish(mut self) -> Result<u64, String> {
        if let Some(file) = self.file.take() {
            self.start(file, 1, 1);
        }
        self.flush(self.frames);
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let written = self.written;
        if let Some(encoder) = self.encoder.take() {
            let done = encoder
                .into_inner()
                .map_err(|e| e.to_string())
                .and_then(|mut out| std::io::Write::flush(&mut out).map_err(|e| e.to_string()));
            if let Err(e) = done {
                self.fail(e);
                return Err(self.error.take().unwrap_or_default());
            }
        }
        Ok(written)
    }

    /// `pixels` cut or padded to the animation's size.
    fn fit(&self, pixels: &[u32], width: usize, height: usize) -> Vec<u32> {
        if width == self.width && height == self.height && pixels.len() == width * height {
            return pixels.to_vec();
        }
        let pad = pixels.first().copied().unwrap_or(0);
        let mut out = vec![pad; self.width * self.height];
        for y in 0..height.min(self.height) {
            let row = &pixels[y * width..][..width.min(self.width)];
            out[y * self.width..][..row.len()].copy_from_slice(row);
        }
        out
    }

    /// Writes the pending picture, shown until 60 Hz frame `end`.
    fn flush(&mut self, end: u64) {
        let Some((picture, start)) = self.pending.take() else {
            return;
        };
        let Some(encoder) = &mut self.encoder else {
            return;
        };
        if self.error.is_some() {
            return;
        }
        let delay = (centiseconds(end) - centiseconds(start)).min(0xffff) as u16;
        let (palette, indices) = indexed(&picture);
        let mut frame = gif::Frame {
            width: self.width as u16,
            height: self.height as u16,
            delay,
            palette: Some(palette),
            buffer: indices.into(),
            ..gif::Frame::default()
        };
        frame.dispose = gif::DisposalMethod::Keep;
        match encoder.write_frame(&frame) {
            Ok(()) => self.written += 1,
            Err(e) => self.fail(e),
        }
    }
}

/// When 60 Hz frame `n` starts, in hundredths of a second (rounded).
fn centiseconds(n: u64) -> u64 {
    (n * 100 + 30) / 60
}

/// The picture's colours (RGB bytes, in order of first use) and each
/// pixel's index into them. Varvara shows four colours; past 256 (never,
/// from the Screen device) the rest map to the last.
fn indexed(pixels: &[u32]) -> (Vec<u8>, Vec<u8>) {
    let mut colours: Vec<u32> = Vec::with_capacity(4);
    let mut last = (u32::MAX, 0u8);
    let indices = pixels
        .iter()
        .map(|&p| {
            if p == last.0 {
                return last.1;
            }
            let index = match colours.iter().position(|&c| c == p) {
                Some(i) => i,
                None if colours.len() < 256 => {
                    colours.push(p);
                    colours.len() - 1
                }
                None => 255,
            } as u8;
            last = (p, index);
            index
        })
        .collect();
    let palette = colours
        .iter()
        .flat_map(|&c| [(c >> 16) as u8, (c >> 8) as u8, c as u8])
        .collect();
    (palette, indices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_the_60_hz_clock() {
        // A change every frame: 2, 1, 2 hundredths, 5 for each 3 frames.
        let delays: Vec<u64> = (0..6)
            .map(|n| centiseconds(n + 1) - centiseconds(n))
            .collect();
        assert_eq!(delays, [2, 1, 2, 2, 1, 2]);
        assert_eq!(centiseconds(60 * 3600), 360_000, "an hour is an hour");
    }

    #[test]
    fn colours_are_indexed_in_order_of_use() {
        let (palette, indices) = indexed(&[0x00ff_ffff, 0x0000_0000, 0x00ff_ffff, 0x0012_3456]);
        assert_eq!(palette, [255, 255, 255, 0, 0, 0, 0x12, 0x34, 0x56]);
        assert_eq!(indices, [0, 1, 0, 2]);
    }
}
