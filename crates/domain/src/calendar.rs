//! CAL-1 working-day calendar.
