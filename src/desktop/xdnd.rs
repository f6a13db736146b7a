//! Receiving dropped files (XDND) beside minifb, which has no drop API and
//! whose event loop swallows the XDND messages sent to its window.
//!
//! A helper thread opens its own X connection and owns a small hidden
//! window. The minifb window gets an `XdndProxy` property pointing at it,
//! so drag sources talk to the helper instead: it answers XdndEnter and
//! XdndPosition with XdndStatus, and on XdndDrop asks for the selection as
//! `text/uri-list`, reads it when SelectionNotify arrives, replies
//! XdndFinished and sends the dropped paths to the main thread.
//!
//! This file, `x11.rs` and `xinput.rs` are the only places with `unsafe`:
//! Xlib calls.

// The X11 edge: Xlib calls, each `unsafe` block with its `// SAFETY:`.
#![allow(unsafe_code)]

use std::ffi::{CStr, OsString, c_int, c_long, c_uchar, c_ulong};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use x11_dl::xlib;

/// The XDND protocol version hop speaks (the current one).
const XDND_VERSION: c_long = 5;

/// Dropped files arrive here, one `Vec` per drop.
pub struct DropReceiver {
    drops: Receiver<Vec<PathBuf>>,
}

impl DropReceiver {
    /// The files of the drops since the last call, oldest first.
    pub fn take(&self) -> Vec<Vec<PathBuf>> {
        self.drops.try_iter().collect()
    }
}

/// Starts the helper for the top-level window `target` (an X window id, as
/// minifb's `get_window_handle` gives it). None if X cannot be reached.
pub fn start(target: c_ulong) -> Option<DropReceiver> {
    let (sender, drops) = channel();
    let (ready_tx, ready_rx) = channel();
    std::thread::Builder::new()
        .name("hop-xdnd".into())
        .spawn(move || match Helper::open(target) {
            Some(mut helper) => {
                let _ = ready_tx.send(true);
                helper.serve(&sender);
            }
            None => {
                let _ = ready_tx.send(false);
            }
        })
        .ok()?;
    // Wait until the properties are set, so a drop right after start works.
    ready_rx.recv().ok()?.then_some(DropReceiver { drops })
}

/// Xlib's default error handler exits the process, which a drag source
/// that vanishes mid-drag (BadWindow) would trigger: ignore errors instead.
/// The handler is process-wide, so it covers minifb's connection too.
///
/// # Safety
/// None needed: it reads neither pointer (Xlib's handler type is unsafe).
unsafe extern "C" fn ignore_x_error(_: *mut xlib::Display, _: *mut xlib::XErrorEvent) -> c_int {
    0
}

struct Atoms {
    aware: xlib::Atom,
    proxy: xlib::Atom,
    enter: xlib::Atom,
    position: xlib::Atom,
    status: xlib::Atom,
    leave: xlib::Atom,
    drop: xlib::Atom,
    finished: xlib::Atom,
    selection: xlib::Atom,
    action_copy: xlib::Atom,
    uri_list: xlib::Atom,
    /// The helper's property the selection is converted into.
    transfer: xlib::Atom,
}

struct Helper {
    xlib: xlib::Xlib,
    display: *mut xlib::Display,
    /// The minifb window: XdndStatus and XdndFinished must name it.
    target: xlib::Window,
    window: xlib::Window,
    atoms: Atoms,
    /// The source window of the drop being transferred.
    source: xlib::Window,
}

