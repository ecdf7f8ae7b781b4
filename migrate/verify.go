package migrate

import (
	"context"

	"github.com/emersion/go-imap/v2"
)

// verify compares the folder's source and destination as multisets of
// content hashes. Source hashes come from the journal (computed from the
// bytes fetched this run or an earlier one: a UID's bytes never change,
// RFC 3501 §2.3.1.1). Destination hashes come from the destination's
// bytes, every one of them: one UID FETCH BODY.PEEK[] of the folder,
// each body streamed through SHA-256 and dropped. What Magpie sent is not
// taken for what the destination holds: a server that alters a message
// on APPEND, or loses one under a UID it announced, is caught here.
func (r *runner) verify(ctx context.Context, f *folderRun) error {
	src := map[[32]byte]int{}
	var unknown []imap.UID
	for _, m := range f.msgs {
		if e, ok := f.entries[m.UID]; ok {
			src[e.Hash]++
		} else {
			unknown = append(unknown, m.UID)
		}
	}
	if len(unknown) > 0 {
		hashes, err := r.src.hashes(ctx, f.fp.Source, unknown)
		if err != nil {
			return err
		}
		for _, h := range hashes {
			src[h]++
		}
		f.rep.SourceCount = len(f.msgs) - (len(unknown) - len(hashes))
	}

	if err := r.openDest(ctx, f); err != nil {
		return err
	}
	n, err := r.dst.fresh(ctx, f.fp.Dest, false)
	if err != nil {
		return err
	}
	dst := map[[32]byte]int{}
	f.rep.DestCount = 0
	if n > 0 {
		err := eachBodyHash(r.dst.c.Client, imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, func(_ imap.UID, h [32]byte) {
			dst[h]++
			f.rep.DestCount++
		})
		if err != nil {
			return err
		}
	}
	f.rep.Missing, f.rep.Extra = 0, 0
	for h, n := range src {
		f.rep.Missing += max(0, n-dst[h])
	}
	for h, n := range dst {
		f.rep.Extra += max(0, n-src[h])
	}
	return nil
}
