//! The desktop: `hop [ROM] [ARGS...]` runs the machine in a window, with
//! sound, keyboard, mouse, drag and drop and an open dialog.

pub mod dialog;
pub mod sound;
pub mod x11;
pub mod xdnd;
