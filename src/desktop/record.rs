//! F10 and `--record`: the window's screen as an animated GIF and its
//! sound as a WAV file, side by side (`hop-rec-N.gif` and `.wav`, or the
//! name given). The GIF is encoded on a thread of its own, so the window
//! keeps its pace; the frames it has not taken yet wait in a short queue
//! (the window waits for room rather than drop one), and both files are
//! written as they go, so memory stays flat however long it runs.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;

use crate::encode::animation::{self, Animation};
use crate::encode::wav::Recorder;

/// Frames waiting for the encoder, at most.
const QUEUE: usize = 8;

/// One screen: pixels, width, height; None: the same as the one before.
type Picture = Option<(Vec<u32>, usize, usize)>;

pub struct Recording {
    pub gif: PathBuf,
    pub wav: PathBuf,
    frames: Option<SyncSender<Picture>>,
    encoder: Option<JoinHandle<Result<u64, String>>>,
    sound: Option<Recorder>,
    /// Whether a picture was sent yet.
    sent: bool,
}

impl Recording {
    /// Starts writing `out.gif` and `out.wav` (see [`animation::paths`]);
    /// the error is one sentence.
    pub fn start(out: &Path) -> Result<Recording, String> {
        let (gif, wav) = animation::paths(out);
        let mut animation = Animation::create(&gif)?;
        let sound =
            Recorder::create(&wav).map_err(|e| format!("cannot write {}: {e}", wav.display()))?;
        let (frames, pictures) = mpsc::sync_channel::<Picture>(QUEUE);
        let encoder = std::thread::Builder::new()
            .name("hop recording".into())
            .spawn(move || {
                for picture in pictures {
                    match picture {
                        Some((pixels, width, height)) => animation.frame(&pixels, width, height),
                        None => animation.repeat(),
                    }
                }
                animation.finish()
            })
            .map_err(|e| format!("cannot start recording: {e}"))?;
        Ok(Recording {
            gif,
            wav,
            frames: Some(frames),
            encoder: Some(encoder),
            sound: Some(sound),
            sent: false,
        })
    }

    /// The first name `hop-rec-N` in the current directory with neither
    /// file taken.
    pub fn next_name() -> PathBuf {
        (1..)
            .map(|n| PathBuf::from(format!("hop-rec-{n}")))
            .find(|p| {
                let (gif, wav) = animation::paths(p);
                !gif.exists() && !wav.exists()
            })
            .unwrap_or_else(|| PathBuf::from("hop-rec"))
    }

    /// The screen after one frame of the window (`changed`: whether it
    /// may differ from the one before; the first is always sent).
    pub fn frame(&mut self, pixels: &[u32], width: usize, height: usize, changed: bool) {
        let picture = (changed || !self.sent).then(|| (pixels.to_vec(), width, height));
        self.sent = true;
        if let Some(frames) = &self.frames {
            let _ = frames.send(picture);
        }
    }

    /// The sound rendered since the last call.
    pub fn sound(&mut self, samples: &[i16]) {
        if let Some(sound) = &mut self.sound {
            sound.write(samples);
        }
    }

    /// Ends both files; why one is not whole, if it is not.
    pub fn finish(mut self) -> Result<(), String> {
        self.end()
    }

    fn end(&mut self) -> Result<(), String> {
        // The encoder ends when its queue does.
        self.frames = None;
        let gif = match self.encoder.take().map(JoinHandle::join) {
            Some(Ok(result)) => result.map(drop),
            Some(Err(_)) => Err(format!("{}: the encoder failed", self.gif.display())),
            None => Ok(()),
        };
        let wav = match self.sound.take() {
            Some(sound) => sound
                .finish()
                .map_err(|e| format!("cannot write {}: {e}", self.wav.display())),
            None => Ok(()),
        };
        gif.and(wav)
    }
}

impl Drop for Recording {
    /// A recording still running when hop ends is finished, not lost.
    fn drop(&mut self) {
        if let Err(e) = self.end() {
            eprintln!("hop: {e}");
        }
    }
}
