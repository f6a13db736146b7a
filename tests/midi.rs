//! `--midi` and `--list-midi` from the command line, with Orca from
//! `../shared` playing a song given as its argument, under Xvfb. Where the
//! machine has no ALSA sequencer (`/dev/snd/seq`, as in CI) hop says so in
//! one line and Orca's notes stay on stdout; where it has one, they go to
//! the port and stdout stays empty. The translation itself and a real
//! port (where there is a sequencer) are unit tests in
//! `src/desktop/midi.rs`.

// The window, the X server and the sound device: only with the desktop.
#![cfg(feature = "desktop")]

mod support;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use support::TempDir;
use support::xvfb::*;

/// One note as the shared Orca writes it: channel 0, note 36, velocity
/// 0x7f, then its release.
const NOTE: [u8; 6] = [0x00, 0x24, 0x7f, 0x00, 0x24, 0x00];

fn has_sequencer() -> bool {
    Path::new("/dev/snd/seq").exists()
}

#[test]
fn orca_plays_into_midi_or_says_why_not_and_keeps_stdout() {
    let orca = repo("../shared/roms/apps/orca.rom");
    if !orca.is_file() {
        skip(&format!("{} is missing", orca.display()));
        return;
    }
    let Some(x) = X::start() else { return };
    let dir = TempDir::new("midi");
    // D4 bangs the cell below it every fourth frame; the bang plays the
    // MIDI operator right of it: channel 0, octave 3, C.
    std::fs::write(dir.path("song.orca"), "D4......\n.:03C...\n").unwrap();
    let out = std::fs::File::create(dir.path("out.bin")).unwrap();
    let mut hop = Hop::start_with(
        &x,
        &dir.0,
        &["--mute", "--midi", orca.to_str().unwrap(), "song.orca"],
        Stdio::null(),
        Stdio::from(out),
    );
    x.window("Orca", &mut hop);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(hop.running(), "Orca runs on: {}", hop.stderr());
    let stdout = std::fs::read(dir.path("out.bin")).unwrap();
    if has_sequencer() {
        assert_eq!(hop.stderr(), "hop: MIDI out on virtual port \"hop\"\n");
        assert_eq!(stdout, b"", "the notes went to the port");
    } else {
        assert_eq!(
            hop.stderr(),
            "hop: no MIDI: no ALSA sequencer (/dev/snd/seq is missing; modprobe snd-seq); \
             console output stays on stdout\n"
        );
        assert!(
            stdout.len() >= 2 * NOTE.len() && stdout.chunks(6).all(|n| n == NOTE),
            "Orca's notes on stdout, got {stdout:02x?}"
        );
        skip("no ALSA sequencer: the notes were checked on stdout only");
    }
}

#[test]
fn list_midi_lists_the_ports_or_says_why_not() {
    let out = support::hop().arg("--list-midi").output();
    if has_sequencer() {
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    } else {
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(out.stdout, b"");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "hop: no MIDI: no ALSA sequencer (/dev/snd/seq is missing; modprobe snd-seq)\n"
        );
    }
}

#[test]
fn midi_is_for_the_desktop() {
    let out = support::hop()
        .args(["--midi", "--headless", "x.rom"])
        .output();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("hop: "), "{stderr}");
    assert!(stderr.contains("--midi"), "{stderr}");
}
