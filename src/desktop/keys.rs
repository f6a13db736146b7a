//! The keyboard: minifb's key presses, releases and text, in the order they
//! happened, become Controller events and hop's own function keys.
//!
//! Ctrl is A, Alt is B, Shift is Select, Home is Start and the arrows are
//! the d-pad, on either side of the keyboard. Typed text becomes key bytes.
//! Keys whose byte is a control character (Return 0x0d, Backspace 0x08,
//! Tab 0x09, Escape 0x1b, Delete 0x7f) send it when pressed, and with Ctrl
//! held a letter key sends its letter (upper case with Shift), so Left's
//! and Orca's Ctrl shortcuts arrive as `n`, `s`, `o`, `z`... The text minifb
//! reports for those presses (control characters) is dropped, so nothing
//! arrives twice. Text beyond ASCII arrives as its UTF-8 bytes, one key
//! event each, as the reference sends it.
//!
//! A key tapped within one frame (pressed and released before the screen
//! vector runs) would be invisible to a ROM that reads Controller/button in
//! its screen vector; as in the reference, the release and everything after
//! it wait for the next frame. When the window loses the focus, every held
//! button is released (the keys' releases go to another window); when it
//! gets it back, the keys really held are pressed.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use minifb::{InputCallback, Key};
use x11_dl::keysym;

use crate::varvara::Event;
use crate::varvara::controller::button;

/// One thing the keyboard did, as minifb (or, for the focus, X) reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKey {
    Key(Key, bool),
    Char(u32),
    /// The window lost the focus: every held key is let go.
    FocusOut,
    /// This key is held down as the window gets the focus back.
    Held(Key),
}

/// minifb's input callback: queues everything, in order, for the main loop.
pub struct KeyQueue(pub Rc<RefCell<Vec<RawKey>>>);

impl InputCallback for KeyQueue {
    fn add_char(&mut self, uni_char: u32) {
        self.0.borrow_mut().push(RawKey::Char(uni_char));
    }

    fn set_key_state(&mut self, key: Key, state: bool) {
        self.0.borrow_mut().push(RawKey::Key(key, state));
    }
}

/// A function key hop handles itself (pressed, not released).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKey {
    /// F1: next zoom.
    Zoom,
    /// F2: print both stacks.
    Stacks,
    /// F3: quit.
    Quit,
    /// F4: reload the ROM from disk.
    Reload,
    /// F5: soft reset.
    Reset,
    /// F6: open dialog.
    Open,
    /// F9: save a snapshot of the machine beside the ROM.
    SaveState,
    /// Shift+F9: restore it.
    RestoreState,
    /// F8: the debugger's panel.
    Debugger,
    /// F10: start or stop a recording.
    Record,
    /// F11: fullscreen.
    Fullscreen,
    /// F12: screenshot.
    Screenshot,
}

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Machine(Event),
    Host(HostKey),
}

/// Turns raw keys into actions; remembers which modifiers and buttons are
/// held, and the keys that wait for the next frame.
#[derive(Debug, Default)]
pub struct Keyboard {
    ctrl: [bool; 2],
    shift: [bool; 2],
    /// The Controller buttons held down.
    held: u8,
    /// Those pressed because X said so as the focus came back: minifb may
    /// still report the press itself, which then is not a second press.
    assumed: u8,
    /// Raw keys after a tap's release, for the next frame.
    waiting: VecDeque<RawKey>,
}

impl Keyboard {
    pub fn new() -> Keyboard {
        Keyboard::default()
    }

    fn ctrl(&self) -> bool {
        self.ctrl[0] || self.ctrl[1]
    }

    fn shift(&self) -> bool {
        self.shift[0] || self.shift[1]
    }

