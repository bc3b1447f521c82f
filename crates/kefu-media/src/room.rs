//! The pure room state machine (to come).
