//! Frames mode against the reference implementation: every case in
//! `../shared/reference/frames/` (ROM, frame count, arguments, input script,
//! clock) runs through the `hop` binary in an empty working directory, and
//! must give the reference's exit code, exactly its final screen, and
//! exactly its audio (silence where the reference kept no recording).
//! The reference is uxnemu of September 2025, so hop runs in its 2025
//! compatibility profile (`--compat 2025`).

use std::io::Write;
use std::path::{Path, PathBuf};

mod support;

use support::golden::{Image, try_decode_png};

/// The PNG at `path`, decoded.
fn read_png(path: &Path) -> Result<Image, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    try_decode_png(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// None when the images are identical; otherwise what differs: the size,
/// or how many pixels and the first differing one (row by row).
fn pixel_diff(ours: &Image, reference: &Image) -> Option<String> {
    if (ours.width, ours.height) != (reference.width, reference.height) {
        return Some(format!(
            "size {}x{}, reference {}x{}",
            ours.width, ours.height, reference.width, reference.height
        ));
    }
    let differing: Vec<usize> = (0..ours.width * ours.height)
        .filter(|&i| ours.rgb[i * 3..i * 3 + 3] != reference.rgb[i * 3..i * 3 + 3])
        .collect();
    let &first = differing.first()?;
    let colour = |img: &Image| {
        let p = &img.rgb[first * 3..first * 3 + 3];
        format!("#{:02x}{:02x}{:02x}", p[0], p[1], p[2])
    };
    Some(format!(
        "{} of {} pixels differ; first at ({}, {}): {} where the reference has {}",
        differing.len(),
        ours.width * ours.height,
        first % ours.width,
        first / ours.width,
        colour(ours),
        colour(reference)
    ))
}

/// One case's outcome: None if it matches the reference.
fn run_case(shared: &Path, dir: &Path, name: &str) -> Option<String> {
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).ok();
    let cmd = read("cmd").expect("the .cmd file");
    let mut words = cmd.split_whitespace();
    let frames = words.next().expect("a frame count");
    let rom = shared.join("roms").join(words.next().expect("a ROM path"));
    let mut args: Vec<String> = vec![
        "--compat".into(),
        "2025".into(),
        "--frames".into(),
        frames.into(),
    ];
    let script = dir.join(format!("{name}.script"));
    if script.exists() {
        args.extend(["--input".into(), script.display().to_string()]);
    }
    if let Some(clock) = read("clock") {
        args.extend(["--clock".into(), clock.trim().into()]);
    }
    let work = std::env::temp_dir().join(format!("hop-ref-frames-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let shot = work.join("shot.png");
    let wav = work.join("audio.wav");
    args.extend(["--screenshot".into(), shot.display().to_string()]);
    args.extend(["--wav".into(), wav.display().to_string()]);
    args.push(rom.display().to_string());
    args.extend(words.map(String::from));
    let out = support::hop().args(&args).dir(&work).output();
    let expected_exit: i32 = read("exit")
        .expect("the .exit file")
        .trim()
        .parse()
        .unwrap();
    let result = if out.status.code() != Some(expected_exit) {
        Some(format!(
            "exit {:?}, reference {expected_exit}; stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ))
    } else {
        match (read_png(&shot), read_png(&dir.join(format!("{name}.png")))) {
            (Ok(ours), Ok(reference)) => pixel_diff(&ours, &reference),
            (Err(e), _) | (_, Err(e)) => Some(e),
        }
        .or_else(|| audio_diff(&wav, &dir.join(format!("{name}.wav"))))
    };
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// The samples of a 44-byte-header PCM WAV file.
fn wav_samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .get(44..)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Compares our recording with the reference's: byte for byte where the
/// reference kept one, and silence where it did not (it keeps only audible
/// runs). `None` when they agree.
fn audio_diff(ours: &Path, reference: &Path) -> Option<String> {
    let ours = match std::fs::read(ours) {
        Ok(bytes) => bytes,
        Err(e) => return Some(format!("no WAV written: {e}")),
    };
    let Ok(expected) = std::fs::read(reference) else {
        let loud = wav_samples(&ours).iter().filter(|&&s| s != 0).count();
        return (loud > 0)
            .then(|| format!("{loud} non-zero samples where the reference is silent"));
    };
    if ours == expected {
        return None;
    }
    let (a, b) = (wav_samples(&ours), wav_samples(&expected));
    let first = a.iter().zip(&b).position(|(x, y)| x != y);
    let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
    Some(format!(
        "audio differs: {} samples vs the reference's {}, {differing} differ, first at {first:?}",
        a.len(),
        b.len()
    ))
}

#[test]
fn frames_match_the_reference() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let dir = shared.join("reference/frames");
    if !dir.is_dir() {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {} is absent, so the reference frames cannot be compared",
            dir.display()
        );
        return;
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path: PathBuf = e.ok()?.path();
            (path.extension()? == "cmd").then(|| path.file_stem().unwrap().to_string_lossy().into())
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    for name in &names {
        if let Some(why) = run_case(&shared, &dir, name) {
            failures.push(format!("{name}: {why}"));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "{} of {} reference cases match",
        names.len() - failures.len(),
        names.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
