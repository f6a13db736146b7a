//! What minifb cannot do to its own window: resize it (when the ROM resizes
//! its screen or the zoom changes) while keeping it on the display, make it
//! fullscreen, name its class and process, give it an icon, and tell the
//! size of the display. A second X connection, used from the main thread
//! only, acts on the minifb window by its id; minifb then sees the
//! ConfigureNotify and reallocates its image.
//!
//! This file, `xdnd.rs` and `xinput.rs` are the only places with `unsafe`:
//! Xlib calls.

// The X11 edge: Xlib calls, each `unsafe` block with its `// SAFETY:`.
#![allow(unsafe_code)]

use std::ffi::{CString, c_long, c_ulong};

use x11_dl::xlib;

pub struct WindowControl {
    xlib: xlib::Xlib,
    display: *mut xlib::Display,
    /// 0 until [`WindowControl::attach`].
    window: xlib::Window,
}

/// `_NET_WM_STATE` actions (EWMH).
const NET_WM_STATE_REMOVE: c_long = 0;
const NET_WM_STATE_ADD: c_long = 1;

impl WindowControl {
    /// A connection to the default display (before the window exists, so
    /// that its size can be chosen from the display's).
    pub fn connect() -> Option<WindowControl> {
        let xlib = xlib::Xlib::open().ok()?;
        // SAFETY: XOpenDisplay with the default display name.
        let display = unsafe { (xlib.XOpenDisplay)(std::ptr::null()) };
        if display.is_null() {
            return None;
        }
        Some(WindowControl {
            xlib,
            display,
            window: 0,
        })
    }

    /// From now on, act on window `window` (minifb's handle).
    pub fn attach(&mut self, window: c_ulong) {
        self.window = window;
    }

    /// The size of the default screen in pixels.
    pub fn display_size(&self) -> (usize, usize) {
        // SAFETY: queries on our live connection.
        unsafe {
            let screen = (self.xlib.XDefaultScreen)(self.display);
            (
                (self.xlib.XDisplayWidth)(self.display, screen) as usize,
                (self.xlib.XDisplayHeight)(self.display, screen) as usize,
            )
        }
    }

    /// Where the window's top-left corner is on the display.
    pub fn position(&self) -> (i32, i32) {
        let (mut x, mut y, mut child) = (0, 0, 0);
        // SAFETY: a query on our live connection for a window id that
        // minifb keeps alive; the out-pointers are locals.
        unsafe {
            let root = (self.xlib.XDefaultRootWindow)(self.display);
            (self.xlib.XTranslateCoordinates)(
                self.display,
                self.window,
                root,
                0,
                0,
                &mut x,
                &mut y,
                &mut child,
            );
        }
        (x, y)
    }

    /// Resizes the window to exactly `width` x `height`, moving it back
    /// inside the display if it would stick out (a ROM that grows its
    /// screen, or F1, would otherwise push it off the right or the bottom).
    /// A window that fits is not moved: under a window manager the frame's
    /// title bar would make each move drift.
    pub fn resize(&self, width: usize, height: usize) {
        let (x, y) = self.position();
        let (dw, dh) = self.display_size();
        let inside = |at: i32, len: usize, room: usize| {
            let most = room.saturating_sub(len) as i32;
            at.clamp(0, most.max(0))
        };
        let to = (inside(x, width, dw), inside(y, height, dh));
        self.place((to != (x, y)).then_some(to), width, height);
    }

    /// Resizes the window, and moves it to `at` if given. minifb pins the
    /// size with min = max size hints (the window is not user-resizable),
    /// so the hints move with it or a window manager would refuse.
    pub fn place(&self, at: Option<(i32, i32)>, width: usize, height: usize) {
        let (w, h) = (width.max(1) as i32, height.max(1) as i32);
        self.pin_size(Some((w, h)));
        // SAFETY: requests on our live connection for a window id that
        // minifb keeps alive.
        unsafe {
            match at {
                Some((x, y)) => (self.xlib.XMoveResizeWindow)(
                    self.display,
                    self.window,
                    x,
                    y,
                    w as u32,
                    h as u32,
                ),
                None => (self.xlib.XResizeWindow)(self.display, self.window, w as u32, h as u32),
            };
            (self.xlib.XFlush)(self.display);
        }
    }

    /// Sets min = max size hints to `size`, or none (so that a window
    /// manager may make the window fullscreen).
    fn pin_size(&self, size: Option<(i32, i32)>) {
        // SAFETY: a zeroed XSizeHints filled in, sent on our live
        // connection for a window id that minifb keeps alive.
        unsafe {
            let mut hints: xlib::XSizeHints = std::mem::zeroed();
            if let Some((w, h)) = size {
                hints.flags = xlib::PMinSize | xlib::PMaxSize;
                hints.min_width = w;
                hints.max_width = w;
                hints.min_height = h;
                hints.max_height = h;
            }
            (self.xlib.XSetWMNormalHints)(self.display, self.window, &mut hints);
        }
    }

