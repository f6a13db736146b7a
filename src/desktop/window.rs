//! The window: minifb (X11) showing the machine's screen at an integer
//! zoom, resized when the ROM resizes its screen or the zoom changes, and
//! paced at 60 frames a second by minifb's own limiter.

use minifb::{MouseButton, MouseMode, ScaleMode, Window, WindowOptions};

use super::keys::KeyQueue;
use super::pointer::Poll;
use super::x11::WindowControl;
use crate::varvara::screen::Frame;

/// Zooms F1 cycles through.
pub const MAX_ZOOM: usize = 3;

/// Frames between two presents of an unchanged screen: minifb does not
/// redraw on Expose, so a window uncovered by another is repainted soon.
const REFRESH_FRAMES: u32 = 30;

pub struct Desktop {
    window: Window,
    control: Option<WindowControl>,
    zoom: usize,
    /// The machine's screen size, in its pixels.
    size: (usize, usize),
    /// The zoomed picture handed to minifb.
    buffer: Vec<u32>,
    /// Present the whole buffer at the next call (size or zoom changed).
    redraw: bool,
    since_present: u32,
    title: String,
    cursor_hidden: bool,
}

impl Desktop {
    pub fn open(
        title: &str,
        size: (usize, usize),
        zoom: usize,
        keys: KeyQueue,
    ) -> Result<Desktop, String> {
        let options = WindowOptions {
            scale_mode: ScaleMode::UpperLeft,
            ..WindowOptions::default()
        };
        let mut window = Window::new(title, size.0 * zoom, size.1 * zoom, options)
            .map_err(|e| format!("hop: cannot open a window: {e}"))?;
        // minifb's default limit is 250 frames a second.
        window.set_target_fps(60);
        window.set_input_callback(Box::new(keys));
        // minifb's requests (the window itself) may still sit in its Xlib
        // buffer; this flushes them, so the other connection finds the window.
        window.update();
        let control = WindowControl::open(window.get_window_handle() as std::ffi::c_ulong);
        Ok(Desktop {
            window,
            control,
            zoom,
            size,
            buffer: vec![0; size.0 * zoom * size.1 * zoom],
            redraw: true,
            since_present: 0,
            title: title.to_string(),
            cursor_hidden: false,
        })
    }

    /// The zoom hop picks for a screen: 2 when twice the screen fits the
    /// display comfortably (small screens), else 1.
    pub fn default_zoom(size: (usize, usize), display: Option<(usize, usize)>) -> usize {
        let (dw, dh) = display.unwrap_or((1280, 960));
        if size.0 * 2 <= dw * 9 / 10 && size.1 * 2 <= dh * 9 / 10 {
            2
        } else {
            1
        }
    }

    /// The size of the display, when X tells it.
    pub fn display_size(&self) -> Option<(usize, usize)> {
        self.control.as_ref().map(WindowControl::display_size)
    }

    /// The X window id (for the drag-and-drop helper).
    pub fn x_window(&self) -> std::ffi::c_ulong {
        self.window.get_window_handle() as std::ffi::c_ulong
    }

    /// minifb's Xlib connection (for [`super::xinput::follow_keymap`]).
    pub fn x_display(&self) -> *mut std::ffi::c_void {
        use raw_window_handle::{HasDisplayHandle, RawDisplayHandle};
        match self.window.display_handle().map(|h| h.as_raw()) {
            Ok(RawDisplayHandle::Xlib(xlib)) => {
                xlib.display.map_or(std::ptr::null_mut(), |d| d.as_ptr())
            }
            _ => std::ptr::null_mut(),
        }
    }

    pub fn is_open(&self) -> bool {
        self.window.is_open()
    }

    pub fn zoom(&self) -> usize {
        self.zoom
    }

    pub fn set_zoom(&mut self, zoom: usize) {
        if zoom != self.zoom {
            self.zoom = zoom.clamp(1, MAX_ZOOM);
            self.resize();
        }
    }

    pub fn set_title(&mut self, title: &str) {
        if title != self.title {
            self.window.set_title(title);
            self.title = title.to_string();
        }
    }

    /// Hides the OS cursor over the window (once the ROM uses the mouse).
    /// minifb makes a new X cursor on every call, so only call on a change.
    pub fn hide_cursor(&mut self, hide: bool) {
        if hide != self.cursor_hidden {
            self.window.set_cursor_visibility(!hide);
            self.cursor_hidden = hide;
        }
    }

    pub fn poll_mouse(&self) -> Poll {
        let position = self
            .window
            .get_unscaled_mouse_pos(MouseMode::Pass)
            .unwrap_or((-1.0, -1.0));
        let (w, h) = (self.size.0 * self.zoom, self.size.1 * self.zoom);
        let inside = position.0 >= 0.0
            && position.1 >= 0.0
            && position.0 < w as f32
            && position.1 < h as f32;
        Poll {
            position,
            inside,
            buttons: [MouseButton::Left, MouseButton::Middle, MouseButton::Right]
                .map(|b| self.window.get_mouse_down(b)),
            wheel: self.window.get_scroll_wheel(),
        }
    }

    fn resize(&mut self) {
        let (w, h) = (self.size.0 * self.zoom, self.size.1 * self.zoom);
        self.buffer = vec![0; w * h];
        if let Some(control) = &self.control {
            control.resize(w, h);
        }
        self.redraw = true;
    }

    /// Shows the frame (what changed in it, or all of it after a resize or
    /// a zoom change), handles the window's events and waits for the next
    /// 60 Hz tick.
    pub fn present(&mut self, frame: Frame<'_>) {
        if (frame.width, frame.height) != self.size {
            self.size = (frame.width, frame.height);
            self.resize();
        }
        let whole = crate::varvara::screen::Rect {
            x0: 0,
            y0: 0,
            x1: self.size.0,
            y1: self.size.1,
        };
        let dirty = if self.redraw {
            Some(whole)
        } else {
            frame.changed
        };
        self.since_present += 1;
        if let Some(rect) = dirty {
            self.scale(frame.pixels, rect);
        }
        // After a resize minifb reallocates its image when X confirms the
        // new size; until then keep presenting the whole picture.
        let (w, h) = (self.size.0 * self.zoom, self.size.1 * self.zoom);
        self.redraw = self.window.get_size() != (w, h);
        if dirty.is_some() || self.since_present >= REFRESH_FRAMES {
            self.since_present = 0;
            // An error here means a buffer of the wrong size, which the
            // sizes above rule out; the next frame presents again.
            let _ = self.window.update_with_buffer(&self.buffer, w, h);
        } else {
            self.window.update();
        }
    }

    /// Copies `rect` of the screen into the zoomed buffer.
    fn scale(&mut self, pixels: &[u32], rect: crate::varvara::screen::Rect) {
        let zoom = self.zoom;
        let (sw, bw) = (self.size.0, self.size.0 * zoom);
        for y in rect.y0..rect.y1.min(self.size.1) {
            let src = &pixels[y * sw + rect.x0..y * sw + rect.x1.min(sw)];
            let row = y * zoom * bw;
            let first = &mut self.buffer[row + rect.x0 * zoom..row + rect.x1.min(sw) * zoom];
            for (chunk, &p) in first.chunks_exact_mut(zoom).zip(src) {
                chunk.fill(p);
            }
            for dy in 1..zoom {
                let (done, rest) = self.buffer.split_at_mut(row + dy * bw);
                let from = &done[row + rect.x0 * zoom..row + rect.x1.min(sw) * zoom];
                rest[rect.x0 * zoom..rect.x0 * zoom + from.len()].copy_from_slice(from);
            }
        }
    }
}
