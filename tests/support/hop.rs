//! Running the `hop` binary under test, the one way every test does it:
//! its standard input given or closed, its output collected, and a time
//! limit, so a stuck run fails its test instead of hanging the suite.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The `hop` binary cargo built for these tests.
pub const HOP: &str = env!("CARGO_BIN_EXE_hop");

/// How long one run may take before it is killed and its test fails: far
/// beyond the slowest run in the suite (seconds, on a loaded machine), so
/// only a run that hangs meets it. Not a measure of speed.
pub const TIME_LIMIT: Duration = Duration::from_secs(300);

/// `hop` with no arguments yet, its standard input closed.
pub fn hop() -> Run {
    Run {
        command: Command::new(HOP),
        stdin: Vec::new(),
        stdout: None,
        stderr: None,
        memory_kib: None,
        limit: TIME_LIMIT,
    }
}

/// The common case: `hop ARGS` in `dir`, `stdin` as its standard input.
pub fn hop_in(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    hop().dir(dir).args(args).stdin(stdin).output()
}

/// One run of `hop`, being set up.
pub struct Run {
    command: Command,
    stdin: Vec<u8>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
    memory_kib: Option<u64>,
    limit: Duration,
}

impl Run {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.command.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Run {
        self.command.args(args);
        self
    }

    /// The working directory.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Run {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Run {
        self.command.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Run {
        self.command.env_remove(key);
        self
    }

    /// The bytes hop reads on its standard input, which is closed after them.
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Run {
        self.stdin = bytes.as_ref().to_vec();
        self
    }

    /// Standard output goes there instead of being collected.
    pub fn stdout(mut self, to: impl Into<Stdio>) -> Run {
        self.stdout = Some(to.into());
        self
    }

    /// Standard error goes there instead of being collected.
    pub fn stderr(mut self, to: impl Into<Stdio>) -> Run {
        self.stderr = Some(to.into());
        self
    }

    /// Limits hop's address space to `kib` KiB (`ulimit -v`): an allocation
    /// past it fails, which the memory tests see without timing anything.
    pub fn memory_limit(mut self, kib: u64) -> Run {
        self.memory_kib = Some(kib);
        self
    }

    /// Another time limit than [`TIME_LIMIT`].
    pub fn time_limit(mut self, limit: Duration) -> Run {
        self.limit = limit;
        self
    }

    /// Anything else [`Command`] offers (a user id, for instance).
    pub fn with(mut self, change: impl FnOnce(&mut Command)) -> Run {
        change(&mut self.command);
        self
    }

    /// The command as set up, for a harness that manages the process itself.
    pub fn command(self) -> Command {
        self.command
    }

    /// Runs hop to its end and collects what it wrote. A hop that exits
    /// before reading all its input is fine: a closed pipe is no error.
    pub fn output(self) -> Output {
        let what = self.describe();
        self.try_output()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"))
    }

    /// [`Run::output`], or why hop could not be started (as another user,
    /// for instance).
    pub fn try_output(self) -> std::io::Result<Output> {
        let what = self.describe();
        let limit = self.limit;
        let stdin = self.stdin.clone();
        let mut running = self.start()?;
        let mut pipe = running.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&stdin);
        });
        let out = running.finish();
        let _ = writer.join();
        assert!(
            !running.timed_out(),
            "{what} did not end within {limit:?} and was killed; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(out)
    }

    /// Starts hop with pipes for a test that talks to it while it runs
    /// (the standard input set by [`Run::stdin`] is not used). It is killed
    /// when the time limit passes, which ends any read from it.
    pub fn spawn(self) -> Running {
        let what = self.describe();
        self.start()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"))
    }

    fn describe(&self) -> String {
        let args: Vec<_> = self
            .command
            .get_args()
            .map(OsStr::to_string_lossy)
            .collect();
        format!("hop {}", args.join(" "))
    }

    fn start(self) -> std::io::Result<Running> {
        let what = self.describe();
        let mut command = match self.memory_kib {
            None => self.command,
            Some(kib) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
                    .arg(HOP)
                    .args(self.command.get_args());
                if let Some(dir) = self.command.get_current_dir() {
                    sh.current_dir(dir);
                }
                for (key, value) in self.command.get_envs() {
                    match value {
                        Some(value) => sh.env(key, value),
                        None => sh.env_remove(key),
                    };
                }
                sh
            }
        };
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(self.stdout.unwrap_or_else(Stdio::piped))
            .stderr(self.stderr.unwrap_or_else(Stdio::piped))
            .spawn()?;
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let child = Arc::new(Mutex::new(child));
        let (done, finished) = mpsc::channel::<()>();
        let timed_out = Arc::new(Mutex::new(false));
        let watchdog = {
            let child = Arc::clone(&child);
            let timed_out = Arc::clone(&timed_out);
            let limit = self.limit;
            std::thread::spawn(move || {
                if finished.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
                    *timed_out.lock().unwrap() = true;
                    let _ = writeln!(
                        std::io::stderr(),
                        "{what}: still running after {limit:?}: killed"
                    );
                    let _ = child.lock().unwrap().kill();
                }
            })
        };
        Ok(Running {
            child,
            stdin,
            stdout,
            stderr,
            done: Some(done),
            watchdog: Some(watchdog),
            timed_out,
        })
    }
}

/// A `hop` process started by [`Run::spawn`]; killed if dropped running.
pub struct Running {
    child: Arc<Mutex<Child>>,
    pub stdin: Option<ChildStdin>,
    pub stdout: Option<ChildStdout>,
    pub stderr: Option<ChildStderr>,
    done: Option<Sender<()>>,
    watchdog: Option<std::thread::JoinHandle<()>>,
    timed_out: Arc<Mutex<bool>>,
}

impl Running {
    /// Waits for hop to end (closing its input first) and collects the
    /// output not yet taken; the time limit still applies.
    pub fn finish(&mut self) -> Output {
        drop(self.stdin.take());
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(
            self.stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            self.stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let status = loop {
            if let Some(status) = self.child.lock().unwrap().try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        self.stop_watchdog();
        Output {
            status,
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        }
    }

    /// Whether the time limit ended the run.
    pub fn timed_out(&self) -> bool {
        *self.timed_out.lock().unwrap()
    }

    fn stop_watchdog(&mut self) {
        drop(self.done.take());
        if let Some(watchdog) = self.watchdog.take() {
            let _ = watchdog.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let mut child = self.child.lock().unwrap();
        if child.try_wait().ok().flatten().is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        drop(child);
        self.stop_watchdog();
    }
}
