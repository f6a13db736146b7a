//! The mouse: X's button and motion events (see [`super::xinput`]), or
//! when those are not available minifb's once-a-frame poll, become Mouse
//! events: positions divided by the zoom and clamped to the screen, button
//! changes, whole wheel steps.

#![forbid(unsafe_code)]

use std::collections::VecDeque;

use super::xinput::XEvent;
use crate::varvara::Event;
use crate::varvara::mouse::button;

/// What minifb reported in one poll.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poll {
    /// Window pixel coordinates from the picture's top-left corner (see
    /// `Desktop::poll_mouse`: fullscreen puts black around it), unscaled
    /// (minifb's scaled ones are wrong after a resize); they may lie
    /// outside the picture.
    pub position: (f32, f32),
    /// Whether the pointer is over the window.
    pub inside: bool,
    /// Left, middle, right.
    pub buttons: [bool; 3],
    /// minifb's wheel motion since the last poll: +2.0 per notch up (it
    /// counts both the press and the release of X's wheel button), and +2.0
    /// per notch to the left.
    pub wheel: Option<(f32, f32)>,
}

/// How the screen is shown: its size in its own pixels, and the zoom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub size: (usize, usize),
    pub zoom: usize,
    /// Where the picture's top-left corner is in the window (fullscreen
    /// centres it on black).
    pub offset: (f32, f32),
}

impl View {
    /// Whether window pixel `position` shows the screen.
    fn shows(&self, position: (f32, f32)) -> bool {
        let position = (position.0 - self.offset.0, position.1 - self.offset.1);
        let zoom = self.zoom.max(1) as f32;
        (0.0..(self.size.0 as f32 * zoom)).contains(&position.0)
            && (0.0..(self.size.1 as f32 * zoom)).contains(&position.1)
    }

    /// The screen pixel at window pixel `position`, clamped to the screen.
    fn pixel(&self, position: (f32, f32)) -> (u16, u16) {
        let position = (position.0 - self.offset.0, position.1 - self.offset.1);
        let zoom = self.zoom.max(1) as f32;
        let clamp = |v: f32, len: usize| (v / zoom).clamp(0.0, len.saturating_sub(1) as f32) as u16;
        (
            clamp(position.0, self.size.0),
            clamp(position.1, self.size.1),
        )
    }
}

#[derive(Debug, Default)]
pub struct Pointer {
    last: Option<(u16, u16)>,
    buttons: u8,
    /// Wheel motion not yet turned into whole steps.
    wheel: (f32, f32),
    /// X events after a button change, for the next frame.
    waiting: VecDeque<XEvent>,
}

/// minifb's wheel units per notch.
const NOTCH: f32 = 2.0;

impl Pointer {
    pub fn new() -> Pointer {
        Pointer::default()
    }

    /// The events of one minifb poll.
    pub fn events(&mut self, poll: Poll, view: View, out: &mut Vec<Event>) {
        let held = poll
            .buttons
            .iter()
            .zip([button::LEFT, button::MIDDLE, button::RIGHT])
            .filter(|(down, _)| **down)
            .fold(0, |mask, (_, bit)| mask | bit);
        self.moved(poll.position, poll.inside, view, out);
        self.released(self.buttons & !held, out);
        self.pressed(held & !self.buttons, poll.inside, out);
        if let Some((dx, dy)) = poll.wheel
            && poll.inside
        {
            self.wheel.0 += dx;
            self.wheel.1 += dy;
        }
        let steps = |acc: &mut f32| {
            let whole = (*acc / NOTCH).trunc();
            *acc -= whole * NOTCH;
            whole as i16
        };
        let (left, up) = (steps(&mut self.wheel.0), steps(&mut self.wheel.1));
        if left != 0 || up != 0 {
            // Varvara: wheel up is y = -1, right is x = +1.
            out.push(Event::Scroll { x: -left, y: -up });
        }
    }

