//! What hosts write to files, in one place: the picture as a PNG, the
//! picture over time as an animated GIF, the sound as a WAV. The machine
//! knows none of these formats; it hands out pixels and samples.

#![forbid(unsafe_code)]

pub mod animation;
pub mod screenshot;
pub mod wav;