    /// The actions of one frame's raw keys (after those left waiting by
    /// the last frame), appended to `out`. The release of a button pressed
    /// in this same frame, and what follows it, wait for the next frame.
    pub fn frame(&mut self, raw: impl IntoIterator<Item = RawKey>, out: &mut Vec<Action>) {
        self.waiting.extend(raw);
        let mut pressed = 0;
        while let Some(raw) = self.waiting.pop_front() {
            if let RawKey::Key(key, down) = raw
                && let Some(bit) = controller_button(key)
            {
                if !down && pressed & bit != 0 {
                    self.waiting.push_front(raw);
                    return;
                }
                if down {
                    pressed |= bit;
                }
            }
            self.translate(raw, out);
        }
    }

    /// The actions of one raw key, appended to `out`.
    pub fn translate(&mut self, raw: RawKey, out: &mut Vec<Action>) {
        match raw {
            RawKey::Key(key, down) => self.key(key, down, out),
            RawKey::Char(c) => {
                // With Ctrl held, key presses already sent the byte; control
                // characters come from key presses too.
                let Some(c) = char::from_u32(c).filter(|c| !c.is_control()) else {
                    return;
                };
                if !self.ctrl() {
                    let mut utf8 = [0; 4];
                    for &byte in c.encode_utf8(&mut utf8).as_bytes() {
                        out.push(Action::Machine(Event::Key(byte)));
                    }
                }
            }
            RawKey::FocusOut => {
                self.ctrl = [false; 2];
                self.shift = [false; 2];
                self.assumed = 0;
                if self.held != 0 {
                    out.push(Action::Machine(Event::ButtonUp(self.held)));
                    self.held = 0;
                }
            }
            RawKey::Held(key) => {
                if let Some(bit) = controller_button(key)
                    && self.held & bit == 0
                {
                    self.key(key, true, out);
                    self.assumed |= bit;
                }
            }
        }
    }

    fn key(&mut self, key: Key, down: bool, out: &mut Vec<Action>) {
        match key {
            Key::LeftCtrl => self.ctrl[0] = down,
            Key::RightCtrl => self.ctrl[1] = down,
            Key::LeftShift => self.shift[0] = down,
            Key::RightShift => self.shift[1] = down,
            _ => {}
        }
        if let Some(mask) = controller_button(key) {
            let assumed = self.assumed & mask != 0;
            self.assumed &= !mask;
            if down && assumed {
                return;
            }
            // A release of a button this machine never saw pressed (held
            // when hop reset or restored it, or released already at a
            // focus loss) is not the ROM's.
            if !down && self.held & mask == 0 {
                return;
            }
            out.push(Action::Machine(if down {
                self.held |= mask;
                Event::ButtonDown(mask)
            } else {
                self.held &= !mask;
                Event::ButtonUp(mask)
            }));
            return;
        }
        if !down {
            return;
        }
        if let Some(host) = host_key(key, self.shift()) {
            out.push(Action::Host(host));
        } else if let Some(byte) = control_byte(key) {
            out.push(Action::Machine(Event::Key(byte)));
        } else if self.ctrl()
            && let Some(byte) = plain_byte(key)
        {
            let byte = if self.shift() {
                byte.to_ascii_uppercase()
            } else {
                byte
            };
            out.push(Action::Machine(Event::Key(byte)));
        }
    }
}

/// The keys that hold a Controller button, and their X keysyms: the ones
/// whose real state is read when the window gets the focus back.
pub const BUTTON_KEYS: [(Key, std::ffi::c_uint); 11] = [
    (Key::LeftCtrl, keysym::XK_Control_L),
    (Key::RightCtrl, keysym::XK_Control_R),
    (Key::LeftAlt, keysym::XK_Alt_L),
    (Key::RightAlt, keysym::XK_Alt_R),
    (Key::LeftShift, keysym::XK_Shift_L),
    (Key::RightShift, keysym::XK_Shift_R),
    (Key::Home, keysym::XK_Home),
    (Key::Up, keysym::XK_Up),
    (Key::Down, keysym::XK_Down),
    (Key::Left, keysym::XK_Left),
    (Key::Right, keysym::XK_Right),
];