    /// The events of one frame's X events (after those left waiting by the
    /// last frame). A button change ends the frame's mouse events: what
    /// follows waits for the next frame, so that a ROM that reads the mouse
    /// in its screen vector (Noodle draws its strokes there) sees where the
    /// press or release happened, and sees a click at all.
    pub fn x_events(
        &mut self,
        events: impl IntoIterator<Item = XEvent>,
        view: View,
        out: &mut Vec<Event>,
    ) {
        self.waiting.extend(events);
        while let Some(event) = self.waiting.pop_front() {
            let buttons = self.buttons;
            self.x_event(event, view, out);
            if self.buttons != buttons {
                return;
            }
        }
    }

    /// The events of one X event (motion, button, wheel, or the focus
    /// leaving, which lets go of the buttons).
    fn x_event(&mut self, event: XEvent, view: View, out: &mut Vec<Event>) {
        let (position, button, down) = match event {
            XEvent::Motion { x, y } => ((x as f32, y as f32), 0, false),
            XEvent::Button { button, down, x, y } => ((x as f32, y as f32), button, down),
            XEvent::FocusOut { by_pointer: false } => return self.release_all(out),
            XEvent::FocusIn | XEvent::FocusOut { by_pointer: true } => return,
        };
        let inside = view.shows(position);
        self.moved(position, inside, view, out);
        let mask = match button {
            1 => button::LEFT,
            2 => button::MIDDLE,
            3 => button::RIGHT,
            // X's wheel buttons: one press per notch (up, down, left, right).
            4..=7 if down && inside => {
                let (x, y) = [(0, -1), (0, 1), (-1, 0), (1, 0)][button as usize - 4];
                out.push(Event::Scroll { x, y });
                return;
            }
            _ => return,
        };
        if down {
            self.pressed(mask, inside, out);
        } else {
            self.released(mask, out);
        }
    }

    /// Releases every button held (the window lost the focus, so their
    /// releases may go elsewhere).
    fn release_all(&mut self, out: &mut Vec<Event>) {
        self.released(self.buttons, out);
    }

    /// Outside the window only a drag that started inside is followed.
    fn moved(&mut self, position: (f32, f32), inside: bool, view: View, out: &mut Vec<Event>) {
        if inside || self.buttons != 0 {
            let at = view.pixel(position);
            if self.last != Some(at) {
                self.last = Some(at);
                out.push(Event::MouseMove { x: at.0, y: at.1 });
            }
        }
    }

    /// Only buttons pressed inside the window are the ROM's.
    fn pressed(&mut self, mask: u8, inside: bool, out: &mut Vec<Event>) {
        let new = mask & !self.buttons;
        if inside && new != 0 {
            self.buttons |= new;
            out.push(Event::MouseDown(new));
        }
    }

