package migrate

import (
	"testing"

	"github.com/emersion/go-imap/v2"
)

// TestUIDChunks: the ranges cover 1:* without gaps or overlaps, about
// defaultVerifyChunk messages each, the last one open-ended.
func TestUIDChunks(t *testing.T) {
	for _, tc := range []struct {
		n       uint32
		uidNext imap.UID
		want    int
	}{
		{1, 2, 1},
		{defaultVerifyChunk, defaultVerifyChunk + 1, 1},
		{defaultVerifyChunk + 1, defaultVerifyChunk + 2, 2},
		{4000, 4001, 4},
		{4000, 9001, 4}, // UIDs with gaps: cut by UID space
		{4000, 0, 1},    // no UIDNEXT: 1:*
	} {
		got := uidChunks(tc.n, tc.uidNext, defaultVerifyChunk)
		if len(got) != tc.want {
			t.Errorf("uidChunks(%d, %d) = %v: %d ranges, want %d", tc.n, tc.uidNext, got, len(got), tc.want)
			continue
		}
		next := imap.UID(1)
		for i, rg := range got {
			if rg.Start != next {
				t.Errorf("uidChunks(%d, %d) = %v: range %d starts at %d, want %d", tc.n, tc.uidNext, got, i, rg.Start, next)
			}
			if i == len(got)-1 {
				if rg.Stop != 0 {
					t.Errorf("uidChunks(%d, %d) = %v: the last range is not open-ended", tc.n, tc.uidNext, got)
				}
				break
			}
			next = rg.Stop + 1
		}
	}
}
