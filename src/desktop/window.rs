//! The window: minifb (X11) showing the machine's screen at an integer
//! zoom, resized when the ROM resizes its screen or the zoom changes (and
//! kept on the display), or fullscreen with the picture centred on black,
//! and paced at 60 frames a second by minifb's own limiter.

#![forbid(unsafe_code)]

use minifb::{MouseButton, MouseMode, ScaleMode, Window, WindowOptions};

use super::icon::Icon;
use super::keys::KeyQueue;
use super::pointer::Poll;
use super::x11::WindowControl;
use crate::varvara::screen::Picture;

/// The largest zoom of a window (`--scale`, F1, the default).
pub const MAX_ZOOM: usize = 4;

/// What hop assumes when X does not tell the display's size.
const SOME_DISPLAY: (usize, usize) = (1280, 960);

/// Frames between two presents of an unchanged screen: minifb does not
/// redraw on Expose, so a window uncovered by another is repainted soon.
const REFRESH_FRAMES: u32 = 30;

/// The zoom hop picks for a screen: the largest, up to [`MAX_ZOOM`], at
/// which it fits 90 % of the display (leaving room for panels), at least 1.
pub fn default_zoom(size: (usize, usize), display: (usize, usize)) -> usize {
    largest_zoom(size, (display.0 * 9 / 10, display.1 * 9 / 10), MAX_ZOOM)
}

/// The largest zoom from 1 to `most` at which `size` fits in `room`; 1 if none.
pub fn largest_zoom(size: (usize, usize), room: (usize, usize), most: usize) -> usize {
    (1..=most)
        .rev()
        .find(|z| size.0 * z <= room.0 && size.1 * z <= room.1)
        .unwrap_or(1)
}

/// Where the picture goes in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub zoom: usize,
    /// The picture's top-left corner in the window.
    pub offset: (usize, usize),
    /// The window's size.
    pub window: (usize, usize),
}

impl View {
    /// A window of the picture's own size.
    pub fn windowed(size: (usize, usize), zoom: usize) -> View {
        View {
            zoom,
            offset: (0, 0),
            window: (size.0 * zoom, size.1 * zoom),
        }
    }

    /// The whole display, the picture centred at the largest zoom that fits.
    pub fn fullscreen(size: (usize, usize), display: (usize, usize)) -> View {
        let zoom = largest_zoom(size, display, 64);
        let centre = |room: usize, len: usize| room.saturating_sub(len * zoom) / 2;
        View {
            zoom,
            offset: (centre(display.0, size.0), centre(display.1, size.1)),
            window: display,
        }
    }
}

pub struct Desktop {
    window: Window,
    control: Option<WindowControl>,
    /// The zoom of the window when not fullscreen.
    zoom: usize,
    /// The zoom was chosen (`--scale` or F1): a resized screen keeps it.
    zoom_fixed: bool,
    /// Fullscreen: where the window was before.
    fullscreen: Option<(i32, i32)>,
    /// The window's size as minifb saw it when fullscreen began: until X
    /// reports another, the new size is not known.
    size_before_fullscreen: (usize, usize),
    view: View,
    /// The machine's screen size, in its pixels.
    size: (usize, usize),
    /// The picture handed to minifb, the window's size.
    buffer: Vec<u32>,
    /// Present the whole buffer at the next call (size or zoom changed).
    redraw: bool,
    since_present: u32,
    title: String,
    /// The icon shown: None for hop's own, Some for the ROM's.
    icon: Option<Option<Icon>>,
    cursor_hidden: bool,
}

