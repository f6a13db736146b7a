//! Sound output: one cpal stream at the device's own rate and sample
//! format, pulling from the machine's audio engine ([`AudioOutput`]).
//!
//! The stream pulls from a shared slot, so that a new machine (another ROM)
//! takes over the same stream. The engine renders 44.1 kHz stereo; at another device rate, a rubato
//! polynomial resampler converts it. The callback only renders, resamples
//! and converts; voices that finish a note are flagged by
//! [`AudioOutput::render`] in an atomic mask, which the main thread takes
//! each frame to run their vectors.

#![forbid(unsafe_code)]

use std::fmt;
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, FixedAsync, PolynomialDegree, Resampler};

use crate::varvara::audio::{AudioOutput, CHANNELS, SAMPLE_RATE};

/// Engine frames rendered (and resampled) at a time.
const CHUNK: usize = 256;

/// Why there is no sound; `Display` is one sentence for stderr.
#[derive(Debug)]
pub struct NoSound(String);

impl fmt::Display for NoSound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A playing stream; sound stops when it is dropped.
pub struct Sound {
    stream: cpal::Stream,
    paused: bool,
    /// Frames (of the main loop) since a voice last sounded.
    quiet_frames: u32,
    output: Slot,
    tap: Tap,
}

/// The running machine's audio output; replaced when the ROM changes.
pub type Slot = Arc<Mutex<AudioOutput>>;

/// Renders from whatever output the slot holds now.
fn render(slot: &Slot, out: &mut [i16]) {
    match slot.lock() {
        Ok(output) => output.render(out),
        Err(_) => out.fill(0),
    }
}

/// The engine's samples as they are rendered (44.1 kHz, interleaved), kept
/// while a recording runs, for the main thread to write each frame.
#[derive(Clone, Default)]
pub struct Tap(Arc<Mutex<Option<Vec<i16>>>>);

impl Tap {
    /// Starts keeping samples (none kept before).
    pub fn start(&self) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = Some(Vec::new());
        }
    }

    /// Stops keeping samples and drops those not taken.
    pub fn stop(&self) {
        if let Ok(mut kept) = self.0.lock() {
            *kept = None;
        }
    }

    pub fn is_on(&self) -> bool {
        self.0.lock().is_ok_and(|kept| kept.is_some())
    }

    /// Keeps `samples` if a recording runs.
    pub fn feed(&self, samples: &[i16]) {
        if let Ok(mut kept) = self.0.lock()
            && let Some(kept) = kept.as_mut()
        {
            kept.extend_from_slice(samples);
        }
    }

    /// The samples kept since the last take.
    pub fn take(&self) -> Vec<i16> {
        self.0
            .lock()
            .ok()
            .and_then(|mut kept| kept.as_mut().map(std::mem::take))
            .unwrap_or_default()
    }
}

impl Sound {
    /// Opens the default output device and starts pulling from `output`.
    pub fn start(output: Slot, tap: Tap) -> Result<Sound, NoSound> {
        // ALSA prints errors of its own when a device fails to open; keep
        // them in a buffer (for this thread, where cpal opens the device).
        let _quiet_alsa = alsa::Output::local_error_handler();
        let host = cpal::default_host();
        let device = host
            .default_output_device()
            .ok_or_else(|| NoSound("no audio output device".into()))?;
        let config = device.default_output_config().map_err(|e| {
            NoSound(format!(
                "the audio device has no usable configuration ({e})"
            ))
        })?;
        let stream = match config.sample_format() {
            SampleFormat::F32 => build::<f32>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::F64 => build::<f64>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::I16 => build::<i16>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::I32 => build::<i32>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::I8 => build::<i8>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::U16 => build::<u16>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::U32 => build::<u32>(&device, &config, output.clone(), tap.clone()),
            SampleFormat::U8 => build::<u8>(&device, &config, output.clone(), tap.clone()),
            other => Err(NoSound(format!(
                "the audio device wants {other} samples, which hop does not produce"
            ))),
        }?;
        stream
            .play()
            .map_err(|e| NoSound(format!("the audio stream does not start ({e})")))?;
        Ok(Sound {
            stream,
            paused: false,
            quiet_frames: 0,
            output,
            tap,
        })
    }

