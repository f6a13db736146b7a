//! The input-script parser (`--input`) against any bytes: a list of events
//! or an error naming a line of the input.
#![no_main]

use hop::headless::script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &[u8]| {
    match script::parse(text) {
        Ok(events) => {
            let n = events.len();
            assert_eq!(script::by_frame(events).len(), n);
        }
        Err(e) => {
            let lines = text.split(|&b| b == b'\n').count();
            assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
            assert!(!e.message.is_empty() && !e.message.contains('\n'));
        }
    }
});
