//! Golden files: what a program run through the `hop` binary must print,
//! draw and play, byte for byte and pixel for pixel, kept under
//! `tests/golden/`. Each golden file was checked by eye and against the
//! spec when it was made (see the tests' doc comments).
//!
//! `HOP_BLESS=1 cargo test --release` rewrites the golden files from what
//! hop produces instead of comparing: only for a deliberate change, whose
//! new files are then checked by eye again before they are committed.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

/// `tests/golden/<group>/<name>`.
pub fn golden(group: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(group)
        .join(name)
}

fn blessing() -> bool {
    std::env::var_os("HOP_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Writes `actual` as the new golden file when blessing; returns whether
/// it did (and the comparison is then skipped).
fn bless(path: &Path, actual: &[u8]) -> bool {
    if !blessing() {
        return false;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, actual).unwrap();
    let _ = writeln!(std::io::stderr(), "BLESSED: {}", path.display());
    true
}

fn read_golden(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (HOP_BLESS=1 writes it from hop's output)",
            path.display()
        )
    })
}

/// Text output (stdout, stderr) against its golden file; a mismatch shows
/// the first differing line.
pub fn check_text(path: &Path, actual: &[u8]) {
    if bless(path, actual) {
        return;
    }
    let expected = read_golden(path);
    if expected == actual {
        return;
    }
    let (ours, theirs) = (
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
    );
    let line = ours
        .split_inclusive('\n')
        .zip(theirs.split_inclusive('\n'))
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| ours.lines().count().min(theirs.lines().count()));
    panic!(
        "{} differs at line {}:\n--- hop\n{ours}\n--- golden\n{theirs}",
        path.display(),
        line + 1
    );
}

/// Any file, byte for byte (WAV recordings, saved documents).
pub fn check_bytes(path: &Path, actual: &[u8]) {
    if bless(path, actual) {
        return;
    }
    let expected = read_golden(path);
    if expected != actual {
        let first = expected.iter().zip(actual).position(|(a, b)| a != b);
        panic!(
            "{}: {} bytes from hop, {} golden; first difference at byte {first:?}",
            path.display(),
            actual.len(),
            expected.len()
        );
    }
}

/// A decoded 8-bit RGB picture.
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Image {
    /// The colour at (x, y) as 0xRRGGBB.
    pub fn pixel(&self, x: usize, y: usize) -> u32 {
        let i = (y * self.width + x) * 3;
        u32::from_be_bytes([0, self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }
}

pub fn decode_png(bytes: &[u8]) -> Image {
    try_decode_png(bytes).unwrap_or_else(|e| panic!("{e}"))
}

/// [`decode_png`], saying what is wrong instead of panicking.
pub fn try_decode_png(bytes: &[u8]) -> Result<Image, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| format!("not a PNG: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("no PNG frame: {e}"))?;
    let channels = info.color_type.samples();
    if info.bit_depth != png::BitDepth::Eight || channels < 3 {
        return Err(format!(
            "expected 8-bit RGB, found {:?} {:?}",
            info.bit_depth, info.color_type
        ));
    }
    let rgb = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Ok(Image {
        width: info.width as usize,
        height: info.height as usize,
        rgb,
    })
}

/// A screenshot (PNG bytes) against its golden PNG, pixel for pixel; a
/// mismatch says how many pixels differ and where the first one is.
pub fn check_png(path: &Path, actual: &[u8]) {
    if bless(path, actual) {
        return;
    }
    let (ours, theirs) = (decode_png(actual), decode_png(&read_golden(path)));
    assert_eq!(
        (ours.width, ours.height),
        (theirs.width, theirs.height),
        "{}: size differs (hop first)",
        path.display()
    );
    let differing: Vec<usize> = (0..ours.width * ours.height)
        .filter(|&i| ours.rgb[i * 3..i * 3 + 3] != theirs.rgb[i * 3..i * 3 + 3])
        .collect();
    if let Some(&first) = differing.first() {
        let (x, y) = (first % ours.width, first / ours.width);
        panic!(
            "{}: {} pixels differ; first at ({x}, {y}): #{:06x} where the golden file has #{:06x}",
            path.display(),
            differing.len(),
            ours.pixel(x, y),
            theirs.pixel(x, y)
        );
    }
}

/// Asserts the exit code, showing stderr when it is not the one expected.
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
