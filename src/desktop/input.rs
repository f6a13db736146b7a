//! One frame's input, gathered for the machine: standard input, the keys
//! minifb queued in order, and the mouse and focus from X (or minifb's
//! polled mouse when XInput2 is missing), and game controllers, as
//! Varvara events and hop's own function keys.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::rc::Rc;

use super::keys::{Action, BUTTON_KEYS, HostKey, Keyboard, RawKey};
use super::pointer::{Pointer, View};
use super::stdin::Stdin;
use super::window::Desktop;
use super::xinput::{XEvent, XInput};
use crate::varvara::Event;

pub struct Input {
    /// What minifb's key callback queued.
    keys: Rc<RefCell<Vec<RawKey>>>,
    keyboard: Keyboard,
    pointer: Pointer,
    xinput: Option<XInput>,
    stdin: Option<Stdin>,
    gamepads: super::gamepad::Gamepads,
}

impl Input {
    /// Input for `desktop`, whose key callback fills `keys`.
    pub fn new(desktop: &Desktop, keys: Rc<RefCell<Vec<RawKey>>>) -> Input {
        super::xinput::follow_keymap(desktop.x_display());
        Input {
            keys,
            keyboard: Keyboard::new(),
            pointer: Pointer::new(),
            xinput: XInput::open(desktop.x_window()),
            stdin: Stdin::start(),
            gamepads: super::gamepad::Gamepads::start(),
        }
    }

    /// A new machine: no key or button is held for it.
    pub fn reset(&mut self) {
        self.keyboard = Keyboard::new();
        self.pointer = Pointer::new();
        self.gamepads.reset();
    }

    /// The frame's events for the machine and keys for hop. Standard input
    /// is only taken `with_stdin` (not by the launcher: it waits for the
    /// ROM the launcher starts).
    pub fn gather(
        &mut self,
        desktop: &Desktop,
        view: View,
        with_stdin: bool,
        events: &mut Vec<Event>,
        host: &mut Vec<HostKey>,
    ) {
        if with_stdin && let Some(stdin) = &mut self.stdin {
            stdin.events(events);
        }
        let mut raw: Vec<RawKey> = self.keys.borrow_mut().drain(..).collect();
        let mut x_events = Vec::new();
        if let Some(xinput) = &mut self.xinput {
            xinput.poll(&mut x_events);
            for event in &x_events {
                match event {
                    XEvent::FocusOut { .. } => raw.push(RawKey::FocusOut),
                    XEvent::FocusIn => {
                        let keysyms = BUTTON_KEYS.map(|(_, sym)| sym);
                        let held = xinput.held(&keysyms);
                        raw.extend(
                            BUTTON_KEYS
                                .iter()
                                .zip(held)
                                .filter(|(_, held)| *held)
                                .map(|((key, _), _)| RawKey::Held(*key)),
                        );
                    }
                    _ => {}
                }
            }
        }
        let mut actions = Vec::new();
        self.keyboard.frame(raw, &mut actions);
        for action in actions {
            match action {
                Action::Machine(event) => events.push(event),
                Action::Host(key) => host.push(key),
            }
        }
        self.gamepads.events(events);
        if self.xinput.is_none() {
            self.pointer.events(desktop.poll_mouse(), view, events);
        }
        self.pointer.x_events(x_events, view, events);
    }
}
