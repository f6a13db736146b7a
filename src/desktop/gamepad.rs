//! Game controllers (gilrs: evdev, with udev for hot-plugging) as the
//! Controller device, beside the keyboard. Every pad drives the same
//! buttons: a button is held while any pad holds it. The mapping is the
//! one table [`BUTTONS`] (and the left stick, past half-way, as the
//! arrows). With no pad, or no way to look for one, nothing happens and
//! nothing is said.

#![forbid(unsafe_code)]

use std::collections::HashMap;

use gilrs::{Axis, Button, EventType, GamepadId, Gilrs};

use crate::varvara::Event;
use crate::varvara::controller::button;

/// Which pad button is which Controller button. Face buttons by place:
/// bottom and left (Xbox A and X) are A, right and top (B and Y) are B.
pub const BUTTONS: [(Button, u8); 10] = [
    (Button::DPadUp, button::UP),
    (Button::DPadDown, button::DOWN),
    (Button::DPadLeft, button::LEFT),
    (Button::DPadRight, button::RIGHT),
    (Button::South, button::A),
    (Button::West, button::A),
    (Button::East, button::B),
    (Button::North, button::B),
    (Button::Select, button::SELECT),
    (Button::Start, button::START),
];

/// How far a stick must lean to press an arrow.
const LEAN: f32 = 0.5;

/// What one pad did, in hop's terms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    Press(Button),
    Release(Button),
    Axis(Axis, f32),
    /// Unplugged: it holds nothing any more.
    Gone,
}

impl Input {
    fn from_gilrs(event: EventType) -> Option<Input> {
        Some(match event {
            EventType::ButtonPressed(b, _) => Input::Press(b),
            EventType::ButtonReleased(b, _) => Input::Release(b),
            EventType::AxisChanged(a, v, _) => Input::Axis(a, v),
            EventType::Disconnected => Input::Gone,
            _ => return None,
        })
    }
}

/// One pad's Controller buttons.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Pad {
    buttons: u8,
    /// Arrows from the left stick, and the d-pad when a pad reports it as
    /// axes.
    stick: u8,
    dpad: u8,
}

impl Pad {
    pub fn apply(&mut self, input: Input) {
        let mask = |b| BUTTONS.iter().find(|(k, _)| *k == b).map_or(0, |(_, m)| *m);
        match input {
            Input::Press(b) => self.buttons |= mask(b),
            Input::Release(b) => self.buttons &= !mask(b),
            Input::Axis(Axis::LeftStickX, v) => {
                self.stick = lean(self.stick, v, button::RIGHT, button::LEFT)
            }
            // Up is positive.
            Input::Axis(Axis::LeftStickY, v) => {
                self.stick = lean(self.stick, v, button::UP, button::DOWN)
            }
            Input::Axis(Axis::DPadX, v) => {
                self.dpad = lean(self.dpad, v, button::RIGHT, button::LEFT)
            }
            Input::Axis(Axis::DPadY, v) => self.dpad = lean(self.dpad, v, button::UP, button::DOWN),
            Input::Axis(..) => {}
            Input::Gone => *self = Pad::default(),
        }
    }

    pub fn held(&self) -> u8 {
        self.buttons | self.stick | self.dpad
    }
}

/// `arrows` with `plus` or `minus` (or neither) set from the axis value.
fn lean(arrows: u8, value: f32, plus: u8, minus: u8) -> u8 {
    let rest = arrows & !(plus | minus);
    if value >= LEAN {
        rest | plus
    } else if value <= -LEAN {
        rest | minus
    } else {
        rest
    }
}

/// The pads and what the machine has been told they hold.
pub struct Gamepads {
    gilrs: Option<Gilrs>,
    pads: HashMap<GamepadId, Pad>,
    told: u8,
}

impl Gamepads {
    /// Starts looking for pads; without evdev or udev, there are none.
    pub fn start() -> Gamepads {
        Gamepads {
            gilrs: Gilrs::new().ok(),
            pads: HashMap::new(),
            told: 0,
        }
    }

