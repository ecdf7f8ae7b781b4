//go:build !memory.counters

package mailsync

// sqliteMappedKiB is -1: build with -tags memory.counters to count it.
func sqliteMappedKiB() int { return -1 }

func sqliteLiveKiB() int { return -1 }

func sqlitePoolKiB() int    { return -1 }
func sqliteRegions() string { return "" }
