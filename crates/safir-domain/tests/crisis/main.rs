//! The crisis interchange formats read and written against real documents and tools.

mod cap;
mod pfif;
mod tools;
