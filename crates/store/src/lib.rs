//! zhifa-store
