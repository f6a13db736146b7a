//! The whole machine against a hostile ROM: the input is the ROM. It boots
//! with an argument, then runs four frames with input events, composing
//! the screen and rendering the audio of each, with a small jump budget,
//! its files confined to a scratch root. Nothing may panic, and nothing may
//! appear outside the root (checked after every run).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use hop::varvara::{Config, Event, Varvara};
use libfuzzer_sys::fuzz_target;

/// `base/root` is the ROM's root; `base/outside/canary` must stay alone.
fn base() -> &'static PathBuf {
    static BASE: OnceLock<PathBuf> = OnceLock::new();
    BASE.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("hop-fuzz-rom-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("root")).unwrap();
        std::fs::create_dir_all(base.join("outside")).unwrap();
        std::fs::write(base.join("outside/canary"), b"canary").unwrap();
        base
    })
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fuzz_target!(|rom: &[u8]| {
    let base = base();
    let root = base.join("root");
    let config = Config {
        settings: hop::varvara::Settings {
            budget: 1 << 12,
            root: root.clone(),
            ..Default::default()
        },
        ..Config::default()
    };
    let Ok(mut m) = Varvara::new(rom, config) else {
        return;
    };
    let events = [
        Event::MouseMove { x: 10, y: 20 },
        Event::MouseDown(1),
        Event::Key(b'a'),
        Event::ButtonDown(0x10),
        Event::Scroll { x: 0, y: -1 },
        Event::ConsoleByte(b'x'),
        Event::MouseUp(1),
        Event::ButtonUp(0x10),
        Event::ConsoleEnd,
    ];
    let _ = m.boot(true);
    let _ = m.send_args(&[b"arg".as_slice()]);
    let mut audio = vec![0i16; 735 * 2];
    for f in 0..4 {
        if m.halted() {
            break;
        }
        let _ = m.run_frame(events[f * 2..f * 2 + 2].iter().copied());
        let frame = m.picture();
        assert_eq!(frame.pixels.len(), frame.width * frame.height);
        m.render_audio(&mut audio);
    }
    drop(m);
    assert_eq!(
        names(base),
        ["outside", "root"],
        "something escaped the root"
    );
    assert_eq!(
        names(&base.join("outside")),
        ["canary"],
        "something escaped the root"
    );
    assert_eq!(
        std::fs::read(base.join("outside/canary")).unwrap(),
        b"canary"
    );
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
});
