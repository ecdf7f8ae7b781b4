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

// The parts of a folder's verification queued while it is copied cover
// the destination's UIDs from 1 up to the highest its APPENDs got, in
// order, each about a chunk; the rest starts above them; the folder
// cannot conclude before the rest is cut; none is queued once a copy's
// UID is unknown.
func TestEarlyVerificationParts(t *testing.T) {
	f := &folderRun{}
	f.dstTop = 2
	if _, ok := f.earlyPart(3); ok {
		t.Fatal("a part of 2 messages for a chunk of 3")
	}
	f.dstTop = 7
	if _, ok := f.earlyPart(3); !ok || f.early != 8 {
		t.Fatalf("no part for UIDs 1-7 (early %d)", f.early)
	}
	f.dstTop = 9
	if _, ok := f.earlyPart(3); ok {
		t.Fatal("a part of 2 messages for a chunk of 3")
	}
	f.dstTop = 10
	if _, ok := f.earlyPart(3); !ok || f.early != 11 {
		t.Fatalf("no part for UIDs 8-10 (early %d)", f.early)
	}
	if f.ver == nil || f.ver.left != 3 { // the hold and two parts
		t.Fatalf("verification %+v", f.ver)
	}
	tasks := f.verifyParts(verification{dstSt: mailboxStatus{Messages: 16, UIDNext: 17, UIDValidity: 1}}, 3)
	// The source, then 11-13 and 14:*.
	if len(tasks) != 3 || f.ver.left != 5 {
		t.Fatalf("%d tasks, %d parts left", len(tasks), f.ver.left)
	}
	f.dstTop = 20
	if _, ok := f.earlyPart(3); ok {
		t.Fatal("a part after the rest was cut")
	}
	if got := uidChunksFrom(11, 6, 17, 3); len(got) != 2 || got[0] != (imap.UIDRange{Start: 11, Stop: 13}) || got[1] != (imap.UIDRange{Start: 14, Stop: 0}) {
		t.Fatalf("uidChunksFrom(11, 6, 17, 3) = %v", got)
	}

	g := &folderRun{noEarly: true}
	g.dstTop = 100
	if _, ok := g.earlyPart(3); ok {
		t.Fatal("a part with a copy's UID unknown")
	}
}
