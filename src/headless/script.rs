//! The input script of `hop --headless --frames N --input FILE`: one event
//! a line, `<frame> <event> [args]`, turned into (frame, [`Event`]) pairs.
//!
//! ```text
//! # comments and blank lines are ignored
//! 0 mouse 256 160
//! 0 mousedown 1
//! 3 press right
//! 4 key a
//! 5 text hello\n
//! 9 stdin 1 2 +\x0a
//! 10 stdin-eof
//! ```

use std::fmt;

use crate::varvara::{Event, controller, mouse};

/// A line that does not parse; `Display` is `line N: why`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ScriptError {}

/// The events of a script, each with its frame, in file order.
pub fn parse(script: &[u8]) -> Result<Vec<(u64, Event)>, ScriptError> {
    let mut events = Vec::new();
    for (i, line) in script.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        parse_line(line, &mut events).map_err(|message| ScriptError {
            line: i + 1,
            message,
        })?;
    }
    Ok(events)
}

/// The events in the order a frames run delivers them: by frame, and in
/// file order within a frame.
pub fn by_frame(mut events: Vec<(u64, Event)>) -> Vec<(u64, Event)> {
    events.sort_by_key(|&(frame, _)| frame);
    events
}

const EVENT_NAMES: &str =
    "press, release, key, text, mouse, mousedown, mouseup, scroll, stdin, stdin-eof";

fn parse_line(line: &[u8], events: &mut Vec<(u64, Event)>) -> Result<(), String> {
    let line = line.trim_ascii_start();
    if line.is_empty() || line.starts_with(b"#") {
        return Ok(());
    }
    let (frame, rest) = word(line);
    let frame = number::<u64>(frame, "frame number", FRAMES)?;
    let (name, rest) = word(rest);
    let name = String::from_utf8_lossy(name);
    // `text` and `stdin` take the rest of the line after one separator.
    let raw = rest.strip_prefix(b" ").or(rest.strip_prefix(b"\t"));
    let args: Vec<&[u8]> = rest
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    let expect = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(format!(
                "`{name}` takes {n} argument{}, found {}",
                if n == 1 { "" } else { "s" },
                args.len()
            ))
        }
    };
    let mut push = |event| events.push((frame, event));
    match &*name {
        "press" | "release" => {
            expect(1)?;
            let mask = controller_button(args[0])?;
            push(if name == "press" {
                Event::ButtonDown(mask)
            } else {
                Event::ButtonUp(mask)
            });
        }
        "key" => {
            expect(1)?;
            push(Event::Key(key_byte(args[0])?));
        }
        "text" => unescape(raw.unwrap_or(b""))?
            .into_iter()
            .for_each(|b| push(Event::Key(b))),
        "mouse" => {
            expect(2)?;
            push(Event::MouseMove {
                x: number(args[0], "x", COORD)?,
                y: number(args[1], "y", COORD)?,
            });
        }
        "mousedown" | "mouseup" => {
            expect(1)?;
            let mask = mouse_button(args[0])?;
            push(if name == "mousedown" {
                Event::MouseDown(mask)
            } else {
                Event::MouseUp(mask)
            });
        }
        "scroll" => {
            expect(2)?;
            push(Event::Scroll {
                x: number(args[0], "dx", DELTA)?,
                y: number(args[1], "dy", DELTA)?,
            });
        }
        "stdin" => unescape(raw.unwrap_or(b""))?
            .into_iter()
            .for_each(|b| push(Event::ConsoleByte(b))),
        "stdin-eof" => {
            expect(0)?;
            push(Event::ConsoleEnd);
        }
        "" => {
            return Err(format!(
                "no event after the frame number (expected {EVENT_NAMES})"
            ));
        }
        _ => return Err(format!("unknown event `{name}` (expected {EVENT_NAMES})")),
    }
    Ok(())
}

/// The first whitespace-separated word and what follows it.
fn word(text: &[u8]) -> (&[u8], &[u8]) {
    let text = text.trim_ascii_start();
    let end = text
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(text.len());
    text.split_at(end)
}

/// A decimal number of type T; `range` says which ones fit, for errors.
fn number<T: std::str::FromStr>(text: &[u8], what: &str, range: &str) -> Result<T, String> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| {
            format!(
                "bad {what} `{}` (expected {range})",
                String::from_utf8_lossy(text)
            )
        })
}

const FRAMES: &str = "a frame number from 0";
const COORD: &str = "a number from 0 to 65535";
const DELTA: &str = "a number from -32768 to 32767";

fn controller_button(name: &[u8]) -> Result<u8, String> {
    Ok(match name {
        b"a" => controller::button::A,
        b"b" => controller::button::B,
        b"select" => controller::button::SELECT,
        b"start" => controller::button::START,
        b"up" => controller::button::UP,
        b"down" => controller::button::DOWN,
        b"left" => controller::button::LEFT,
        b"right" => controller::button::RIGHT,
        _ => {
            return Err(format!(
                "unknown button `{}` (expected a, b, select, start, up, down, left or right)",
                String::from_utf8_lossy(name)
            ));
        }
    })
}

