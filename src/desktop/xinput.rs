//! The mouse and focus as X reports them, event by event. minifb only lets
//! hop poll the buttons once a frame, so a click shorter than a frame (a
//! touchpad tap, `xdotool click`) vanished, and a fast stroke was sampled
//! at 60 Hz. A second X connection selects XInput2 button and motion
//! events on the minifb window: X then delivers them to this connection
//! instead of minifb's (XInput2 selections win over core ones, and the
//! implicit grab of a press follows), so every press, release, wheel notch
//! and motion arrives here, in order, with its position. It also selects
//! the core focus and crossing events (which any number of clients may),
//! so that keys held when the window loses the focus can be released: with
//! a window manager the focus moves; without one (X's PointerRoot focus)
//! it goes where the pointer goes.
//!
//! Polled from the main loop once a frame, without blocking: no thread, no
//! extra wake-ups. When XInput2 is missing (no libXi, an old server), hop
//! falls back to minifb's polling.
//!
//! With `x11.rs` and `xdnd.rs`, the only places with `unsafe`: Xlib calls.

// The X11 edge: Xlib calls, each `unsafe` block with its `// SAFETY:`.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_uchar, c_ulong};

use x11_dl::xinput2::{self, XInput2};
use x11_dl::xlib;

/// One thing X reported, in window pixels (not yet divided by the zoom).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum XEvent {
    /// A button pressed (`down`) or released: 1 left, 2 middle, 3 right,
    /// 4-7 the wheel (up, down, left, right), others ignored.
    Button {
        button: u32,
        down: bool,
        x: f64,
        y: f64,
    },
    /// The pointer moved over the window (or anywhere while a button
    /// pressed in it is held).
    Motion { x: f64, y: f64 },
    /// The window lost the keyboard focus. `by_pointer`: the focus follows
    /// the pointer (no window manager), which left the window; a drag in
    /// progress still belongs to the window.
    FocusOut { by_pointer: bool },
    /// The window got the keyboard focus back.
    FocusIn,
}

pub struct XInput {
    xlib: xlib::Xlib,
    display: *mut xlib::Display,
    /// XInput's major opcode: its events are generic events with this
    /// extension number.
    opcode: c_int,
    window: xlib::Window,
}

impl XInput {
    /// A connection taking the mouse and focus events of `window`, or None
    /// when XInput2 is not available (minifb's polling is used instead).
    pub fn open(window: c_ulong) -> Option<XInput> {
        let xlib = xlib::Xlib::open().ok()?;
        let xi = XInput2::open().ok()?;
        // SAFETY: XOpenDisplay with the default display name.
        let display = unsafe { (xlib.XOpenDisplay)(std::ptr::null()) };
        if display.is_null() {
            return None;
        }
        let mut input = XInput {
            xlib,
            display,
            opcode: 0,
            window,
        };
        // Dropping `input` closes the connection when X refuses.
        input.opcode = input.select(&xi)?;
        Some(input)
    }

    /// Selects the events; XInput's opcode, or None if X refused.
    fn select(&self, xi: &XInput2) -> Option<c_int> {
        let (mut opcode, mut event, mut error) = (0, 0, 0);
        let (mut major, mut minor) = (2, 0);
        let mut bits = [0 as c_uchar; 4];
        for event in [
            xinput2::XI_ButtonPress,
            xinput2::XI_ButtonRelease,
            xinput2::XI_Motion,
        ] {
            xinput2::XISetMask(&mut bits, event);
        }
        let mut mask = xinput2::XIEventMask {
            deviceid: xinput2::XIAllMasterDevices,
            mask_len: bits.len() as c_int,
            mask: bits.as_mut_ptr(),
        };
        // SAFETY: requests on our live connection; every pointer is to a
        // local that outlives the call; the window id is minifb's, alive
        // while the Desktop is.
        unsafe {
            if (self.xlib.XQueryExtension)(
                self.display,
                c"XInputExtension".as_ptr(),
                &mut opcode,
                &mut event,
                &mut error,
            ) == 0
                || (xi.XIQueryVersion)(self.display, &mut major, &mut minor) != 0
            {
                return None;
            }
            let core = xlib::FocusChangeMask | xlib::EnterWindowMask | xlib::LeaveWindowMask;
            (self.xlib.XSelectInput)(self.display, self.window, core);
            (xi.XISelectEvents)(self.display, self.window, &mut mask, 1);
            (self.xlib.XSync)(self.display, 0);
        }
        Some(opcode)
    }

