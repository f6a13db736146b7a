//! The `hop` command line.

#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use hop::uxn::Engine;

#[derive(Clone, Copy, ValueEnum)]
enum EngineArg {
    /// One function per opcode, chained with tail calls (fast).
    Tailcall,
    /// A plain interpreter loop (the reference model, for comparison).
    Model,
}

/// The desktop's keys, for `--help`.
const KEYS: &str = "\
Keys in the window:
  Ctrl / Alt / Shift / Home   Controller A / B / Select / Start (either side)
  arrows                      Controller d-pad
  a game controller           d-pad/left stick, A, B, Select, Start
  F1    zoom: 1x, 2x... up to 4x, the zooms that fit the display
  F2    print both stacks to stderr
  F3    quit
  F4    reload the ROM from disk
  F5    soft reset (the ROM as loaded)
  F6    open a ROM or .tal file (dialog)
  F8    the debugger's panel (F8 again: keyboard back to it / close it)
  F9    save the machine beside the ROM (NAME.state); Shift+F9 restores it
  F10   start/stop recording (hop-rec-N.gif and .wav in the current directory)
  F11   fullscreen on/off (the picture centred at the largest zoom)
  F12   save a screenshot (hop-N.png in the current directory)
A .tal source (or any ROM, with --watch) is reloaded when it or a file it
includes changes on disk; if it no longer assembles, the error shows over
the window and the last good version runs on.
Drop a .rom or .tal file on the window to run it instead.
Without a ROM, hop starts its launcher: it lists the .rom and .tal files in
the current directory and in roms/.";

