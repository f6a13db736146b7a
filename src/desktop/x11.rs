//! What minifb cannot do to its own window: resize it (when the ROM resizes
//! its screen or the zoom changes) and tell the size of the display. A
//! second X connection, used from the main thread only, acts on the minifb
//! window by its id; minifb then sees the ConfigureNotify and reallocates
//! its image.
//!
//! This file and `xdnd.rs` are the only places with `unsafe`: Xlib calls.

use std::ffi::c_ulong;

use x11_dl::xlib;

pub struct WindowControl {
    xlib: xlib::Xlib,
    display: *mut xlib::Display,
    window: xlib::Window,
}

impl WindowControl {
    /// A connection acting on window `window` (minifb's handle).
    pub fn open(window: c_ulong) -> Option<WindowControl> {
        let xlib = xlib::Xlib::open().ok()?;
        // SAFETY: XOpenDisplay with the default display name.
        let display = unsafe { (xlib.XOpenDisplay)(std::ptr::null()) };
        if display.is_null() {
            return None;
        }
        Some(WindowControl {
            xlib,
            display,
            window,
        })
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

    /// Resizes the window to exactly `width` x `height`. minifb pins the
    /// size with min = max size hints (the window is not user-resizable), so
    /// the hints move with it or a window manager would refuse.
    pub fn resize(&self, width: usize, height: usize) {
        let (w, h) = (width.max(1) as i32, height.max(1) as i32);
        // SAFETY: a zeroed XSizeHints filled in, and requests on our live
        // connection for a window id that minifb keeps alive.
        unsafe {
            let mut hints: xlib::XSizeHints = std::mem::zeroed();
            hints.flags = xlib::PMinSize | xlib::PMaxSize;
            hints.min_width = w;
            hints.max_width = w;
            hints.min_height = h;
            hints.max_height = h;
            (self.xlib.XSetWMNormalHints)(self.display, self.window, &mut hints);
            (self.xlib.XResizeWindow)(self.display, self.window, w as u32, h as u32);
            (self.xlib.XFlush)(self.display);
        }
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