    /// Called once a frame, after the frame's vectors: pauses the stream
    /// after a second of silence (an idle ROM costs no audio thread work)
    /// and resumes it as soon as a voice sounds. A recording keeps it
    /// running: its sound must have the silences too.
    pub fn tick(&mut self) {
        let playing = self.output.lock().is_ok_and(|o| o.is_playing()) || self.tap.is_on();
        if playing {
            self.quiet_frames = 0;
            if self.paused && self.stream.play().is_ok() {
                self.paused = false;
            }
        } else {
            self.quiet_frames = self.quiet_frames.saturating_add(1);
            if !self.paused && self.quiet_frames > 60 && self.stream.pause().is_ok() {
                self.paused = true;
            }
        }
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::SupportedStreamConfig,
    output: Slot,
    tap: Tap,
) -> Result<cpal::Stream, NoSound>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = config.channels() as usize;
    let mut source = Source::new(output, config.sample_rate())?;
    source.tap = tap;
    device
        .build_output_stream(
            config.config(),
            move |out: &mut [T], _: &cpal::OutputCallbackInfo| {
                for frame in out.chunks_mut(channels.max(1)) {
                    let [left, right] = source.next_frame();
                    match frame {
                        [mono] => *mono = T::from_sample((left + right) * 0.5),
                        [l, r, rest @ ..] => {
                            *l = T::from_sample(left);
                            *r = T::from_sample(right);
                            rest.iter_mut().for_each(|s| *s = T::from_sample(0.0));
                        }
                        [] => {}
                    }
                }
            },
            |e| eprintln!("hop: audio stream error: {e}"),
            None,
        )
        .map_err(|e| NoSound(format!("the audio device cannot be opened ({e})")))
}

/// Samples at the device rate, as f32 in [-1, 1], channels interleaved.
struct Source {
    output: Slot,
    tap: Tap,
    resampler: Option<Async<f32>>,
    /// The engine's samples (interleaved i16) and as f32.
    engine: Vec<i16>,
    input: Vec<f32>,
    /// Converted frames not yet handed out (interleaved), and how far in.
    ready: Vec<f32>,
    next: usize,
}

impl Source {
    fn new(output: Slot, device_rate: u32) -> Result<Source, NoSound> {
        let resampler = if device_rate == SAMPLE_RATE {
            None
        } else {
            let ratio = device_rate as f64 / SAMPLE_RATE as f64;
            Some(
                Async::new_poly(
                    ratio,
                    1.0,
                    PolynomialDegree::Cubic,
                    CHUNK,
                    CHANNELS,
                    FixedAsync::Input,
                )
                .map_err(|e| NoSound(format!("cannot resample to {device_rate} Hz ({e})")))?,
            )
        };
        let capacity = resampler.as_ref().map_or(CHUNK, |r| r.output_frames_max());
        Ok(Source {
            output,
            tap: Tap::default(),
            resampler,
            engine: vec![0; CHUNK * CHANNELS],
            input: vec![0.0; CHUNK * CHANNELS],
            ready: vec![0.0; capacity * CHANNELS],
            next: capacity * CHANNELS,
        })
    }

    fn next_frame(&mut self) -> [f32; 2] {
        while self.next + 2 > self.ready.len() {
            self.refill();
        }
        let frame = [self.ready[self.next], self.ready[self.next + 1]];
        self.next += 2;
        frame
    }

    /// Renders the next chunk from the engine into `ready`.
    fn refill(&mut self) {
        render(&self.output, &mut self.engine);
        self.tap.feed(&self.engine);
        for (f, &s) in self.input.iter_mut().zip(&self.engine) {
            *f = s as f32 / 32768.0;
        }
        self.next = 0;
        let Some(resampler) = &mut self.resampler else {
            self.ready.clear();
            self.ready.extend_from_slice(&self.input);
            return;
        };
        let frames_out = resampler.output_frames_max();
        self.ready.resize(frames_out * CHANNELS, 0.0);
        let result = match (
            InterleavedSlice::new(&self.input[..], CHANNELS, CHUNK),
            InterleavedSlice::new_mut(&mut self.ready[..], CHANNELS, frames_out),
        ) {
            (Ok(input), Ok(mut out)) => resampler
                .process_into_buffer(&input, &mut out, None)
                .map_err(|_| ()),
            _ => Err(()),
        };
        match result {
            Ok((_, written)) if written > 0 => self.ready.truncate(written * CHANNELS),
            // Cannot happen with the sizes above; play silence, never spin.
            _ => self.ready.fill(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::varvara::{Config, Varvara};

    /// A machine with nothing playing: the engine renders silence.
    fn silent_output() -> Slot {
        let machine = Varvara::new(&[0x00], Config::default()).unwrap();
        Arc::new(Mutex::new(machine.audio_output()))
    }

    #[test]
    fn resampling_keeps_the_rate() {
        for rate in [48000, 96000, 22050, 44100] {
            let mut source = Source::new(silent_output(), rate).unwrap();
            // One second of device frames consumes about one second of engine
            // frames: count how many chunks were rendered.
            let mut refills = 0;
            for _ in 0..rate {
                if source.next + 2 > source.ready.len() {
                    refills += 1;
                }
                assert_eq!(source.next_frame(), [0.0, 0.0]);
            }
            let engine_frames = refills * CHUNK;
            let expected = SAMPLE_RATE as usize;
            assert!(
                engine_frames.abs_diff(expected) <= 2 * CHUNK,
                "{rate} Hz: {engine_frames} engine frames for one second"
            );
        }
    }
}