impl Desktop {
    /// Opens the window for a screen of `size`, at `zoom` or else the
    /// default zoom for the display.
    pub fn open(
        title: &str,
        size: (usize, usize),
        zoom: Option<usize>,
        keys: KeyQueue,
    ) -> Result<Desktop, String> {
        let mut control = WindowControl::connect();
        let display = control
            .as_ref()
            .map_or(SOME_DISPLAY, WindowControl::display_size);
        let zoom_fixed = zoom.is_some();
        let zoom = zoom.unwrap_or_else(|| default_zoom(size, display));
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
        if let Some(control) = &mut control {
            control.attach(window.get_window_handle() as std::ffi::c_ulong);
            control.set_identity();
        }
        let view = View::windowed(size, zoom);
        let mut desktop = Desktop {
            window,
            control,
            zoom,
            zoom_fixed,
            fullscreen: None,
            size_before_fullscreen: (0, 0),
            view,
            size,
            buffer: Vec::new(),
            redraw: true,
            since_present: 0,
            title: title.to_string(),
            icon: None,
            cursor_hidden: false,
        };
        // A zoom from the command line may not fit: keep the window inside.
        desktop.resize();
        desktop.set_icon(None);
        Ok(desktop)
    }

    fn display(&self) -> (usize, usize) {
        self.control
            .as_ref()
            .map_or(SOME_DISPLAY, WindowControl::display_size)
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

    /// The zoom the picture is shown at now.
    pub fn zoom(&self) -> usize {
        self.view.zoom
    }

    /// F1: the next zoom that fits the display (1, 2, ... back to 1); the
    /// zoom is then kept for new ROMs. Fullscreen has its own zoom.
    pub fn cycle_zoom(&mut self) {
        if self.fullscreen.is_some() {
            return;
        }
        self.zoom_fixed = true;
        let most = largest_zoom(self.size, self.display(), MAX_ZOOM);
        self.zoom = self.zoom % most + 1;
        self.resize();
    }

    /// F11: fullscreen or back to the window as it was.
    pub fn toggle_fullscreen(&mut self) {
        let on = self.fullscreen.is_none();
        self.set_fullscreen(on);
    }

    pub fn set_fullscreen(&mut self, on: bool) {
        let Some(control) = &self.control else {
            return;
        };
        if on == self.fullscreen.is_some() {
            return;
        }
        if on {
            self.fullscreen = Some(control.position());
            self.size_before_fullscreen = self.window.get_size();
            control.set_fullscreen(true);
            // Without a window manager the request does nothing: hop sets
            // the geometry itself. A window manager picks the monitor and
            // its size, which the view then follows (see `present`).
            if !control.has_window_manager() {
                let display = control.display_size();
                control.place(Some((0, 0)), display.0, display.1);
            }
        } else {
            let at = self.fullscreen.take();
            control.set_fullscreen(false);
            let (w, h) = (self.size.0 * self.zoom, self.size.1 * self.zoom);
            control.place(at, w, h);
        }
        self.resize();
    }

    pub fn set_title(&mut self, title: &str) {
        if title != self.title {
            self.window.set_title(title);
            self.title = title.to_string();
        }
    }

    /// Shows the ROM's icon, or hop's when it has none (sent to X only on
    /// a change).
    pub fn set_icon(&mut self, icon: Option<Icon>) {
        if self.icon.as_ref() != Some(&icon) {
            if let Some(control) = &self.control {
                let shown = icon.clone().unwrap_or_else(Icon::hop);
                control.set_icon(&shown.net_wm_icon());
            }
            self.icon = Some(icon);
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

    /// The picture's top-left corner in the window (not at 0, 0 only for
    /// the black border around a fullscreen picture).
    pub fn offset(&self) -> (f32, f32) {
        (self.view.offset.0 as f32, self.view.offset.1 as f32)
    }

    /// The mouse in window pixels, and whether it is over the picture.
    pub fn poll_mouse(&self) -> Poll {
        let raw = self
            .window
            .get_unscaled_mouse_pos(MouseMode::Pass)
            .unwrap_or((-1.0, -1.0));
        let position = (
            raw.0 - self.view.offset.0 as f32,
            raw.1 - self.view.offset.1 as f32,
        );
        let (w, h) = (self.size.0 * self.view.zoom, self.size.1 * self.view.zoom);
        let inside = position.0 >= 0.0
            && position.1 >= 0.0
            && position.0 < w as f32
            && position.1 < h as f32;
        Poll {
            position: raw,
            inside,
            buttons: [MouseButton::Left, MouseButton::Middle, MouseButton::Right]
                .map(|b| self.window.get_mouse_down(b)),
            wheel: self.window.get_scroll_wheel(),
        }
    }

    /// A new screen size or zoom: a new view, a black buffer, and the
    /// window resized (inside the display) unless fullscreen.
    fn resize(&mut self) {
        self.view = if self.fullscreen.is_some() {
            View::fullscreen(self.size, self.display())
        } else {
            View::windowed(self.size, self.zoom)
        };
        let (w, h) = self.view.window;
        self.buffer = vec![0; w * h];
        if self.fullscreen.is_none()
            && let Some(control) = &self.control
        {
            control.resize(w, h);
        }
        self.redraw = true;
    }

    /// Shows the picture (what changed in it, or all of it after a resize or
    /// a zoom change), handles the window's events and waits for the next
    /// 60 Hz tick.
    pub fn present(&mut self, picture: Picture<'_>) {
        if (picture.width, picture.height) != self.size {
            self.size = (picture.width, picture.height);
            if !self.zoom_fixed {
                self.zoom = default_zoom(self.size, self.display());
            }
            self.resize();
        }
        // Fullscreen under a window manager: the size it gave the window.
        let given = self.window.get_size();
        if self.fullscreen.is_some()
            && given != self.view.window
            && given != self.size_before_fullscreen
            && given.0 * given.1 > 0
        {
            self.view = View::fullscreen(self.size, given);
            self.buffer = vec![0; given.0 * given.1];
            self.redraw = true;
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
            picture.changed
        };
        self.since_present += 1;
        if let Some(rect) = dirty {
            self.scale(picture.pixels, rect);
        }
        // After a resize minifb reallocates its image when X confirms the
        // new size; until then keep presenting the whole picture.
        let (w, h) = self.view.window;
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

    /// Copies `rect` of the screen into the zoomed picture in the buffer.
    fn scale(&mut self, pixels: &[u32], rect: crate::varvara::screen::Rect) {
        let View {
            zoom,
            offset,
            window,
        } = self.view;
        let (sw, bw) = (self.size.0, window.0);
        let (x0, x1) = (rect.x0, rect.x1.min(sw));
        if x0 >= x1 {
            return;
        }
        // The picture's columns for `rect`, from the start of a buffer row.
        let (left, right) = (offset.0 + x0 * zoom, offset.0 + x1 * zoom);
        for y in rect.y0..rect.y1.min(self.size.1) {
            let src = &pixels[y * sw + x0..y * sw + x1];
            let row = (offset.1 + y * zoom) * bw;
            let first = &mut self.buffer[row + left..row + right];
            for (chunk, &p) in first.chunks_exact_mut(zoom).zip(src) {
                chunk.fill(p);
            }
            for dy in 1..zoom {
                let (done, rest) = self.buffer.split_at_mut(row + dy * bw);
                rest[left..right].copy_from_slice(&done[row + left..row + right]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_zoom_is_the_largest_that_fits_90_percent_up_to_4() {
        assert_eq!(default_zoom((256, 160), (3840, 2160)), 4);
        assert_eq!(default_zoom((256, 160), (1280, 1024)), 4);
        assert_eq!(default_zoom((256, 160), (800, 600)), 2);
        assert_eq!(default_zoom((1360, 716), (1920, 1080)), 1);
        assert_eq!(default_zoom((4000, 100), (1920, 1080)), 1, "at least 1");
    }

    #[test]
    fn fullscreen_centres_the_largest_zoom() {
        let view = View::fullscreen((256, 160), (1920, 1080));
        assert_eq!(view.zoom, 6);
        assert_eq!(view.offset, ((1920 - 1536) / 2, (1080 - 960) / 2));
        assert_eq!(view.window, (1920, 1080));
    }
}