/// The Controller button a key holds down.
fn controller_button(key: Key) -> Option<u8> {
    Some(match key {
        Key::LeftCtrl | Key::RightCtrl => button::A,
        Key::LeftAlt | Key::RightAlt => button::B,
        Key::LeftShift | Key::RightShift => button::SELECT,
        Key::Home => button::START,
        Key::Up => button::UP,
        Key::Down => button::DOWN,
        Key::Left => button::LEFT,
        Key::Right => button::RIGHT,
        _ => return None,
    })
}

fn host_key(key: Key, shift: bool) -> Option<HostKey> {
    Some(match key {
        Key::F9 if shift => HostKey::RestoreState,
        Key::F9 => HostKey::SaveState,
        Key::F1 => HostKey::Zoom,
        Key::F2 => HostKey::Stacks,
        Key::F3 => HostKey::Quit,
        Key::F4 => HostKey::Reload,
        Key::F5 => HostKey::Reset,
        Key::F6 => HostKey::Open,
        Key::F8 => HostKey::Debugger,
        Key::F10 => HostKey::Record,
        Key::F11 => HostKey::Fullscreen,
        Key::F12 => HostKey::Screenshot,
        _ => return None,
    })
}

/// Keys whose byte is a control character.
fn control_byte(key: Key) -> Option<u8> {
    Some(match key {
        Key::Enter | Key::NumPadEnter => 0x0d,
        Key::Backspace => 0x08,
        Key::Tab => 0x09,
        Key::Escape => 0x1b,
        Key::Delete => 0x7f,
        _ => return None,
    })
}

