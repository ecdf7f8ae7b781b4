//go:build !memory.counters

package mailsync

// sqliteMappedKiB is -1: build with -tags memory.counters to count it.
func sqliteMappedKiB() int { return -1 }
