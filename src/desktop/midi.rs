//! `--midi`: the ROM's console output as MIDI messages on an ALSA
//! sequencer port, for Orca, which writes its notes to Console/write.
//!
//! Orca's byte format, from its source and what the shared build writes:
//! each note is three bytes, channel, note, velocity, and its release the
//! same with velocity 0. The June 2025 build (`../shared/roms/apps`)
//! writes the bare channel (0-15); the May 2026 source writes `0x90 |
//! channel`, a real MIDI note-on. [`Parser`] takes both: a byte with its
//! top bit set starts a standard MIDI message (with running status after
//! it); a bare byte below 16 with no status yet is a channel of Orca's
//! older triples, which become note-on (note-off for velocity 0). System
//! exclusive messages are dropped; bytes that fit neither are skipped.
//! Orca's `;` and `/` operators write single raw bytes, which only a
//! status-led stream survives.

#![forbid(unsafe_code)]

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use midir::os::unix::VirtualOutput;
use midir::{MidiOutput, MidiOutputConnection};

/// The client and virtual port name synthesizers see.
pub const NAME: &str = "hop";

/// An open output port, shared by every machine the window runs.
#[derive(Clone)]
pub struct Port(Arc<Mutex<MidiOutputConnection>>);

impl std::fmt::Debug for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("midi::Port")
    }
}

/// Opens the sequencer: a virtual port named `hop` when `wanted` is
/// empty, else a connection to the first port whose name contains it. On
/// success, what it is connected to, for one line on stderr.
pub fn open(wanted: &str) -> Result<(Port, String), String> {
    let output = sequencer()?;
    let connection = if wanted.is_empty() {
        let connection = output
            .create_virtual(NAME)
            .map_err(|e| format!("cannot create the virtual port: {e}"))?;
        (connection, format!("virtual port \"{NAME}\""))
    } else {
        let ports = output.ports();
        let port = ports
            .iter()
            .find(|p| output.port_name(p).is_ok_and(|n| n.contains(wanted)))
            .ok_or_else(|| format!("no MIDI output port's name contains \"{wanted}\""))?;
        let name = output.port_name(port).unwrap_or_default();
        let connection = output
            .connect(port, NAME)
            .map_err(|e| format!("cannot connect to \"{name}\": {e}"))?;
        (connection, format!("\"{name}\""))
    };
    Ok((Port(Arc::new(Mutex::new(connection.0))), connection.1))
}

/// The names of the output ports, for `--list-midi`.
pub fn list() -> Result<Vec<String>, String> {
    let output = sequencer()?;
    Ok(output
        .ports()
        .iter()
        .filter_map(|p| output.port_name(p).ok())
        .collect())
}

/// The ALSA sequencer client, with ALSA's own error lines kept off stderr.
fn sequencer() -> Result<MidiOutput, String> {
    let _quiet_alsa = alsa::Output::local_error_handler();
    MidiOutput::new(NAME).map_err(|_| {
        if std::path::Path::new("/dev/snd/seq").exists() {
            "the ALSA sequencer cannot be opened".to_string()
        } else {
            "no ALSA sequencer (/dev/snd/seq is missing; modprobe snd-seq)".to_string()
        }
    })
}

/// Where messages go: the port (or, in tests, a list).
pub trait Sink {
    /// Sends one complete MIDI message.
    fn send(&mut self, message: &[u8]);
}

impl Sink for Port {
    fn send(&mut self, message: &[u8]) {
        if let Ok(mut port) = self.0.lock() {
            // A synthesizer that went away is no reason to stop the ROM.
            let _ = port.send(message);
        }
    }
}

/// A machine's stdout under `--midi`: bytes in, messages out. When the
/// machine goes (hop quits, F4, F5, another ROM), every channel it played
/// on gets All Notes Off, so no note hangs in the synthesizer.
pub struct Writer<S: Sink = Port> {
    sink: S,
    parser: Parser,
    /// The channels a note-on went to (bit n: channel n).
    played: u16,
}

impl<S: Sink> Writer<S> {
    /// A writer that turns console bytes into messages for `sink`.
    pub fn new(sink: S) -> Writer<S> {
        Writer {
            sink,
            parser: Parser::default(),
            played: 0,
        }
    }
}

