//! (filled in by the crisis work)