    /// Everything X reported since the last call, in order.
    pub fn poll(&mut self, out: &mut Vec<XEvent>) {
        // SAFETY: our live connection; XNextEvent only runs when an event
        // is queued, so it does not block; a generic event's data is read
        // between XGetEventData and XFreeEventData, as an XIDeviceEvent
        // only for the device event types, which are that struct.
        unsafe {
            while (self.xlib.XPending)(self.display) > 0 {
                let mut event: xlib::XEvent = std::mem::zeroed();
                (self.xlib.XNextEvent)(self.display, &mut event);
                match event.get_type() {
                    xlib::FocusOut if real_focus_change(&event.focus_change) => {
                        out.push(XEvent::FocusOut { by_pointer: false })
                    }
                    xlib::FocusIn if real_focus_change(&event.focus_change) => {
                        out.push(XEvent::FocusIn)
                    }
                    xlib::LeaveNotify
                        if event.crossing.detail != xlib::NotifyInferior
                            && self.focus_follows_pointer() =>
                    {
                        out.push(XEvent::FocusOut { by_pointer: true })
                    }
                    xlib::EnterNotify
                        if event.crossing.detail != xlib::NotifyInferior
                            && self.focus_follows_pointer() =>
                    {
                        out.push(XEvent::FocusIn)
                    }
                    xlib::GenericEvent => {
                        let mut cookie = event.generic_event_cookie;
                        if cookie.extension != self.opcode
                            || (self.xlib.XGetEventData)(self.display, &mut cookie) == 0
                        {
                            continue;
                        }
                        let device = &*(cookie.data as *const xinput2::XIDeviceEvent);
                        let (x, y) = (device.event_x, device.event_y);
                        let button = device.detail as u32;
                        match cookie.evtype {
                            xinput2::XI_ButtonPress => out.push(XEvent::Button {
                                button,
                                down: true,
                                x,
                                y,
                            }),
                            xinput2::XI_ButtonRelease => out.push(XEvent::Button {
                                button,
                                down: false,
                                x,
                                y,
                            }),
                            xinput2::XI_Motion => out.push(XEvent::Motion { x, y }),
                            _ => {}
                        }
                        (self.xlib.XFreeEventData)(self.display, &mut cookie);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Whether the keys go to the window under the pointer (X's
    /// PointerRoot focus, as with no window manager), so that the pointer
    /// leaving the window takes the keyboard with it.
    fn focus_follows_pointer(&self) -> bool {
        let (mut focus, mut revert) = (0, 0);
        // SAFETY: a query on our live connection into two locals.
        unsafe { (self.xlib.XGetInputFocus)(self.display, &mut focus, &mut revert) };
        focus == xlib::PointerRoot as xlib::Window
    }

    /// Which of `keysyms` are held down right now (a keyboard's real state,
    /// read when the window gets the focus back).
    pub fn held(&self, keysyms: &[u32]) -> Vec<bool> {
        let mut keymap = [0 as std::ffi::c_char; 32];
        // SAFETY: queries on our live connection into a 32-byte keymap, as
        // XQueryKeymap expects.
        unsafe {
            (self.xlib.XQueryKeymap)(self.display, keymap.as_mut_ptr());
            keysyms
                .iter()
                .map(|&sym| {
                    let code = (self.xlib.XKeysymToKeycode)(self.display, sym as c_ulong) as usize;
                    code != 0 && keymap[code / 8] as u8 & (1 << (code % 8)) != 0
                })
                .collect()
        }
    }
}

/// A focus change of the window itself: not one between its inferiors,
/// nor the pointer-root bookkeeping X sends alongside.
fn real_focus_change(event: &xlib::XFocusChangeEvent) -> bool {
    event.detail != xlib::NotifyInferior && event.detail != xlib::NotifyPointer
}

impl Drop for XInput {
    fn drop(&mut self) {
        // SAFETY: the connection is ours and used no more.
        unsafe {
            (self.xlib.XCloseDisplay)(self.display);
        }
    }
}

/// Makes minifb's connection follow keyboard mapping changes (a layout
/// switch, or xdotool binding a spare key to type a character). minifb
/// ignores X's MappingNotify, so its Xlib kept translating keys with the
/// keymap it loaded first. Asking XKB for its map notifications on that
/// connection makes Xlib mark the map stale as the notification is read,
/// ahead of the key events that follow it, and reload it before the next
/// lookup.
pub fn follow_keymap(minifb_display: *mut std::ffi::c_void) {
    let Ok(xlib) = xlib::Xlib::open() else { return };
    if minifb_display.is_null() {
        return;
    }
    // SAFETY: `minifb_display` is minifb's live Xlib connection, used on
    // this (the main) thread only, as minifb uses it; the request only
    // changes which XKB events it receives, which minifb ignores.
    unsafe {
        (xlib.XkbSelectEvents)(
            minifb_display.cast(),
            XKB_USE_CORE_KBD,
            xlib::XkbMapNotifyMask,
            xlib::XkbMapNotifyMask,
        );
    }
}

/// XKB's name for the core keyboard (XKB.h; x11-dl lacks it).
const XKB_USE_CORE_KBD: std::ffi::c_uint = 0x0100;
