//! Processes (protocol §4.5) — being written by helper-4.