    fn released(&mut self, mask: u8, out: &mut Vec<Event>) {
        let held = mask & self.buttons;
        if held != 0 {
            self.buttons &= !held;
            out.push(Event::MouseUp(held));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(x: f32, y: f32, left: bool) -> Poll {
        Poll {
            position: (x, y),
            inside: x >= 0.0 && y >= 0.0 && x < 1024.0 && y < 640.0,
            buttons: [left, false, false],
            wheel: None,
        }
    }

    fn events(pointer: &mut Pointer, p: Poll) -> Vec<Event> {
        let mut out = Vec::new();
        pointer.events(
            p,
            View {
                size: (512, 320),
                zoom: 2,
                offset: (0.0, 0.0),
            },
            &mut out,
        );
        out
    }

    #[test]
    fn positions_are_divided_by_the_zoom_and_clamped() {
        let mut p = Pointer::new();
        assert_eq!(
            events(&mut p, poll(101.0, 51.0, false)),
            [Event::MouseMove { x: 50, y: 25 }]
        );
        assert_eq!(
            events(&mut p, poll(100.0, 50.0, false)),
            [],
            "no move, no event"
        );
        assert_eq!(
            events(&mut p, poll(2000.0, 50.0, false)),
            [],
            "outside: ignored"
        );
        assert_eq!(
            events(&mut p, poll(10.0, 10.0, true)),
            [
                Event::MouseMove { x: 5, y: 5 },
                Event::MouseDown(button::LEFT)
            ]
        );
        // A drag leaving the window is followed, clamped to the screen.
        assert_eq!(
            events(&mut p, poll(2000.0, -40.0, true)),
            [Event::MouseMove { x: 511, y: 0 }]
        );
        assert_eq!(
            events(&mut p, poll(2000.0, -40.0, false)),
            [Event::MouseUp(button::LEFT)]
        );
        // A press outside the window is not the ROM's.
        assert_eq!(events(&mut p, poll(-5.0, 3.0, true)), []);
        assert_eq!(events(&mut p, poll(-5.0, 3.0, false)), []);
    }

    #[test]
    fn x_events_each_become_mouse_events() {
        let view = View {
            size: (512, 320),
            zoom: 2,
            offset: (0.0, 0.0),
        };
        let mut p = Pointer::new();
        let button = |button, down, x, y| XEvent::Button { button, down, x, y };
        let events = [
            // A click within a frame, then a stroke leaving the window.
            button(1, true, 10.0, 10.0),
            button(1, false, 10.0, 10.0),
            button(3, true, 20.0, 10.0),
            XEvent::Motion { x: 30.0, y: 12.0 },
            XEvent::Motion { x: 2000.0, y: -8.0 },
            button(3, false, 2000.0, -8.0),
            // Outside: neither moves, presses nor the wheel count.
            XEvent::Motion { x: 2000.0, y: 10.0 },
            button(1, true, 2000.0, 10.0),
            button(4, true, 2000.0, 10.0),
            // The wheel: one step per press, none per release.
            button(4, true, 8.0, 8.0),
            button(4, false, 8.0, 8.0),
            button(7, true, 8.0, 8.0),
        ];
        // All in one frame: each button change ends a frame.
        let mut frame = |events: &[XEvent]| {
            let mut out = Vec::new();
            p.x_events(events.iter().copied(), view, &mut out);
            out
        };
        assert_eq!(
            frame(&events),
            [
                Event::MouseMove { x: 5, y: 5 },
                Event::MouseDown(button::LEFT)
            ]
        );
        assert_eq!(frame(&[]), [Event::MouseUp(button::LEFT)]);
        assert_eq!(
            frame(&[]),
            [
                Event::MouseMove { x: 10, y: 5 },
                Event::MouseDown(button::RIGHT)
            ]
        );
        assert_eq!(
            frame(&[]),
            [
                Event::MouseMove { x: 15, y: 6 },
                Event::MouseMove { x: 511, y: 0 },
                Event::MouseUp(button::RIGHT),
            ]
        );
        assert_eq!(
            frame(&[]),
            [
                Event::MouseMove { x: 4, y: 4 },
                Event::Scroll { x: 0, y: -1 },
                Event::Scroll { x: 1, y: 0 },
            ]
        );
        let focus_out = XEvent::FocusOut { by_pointer: false };
        assert_eq!(
            frame(&[button(2, true, 8.0, 8.0)]),
            [Event::MouseDown(button::MIDDLE)]
        );
        assert_eq!(
            frame(&[focus_out, focus_out]),
            [Event::MouseUp(button::MIDDLE)]
        );
        assert_eq!(frame(&[]), [], "released once");
    }

    #[test]
    fn wheel_notches_are_single_steps() {
        let mut p = Pointer::new();
        let mut wheel = |dx: f32, dy: f32| {
            let mut at = poll(0.0, 0.0, false);
            at.wheel = Some((dx, dy));
            events(&mut p, at)
                .into_iter()
                .filter(|e| matches!(e, Event::Scroll { .. }))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            wheel(0.0, 2.0),
            [Event::Scroll { x: 0, y: -1 }],
            "one notch up"
        );
        assert_eq!(wheel(0.0, -1.0), [], "half a notch waits");
        assert_eq!(wheel(0.0, -1.0), [Event::Scroll { x: 0, y: 1 }]);
        assert_eq!(wheel(0.0, -4.0), [Event::Scroll { x: 0, y: 2 }]);
        assert_eq!(wheel(2.0, 0.0), [Event::Scroll { x: -1, y: 0 }], "left");
    }
}
