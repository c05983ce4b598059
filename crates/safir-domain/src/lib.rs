//! Pure domain types and rules shared by every context.
