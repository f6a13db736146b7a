//! The mouse: minifb only lets hop poll it (position, buttons, wheel), so
//! the main loop polls every iteration and this turns the changes into
//! Mouse events.

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

#[derive(Debug, Default)]
pub struct Pointer {
    last: Option<(u16, u16)>,
    buttons: u8,
    /// Wheel motion not yet turned into whole steps.
    wheel: (f32, f32),
}

/// minifb's wheel units per notch.
const NOTCH: f32 = 2.0;

impl Pointer {
    pub fn new() -> Pointer {
        Pointer::default()
    }

    /// The events of one poll, for a screen of `size` pixels shown at `zoom`.
    pub fn events(&mut self, poll: Poll, zoom: usize, size: (usize, usize), out: &mut Vec<Event>) {
        let held = poll
            .buttons
            .iter()
            .zip([button::LEFT, button::MIDDLE, button::RIGHT])
            .filter(|(down, _)| **down)
            .fold(0, |mask, (_, bit)| mask | bit);
        // Outside the window only a drag that started inside is followed,
        // and only buttons pressed inside count.
        let dragging = self.buttons != 0;
        if poll.inside || dragging {
            let zoom = zoom.max(1) as f32;
            let clamp =
                |v: f32, len: usize| (v / zoom).clamp(0.0, len.saturating_sub(1) as f32) as u16;
            let at = (
                clamp(poll.position.0, size.0),
                clamp(poll.position.1, size.1),
            );
            if self.last != Some(at) {
                self.last = Some(at);
                out.push(Event::MouseMove { x: at.0, y: at.1 });
            }
        }
        let released = self.buttons & !held;
        if released != 0 {
            out.push(Event::MouseUp(released));
        }
        let pressed = if poll.inside { held & !self.buttons } else { 0 };
        if pressed != 0 {
            out.push(Event::MouseDown(pressed));
        }
        self.buttons = (self.buttons & held) | pressed;
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
        pointer.events(p, 2, (512, 320), &mut out);
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
