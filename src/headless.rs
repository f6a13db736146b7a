//! The headless runner, in two modes:
//! - console (`hop --headless ROM [ARGS...]`) behaves like the reference
//!   `uxncli`: it boots the ROM, streams the arguments and then standard
//!   input through the console vector, and exits with the code the ROM
//!   wrote to System/state;
//! - frames (`--frames N`) boots the ROM, then runs N 60 Hz frames of the
//!   whole machine, fed by a scripted input file ([`script`]), and can save
//!   the final screen as a PNG.

#![forbid(unsafe_code)]

pub mod script;

use std::ffi::OsString;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::Duration;

use crate::encode::animation::Animation;
use crate::encode::wav::Recorder;
use crate::varvara;
use crate::varvara::audio::{CHANNELS, SAMPLES_PER_FRAME};
use crate::varvara::datetime::Clock;
use crate::varvara::debug::Debugger;
use crate::varvara::snapshot;
use crate::varvara::{Config, ConsoleKind, Event, Limit, Runaway, Varvara};

/// Exit code when a vector never reaches BRK (as timeout(1) does).
pub const EXIT_RUNAWAY: i32 = 124;
/// How long one vector may run in frames mode unless `--timeout` says
/// otherwise: a scripted run is meant to end.
pub const FRAMES_TIMEOUT: Duration = Duration::from_secs(10);
/// Exit code when stdout or stderr is a closed pipe (`hop ... | head -1`):
/// what a shell reports for a program killed by SIGPIPE, as uxncli is.
pub const EXIT_BROKEN_PIPE: i32 = 141;
/// Exit code when writing to stdout or stderr fails otherwise (a full
/// disk, `/dev/full`): EX_IOERR of sysexits.h.
pub const EXIT_OUTPUT: i32 = 74;
/// Exit code when the ROM cannot be loaded (or its source does not
/// assemble), the input script cannot be used, or the screenshot cannot be
/// written.
pub const EXIT_BAD_ROM: i32 = 1;

/// What the command line asks of a headless run.
pub struct Options {
    /// The ROM or Uxntal source to run.
    pub rom: PathBuf,
    /// Its arguments, streamed through the console vector.
    pub args: Vec<OsString>,
    /// How the machine runs: engine, limits, file root, compat.
    pub machine: varvara::Settings,
    /// Print the number of Uxn instructions run to stderr at the end
    /// (model engine only: it is the one that counts).
    pub count: bool,
    /// Run this many frames (frames mode) instead of streaming stdin.
    pub frames: Option<u64>,
    /// The input script of frames mode.
    pub input: Option<PathBuf>,
    /// Save the final screen here as a PNG.
    pub screenshot: Option<PathBuf>,
    /// Save the audio of the frames that ran here (44.1 kHz stereo s16le).
    pub wav: Option<PathBuf>,
    /// Start from this snapshot instead of booting (see
    /// [`crate::varvara::snapshot`]).
    pub state: Option<PathBuf>,
    /// Save a snapshot here at the end of the run.
    pub save_state: Option<PathBuf>,
    /// `--record OUT`: with `--frames`, the run as OUT.gif and OUT.wav.
    pub record: Option<PathBuf>,
    /// Emulated clock: the Datetime device reads this epoch (UTC) plus one
    /// second per 60 frames.
    pub clock: Option<i64>,
    /// Keep the last N instructions, printed when a vector runs away.
    pub trace: Option<usize>,
}

