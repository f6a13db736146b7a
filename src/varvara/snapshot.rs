//! Snapshots of the whole machine: F9 on the desktop, `--state` to start
//! from one, `--save-state` after a frames run.
//!
//! A snapshot holds what the ROM can observe, so that a machine restored
//! from it runs on exactly as the saved one would have: RAM and the 15
//! expansion banks, both stacks and their pointers, the device page, every
//! device's own state (vectors, the screen's layers and registers, the
//! four voices mid-note and the finished notes not yet announced, each
//! file device's name and open file with its offset or listing), the frame
//! counter and the emulated clock's frame, and the compatibility profile
//! the machine runs with. It is taken between vectors
//! (never with one suspended mid-run or input still queued).
//!
//! # Format (version 1)
//! 1. the 8 bytes `hopstate`;
//! 2. the version, a big-endian u16;
//! 3. a big-endian u64 FNV-1a hash of the rest, which refuses a corrupt or
//!    cut file before anything is decoded;
//! 4. [`State`] in postcard's encoding (serde; integers as varints, byte
//!    strings with a varint length), whose first field is the FNV-1a hash
//!    of the ROM, which refuses a snapshot of another ROM.
//!
//! Every value is checked before anything is restored: a refused snapshot
//! leaves the running machine untouched.

use serde::{Deserialize, Serialize};

use super::audio::Mixer;
use super::banks::{BANK_SIZE, BANKS, Banks};
use super::file::FileState;
use super::screen::ScreenState;
use super::{Compat, Varvara};

const MAGIC: &[u8; 8] = b"hopstate";
const VERSION: u16 = 1;
/// Magic, version and checksum.
const HEADER: usize = 8 + 2 + 8;

#[derive(Serialize, Deserialize)]
struct State {
    rom: u64,
    frame: u64,
    datetime_frame: u64,
    ram: Vec<u8>,
    /// The expansion banks that hold anything: (bank, its 64 KiB).
    banks: Vec<(u8, Vec<u8>)>,
    wst: Vec<u8>,
    rst: Vec<u8>,
    wsp: u8,
    rsp: u8,
    dev: Vec<u8>,
    metadata: u16,
    console_vector: u16,
    controller_vector: u16,
    mouse_vector: u16,
    screen: ScreenState,
    mixer: Mixer,
    finished: u8,
    files: Vec<FileState>,
    /// The profile the machine ran with (picked from the ROM's metadata
    /// as it booted, unless the command line fixed it).
    compat: Compat,
}