/// hop: a Varvara computer with a tail-call Uxn CPU.
///
/// `hop [ROM] [ARGS...]` opens a window; without a ROM, hop starts its
/// launcher. ROM may also be Uxntal source (a `.tal` file): hop assembles
/// it in memory and runs it.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = KEYS,
    trailing_var_arg = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Run without a window: like uxncli (console in and out), or with --frames the whole machine.
    #[arg(long)]
    headless: bool,

    /// Which CPU engine runs the ROM.
    #[arg(long, value_enum, default_value = "tailcall")]
    engine: EngineArg,

    /// Jumps one vector may run before hop stops it (0: no limit).
    #[arg(long, value_name = "JUMPS", default_value_t = hop::varvara::DEFAULT_BUDGET)]
    budget: u64,

    /// Seconds one vector may run before hop stops it (0: no limit; default
    /// 5 on the desktop, 10 in frames mode, none in the console runner).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    timeout: Option<f64>,

    /// Directory the ROM's file devices are confined to.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,

    /// Print the number of Uxn instructions run to stderr (with --engine model).
    #[arg(long)]
    count: bool,

    /// Run N frames of the whole machine (screen, controller, mouse) instead
    /// of streaming stdin; implies --headless.
    #[arg(long, value_name = "N")]
    frames: Option<u64>,

    /// Scripted input events for --frames, one per line: `<frame> <event> [args]`.
    #[arg(long, value_name = "FILE", requires = "frames")]
    input: Option<PathBuf>,

    /// Save the final screen as a PNG (1 pixel per Varvara pixel).
    #[arg(long, value_name = "OUT.png")]
    screenshot: Option<PathBuf>,

    /// Save the audio of the frames that ran as a WAV file (44100 Hz, stereo, 16-bit).
    #[arg(long, value_name = "OUT.wav", requires = "frames")]
    wav: Option<PathBuf>,

    /// Record the screen as OUT.gif and the sound as OUT.wav: in frames
    /// mode the whole run, on the desktop from the start (F10 stops it).
    #[arg(long, value_name = "OUT")]
    record: Option<PathBuf>,

    /// Emulated clock: Datetime reads EPOCH (Unix seconds, UTC) plus one
    /// second per 60 frames, so clock-reading ROMs run reproducibly.
    #[arg(long, value_name = "EPOCH", allow_negative_numbers = true, value_parser = parse_clock)]
    clock: Option<i64>,

    /// Window zoom, 1 to 4 (default: the largest that fits 90 % of the display).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
    scale: Option<u8>,

    /// Start fullscreen (F11 toggles it).
    #[arg(long)]
    fullscreen: bool,

    /// No sound: do not open the audio device at all.
    #[arg(long)]
    mute: bool,

    /// Live reload: when the ROM (or the .tal and any file it includes)
    /// changes on disk, make it again and restart it in the same window
    /// with the same arguments. On by default for a .tal source.
    #[arg(long, overrides_with = "no_watch")]
    watch: bool,

    /// No live reload, not even for a .tal source.
    #[arg(long, overrides_with = "watch")]
    no_watch: bool,

    /// Start from a snapshot of the machine (F9 saves one beside the ROM)
    /// instead of booting the ROM: it must be a snapshot of this ROM.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Headless: save a snapshot of the machine after the run (frames
    /// mode: after the last frame), to start another run from it with --state.
    #[arg(long, value_name = "FILE")]
    save_state: Option<PathBuf>,
    /// Open the debugger at once (F8 opens and closes it).
    #[arg(long)]
    debug: bool,

    /// When a vector is stopped on its budget or its timeout, print the
    /// last N instructions it ran (address, label, instruction, stacks).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    trace: Option<u32>,
    /// Behave like the reference of YEAR where they differ: 2026 (uxn2) or
    /// 2025 (uxnemu, Sep 2025). Without it: 2026, unless the ROM's metadata
    /// names a Varvara version ('V' extension) below 0x50, then 2025.
    #[arg(long, value_name = "YEAR", value_parser = parse_compat)]
    compat: Option<hop::varvara::Compat>,

    /// Keep the ROM's `.snarf` (Left's and Noodle's copy and paste) apart
    /// from the X clipboard.
    #[arg(long)]
    no_clipboard: bool,

    /// Send the ROM's console output (Orca's notes) to MIDI instead of
    /// stdout: a virtual ALSA sequencer port named `hop`, or with =PORT the
    /// first port whose name contains PORT.
    #[arg(long, value_name = "PORT", num_args = 0..=1, require_equals = true,
          default_missing_value = "", conflicts_with_all = ["headless", "frames"])]
    midi: Option<String>,

    /// List the MIDI output ports and exit.
    #[arg(long)]
    list_midi: bool,

    /// The ROM to run (or a .tal source to assemble and run).
    rom: Option<PathBuf>,

    /// Arguments handed to the ROM through the console.
    #[arg(allow_hyphen_values = true)]
    args: Vec<OsString>,
}

