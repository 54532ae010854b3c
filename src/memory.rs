//! `--memory-limit`: a budget on the heap, enforced as memory is committed.
//!
//! Estimates made before a stage ("the passage level needs about 20 bytes per byte of
//! text") refuse hopeless runs early, but an estimate can be wrong and is checked only
//! where someone thought to check it. The budget here is the backstop: the binary installs
//! [`CountingAllocator`] as its global allocator, and once [`set_limit`] is called every
//! allocation is counted. An allocation that would take the live heap past the budget stops
//! the process at once — before the memory is taken — with a clear message on stderr,
//! the pending temporary files removed, and exit status 1.
//!
//! The budget is the limit less what the process holds outside the heap (what it holds
//! when the limit is set — code, libraries, the arguments — or what it comes to hold as it
//! runs, whichever is more) and a margin for what the heap count does not see (allocator
//! bookkeeping and fragmentation), so the resident size stays under the limit.
//!
//! Without a limit the allocator costs one relaxed atomic load per allocation.

use std::alloc::{GlobalAlloc, Layout};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

use mimalloc::MiMalloc;

/// Heap bytes the run may hold; `usize::MAX`: no limit, nothing counted.
static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);
/// The limit as the user gave it, for the message.
static LIMIT: AtomicUsize = AtomicUsize::new(0);
/// Heap bytes allocated since the limit was set and not yet freed.
static LIVE: AtomicIsize = AtomicIsize::new(0);
/// Set once the budget is exhausted: the process is on its way out.
static STOPPING: AtomicBool = AtomicBool::new(false);
/// Largest `LIVE` seen.
static PEAK: AtomicIsize = AtomicIsize::new(0);

/// Share of the limit kept back for what the heap count does not see: allocator
/// fragmentation and bookkeeping, thread stacks touched.
const MARGIN_PERCENT: usize = 12;

/// What the process comes to hold outside the heap as it runs, kept back from the limit
/// when it holds less than this when the limit is set: code paged in as the stages start,
/// thread stacks, each thread's heap metadata. A run on one document peaks at 10 MiB;
/// `lineage` of Reuters-21578 held 16–20 MiB beside its counted heap, and with only the
/// resident size at the start and the share above kept back it ended 1–7 MiB over
/// limits of 96–106 MiB (2026-12-02).
const PROCESS_OUTSIDE_HEAP: usize = 20 << 20;

/// mimalloc, counting bytes against the `--memory-limit` budget.
pub struct CountingAllocator;

impl CountingAllocator {
    #[inline]
    fn charge(&self, size: usize) -> bool {
        let budget = BUDGET.load(Ordering::Relaxed);
        if budget == usize::MAX {
            return true;
        }
        let live = LIVE.fetch_add(size as isize, Ordering::Relaxed) + size as isize;
        if live > 0 && live as usize > budget && !STOPPING.swap(true, Ordering::SeqCst) {
            over_budget(live as usize, size);
        }
        PEAK.fetch_max(live, Ordering::Relaxed);
        true
    }

