//! The solver: one hybrid genetic search for every problem variant.