#[derive(Subcommand)]
enum Command {
    /// Assemble Uxntal source into a ROM and its symbol file (OUT.sym).
    Asm {
        /// The Uxntal source file.
        input: PathBuf,
        /// The ROM to write (default: INPUT with the extension .rom).
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    if let Some(Command::Asm { input, output }) = cli.command {
        return assemble(&input, output);
    }
    if cli.list_midi {
        return list_midi();
    }
    let engine = match cli.engine {
        EngineArg::Tailcall => Engine::TailCall,
        EngineArg::Model => Engine::Model,
    };
    let headless = cli.headless || cli.frames.is_some();
    if headless && cli.rom.is_none() {
        eprintln!("hop: no ROM given: --headless needs a ROM to run");
        return ExitCode::from(2);
    }
    if cli.headless && cli.frames.is_none() && cli.record.is_some() {
        eprintln!(
            "hop: --record needs --frames (or the desktop): the console runner has no screen"
        );
        return ExitCode::from(2);
    }
    if !cli.root.is_dir() {
        eprintln!("hop: --root {}: not a directory", cli.root.display());
        return ExitCode::from(2);
    }
    let budget = if cli.budget == 0 {
        u64::MAX
    } else {
        cli.budget
    };
    let seconds = cli.timeout;
    let limit = |default: Option<Duration>| match seconds {
        Some(0.0) => None,
        Some(seconds) => Some(Duration::from_secs_f64(seconds)),
        None => default,
    };
    if !headless && cli.save_state.is_some() {
        eprintln!("hop: --save-state is for --headless and --frames runs; in the window, F9 saves");
        return ExitCode::from(2);
    }
    // How the machine runs, whatever the host; only the default time
    // limit depends on it.
    let (root, compat) = (cli.root.clone(), cli.compat);
    let settings = |default_timeout| hop::varvara::Settings {
        engine,
        budget,
        timeout: limit(default_timeout),
        root: root.clone(),
        compat,
    };
    if !headless {
        return window(cli, settings);
    }
    let Some(rom) = cli.rom else {
        return ExitCode::from(2); // checked above
    };
    let options = hop::headless::Options {
        rom,
        args: cli.args,
        machine: settings(cli.frames.map(|_| hop::headless::FRAMES_TIMEOUT)),
        count: cli.count,
        frames: cli.frames,
        input: cli.input,
        screenshot: cli.screenshot,
        wav: cli.wav,
        record: cli.record,
        clock: cli.clock,
        state: cli.state,
        save_state: cli.save_state,
        trace: cli.trace.map(|n| n as usize),
    };
    ExitCode::from(hop::headless::run(&options) as u8)
}

/// `hop [ROM]` without `--headless` or `--frames`: the window.
#[cfg(feature = "desktop")]
fn window(cli: Cli, settings: impl Fn(Option<Duration>) -> hop::varvara::Settings) -> ExitCode {
    let options = hop::desktop::Options {
        rom: cli.rom,
        settings: hop::desktop::session::Settings {
            machine: settings(Some(hop::desktop::DEFAULT_TIMEOUT)),
            args: cli.args,
            trace: cli.trace.map(|n| n as usize),
            debug: cli.debug,
            clipboard: None,
            midi: None,
        },
        debug: cli.debug,
        zoom: cli.scale.map(usize::from),
        fullscreen: cli.fullscreen,
        mute: cli.mute,
        state: cli.state,
        watch: match (cli.watch, cli.no_watch) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        clipboard: !cli.no_clipboard,
        midi: cli.midi,
        record: cli.record,
    };
    ExitCode::from(hop::desktop::run(options) as u8)
}

/// `--list-midi`: the sequencer's output ports, one a line.
#[cfg(feature = "desktop")]
fn list_midi() -> ExitCode {
    match hop::desktop::midi::list() {
        Ok(ports) => {
            ports.iter().for_each(|port| println!("{port}"));
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("hop: no MIDI: {why}");
            ExitCode::from(1)
        }
    }
}

/// A build without the desktop still knows every flag, so a script that
/// asks for the window gets this line (and exit code 2, like any command
/// line hop cannot carry out) rather than "unknown flag".
#[cfg(not(feature = "desktop"))]
fn no_desktop() -> ExitCode {
    eprintln!(
        "hop: this hop was built without the desktop (cargo feature \"desktop\"); \
         run the ROM with --headless or --frames N"
    );
    ExitCode::from(2)
}

#[cfg(not(feature = "desktop"))]
fn window(_: Cli, _: impl Fn(Option<Duration>) -> hop::varvara::Settings) -> ExitCode {
    no_desktop()
}

#[cfg(not(feature = "desktop"))]
fn list_midi() -> ExitCode {
    no_desktop()
}

/// A `--compat` year: 2025 or 2026.
fn parse_compat(text: &str) -> Result<hop::varvara::Compat, String> {
    text.parse()
        .ok()
        .and_then(hop::varvara::Compat::year)
        .ok_or_else(|| "expected 2025 or 2026".to_string())
}

/// A `--timeout`: seconds, whole or not, from 0 (no limit) to a day.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if (0.0..=86400.0).contains(&seconds) => Ok(seconds),
        _ => Err(format!("{text} is not a number of seconds from 0 to 86400")),
    }
}