    #[inline]
    fn credit(&self, size: usize) {
        if BUDGET.load(Ordering::Relaxed) != usize::MAX {
            LIVE.fetch_sub(size as isize, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded to `MiMalloc` unchanged; only counters are updated.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.charge(layout.size());
        // SAFETY: the caller's layout contract is passed on.
        unsafe { MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.charge(layout.size());
        // SAFETY: as above.
        unsafe { MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.credit(layout.size());
        // SAFETY: as above.
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            self.charge(new_size - layout.size());
        } else {
            self.credit(layout.size() - new_size);
        }
        // SAFETY: as above.
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// Turns transparent huge pages off for this process (Linux; elsewhere nothing to do).
///
/// mimalloc asks for huge pages on its large regions. When it later returns part of a
/// region to the system and takes it again, every touch of a 2 MiB page zeroes all of it:
/// measured here, on 300,000 articles `dups` spent more time in the kernel zeroing pages
/// than in signing (4.0 s system time against 1.5 s with huge pages off, and a slower run
/// than with glibc malloc). Called first thing by the binary; affects page faults from then
/// on.
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and touches no memory of
    // ours; a failure (an old kernel) leaves the default, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

// mimalloc's option setter (libmimalloc-sys links the C library; the Rust crate exposes
// it only behind a feature that adds nothing else we need).
unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in the `mi_option_e` enum of mimalloc 3's `mimalloc.h` (the C
/// library that libmimalloc-sys 0.1.49, pinned in Cargo.lock, builds).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Makes mimalloc give freed pages back to the system at once instead of after a delay
/// (10 ms, longer for its arenas), so the resident size follows the heap that
/// `--memory-limit` counts. Measured on 30,000 articles under `--memory-limit 150M`: `dups`
/// held at most 90 MiB of heap, and its peak resident size varied from 116 to 156 MiB
/// with the delay (freed batches still mapped) and from 96 to 100 MiB without it.
fn return_freed_pages_at_once() {
    // SAFETY: a plain integer option of the allocator, set before the work starts; mimalloc
    // reads it at each purge.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// Called once, by the allocation that would pass the budget: says so and ends the run.
#[cold]
fn over_budget(live: usize, asked: usize) -> ! {
    // No allocation here until the message is out: format into a buffer on the stack.
    let mut buf = [0u8; 400];
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let limit = LIMIT.load(Ordering::Relaxed);
    let _ = writeln!(
        cursor,
        "wiretrace: error: memory limit of {limit} bytes reached: the run holds {} MiB of \
         heap and asked for {} MiB more; raise --memory-limit, or split the input (dups \
         streams and spills to disk; passages, lineage, audit, dedup and report keep the \
         corpus in memory)",
        live.saturating_sub(asked) >> 20,
        asked.div_ceil(1 << 20),
    );
    let n = cursor.position() as usize;
    let _ = std::io::stderr().write_all(&buf[..n]);
    // STOPPING is set, so allocations below are no longer counted against the budget.
    crate::export::target::remove_temporaries();
    std::process::exit(1);
}

/// Resident bytes of this process now (Linux: `/proc/self/statm`), if known.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Sets the limit, in bytes of resident memory, for the rest of the process, and has
/// mimalloc return freed pages at once (so the resident size follows the counted heap).
/// Takes effect only when [`CountingAllocator`] is the global allocator (the `wiretrace`
/// binary).
pub fn set_limit(limit: u64) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX - 1);
    let held = resident_bytes().unwrap_or(0) as usize;
    let budget = limit
        .saturating_sub(limit / 100 * MARGIN_PERCENT)
        .saturating_sub(held.max(PROCESS_OUTSIDE_HEAP));
    return_freed_pages_at_once();
    LIMIT.store(limit, Ordering::Relaxed);
    LIVE.store(0, Ordering::Relaxed);
    BUDGET.store(budget, Ordering::SeqCst);
}

/// Keeps `bytes` more of the limit back from the heap, for memory the process holds
/// outside it (the resident pages of a mapped file of texts, [`crate::corpus::TextFile`])
/// until [`give_back`]. Nothing happens without a limit.
pub fn set_aside(bytes: u64) {
    let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
    let _ = BUDGET.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
        (b != usize::MAX).then(|| b.saturating_sub(bytes))
    });
}

/// Returns to the heap what [`set_aside`] kept back.
pub fn give_back(bytes: u64) {
    let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
    let _ = BUDGET.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
        (b != usize::MAX).then(|| b.saturating_add(bytes).min(usize::MAX - 1))
    });
}

/// Heap bytes still available under the limit (`None`: no limit set).
pub fn available() -> Option<u64> {
    let budget = BUDGET.load(Ordering::Relaxed);
    if budget == usize::MAX {
        return None;
    }
    let live = LIVE.load(Ordering::Relaxed).max(0) as usize;
    Some(budget.saturating_sub(live) as u64)
}

/// Largest heap held since the limit was set, in bytes.
pub fn peak() -> u64 {
    PEAK.load(Ordering::Relaxed).max(0) as u64
}