/// FNV-1a, 64 bits: a ROM's identity and the payload's checksum. Stable
/// across Rust versions, unlike `DefaultHasher`.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Varvara {
    /// The machine as a snapshot file's bytes. The error is one line (the
    /// machine is in the middle of a vector).
    pub fn save_state(&self) -> Result<Vec<u8>, String> {
        if self.busy() {
            return Err("cannot save the machine while a vector runs; try again".into());
        }
        let uxn = &self.uxn;
        let banks = self
            .devices
            .system
            .banks
            .used()
            .map(|(bank, bytes)| (bank as u8, bytes.to_vec()))
            .collect();
        let (mixer, finished) = self.devices.audio.snapshot();
        let state = State {
            rom: self.rom_hash,
            frame: self.frames,
            datetime_frame: self.devices.datetime.frames,
            ram: uxn.ram.to_vec(),
            banks,
            wst: uxn.wst.bytes.to_vec(),
            rst: uxn.rst.bytes.to_vec(),
            wsp: uxn.wsp,
            rsp: uxn.rsp,
            dev: uxn.dev.to_vec(),
            metadata: self.devices.system.metadata,
            console_vector: self.devices.console.vector,
            controller_vector: self.devices.controller.vector,
            mouse_vector: self.devices.mouse.vector,
            screen: self.devices.screen.snapshot(),
            mixer,
            finished,
            files: self.devices.files.iter().map(|f| f.snapshot()).collect(),
            compat: self.devices.compat,
        };
        let payload =
            postcard::to_stdvec(&state).map_err(|e| format!("cannot encode the machine: {e}"))?;
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        out.extend_from_slice(&fnv1a(&payload).to_be_bytes());
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Makes this machine the one in the snapshot `bytes`. The error is one
    /// line saying why it was refused; the machine is then untouched.
    pub fn restore_state(&mut self, bytes: &[u8]) -> Result<(), String> {
        let state = self.check_state(bytes)?;
        let uxn = &mut self.uxn;
        uxn.reset(0);
        uxn.ram.copy_from_slice(&state.ram);
        let banks = &mut self.devices.system.banks;
        *banks = Banks::new();
        for (bank, bytes) in &state.banks {
            for (addr, &b) in bytes.iter().enumerate() {
                banks.set_byte(uxn, *bank as usize, addr as u16, b);
            }
        }
        uxn.wst.bytes.copy_from_slice(&state.wst);
        uxn.rst.bytes.copy_from_slice(&state.rst);
        uxn.wsp = state.wsp;
        uxn.rsp = state.rsp;
        uxn.dev.copy_from_slice(&state.dev);
        let devices = &mut self.devices;
        devices.system.metadata = state.metadata;
        devices.system.palette = super::system::palette_of(uxn);
        devices.console.vector = state.console_vector;
        devices.controller.vector = state.controller_vector;
        devices.mouse.vector = state.mouse_vector;
        devices.screen.restore(state.screen);
        devices.audio.restore(state.mixer, state.finished);
        for (file, saved) in devices.files.iter_mut().zip(state.files) {
            file.restore(saved);
        }
        devices.datetime.frames = state.datetime_frame;
        if !devices.compat_fixed {
            devices.set_compat(state.compat);
        }
        self.frames = state.frame;
        Ok(())
    }

    /// The snapshot in `bytes`, if it is a sound one of this ROM.
    fn check_state(&self, bytes: &[u8]) -> Result<State, String> {
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err("not a hop snapshot".into());
        }
        let version = u16::from_be_bytes([bytes[8], bytes[9]]);
        if version != VERSION {
            return Err(format!(
                "a snapshot of format version {version}; this hop reads version {VERSION}"
            ));
        }
        let checksum = u64::from_be_bytes(bytes[10..18].try_into().unwrap_or_default());
        let payload = &bytes[HEADER..];
        if fnv1a(payload) != checksum {
            return Err("the snapshot is damaged (its checksum does not match)".into());
        }
        let state: State =
            postcard::from_bytes(payload).map_err(|e| format!("the snapshot is damaged ({e})"))?;
        if state.rom != self.rom_hash {
            return Err("the snapshot is of another ROM".into());
        }
        let sound = state.ram.len() == BANK_SIZE
            && state.banks.iter().all(|(bank, bytes)| {
                (1..BANKS).contains(&(*bank as usize)) && bytes.len() == BANK_SIZE
            })
            && state.wst.len() == 256
            && state.rst.len() == 256
            && state.dev.len() == 256
            && state.screen.is_sane()
            && state.mixer.is_sane()
            && state.files.len() == self.devices.files.len();
        if !sound {
            return Err("the snapshot is damaged (a value out of range)".into());
        }
        Ok(state)
    }
}

/// The largest snapshot file hop reads: more than any machine makes (RAM,
/// 15 banks, two 2048x2048 layers, listings).
const MAX_FILE_SIZE: u64 = 64 << 20;

/// Reads a snapshot file. The error is one line, without the path.
pub fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes))
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => format!("cannot read it ({e})"),
        })?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err("too large for a hop snapshot".into());
    }
    Ok(bytes)
}

/// Writes a snapshot file whole or not at all: into a temporary file
/// beside it, renamed over it, so a failed save leaves the last one.
pub fn write(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    let temporary = std::path::PathBuf::from(temporary);
    let result = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write it ({e})")
    })
}