/// Runs the ROM to completion and returns the process exit code. Problems
/// are reported on stderr as one line starting with `hop:`.
pub fn run(options: &Options) -> i32 {
    let (rom, labels) = match crate::rom::load_labelled(&options.rom).0 {
        Ok(loaded) => loaded,
        Err(e) => {
            for line in e.report() {
                eprintln!("{line}");
            }
            return EXIT_BAD_ROM;
        }
    };
    let events = match &options.input {
        Some(path) => match read_script(path) {
            Ok(events) => events,
            Err(e) => {
                eprintln!("hop: {e}");
                return EXIT_BAD_ROM;
            }
        },
        None => Vec::new(),
    };
    let config = Config {
        settings: options.machine.clone(),
        grants: crate::varvara::file::grants(&options.args),
        stdout: Box::new(BufWriter::new(io::stdout())),
        stderr: Box::new(io::stderr()),
    };
    let mut machine = match Varvara::new(&rom, config) {
        Ok(machine) => machine,
        Err(e) => {
            eprintln!("hop: {}: {e}", options.rom.display());
            return EXIT_BAD_ROM;
        }
    };
    if let Some(n) = options.trace {
        machine.attach_debugger(Some(Debugger::tracing(n)));
    }
    if let Some(epoch) = options.clock {
        machine.set_clock(Clock::Frames { epoch });
    }
    // A machine from a snapshot is booted and has its arguments already.
    if let Some(path) = &options.state {
        let restored = snapshot::read(path).and_then(|bytes| machine.restore_state(&bytes));
        if let Err(e) = restored {
            eprintln!("hop: {}: {e}", path.display());
            return EXIT_BAD_ROM;
        }
    }
    let booted = options.state.is_some();
    // The recording is written as it is rendered (see `Recorder`).
    let mut recorder = match &options.wav {
        Some(path) => match Recorder::create(path) {
            Ok(recorder) => Some(recorder),
            Err(e) => {
                eprintln!("hop: cannot write {}: {e}", path.display());
                return EXIT_BAD_ROM;
            }
        },
        None => None,
    };
    let mut recording = match &options.record {
        Some(out) => {
            let (gif, wav) = crate::encode::animation::paths(out);
            let animation = match Animation::create(&gif) {
                Ok(animation) => animation,
                Err(e) => {
                    eprintln!("hop: {e}");
                    return EXIT_BAD_ROM;
                }
            };
            match Recorder::create(&wav) {
                Ok(sound) => Some(Recording { animation, sound }),
                Err(e) => {
                    eprintln!("hop: cannot write {}: {e}", wav.display());
                    return EXIT_BAD_ROM;
                }
            }
        }
        None => None,
    };
    let result = match options.frames {
        Some(frames) => drive_frames(
            &mut machine,
            (!booted).then_some(&options.args[..]),
            frames,
            &events,
            recorder.as_mut(),
            recording.as_mut(),
        ),
        None => drive(&mut machine, (!booted).then_some(&options.args[..])),
    };
    if options.count {
        match machine.instructions() {
            Some(n) => eprintln!("hop: {n} Uxn instructions"),
            None => {
                eprintln!("hop: --count needs --engine model (the tail-call engine does not count)")
            }
        }
    }
    if let Some(line) = machine.unshown_summary() {
        let _ = writeln!(io::stderr(), "{line}");
    }
    let code = match result {
        Ok(()) => match machine.output_failure() {
            Some(failure) if failure.kind == io::ErrorKind::BrokenPipe => EXIT_BROKEN_PIPE,
            Some(failure) => {
                // stderr may be the stream that failed: this may not show.
                let stream = if failure.stdout { "stdout" } else { "stderr" };
                let why = io::Error::from(failure.kind);
                let _ = writeln!(io::stderr(), "hop: cannot write to {stream}: {why}");
                EXIT_OUTPUT
            }
            None => machine.exit_code(),
        },
        Err(runaway) => {
            let flag = match runaway.limit {
                Limit::Jumps => "--budget",
                Limit::Time => "--timeout",
            };
            eprintln!(
                "hop: {}: {runaway}; giving up ({flag} raises the limit)",
                options.rom.display(),
            );
            if let Some(trace) = machine.debugger().and_then(|d| d.trace.as_ref()) {
                print_trace(&trace.lines(&labels));
            }
            EXIT_RUNAWAY
        }
    };
    if let (Some(path), Some(recorder)) = (&options.wav, recorder)
        && let Err(e) = recorder.finish()
    {
        eprintln!("hop: cannot write {}: {e}", path.display());
        return EXIT_BAD_ROM;
    }
    if let Some(path) = &options.save_state {
        let saved = machine
            .save_state()
            .and_then(|bytes| snapshot::write(path, &bytes));
        if let Err(e) = saved {
            eprintln!("hop: cannot save the machine to {}: {e}", path.display());
            return EXIT_BAD_ROM;
        }
    }
    if let Some(Recording { animation, sound }) = recording {
        let wav = crate::encode::animation::paths(animation.path()).1;
        let gif = animation.finish();
        let wav = sound
            .finish()
            .map_err(|e| format!("cannot write {}: {e}", wav.display()));
        if let Err(e) = gif.and(wav) {
            eprintln!("hop: {e}");
            return EXIT_BAD_ROM;
        }
    }
    if let Some(path) = &options.screenshot {
        let picture = machine.picture();
        if let Err(e) =
            crate::encode::screenshot::save_png(path, picture.pixels, picture.width, picture.height)
        {
            eprintln!("hop: {e}");
            return EXIT_BAD_ROM;
        }
    }
    code
}

