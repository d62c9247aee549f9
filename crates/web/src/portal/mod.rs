//! The public portal's pages (行政执法公示平台).

pub mod decisions;