fn mouse_button(name: &[u8]) -> Result<u8, String> {
    Ok(match name {
        b"1" => mouse::button::LEFT,
        b"2" => mouse::button::MIDDLE,
        b"3" => mouse::button::RIGHT,
        _ => {
            return Err(format!(
                "unknown mouse button `{}` (expected 1 left, 2 middle or 3 right)",
                String::from_utf8_lossy(name)
            ));
        }
    })
}

/// `key`'s argument: one printable character, or `0xNN`.
fn key_byte(arg: &[u8]) -> Result<u8, String> {
    match arg {
        [c] if c.is_ascii_graphic() => Ok(*c),
        [b'0', b'x' | b'X', hi, lo] => hex_byte(*hi, *lo).ok_or(()),
        _ => Err(()),
    }
    .map_err(|()| {
        format!(
            "bad key `{}` (expected one printable character or 0xNN)",
            String::from_utf8_lossy(arg)
        )
    })
}

fn hex_byte(hi: u8, lo: u8) -> Option<u8> {
    let digit = |d: u8| (d as char).to_digit(16);
    Some((digit(hi)? * 16 + digit(lo)?) as u8)
}

/// The bytes of `text` and `stdin`: `\n`, `\t`, `\\` and `\xHH` are escapes.
fn unescape(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match rest {
            [b'n', tail @ ..] => (out.push(b'\n'), rest = tail).1,
            [b't', tail @ ..] => (out.push(b'\t'), rest = tail).1,
            [b'\\', tail @ ..] => (out.push(b'\\'), rest = tail).1,
            [b'x', hi, lo, tail @ ..] if hex_byte(*hi, *lo).is_some() => {
                out.extend(hex_byte(*hi, *lo));
                rest = tail;
            }
            _ => {
                let shown: String = String::from_utf8_lossy(&rest[..rest.len().min(3)]).into();
                return Err(format!(
                    "bad escape `\\{shown}` (expected \\n, \\t, \\\\ or \\xHH)"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<Vec<(u64, Event)>, ScriptError> {
        parse(line.as_bytes())
    }

    #[test]
    fn every_event_kind() {
        let script = "# a comment\n\n  \t\n\
            0 press right\n1 release a\n2 key a\n2 key 0x0d\n3 text a\\tb\\\\\\x41\\n\n\
            4 mouse 256 160\n5 mousedown 3\n5 mouseup 2\n6 scroll 0 -1\n\
            7 stdin hi there\n8 stdin-eof\r\n";
        let k = Event::Key;
        assert_eq!(
            parse(script.as_bytes()).unwrap(),
            vec![
                (0, Event::ButtonDown(0x80)),
                (1, Event::ButtonUp(0x01)),
                (2, k(b'a')),
                (2, k(0x0d)),
                (3, k(b'a')),
                (3, k(b'\t')),
                (3, k(b'b')),
                (3, k(b'\\')),
                (3, k(b'A')),
                (3, k(b'\n')),
                (4, Event::MouseMove { x: 256, y: 160 }),
                (5, Event::MouseDown(4)),
                (5, Event::MouseUp(2)),
                (6, Event::Scroll { x: 0, y: -1 }),
                (7, Event::ConsoleByte(b'h')),
                (7, Event::ConsoleByte(b'i')),
                (7, Event::ConsoleByte(b' ')),
                (7, Event::ConsoleByte(b't')),
                (7, Event::ConsoleByte(b'h')),
                (7, Event::ConsoleByte(b'e')),
                (7, Event::ConsoleByte(b'r')),
                (7, Event::ConsoleByte(b'e')),
                (8, Event::ConsoleEnd),
            ]
        );
    }

    #[test]
    fn bad_lines_name_their_line() {
        for (script, line, needle) in [
            ("0 press x", 1, "unknown button `x`"),
            ("\n\nfoo key a", 3, "bad frame number `foo`"),
            ("1 jump", 1, "unknown event `jump`"),
            ("1", 1, "no event"),
            ("1 key ab", 1, "bad key `ab`"),
            ("1 key", 1, "takes 1 argument, found 0"),
            ("1 mouse 1", 1, "takes 2 arguments, found 1"),
            ("1 mouse 70000 1", 1, "bad x `70000`"),
            ("1 scroll 0 -40000", 1, "bad dy"),
            ("1 mousedown 4", 1, "unknown mouse button `4`"),
            ("# ok\n1 text a\\q", 2, "bad escape `\\q`"),
            ("1 stdin \\x4", 1, "bad escape"),
            ("1 stdin-eof now", 1, "takes 0 arguments"),
            ("-1 key a", 1, "bad frame number"),
        ] {
            let err = one(script).unwrap_err();
            assert_eq!(err.line, line, "{script:?}: {err}");
            assert!(err.message.contains(needle), "{script:?}: {err}");
        }
    }

    #[test]
    fn frames_sort_stably() {
        let events = parse(b"5 key a\n1 key b\n5 key c\n1 key d").unwrap();
        let keys: Vec<u8> = by_frame(events)
            .into_iter()
            .map(|(_, e)| match e {
                Event::Key(k) => k,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(keys, b"bdac");
    }
}
