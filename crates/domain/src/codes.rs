//! National code checks: GB 32100, GB 11643, GB/T 2260.