/// The unshifted character of a key, as sent with Ctrl held.
fn plain_byte(key: Key) -> Option<u8> {
    let k = key as u8;
    Some(match key {
        Key::Key0
        | Key::Key1
        | Key::Key2
        | Key::Key3
        | Key::Key4
        | Key::Key5
        | Key::Key6
        | Key::Key7
        | Key::Key8
        | Key::Key9 => b'0' + k - Key::Key0 as u8,
        _ if (Key::A as u8..=Key::Z as u8).contains(&k) => b'a' + k - Key::A as u8,
        Key::Space => b' ',
        Key::Apostrophe => b'\'',
        Key::Backquote => b'`',
        Key::Backslash => b'\\',
        Key::Comma => b',',
        Key::Equal => b'=',
        Key::LeftBracket => b'[',
        Key::RightBracket => b']',
        Key::Minus => b'-',
        Key::Period => b'.',
        Key::Semicolon => b';',
        Key::Slash => b'/',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(raw: &[RawKey]) -> Vec<Action> {
        let mut keyboard = Keyboard::new();
        let mut out = Vec::new();
        for &r in raw {
            keyboard.translate(r, &mut out);
        }
        out
    }

    use Action::{Host, Machine};
    use RawKey::{Char, Key as K};

    #[test]
    fn text_becomes_key_bytes_in_utf8() {
        let out = run(&[
            K(Key::H, true),
            Char('h' as u32),
            K(Key::H, false),
            Char('é' as u32),
            Char('€' as u32),
            Char(0x9b),
        ]);
        let bytes: Vec<_> = [b'h', 0xc3, 0xa9, 0xe2, 0x82, 0xac]
            .map(|b| Machine(Event::Key(b)))
            .into();
        assert_eq!(out, bytes, "C1 controls are not text");
    }

    fn frames(keyboard: &mut Keyboard, raw: &[RawKey]) -> Vec<Action> {
        let mut out = Vec::new();
        keyboard.frame(raw.iter().copied(), &mut out);
        out
    }

    #[test]
    fn a_tap_within_a_frame_is_released_the_next_frame() {
        let mut keyboard = Keyboard::new();
        let taps = [
            K(Key::Up, true),
            K(Key::Up, false),
            K(Key::A, true),
            Char('a' as u32),
            K(Key::Up, true),
            K(Key::Up, false),
        ];
        assert_eq!(
            frames(&mut keyboard, &taps),
            [Machine(Event::ButtonDown(button::UP))]
        );
        assert_eq!(
            frames(&mut keyboard, &[K(Key::Down, true)]),
            [
                Machine(Event::ButtonUp(button::UP)),
                Machine(Event::Key(b'a')),
                Machine(Event::ButtonDown(button::UP)),
            ]
        );
        assert_eq!(
            frames(&mut keyboard, &[]),
            [
                Machine(Event::ButtonUp(button::UP)),
                Machine(Event::ButtonDown(button::DOWN)),
            ]
        );
        // Held over a frame: released at once.
        assert_eq!(
            frames(&mut keyboard, &[K(Key::Down, false)]),
            [Machine(Event::ButtonUp(button::DOWN))]
        );
    }

    #[test]
    fn focus_loss_lets_go_and_focus_gain_presses_what_is_held() {
        let out = run(&[
            K(Key::LeftCtrl, true),
            K(Key::Right, true),
            RawKey::FocusOut,
            Char('a' as u32),
            RawKey::Held(Key::LeftShift),
            RawKey::Held(Key::LeftShift),
            K(Key::LeftShift, true),
            K(Key::LeftShift, true),
        ]);
        assert_eq!(
            out,
            [
                Machine(Event::ButtonDown(button::A)),
                Machine(Event::ButtonDown(button::RIGHT)),
                Machine(Event::ButtonUp(button::A | button::RIGHT)),
                Machine(Event::Key(b'a')),
                Machine(Event::ButtonDown(button::SELECT)),
                // minifb reporting that press is not a second one; a repeat is.
                Machine(Event::ButtonDown(button::SELECT)),
            ]
        );
    }

    #[test]
    fn control_keys_send_their_byte_once() {
        // minifb reports the control character as text as well.
        let out = run(&[
            K(Key::Enter, true),
            Char(0x0d),
            K(Key::Backspace, true),
            Char(0x08),
            K(Key::Tab, true),
            Char(0x09),
            K(Key::Escape, true),
            Char(0x1b),
            K(Key::Delete, true),
            Char(0x7f),
        ]);
        let bytes: Vec<_> = [0x0d, 0x08, 0x09, 0x1b, 0x7f]
            .map(|b| Machine(Event::Key(b)))
            .into();
        assert_eq!(out, bytes);
    }

    #[test]
    fn ctrl_letters_are_letters_and_hold_a() {
        let out = run(&[
            K(Key::LeftCtrl, true),
            K(Key::N, true),
            Char(0x0e),
            K(Key::N, false),
            K(Key::RightShift, true),
            K(Key::Z, true),
            Char(0x1a),
            K(Key::RightShift, false),
            K(Key::LeftCtrl, false),
        ]);
        assert_eq!(
            out,
            [
                Machine(Event::ButtonDown(button::A)),
                Machine(Event::Key(b'n')),
                Machine(Event::ButtonDown(button::SELECT)),
                Machine(Event::Key(b'Z')),
                Machine(Event::ButtonUp(button::SELECT)),
                Machine(Event::ButtonUp(button::A)),
            ]
        );
    }

    #[test]
    fn modifiers_and_arrows_are_buttons_on_both_sides() {
        let out = run(&[
            K(Key::RightAlt, true),
            K(Key::Left, true),
            K(Key::Left, false),
            K(Key::RightAlt, false),
            K(Key::LeftShift, true),
            K(Key::Tab, true),
            Char(0x09),
            K(Key::LeftShift, false),
            K(Key::Home, true),
        ]);
        assert_eq!(
            out,
            [
                Machine(Event::ButtonDown(button::B)),
                Machine(Event::ButtonDown(button::LEFT)),
                Machine(Event::ButtonUp(button::LEFT)),
                Machine(Event::ButtonUp(button::B)),
                Machine(Event::ButtonDown(button::SELECT)),
                Machine(Event::Key(0x09)),
                Machine(Event::ButtonUp(button::SELECT)),
                Machine(Event::ButtonDown(button::START)),
            ]
        );
    }

    #[test]
    fn function_keys_are_for_hop() {
        let out = run(&[K(Key::F1, true), K(Key::F1, false), K(Key::F12, true)]);
        assert_eq!(out, [Host(HostKey::Zoom), Host(HostKey::Screenshot)]);
    }
}