/// `--clock EPOCH`: Unix seconds the clock can show, years -9999 to 9999
/// (past them it used to read 1970 and stand still).
fn parse_clock(text: &str) -> Result<i64, String> {
    let (first, last) = hop::varvara::datetime::CLOCK_RANGE.into_inner();
    let epoch: i64 = text
        .parse()
        .map_err(|_| "not a whole number of seconds".to_string())?;
    if !hop::varvara::datetime::CLOCK_RANGE.contains(&epoch) {
        return Err(format!(
            "outside the years -9999 to 9999 that the clock shows ({first} to {last})"
        ));
    }
    Ok(epoch)
}

/// A command line clap refused: `--help` and `--version` print as usual;
/// anything else is one `hop:` line (clap's first line, which says what is
/// wrong) and exit code 2, like every other usage error.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    // clap's first paragraph says what is wrong (the missing arguments
    // follow on their own lines); its tips and usage come after a blank line.
    let text = e.to_string();
    let reason: Vec<&str> = text
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(str::trim)
        .collect();
    let reason = reason.join(" ");
    let reason = reason.strip_prefix("error: ").unwrap_or(&reason);
    eprintln!("hop: {reason} (see hop --help)");
    ExitCode::from(2)
}

/// `hop asm IN [OUT]`: writes OUT and OUT.sym, or prints every error.
/// Neither output may be a file the assembly reads (compared by device and
/// inode, so `./x.tal`, an absolute path or a symlink are caught too), and
/// each is written to a temporary file beside it, then renamed into place:
/// an assembly that fails, or a disk that fills, leaves the old files as
/// they were.
fn assemble(input: &Path, output: Option<PathBuf>) -> ExitCode {
    use hop::asm::FileId;
    let output = output.unwrap_or_else(|| input.with_extension("rom"));
    let mut symbols = output.clone().into_os_string();
    symbols.push(".sym");
    let symbols = PathBuf::from(symbols);
    let clash = |sources: &[FileId]| {
        [&output, &symbols]
            .into_iter()
            .find(|path| FileId::of(path).is_some_and(|id| sources.contains(&id)))
    };
    let source = FileId::of(input);
    if let Some(path) = clash(&Vec::from_iter(source)).or((output == input).then_some(&output)) {
        eprintln!(
            "hop: asm: {} is the source {} itself: refusing to overwrite it",
            path.display(),
            input.display()
        );
        return ExitCode::from(2);
    }
    let mut loader = hop::asm::FileLoader::new(input);
    let assembly = match hop::asm::assemble_file_with(input, &mut loader) {
        Ok(assembly) => assembly,
        Err(errors) => {
            let error = hop::rom::LoadError::Assembly {
                path: input.display().to_string(),
                errors,
            };
            for line in error.report() {
                eprintln!("{line}");
            }
            return ExitCode::from(1);
        }
    };
    if let Some(path) = clash(&loader.read) {
        eprintln!(
            "hop: asm: {} is a file that {} includes: refusing to overwrite it",
            path.display(),
            input.display()
        );
        return ExitCode::from(2);
    }
    for (path, bytes) in [
        (&output, &assembly.rom),
        (&symbols, &assembly.symbol_file()),
    ] {
        if let Err(e) = write_replacing(path, bytes) {
            eprintln!("hop: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    eprintln!(
        "hop: assembled {} into {} ({} bytes, {} labels)",
        input.display(),
        output.display(),
        assembly.rom.len(),
        assembly.symbols.len()
    );
    ExitCode::SUCCESS
}

/// Writes `bytes` to a temporary file in `path`'s folder, then renames it
/// to `path`: the file is either the old one or the whole new one, never a
/// truncated mix. The temporary file is removed if anything fails.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".hop-{}.tmp", std::process::id()));
    let temp = path.with_file_name(name);
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}
