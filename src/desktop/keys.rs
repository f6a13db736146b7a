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
//! arrives twice.

use std::cell::RefCell;
use std::rc::Rc;

use minifb::{InputCallback, Key};

use crate::varvara::Event;
use crate::varvara::controller::button;

/// One thing the keyboard did, as minifb reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKey {
    Key(Key, bool),
    Char(u32),
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

/// Turns raw keys into actions; remembers which modifiers are held.
#[derive(Debug, Default)]
pub struct Keyboard {
    ctrl: [bool; 2],
    shift: [bool; 2],
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

    /// The actions of one raw key, appended to `out`.
    pub fn translate(&mut self, raw: RawKey, out: &mut Vec<Action>) {
        match raw {
            RawKey::Key(key, down) => self.key(key, down, out),
            RawKey::Char(c) => {
                // With Ctrl held, key presses already sent the byte; control
                // characters come from key presses too; Varvara keys are ASCII.
                if !self.ctrl() && (0x20..0x7f).contains(&c) {
                    out.push(Action::Machine(Event::Key(c as u8)));
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
            out.push(Action::Machine(if down {
                Event::ButtonDown(mask)
            } else {
                Event::ButtonUp(mask)
            }));
            return;
        }
        if !down {
            return;
        }
        if let Some(host) = host_key(key) {
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

fn host_key(key: Key) -> Option<HostKey> {
    Some(match key {
        Key::F1 => HostKey::Zoom,
        Key::F2 => HostKey::Stacks,
        Key::F3 => HostKey::Quit,
        Key::F4 => HostKey::Reload,
        Key::F5 => HostKey::Reset,
        Key::F6 => HostKey::Open,
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
    fn text_becomes_key_bytes() {
        let out = run(&[
            K(Key::H, true),
            Char('h' as u32),
            K(Key::H, false),
            Char('é' as u32),
        ]);
        assert_eq!(out, [Machine(Event::Key(b'h'))]);
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
