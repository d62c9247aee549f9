//! zhifa-domain
