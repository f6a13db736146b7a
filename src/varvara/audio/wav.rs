//! WAV files of the machine's sound, for `--wav`: 44100 Hz, stereo,
//! signed 16-bit little-endian PCM, the format of the reference recordings.

use std::io::{Seek, Write};
use std::path::Path;

use super::{CHANNELS, SAMPLE_RATE};

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

/// Writes interleaved left/right `samples` as the WAV file `path`.
pub fn write(path: &Path, samples: &[i16]) -> hound::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    encode(file, samples)
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
    fn empty_recording_is_a_valid_file() {
        let dir = std::env::temp_dir().join(format!("hop-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.wav");
        write(&path, &[]).unwrap();
        let reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.spec(), spec());
        assert_eq!(reader.len(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
