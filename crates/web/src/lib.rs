//! zhifa-web
