//! zhifa-sheets
