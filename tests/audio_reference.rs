//! The Audio device against recordings made by the reference implementation
//! (`../shared/reference/frames/*.wav`): same samples, one for one.
//!
//! The frame runner and its input-script parser live elsewhere; this file
//! drives the machine with a small local copy of the frame procedure (see
//! `../shared/reference/README.md`): boot, then per frame the audio finish
//! vectors of notes that ended in the previous frame's audio, that frame's
//! scripted events, the screen vector, and 735 stereo samples. Only the
//! script commands these recordings use are understood.

use std::io::Write;
use std::path::{Path, PathBuf};

use hop::varvara::audio::{self, FRAMES_PER_VIDEO_FRAME};
use hop::varvara::{Config, Varvara};

/// The reference recordings, or `None` (after saying so loudly).
fn frames_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/frames");
    if dir.is_dir() {
        Some(dir)
    } else {
        // Straight to stderr: the test harness would swallow an eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: {} is absent, so the audio recordings cannot be compared",
            dir.display()
        );
        None
    }
}

/// One line of an input script.
enum Event {
    Mouse(u16, u16),
    MouseDown(u8),
    Press(u8),
    Key(u8),
}

fn parse_script(text: &str) -> Vec<(usize, Event)> {
    let mut events = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let frame: usize = words[0].parse().unwrap();
        let number = |i: usize| -> u16 { words[i].parse().unwrap() };
        let event = match words[1] {
            "mouse" => Event::Mouse(number(2), number(3)),
            // Button n is bit n-1 of Mouse/state.
            "mousedown" => Event::MouseDown(1 << (number(2) - 1)),
            "press" => Event::Press(button(words[2])),
            "key" if words[2].len() == 1 => Event::Key(words[2].as_bytes()[0]),
            _ => panic!("this test does not understand the script line {line:?}"),
        };
        events.push((frame, event));
    }
    events
}

/// Controller/button bits, spec §2.5.
fn button(name: &str) -> u8 {
    match name {
        "a" => 0x01,
        "b" => 0x02,
        "select" => 0x04,
        "start" => 0x08,
        "up" => 0x10,
        "down" => 0x20,
        "left" => 0x40,
        "right" => 0x80,
        _ => panic!("unknown button {name}"),
    }
}

fn vector(m: &Varvara, port: usize) -> u16 {
    u16::from_be_bytes([m.uxn.dev[port], m.uxn.dev[port + 1]])
}

/// Delivers one event as the controller and mouse devices do (spec §2.5, §2.6).
fn deliver(m: &mut Varvara, event: &Event) {
    match *event {
        Event::Mouse(x, y) => {
            m.uxn.dev[0x92..0x94].copy_from_slice(&x.to_be_bytes());
            m.uxn.dev[0x94..0x96].copy_from_slice(&y.to_be_bytes());
            m.run_vector(vector(m, 0x90)).unwrap();
        }
        Event::MouseDown(mask) => {
            m.uxn.dev[0x96] |= mask;
            m.run_vector(vector(m, 0x90)).unwrap();
        }
        Event::Press(mask) => {
            m.uxn.dev[0x82] |= mask;
            m.run_vector(vector(m, 0x80)).unwrap();
        }
        Event::Key(key) => {
            m.uxn.dev[0x83] = key;
            m.run_vector(vector(m, 0x80)).unwrap();
            m.uxn.dev[0x83] = 0;
        }
    }
}

/// What a run produced: the samples and the exit code.
struct Run {
    samples: Vec<i16>,
    exit: i32,
}

/// Runs the recorded case `name` through the frame procedure.
fn run_case(dir: &Path, name: &str) -> Run {
    let cmd = std::fs::read_to_string(dir.join(format!("{name}.cmd"))).unwrap();
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let frames: usize = words[0].parse().unwrap();
    assert_eq!(
        words.len(),
        2,
        "{name}: ROM arguments are not supported here"
    );
    let rom = std::fs::read(dir.join("../../roms").join(words[1])).unwrap();
    let script = std::fs::read_to_string(dir.join(format!("{name}.script"))).unwrap_or_default();
    let events = parse_script(&script);

    let mut m = Varvara::new(&rom, Config::default()).unwrap();
    m.boot(false).unwrap();
    let mut samples = Vec::new();
    let mut buffer = vec![0i16; FRAMES_PER_VIDEO_FRAME * audio::CHANNELS];
    for frame in 0..frames {
        if m.halted() {
            break;
        }
        m.run_audio_finish_vectors().unwrap();
        for (_, event) in events.iter().filter(|(at, _)| *at == frame) {
            deliver(&mut m, event);
        }
        m.run_vector(vector(&m, 0x20)).unwrap();
        m.render_audio(&mut buffer);
        samples.extend_from_slice(&buffer);
    }
    Run {
        samples,
        exit: m.exit_code(),
    }
}

/// Per-channel peak and RMS of interleaved stereo samples.
fn levels(samples: &[i16]) -> [(i16, f64); 2] {
    std::array::from_fn(|channel| {
        let side = samples.iter().skip(channel).step_by(2);
        let peak = side.clone().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        let squares: f64 = side.clone().map(|&s| (s as f64).powi(2)).sum();
        let rms = (squares / (samples.len() / 2).max(1) as f64).sqrt();
        (peak.min(i16::MAX as u16) as i16, rms)
    })
}

/// Compares a run with the recording `name.wav` sample for sample, and the
/// WAV file hop would write with the recording's bytes.
fn check(name: &str) {
    let Some(dir) = frames_dir() else { return };
    let run = run_case(&dir, name);
    let expected_exit: i32 = std::fs::read_to_string(dir.join(format!("{name}.exit")))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(run.exit, expected_exit, "{name}: exit code");

    let wav_path = dir.join(format!("{name}.wav"));
    let expected: Vec<i16> = hound::WavReader::open(&wav_path)
        .unwrap()
        .into_samples::<i16>()
        .collect::<Result<_, _>>()
        .unwrap();
    let [(peak_l, rms_l), (peak_r, rms_r)] = levels(&run.samples);
    let _ = writeln!(
        std::io::stderr(),
        "{name}: {} frames; left peak {peak_l} rms {rms_l:.0}; right peak {peak_r} rms {rms_r:.0}",
        run.samples.len() / 2
    );
    assert_eq!(
        run.samples.len(),
        expected.len(),
        "{name}: sample count differs"
    );
    let differing: Vec<usize> = (0..expected.len())
        .filter(|&i| run.samples[i] != expected[i])
        .collect();
    if let Some(&first) = differing.first() {
        panic!(
            "{name}: {} of {} samples differ; first at sample {first} (frame {}, {}): hop {} vs reference {}",
            differing.len(),
            expected.len(),
            first / 2 / FRAMES_PER_VIDEO_FRAME,
            ["left", "right"][first % 2],
            run.samples[first],
            expected[first]
        );
    }
    assert!(
        run.samples.iter().any(|&s| s != 0),
        "{name}: a silent recording proves nothing"
    );

    let mut file = std::io::Cursor::new(Vec::new());
    audio::wav::encode(&mut file, &run.samples).unwrap();
    assert!(
        file.into_inner() == std::fs::read(&wav_path).unwrap(),
        "{name}: the WAV file hop writes differs from the reference's bytes"
    );
}

#[test]
fn audio_channels() {
    check("audio_channels");
}

#[test]
fn raven_audio() {
    check("raven_audio");
}

#[test]
fn raven_piano() {
    check("raven_piano");
}
