//! Saving the composed screen as a PNG file (8-bit RGB, one pixel per
//! Varvara pixel).

#![forbid(unsafe_code)]

use std::io::{BufWriter, Write};
use std::path::Path;

/// Encodes `width * height` 0RGB pixels as an 8-bit RGB PNG.
pub fn encode_png(
    out: impl Write,
    pixels: &[u32],
    width: usize,
    height: usize,
) -> Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(out, width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let rgb: Vec<u8> = pixels
        .iter()
        .flat_map(|&p| [(p >> 16) as u8, (p >> 8) as u8, p as u8])
        .collect();
    writer.write_image_data(&rgb)?;
    writer.finish()
}

/// Writes the PNG to `path`; the error is one sentence for the user.
pub fn save_png(path: &Path, pixels: &[u32], width: usize, height: usize) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(|e| fail(&e))?;
    let mut out = BufWriter::new(file);
    encode_png(&mut out, pixels, width, height).map_err(|e| fail(&e))?;
    out.flush().map_err(|e| fail(&e))
}