impl Helper {
    fn open(target: c_ulong) -> Option<Helper> {
        let xlib = xlib::Xlib::open().ok()?;
        // SAFETY: plain Xlib calls on a connection this thread opens and
        // owns; every pointer passed is to a live local or a C string.
        unsafe {
            (xlib.XSetErrorHandler)(Some(ignore_x_error));
            let display = (xlib.XOpenDisplay)(std::ptr::null());
            if display.is_null() {
                return None;
            }
            let intern = |name: &CStr| (xlib.XInternAtom)(display, name.as_ptr(), xlib::False);
            let atoms = Atoms {
                aware: intern(c"XdndAware"),
                proxy: intern(c"XdndProxy"),
                enter: intern(c"XdndEnter"),
                position: intern(c"XdndPosition"),
                status: intern(c"XdndStatus"),
                leave: intern(c"XdndLeave"),
                drop: intern(c"XdndDrop"),
                finished: intern(c"XdndFinished"),
                selection: intern(c"XdndSelection"),
                action_copy: intern(c"XdndActionCopy"),
                uri_list: intern(c"text/uri-list"),
                transfer: intern(c"HOP_DROP"),
            };
            let root = (xlib.XDefaultRootWindow)(display);
            // Never mapped: it only receives client messages and selections.
            let window = (xlib.XCreateSimpleWindow)(display, root, -10, -10, 1, 1, 0, 0, 0);
            let helper = Helper {
                xlib,
                display,
                target,
                window,
                atoms,
                source: 0,
            };
            // The proxy must carry XdndAware and point at itself; the
            // top-level window announces XDND and points at the proxy.
            for on in [target, window] {
                helper.set_property(
                    on,
                    helper.atoms.aware,
                    xlib::XA_ATOM,
                    XDND_VERSION as c_ulong,
                );
                helper.set_property(on, helper.atoms.proxy, xlib::XA_WINDOW, window);
            }
            (helper.xlib.XFlush)(display);
            Some(helper)
        }
    }

    /// Sets a one-item 32-bit property.
    ///
    /// # Safety
    /// Xlib through raw pointers: the helper's connection must be open (it
    /// is while the helper lives); a window that is gone is an X error,
    /// which `ignore_x_error` drops.
    unsafe fn set_property(
        &self,
        on: xlib::Window,
        name: xlib::Atom,
        kind: xlib::Atom,
        value: c_ulong,
    ) {
        let value = value as c_long;
        // SAFETY: one c_long, as format 32 expects.
        unsafe {
            (self.xlib.XChangeProperty)(
                self.display,
                on,
                name,
                kind,
                32,
                xlib::PropModeReplace,
                &value as *const c_long as *const c_uchar,
                1,
            );
        }
    }

    /// Handles events until the connection dies.
    fn serve(&mut self, drops: &Sender<Vec<PathBuf>>) {
        loop {
            // SAFETY: XNextEvent fills the zeroed event; union fields are
            // read only for the event type that says they are valid.
            let event = unsafe {
                let mut event: xlib::XEvent = std::mem::zeroed();
                (self.xlib.XNextEvent)(self.display, &mut event);
                event
            };
            match event.get_type() {
                xlib::ClientMessage => {
                    let message = xlib::XClientMessageEvent::from(event);
                    self.on_message(&message);
                }
                xlib::SelectionNotify => {
                    let selection = xlib::XSelectionEvent::from(event);
                    let paths = self.read_selection(&selection);
                    self.send(
                        self.source,
                        self.atoms.finished,
                        [
                            self.target as c_long,
                            !paths.is_empty() as c_long,
                            if paths.is_empty() {
                                0
                            } else {
                                self.atoms.action_copy as c_long
                            },
                            0,
                            0,
                        ],
                    );
                    if !paths.is_empty() && drops.send(paths).is_err() {
                        return; // the main thread is gone
                    }
                }
                _ => {}
            }
        }
    }

    fn on_message(&mut self, message: &xlib::XClientMessageEvent) {
        let source = message.data.get_long(0) as xlib::Window;
        let kind = message.message_type;
        if kind == self.atoms.enter || kind == self.atoms.leave {
            // Nothing to do: any drag may end in a drop hop looks at.
        } else if kind == self.atoms.position {
            // Accept anywhere (bit 0), without a rectangle to stay quiet in.
            self.send(
                source,
                self.atoms.status,
                [
                    self.target as c_long,
                    1,
                    0,
                    0,
                    self.atoms.action_copy as c_long,
                ],
            );
        } else if kind == self.atoms.drop {
            self.source = source;
            let time = message.data.get_long(2) as xlib::Time;
            // SAFETY: a request on our own connection.
            unsafe {
                (self.xlib.XConvertSelection)(
                    self.display,
                    self.atoms.selection,
                    self.atoms.uri_list,
                    self.atoms.transfer,
                    self.window,
                    time,
                );
                (self.xlib.XFlush)(self.display);
            }
        }
    }

