//! zhifa-log
