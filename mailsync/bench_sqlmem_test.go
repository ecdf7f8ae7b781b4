//go:build memory.counters

package mailsync

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
	"modernc.org/libc"
	"modernc.org/memory"
)

// libcAllocator is the allocator behind SQLite's malloc (modernc.org/libc),
// read only for its counters.
//
//go:linkname libcAllocator modernc.org/libc.allocator
var libcAllocator memory.Allocator

// libcAllocatorMu guards libcAllocator (libc's malloc takes it).
//
//go:linkname libcAllocatorMu modernc.org/libc.allocatorMu
var libcAllocatorMu sync.Mutex

// sqliteMappedKiB is what SQLite's allocator (modernc.org/libc over
// modernc.org/memory) has mapped from the OS, live or retained, in KiB.
// Only with -tags memory.counters; -1 otherwise.
func sqliteMappedKiB() int { return libc.MemStat().Bytes >> 10 }

// sqliteLiveKiB is the part of it holding allocations (regions not in the
// allocator's pool of empty ones), and sqlitePoolKiB the pool, in KiB.
func sqliteLiveKiB() int {
	libcAllocatorMu.Lock()
	defer libcAllocatorMu.Unlock()
	return int(reflect.ValueOf(&libcAllocator).Elem().FieldByName("live").Int()) >> 10
}

// sqlitePoolKiB is the resident part of the pool (by mincore): empty
// regions the allocator keeps for reuse.
func sqlitePoolKiB() int {
	libcAllocatorMu.Lock()
	defer libcAllocatorMu.Unlock()
	a := reflect.ValueOf(&libcAllocator).Elem()
	freed := a.FieldByName("freed")
	n := 0
	for it := freed.MapRange(); it.Next(); {
		size := int(it.Key().Int())
		for i := range it.Value().Len() {
			n += residentKiB(uintptr(it.Value().Index(i).Uint()), size)
		}
	}
	return n
}

// residentKiB is how much of the size bytes mapped at p is resident.
func residentKiB(p uintptr, size int) int {
	vec := make([]byte, (size+4095)/4096)
	if _, _, e := unix.Syscall(unix.SYS_MINCORE, p, uintptr(size), uintptr(unsafe.Pointer(&vec[0]))); e != 0 {
		return 0
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n * 4
}

// sqliteRegions describes the allocator's regions: the pool's committed
// regions by size, and the live ones (large allocations by size, shared
// slab pages by slot size), for finding what holds SQLite's memory.
func sqliteRegions() string {
	libcAllocatorMu.Lock()
	defer libcAllocatorMu.Unlock()
	a := reflect.ValueOf(&libcAllocator).Elem()
	freed, cold := a.FieldByName("freed"), a.FieldByName("cold")
	pool := map[int]int{}
	inPool := map[uintptr]bool{}
	for it := freed.MapRange(); it.Next(); {
		size := int(it.Key().Int())
		hot := it.Value().Len()
		for i := range it.Value().Len() {
			inPool[uintptr(it.Value().Index(i).Uint())] = true
		}
		if c := cold.MapIndex(it.Key()); c.IsValid() {
			hot -= int(c.Int())
		}
		pool[size>>10] += hot
	}
	large, slabs, used := map[int]int{}, map[int]int{}, map[int]int{}
	for it := a.FieldByName("regs").MapRange(); it.Next(); {
		p := uintptr(it.Key().Uint())
		if inPool[p] {
			continue
		}
		pg := (*struct {
			brk        int
			log        uint
			size, used int
		})(*(*unsafe.Pointer)(unsafe.Pointer(&p))) // p is a live region: the lock is held
		if pg.log == 0 {
			large[pg.size>>10]++
		} else {
			slabs[1<<pg.log]++
			used[1<<pg.log] += pg.used
		}
	}
	return fmt.Sprintf("pool KiB:count %v; large KiB:count %v; slab slot:pages %v; slots used %v", pool, large, slabs, used)
}