    /// The paths in the converted selection (empty if the conversion failed).
    fn read_selection(&self, selection: &xlib::XSelectionEvent) -> Vec<PathBuf> {
        if selection.property == 0 {
            return Vec::new();
        }
        let mut kind = 0;
        let mut format = 0;
        let mut items: c_ulong = 0;
        let mut remaining: c_ulong = 0;
        let mut data: *mut c_uchar = std::ptr::null_mut();
        // SAFETY: XGetWindowProperty allocates `data` (format 8: `items`
        // bytes), which is copied out and freed with XFree.
        let bytes = unsafe {
            (self.xlib.XGetWindowProperty)(
                self.display,
                self.window,
                self.atoms.transfer,
                0,
                1 << 20, // in 32-bit units: 4 MiB of paths is plenty
                xlib::True,
                xlib::AnyPropertyType as xlib::Atom,
                &mut kind,
                &mut format,
                &mut items,
                &mut remaining,
                &mut data,
            );
            if data.is_null() {
                return Vec::new();
            }
            let bytes = if format == 8 {
                std::slice::from_raw_parts(data, items as usize).to_vec()
            } else {
                Vec::new()
            };
            (self.xlib.XFree)(data.cast());
            bytes
        };
        parse_uri_list(&bytes)
    }

    /// Sends an XDND client message to `to`.
    fn send(&self, to: xlib::Window, kind: xlib::Atom, data: [c_long; 5]) {
        if to == 0 {
            return;
        }
        // SAFETY: a fully initialised client message sent on our connection.
        unsafe {
            let mut message: xlib::XClientMessageEvent = std::mem::zeroed();
            message.type_ = xlib::ClientMessage;
            message.display = self.display;
            message.window = to;
            message.message_type = kind;
            message.format = 32;
            for (i, value) in data.into_iter().enumerate() {
                message.data.set_long(i, value);
            }
            let mut event = xlib::XEvent::from(message);
            (self.xlib.XSendEvent)(self.display, to, xlib::False, xlib::NoEventMask, &mut event);
            (self.xlib.XFlush)(self.display);
        }
    }
}

/// The local paths in a `text/uri-list` (RFC 2483): one URI a line, `#`
/// lines are comments, and only `file:` URIs on this machine are paths.
/// Percent escapes are decoded (`my%20game.rom` is `my game.rom`).
pub fn parse_uri_list(list: &[u8]) -> Vec<PathBuf> {
    list.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line).trim_ascii())
        .filter(|line| !line.is_empty() && !line.starts_with(b"#"))
        .filter_map(file_uri_path)
        .collect()
}

/// `file:///a/b`, `file://localhost/a/b` or `file:/a/b` as `/a/b`.
fn file_uri_path(uri: &[u8]) -> Option<PathBuf> {
    let rest = uri.strip_prefix(b"file:")?;
    let path = match rest.strip_prefix(b"//") {
        // An authority: empty or localhost (a remote host is not ours).
        Some(after) => {
            let slash = after.iter().position(|&b| b == b'/')?;
            let host = &after[..slash];
            if !host.is_empty() && host != b"localhost" {
                return None;
            }
            &after[slash..]
        }
        None => rest,
    };
    if !path.starts_with(b"/") {
        return None;
    }
    let decoded: Vec<u8> = percent_encoding::percent_decode(path).collect();
    Some(PathBuf::from(OsString::from_vec(decoded)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_lists_become_paths() {
        let list = b"# dropped by a file manager\r\n\
                     file:///home/ada/my%20game.rom\r\n\
                     file://localhost/tmp/a.tal\r\n\
                     file://elsewhere/tmp/b.rom\r\n\
                     http://example.com/c.rom\r\n\
                     file:/tmp/caf%C3%A9.rom\n";
        assert_eq!(
            parse_uri_list(list),
            [
                PathBuf::from("/home/ada/my game.rom"),
                PathBuf::from("/tmp/a.tal"),
                PathBuf::from("/tmp/café.rom"),
            ]
        );
        assert!(parse_uri_list(b"").is_empty());
    }
}
