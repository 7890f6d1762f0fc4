//! Giving freed memory back to the system after a burst.
//!
//! glibc's allocator returns freed memory to the system only from the top of each heap;
//! pages freed below a live allocation stay resident. After a thousand WebSocket subscribers
//! come and go, their buffers are free but the server's resident size stays at its peak
//! (measured: 10 MiB → 26 MiB, flat across rounds; BENCHMARKS.md). `malloc_trim(0)` hands
//! every free page of every arena back (`madvise`), which brings it down again. It locks the
//! arenas while it walks them, so it runs on a blocking thread, once the server is quiet.

/// Asks the allocator to return its free pages to the system; whether it returned any.
/// Only glibc keeps them like this; elsewhere it does nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_free_memory() -> bool {
    // SAFETY: the argument is a plain count, nothing points anywhere, and there is no
    // precondition: glibc takes its own arena locks during the walk.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Asks the allocator to return its free pages to the system; whether it returned any.
/// Only glibc keeps them like this; elsewhere it does nothing.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_memory() -> bool {
    false
}
