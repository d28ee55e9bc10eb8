//! The process's allocator: jemalloc, set up to give freed memory back, and its statistics.

/// jemalloc instead of glibc's malloc: under a push load glibc's allocator (its arena locks,
/// consolidation and chunk unlinking) took a fifth of the server's CPU in a profile, and the
/// memory a burst took stayed with the process. jemalloc gives freed pages back to the system
/// after its decay time (10 s), once [`return_memory_when_idle`] gives it a thread to do so.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Starts jemalloc's background thread: without it, freed pages go back only when some thread
/// allocates again, so an idle server kept the footprint of its last burst.
pub fn return_memory_when_idle() {
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(true) {
        tracing::warn!(error = %e, "the allocator keeps freed memory until the next allocation");
    }
}

/// What the allocator holds, in bytes.
pub struct Stats {
    /// In live allocations.
    pub allocated: usize,
    /// In pages the process holds (what counts in its resident set).
    pub resident: usize,
    /// Mapped but given back to the system, kept for reuse.
    pub retained: usize,
}

/// The allocator's current statistics.
pub fn stats() -> Option<Stats> {
    use tikv_jemalloc_ctl::{epoch, stats};
    epoch::advance().ok()?;
    Some(Stats {
        allocated: stats::allocated::read().ok()?,
        resident: stats::resident::read().ok()?,
        retained: stats::retained::read().ok()?,
    })
}
