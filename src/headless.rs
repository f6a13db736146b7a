//! The console runner: `hop --headless ROM [ARGS...]` behaves like the
//! reference `uxncli`. It boots the ROM, streams the arguments and then
//! standard input through the console vector, and exits with the code the
//! ROM wrote to System/state.

use std::ffi::OsString;
use std::io::{self, BufWriter, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::uxn::Engine;
use crate::varvara::{Config, ConsoleKind, Runaway, Varvara};

/// Exit code when a vector never reaches BRK (as timeout(1) does).
pub const EXIT_RUNAWAY: i32 = 124;
/// Exit code when the ROM cannot be loaded (or its source does not assemble).
pub const EXIT_BAD_ROM: i32 = 1;

pub struct Options {
    pub rom: PathBuf,
    pub args: Vec<OsString>,
    pub engine: Engine,
    /// Jumps one vector may run before hop gives up on it.
    pub budget: u64,
    /// The file devices' sandbox.
    pub root: PathBuf,
    /// Print the number of Uxn instructions run to stderr at the end
    /// (model engine only: it is the one that counts).
    pub count: bool,
}

/// Runs the ROM to completion and returns the process exit code. Problems
/// are reported on stderr as one line starting with `hop:`.
pub fn run(options: &Options) -> i32 {
    let rom = match crate::rom::load(&options.rom) {
        Ok(rom) => rom,
        Err(e) => {
            for line in e.report() {
                eprintln!("{line}");
            }
            return EXIT_BAD_ROM;
        }
    };
    let config = Config {
        engine: options.engine,
        budget: options.budget,
        root: options.root.clone(),
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
    let result = drive(&mut machine, &options.args);
    if options.count {
        match machine.instructions {
            Some(n) => eprintln!("hop: {n} Uxn instructions"),
            None => {
                eprintln!("hop: --count needs --engine model (the tail-call engine does not count)")
            }
        }
    }
    match result {
        Ok(()) => machine.exit_code(),
        Err(Runaway { vector, pc }) => {
            eprintln!(
                "hop: {}: the vector at {vector:#06x} ran {} jumps without reaching BRK \
                 (stopped at {pc:#06x}); giving up (--budget raises the limit)",
                options.rom.display(),
                options.budget
            );
            EXIT_RUNAWAY
        }
    }
}

/// Reset, then (only if the ROM set a console vector) the arguments and
/// standard input until EOF or halt, as uxncli does.
fn drive(machine: &mut Varvara, args: &[OsString]) -> Result<(), Runaway> {
    machine.boot(!args.is_empty())?;
    if machine.devices.console.vector == 0 || machine.halted() {
        return Ok(());
    }
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    machine.send_args(&args)?;
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