    /// A new machine: it has been told nothing; what is held is pressed
    /// again at the next change.
    pub fn reset(&mut self) {
        self.told = 0;
    }

    /// The frame's pad events as Controller presses and releases.
    pub fn events(&mut self, out: &mut Vec<Event>) {
        let Some(gilrs) = &mut self.gilrs else {
            return;
        };
        while let Some(event) = gilrs.next_event() {
            if let Some(input) = Input::from_gilrs(event.event) {
                self.pads.entry(event.id).or_default().apply(input);
                let held = self.pads.values().fold(0, |all, pad| all | pad.held());
                changes(self.told, held, out);
                self.told = held;
            }
        }
    }
}

/// The events that take the machine from `before` to `after`.
fn changes(before: u8, after: u8, out: &mut Vec<Event>) {
    if before & !after != 0 {
        out.push(Event::ButtonUp(before & !after));
    }
    if after & !before != 0 {
        out.push(Event::ButtonDown(after & !before));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(inputs: &[Input]) -> u8 {
        let mut pad = Pad::default();
        inputs.iter().for_each(|&i| pad.apply(i));
        pad.held()
    }

    #[test]
    fn buttons_map_to_the_controller() {
        use Input::*;
        assert_eq!(after(&[Press(Button::DPadUp)]), button::UP);
        assert_eq!(after(&[Press(Button::DPadDown)]), button::DOWN);
        assert_eq!(after(&[Press(Button::DPadLeft)]), button::LEFT);
        assert_eq!(after(&[Press(Button::DPadRight)]), button::RIGHT);
        assert_eq!(after(&[Press(Button::South)]), button::A);
        assert_eq!(after(&[Press(Button::West)]), button::A);
        assert_eq!(after(&[Press(Button::East)]), button::B);
        assert_eq!(after(&[Press(Button::North)]), button::B);
        assert_eq!(after(&[Press(Button::Select)]), button::SELECT);
        assert_eq!(after(&[Press(Button::Start)]), button::START);
        assert_eq!(after(&[Press(Button::LeftTrigger)]), 0, "not mapped");
        assert_eq!(
            after(&[
                Press(Button::South),
                Press(Button::Start),
                Release(Button::South)
            ]),
            button::START
        );
    }

    #[test]
    fn the_left_stick_and_an_axis_d_pad_are_arrows() {
        use Input::*;
        assert_eq!(after(&[Axis(gilrs::Axis::LeftStickX, 0.8)]), button::RIGHT);
        assert_eq!(after(&[Axis(gilrs::Axis::LeftStickX, -0.5)]), button::LEFT);
        assert_eq!(after(&[Axis(gilrs::Axis::LeftStickY, 0.9)]), button::UP);
        assert_eq!(after(&[Axis(gilrs::Axis::LeftStickY, -0.9)]), button::DOWN);
        assert_eq!(
            after(&[Axis(gilrs::Axis::LeftStickX, 0.3)]),
            0,
            "a slight lean"
        );
        assert_eq!(
            after(&[
                Axis(gilrs::Axis::LeftStickX, 1.0),
                Axis(gilrs::Axis::LeftStickY, 1.0),
                Axis(gilrs::Axis::LeftStickX, 0.1),
            ]),
            button::UP
        );
        assert_eq!(after(&[Axis(gilrs::Axis::DPadY, -1.0)]), button::DOWN);
        assert_eq!(after(&[Axis(gilrs::Axis::RightStickX, 1.0)]), 0);
        // Unplugged: everything is let go.
        assert_eq!(after(&[Press(Button::South), Gone]), 0);
    }

    #[test]
    fn changes_are_presses_and_releases() {
        let mut out = Vec::new();
        changes(button::A | button::UP, button::A | button::LEFT, &mut out);
        assert_eq!(
            out,
            [Event::ButtonUp(button::UP), Event::ButtonDown(button::LEFT)]
        );
    }
}
