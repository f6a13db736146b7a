//! WAV files of the machine's sound, for `--wav`: 44100 Hz, stereo,
//! signed 16-bit little-endian PCM, the format of the reference recordings.

use std::io::{Seek, Write};
use std::path::Path;

use crate::varvara::audio::{CHANNELS, SAMPLE_RATE};

fn spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: CHANNELS as u16,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

/// Writes interleaved left/right `samples` as a WAV file to `out`.
pub fn encode<W: Write + Seek>(out: W, samples: &[i16]) -> hound::Result<()> {
    let mut writer = hound::WavWriter::new(out, spec())?;
    let mut samples16 = writer.get_i16_writer(samples.len() as u32);
    for &sample in samples {
        samples16.write_sample(sample);
    }
    samples16.flush()?;
    writer.finalize()
}

/// The most sample data a WAV file can hold (its sizes are 32-bit), in
/// whole samples (both channels): about 6.7 hours at 44.1 kHz.
pub const MAX_DATA_BYTES: u64 = (u32::MAX as u64 - 64) / 4 * 4;

/// A WAV file written while the audio is rendered, so that memory stays
/// flat however long the run (keeping every sample took 207 MB for ten
/// minutes). It stops at [`MAX_DATA_BYTES`]; [`Recorder::finish`] says so.
pub struct Recorder {
    writer: Option<hound::WavWriter<std::io::BufWriter<std::fs::File>>>,
    /// Bytes of samples written, and the most there may be.
    written: u64,
    limit: u64,
    /// The first write that failed; later writes are skipped.
    error: Option<String>,
}

impl Recorder {
    /// Creates (or truncates) the WAV file `path`.
    pub fn create(path: &Path) -> hound::Result<Recorder> {
        Recorder::with_limit(path, MAX_DATA_BYTES)
    }

    fn with_limit(path: &Path, limit: u64) -> hound::Result<Recorder> {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        Ok(Recorder {
            writer: Some(hound::WavWriter::new(file, spec())?),
            written: 0,
            limit,
            error: None,
        })
    }

    /// Appends interleaved left/right `samples`.
    pub fn write(&mut self, samples: &[i16]) {
        let Some(writer) = &mut self.writer else {
            return;
        };
        if self.error.is_some() {
            return;
        }
        let room = ((self.limit - self.written) / 2) as usize;
        let fits = &samples[..samples.len().min(room)];
        let mut chunk = writer.get_i16_writer(fits.len() as u32);
        for &sample in fits {
            chunk.write_sample(sample);
        }
        match chunk.flush() {
            Ok(()) => self.written += 2 * fits.len() as u64,
            Err(e) => self.error = Some(e.to_string()),
        }
        if fits.len() < samples.len() && self.error.is_none() {
            self.error = Some(format!(
                "the recording stops at {} MiB, the most a WAV file holds",
                self.limit >> 20
            ));
        }
    }

    /// Completes the file (its header gets the final sizes). An error if
    /// a write failed or the recording was cut at the size limit; the
    /// file then holds what was written before.
    pub fn finish(mut self) -> Result<(), String> {
        let finalized = match self.writer.take() {
            Some(writer) => writer.finalize().map_err(|e| e.to_string()),
            None => Ok(()),
        };
        match self.error.take() {
            Some(error) => Err(error),
            None => finalized,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn header_and_samples_are_standard_pcm() {
        let samples = [0i16, -1, 0x1234, i16::MIN, i16::MAX, 7];
        let mut bytes = Cursor::new(Vec::new());
        encode(&mut bytes, &samples).unwrap();
        let bytes = bytes.into_inner();
        let le32 = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        let le16 = |at: usize| u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap());
        assert_eq!(&bytes[0..4], b"RIFF");
        assert_eq!(le32(4) as usize, bytes.len() - 8);
        assert_eq!(&bytes[8..16], b"WAVEfmt ");
        assert_eq!(le32(16), 16, "plain PCM fmt chunk");
        assert_eq!(le16(20), 1, "PCM");
        assert_eq!(le16(22), 2, "stereo");
        assert_eq!(le32(24), 44100);
        assert_eq!(le32(28), 44100 * 4, "byte rate");
        assert_eq!(le16(32), 4, "block align");
        assert_eq!(le16(34), 16);
        assert_eq!(&bytes[36..40], b"data");
        assert_eq!(le32(40), 12);
        assert_eq!(
            &bytes[44..],
            [0, 0, 0xff, 0xff, 0x34, 0x12, 0x00, 0x80, 0xff, 0x7f, 7, 0]
        );
    }

    #[test]
    fn a_recording_is_written_as_it_goes_and_stops_at_its_limit() {
        let dir = std::env::temp_dir().join(format!("hop-wav-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rec.wav");
        let mut recorder = Recorder::with_limit(&path, 12).unwrap();
        recorder.write(&[1, 2, 3, 4]);
        recorder.write(&[5, 6, 7, 8]);
        recorder.write(&[9, 10]);
        let error = recorder.finish().unwrap_err();
        assert!(error.contains("the most a WAV file holds"), "{error}");
        let mut reader = hound::WavReader::open(&path).unwrap();
        let samples: Vec<i16> = reader.samples().map(Result::unwrap).collect();
        assert_eq!(samples, [1, 2, 3, 4, 5, 6]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn empty_recording_is_a_valid_file() {
        let dir = std::env::temp_dir().join(format!("hop-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.wav");
        Recorder::create(&path).unwrap().finish().unwrap();
        let reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.spec(), spec());
        assert_eq!(reader.len(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