    /// Whether an EWMH window manager runs (it names its check window on
    /// the root window).
    pub fn has_window_manager(&self) -> bool {
        let check = self.atom("_NET_SUPPORTING_WM_CHECK");
        let (mut kind, mut format, mut items, mut after) = (0, 0, 0, 0);
        let mut data: *mut u8 = std::ptr::null_mut();
        // SAFETY: a property query on our live connection; the out-pointers
        // are locals, and the data Xlib allocates is freed here.
        unsafe {
            let root = (self.xlib.XDefaultRootWindow)(self.display);
            let status = (self.xlib.XGetWindowProperty)(
                self.display,
                root,
                check,
                0,
                1,
                xlib::False,
                xlib::XA_WINDOW,
                &mut kind,
                &mut format,
                &mut items,
                &mut after,
                &mut data,
            );
            if !data.is_null() {
                (self.xlib.XFree)(data.cast());
            }
            status == xlib::Success as i32 && items > 0
        }
    }

    /// Asks the window manager for fullscreen (or back), by the EWMH
    /// `_NET_WM_STATE` message, with the size unpinned while fullscreen.
    /// Without a window manager nothing answers: the caller then also sets
    /// the geometry itself.
    pub fn set_fullscreen(&self, on: bool) {
        if on {
            self.pin_size(None);
        }
        let state = self.atom("_NET_WM_STATE");
        let fullscreen = self.atom("_NET_WM_STATE_FULLSCREEN");
        // SAFETY: a zeroed client message filled in, sent on our live
        // connection to the root window as EWMH prescribes.
        unsafe {
            let mut event: xlib::XEvent = std::mem::zeroed();
            let message = &mut event.client_message;
            message.type_ = xlib::ClientMessage;
            message.window = self.window;
            message.message_type = state;
            message.format = 32;
            let action = if on {
                NET_WM_STATE_ADD
            } else {
                NET_WM_STATE_REMOVE
            };
            let data = message.data.as_longs_mut();
            data[0] = action;
            data[1] = fullscreen as c_long;
            data[2] = 0;
            data[3] = 1; // source: a normal application
            let root = (self.xlib.XDefaultRootWindow)(self.display);
            (self.xlib.XSendEvent)(
                self.display,
                root,
                xlib::False,
                xlib::SubstructureRedirectMask | xlib::SubstructureNotifyMask,
                &mut event,
            );
            if on {
                (self.xlib.XRaiseWindow)(self.display, self.window);
            }
            (self.xlib.XFlush)(self.display);
        }
    }

    /// Names the window for the desktop: `WM_CLASS` (`hop`, `Hop`: what
    /// docks and window rules match on) and `_NET_WM_PID`.
    pub fn set_identity(&self) {
        let (name, class) = (c"hop", c"Hop");
        let pid = [std::process::id() as c_long];
        // SAFETY: XSetClassHint copies the two strings, which outlive the
        // call; the PID property is one format-32 item (a C long for Xlib).
        unsafe {
            let mut hint = xlib::XClassHint {
                res_name: name.as_ptr().cast_mut(),
                res_class: class.as_ptr().cast_mut(),
            };
            (self.xlib.XSetClassHint)(self.display, self.window, &mut hint);
        }
        self.set_cardinals("_NET_WM_PID", &pid);
    }

    /// Sets `_NET_WM_ICON`: width, height, then ARGB pixels, for each size.
    pub fn set_icon(&self, data: &[c_ulong]) {
        let longs: Vec<c_long> = data.iter().map(|&v| v as c_long).collect();
        self.set_cardinals("_NET_WM_ICON", &longs);
    }

    fn set_cardinals(&self, property: &str, values: &[c_long]) {
        let property = self.atom(property);
        let cardinal = self.atom("CARDINAL");
        // SAFETY: format-32 data is an array of C longs for Xlib; `values`
        // holds `values.len()` of them and outlives the call.
        unsafe {
            (self.xlib.XChangeProperty)(
                self.display,
                self.window,
                property,
                cardinal,
                32,
                xlib::PropModeReplace,
                values.as_ptr().cast(),
                values.len() as i32,
            );
            (self.xlib.XFlush)(self.display);
        }
    }

    fn atom(&self, name: &str) -> xlib::Atom {
        let name = CString::new(name).unwrap_or_default();
        // SAFETY: a NUL-terminated name, on our live connection.
        unsafe { (self.xlib.XInternAtom)(self.display, name.as_ptr(), xlib::False) }
    }
}

impl Drop for WindowControl {
    fn drop(&mut self) {
        // SAFETY: the connection is ours and used no more.
        unsafe {
            (self.xlib.XCloseDisplay)(self.display);
        }
    }
}
