//go:build memory.counters

package mailsync

import "modernc.org/libc"

// sqliteMappedKiB is what SQLite's allocator (modernc.org/libc over
// modernc.org/memory) has mapped from the OS, live or retained, in KiB.
// Only with -tags memory.counters; -1 otherwise.
func sqliteMappedKiB() int { return libc.MemStat().Bytes >> 10 }
