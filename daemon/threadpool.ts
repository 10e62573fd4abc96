/**
 * Give libuv more than its default 4 threads before anything touches the thread pool. Every fsync of a committed
 * recording, every file open and every SQLite statement runs there; with 4 threads a burst of commits held all of
 * them on fsync while lamp counts and mail waited (BENCHMARKS.md: at 500 calls, hangup → mail p50 2.7 s with 4
 * threads, 18 ms with 16). On the real FreeSWITCH, 60 calls ending at once still held 16 threads on fsyncs
 * (each 20–200 ms on this disk) while the lamps' reads waited (issue 12, BENCHMARKS.md). A thread waiting on the
 * disk costs no CPU. Imported first by the entry points; an operator's own setting wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '64'