/// The trace of `--trace`, under the line that says the vector was stopped.
pub fn print_trace(lines: &[String]) {
    let mut err = io::stderr().lock();
    let _ = writeln!(
        err,
        "hop: its last {} instructions, oldest first (address, label, instruction, \
         working and return stacks before it ran):",
        lines.len()
    );
    for line in lines {
        let _ = writeln!(err, "{line}");
    }
}

/// The largest input script hop reads (a script from a device or a pipe
/// that never ends must not fill the memory): 64 MiB, about two million
/// events.
const MAX_SCRIPT_SIZE: u64 = 64 << 20;

/// The script's events in delivery order; the error names file and line.
fn read_script(path: &std::path::Path) -> Result<Vec<(u64, Event)>, String> {
    let mut text = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SCRIPT_SIZE + 1).read_to_end(&mut text))
        .map_err(|e| {
            let why = match e.kind() {
                io::ErrorKind::NotFound => "no such file".to_string(),
                _ => e.to_string(),
            };
            format!("{}: cannot read the input script: {why}", path.display())
        })?;
    if text.len() as u64 > MAX_SCRIPT_SIZE {
        return Err(format!(
            "{}: the input script is larger than {} MiB",
            path.display(),
            MAX_SCRIPT_SIZE >> 20
        ));
    }
    script::parse(&text)
        .map(script::by_frame)
        .map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.message))
}

/// `--record`: the screen and the sound of a frames-mode run.
pub struct Recording {
    /// The screen, as a GIF.
    pub animation: Animation,
    /// The sound, as a WAV.
    pub sound: Recorder,
}

/// Frames mode: boot (reset, then the arguments, whether or not a console
/// vector is set, as the reference GUI does; `args` is None for a machine
/// restored from a snapshot, which is past that), then up to `frames`
/// frames, each fed its scripted events (`events` is sorted by frame,
/// numbered from the machine's first frame, so a restored machine takes
/// them from where it was saved), stopping early when the ROM halts. Each frame ends with its 735
/// samples of audio, written to `audio` when given. They are rendered
/// either way: notes end, and their finish vectors run, only as the audio
/// plays, and a ROM must not behave differently when it is recorded.
pub fn drive_frames(
    machine: &mut Varvara,
    args: Option<&[OsString]>,
    frames: u64,
    events: &[(u64, Event)],
    mut audio: Option<&mut Recorder>,
    mut recording: Option<&mut Recording>,
) -> Result<(), Runaway> {
    if let Some(args) = args {
        machine.start(&as_bytes(args))?;
    }
    let first = machine.frames();
    let mut pending = &events[events.partition_point(|&(f, _)| f < first)..];
    let mut scratch = vec![0; SAMPLES_PER_FRAME * CHANNELS];
    for frame in first..first + frames {
        if machine.halted() {
            break;
        }
        let due = pending.partition_point(|&(f, _)| f <= frame);
        let (now, later) = pending.split_at(due);
        pending = later;
        machine.run_frame(now.iter().map(|&(_, event)| event))?;
        machine.render_audio(&mut scratch);
        if let Some(recorder) = audio.as_deref_mut() {
            recorder.write(&scratch);
        }
        if let Some(Recording { animation, sound }) = recording.as_deref_mut() {
            sound.write(&scratch);
            let picture = machine.picture();
            animation.frame(picture.pixels, picture.width, picture.height);
        }
    }
    Ok(())
}

/// Reset, then (only if the ROM set a console vector) the arguments and
/// standard input until EOF or halt, as uxncli does. A machine restored
/// from a snapshot (`args` None) is past its reset and arguments.
fn drive(machine: &mut Varvara, args: Option<&[OsString]>) -> Result<(), Runaway> {
    if let Some(args) = args {
        machine.start(&as_bytes(args))?;
    }
    if !machine.reads_console() || machine.halted() {
        return Ok(());
    }
    let mut stdin = io::stdin().lock();
    let mut buf = [0u8; 4096];
    while !machine.halted() {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        for &byte in &buf[..n] {
            if machine.halted() {
                break;
            }
            machine.console_input(byte, ConsoleKind::Stdin)?;
        }
    }
    machine.console_input(b'\n', ConsoleKind::End)
}

/// The command line's arguments as the bytes the console vector gets.
fn as_bytes(args: &[OsString]) -> Vec<&[u8]> {
    args.iter().map(|a| a.as_bytes()).collect()
}