impl<S: Sink> Write for Writer<S> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        for &byte in bytes {
            if let Some(message) = self.parser.push(byte) {
                let bytes = message.bytes();
                if bytes[0] & 0xf0 == 0x90 {
                    self.played |= 1 << (bytes[0] & 0x0f);
                }
                self.sink.send(bytes);
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<S: Sink> Drop for Writer<S> {
    fn drop(&mut self) {
        for channel in (0..16u8).filter(|c| self.played & (1 << c) != 0) {
            // Control change 123: All Notes Off.
            self.sink.send(&[0xb0 | channel, 123, 0]);
        }
    }
}

/// One MIDI message of one to three bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    bytes: [u8; 3],
    len: usize,
}

impl Message {
    /// Every byte sent so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Console bytes to MIDI messages (see the module's comment).
#[derive(Debug, Default)]
pub struct Parser {
    /// The status byte data bytes belong to (standard MIDI).
    running: Option<u8>,
    /// Inside a system exclusive message (dropped).
    sysex: bool,
    /// Data collected so far: after a status, its data bytes; in Orca's
    /// triples, the channel first.
    data: Vec<u8>,
}

impl Parser {
    /// Takes one byte; a message when it completes one.
    pub fn push(&mut self, byte: u8) -> Option<Message> {
        if byte >= 0xf8 {
            // Real-time messages may come anywhere, even inside others.
            return Some(message(&[byte]));
        }
        if byte >= 0x80 {
            self.data.clear();
            self.sysex = byte == 0xf0;
            if self.sysex || byte == 0xf7 {
                self.running = None;
                return None;
            }
            if data_length(byte) == 0 {
                self.running = None;
                return Some(message(&[byte]));
            }
            self.running = Some(byte);
            return None;
        }
        if self.sysex {
            return None;
        }
        match self.running {
            Some(status) => {
                self.data.push(byte);
                if self.data.len() < data_length(status) {
                    return None;
                }
                let done = [&[status], &self.data[..]].concat();
                self.data.clear();
                // System common messages have no running status.
                if status >= 0xf0 {
                    self.running = None;
                }
                Some(message(&done))
            }
            None => {
                // Orca's older triples: channel, note, velocity.
                if self.data.is_empty() && byte > 0x0f {
                    return None;
                }
                self.data.push(byte);
                if self.data.len() < 3 {
                    return None;
                }
                let (channel, note, velocity) = (self.data[0], self.data[1], self.data[2]);
                self.data.clear();
                Some(if velocity == 0 {
                    message(&[0x80 | channel, note, 0])
                } else {
                    message(&[0x90 | channel, note, velocity])
                })
            }
        }
    }
}

fn message(bytes: &[u8]) -> Message {
    let mut message = Message {
        bytes: [0; 3],
        len: bytes.len(),
    };
    message.bytes[..bytes.len()].copy_from_slice(bytes);
    message
}

/// How many data bytes follow a status byte.
fn data_length(status: u8) -> usize {
    match status {
        0x80..=0xbf | 0xe0..=0xef | 0xf2 => 2,
        0xc0..=0xdf | 0xf1 | 0xf3 => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut parser = Parser::default();
        bytes
            .iter()
            .filter_map(|&b| parser.push(b))
            .map(|m| m.bytes().to_vec())
            .collect()
    }

    #[test]
    fn orcas_triples_become_note_on_and_off() {
        // What the shared Orca writes for ":03C": channel 0, note 36.
        assert_eq!(
            all(&[0x00, 0x24, 0x7f, 0x00, 0x24, 0x00]),
            [vec![0x90, 0x24, 0x7f], vec![0x80, 0x24, 0x00]]
        );
        // Channel 15, and a bare byte that cannot be a channel is skipped.
        assert_eq!(all(&[0x20, 0x0f, 0x3c, 0x40]), [vec![0x9f, 0x3c, 0x40]]);
    }

    /// A list of the messages sent, shared with the test.
    #[derive(Clone, Default)]
    struct Sent(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Sink for Sent {
        fn send(&mut self, message: &[u8]) {
            self.0.lock().unwrap().push(message.to_vec());
        }
    }

    #[test]
    fn the_writer_sends_each_message_and_all_notes_off_at_the_end() {
        let sent = Sent::default();
        let mut writer = Writer::new(sent.clone());
        writer
            .write_all(&[0x00, 0x24, 0x7f, 0x03, 0x30, 0x40, 0x03, 0x30, 0x00])
            .unwrap();
        assert_eq!(sent.0.lock().unwrap().len(), 3);
        drop(writer);
        assert_eq!(
            *sent.0.lock().unwrap(),
            [
                vec![0x90, 0x24, 0x7f],
                vec![0x93, 0x30, 0x40],
                vec![0x83, 0x30, 0x00],
                vec![0xb0, 123, 0],
                vec![0xb3, 123, 0]
            ]
        );
    }

    #[test]
    fn status_bytes_are_standard_midi_with_running_status() {
        // The newer Orca: 0x90 | channel, then note and velocity.
        assert_eq!(
            all(&[0x93, 0x30, 0x50, 0x93, 0x30, 0x00]),
            [vec![0x93, 0x30, 0x50], vec![0x93, 0x30, 0x00]]
        );
        assert_eq!(
            all(&[0x90, 0x3c, 0x40, 0x3e, 0x40]),
            [vec![0x90, 0x3c, 0x40], vec![0x90, 0x3e, 0x40]]
        );
        // Program change (one data byte), a clock tick in the middle of a
        // note, a control change.
        assert_eq!(
            all(&[0xc2, 0x05, 0x91, 0x3c, 0xf8, 0x22, 0xb0, 0x07, 0x64]),
            [
                vec![0xc2, 0x05],
                vec![0xf8],
                vec![0x91, 0x3c, 0x22],
                vec![0xb0, 0x07, 0x64]
            ]
        );
        // System exclusive is dropped; what follows it is read again.
        assert_eq!(
            all(&[0xf0, 0x7e, 0x01, 0xf7, 0x80, 0x3c, 0x00]),
            [vec![0x80, 0x3c, 0x00]]
        );
    }

    /// A note through a real virtual port, read back by a second client.
    /// Needs the ALSA sequencer (`/dev/snd/seq`).
    #[test]
    fn a_note_reaches_a_client_of_the_virtual_port() {
        if !std::path::Path::new("/dev/snd/seq").exists() {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: no ALSA sequencer (/dev/snd/seq) for the real MIDI port"
            );
            return;
        }
        let (port, _) = open("").expect("a virtual port");
        let input = midir::MidiInput::new("hop test").unwrap();
        let source = input
            .ports()
            .into_iter()
            .find(|p| input.port_name(p).is_ok_and(|n| n.contains(NAME)))
            .expect("the hop port among the inputs");
        let (sender, received) = std::sync::mpsc::channel();
        let _connection = input
            .connect(
                &source,
                "hop test",
                move |_, bytes, _| {
                    let _ = sender.send(bytes.to_vec());
                },
                (),
            )
            .unwrap();
        let mut writer = Writer::new(port);
        writer.write_all(&[0x00, 0x24, 0x7f]).unwrap();
        let got = received
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("a message");
        assert_eq!(got, [0x90, 0x24, 0x7f]);
    }
}
