package migrate

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"
)

// verify compares the folder's source and destination as multisets of
// content hashes. Source hashes come from the journal (computed from the
// bytes fetched this run or an earlier one: a UID's bytes never change,
// RFC 3501 §2.3.1.1); the destination's UIDs come from one UID SEARCH
// ALL (ESEARCH ranges, RFC 4731, when offered), and messages Magpie
// APPENDed (APPENDUID known, same UIDVALIDITY) take the hash recorded
// then; every other destination body is fetched and hashed, streamed,
// one at a time.
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
	c := r.dst.c.Client
	var list []imap.UID
	if n > 0 {
		var opts *imap.SearchOptions
		if c.Caps().Has(imap.CapESearch) || c.Caps().Has(imap.CapIMAP4rev2) {
			opts = &imap.SearchOptions{ReturnAll: true} // ranges, not 10,000 numbers
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{}, opts).Wait()
		if err != nil {
			return fmt.Errorf("migrate: search destination: %w", err)
		}
		list = data.AllUIDs()
	}
	known := map[imap.UID][32]byte{} // hashes only: a folder's entries are not copied again
	for _, e := range f.entries {
		if e.Outcome == OutcomeCopied && e.DstUID != 0 && e.DstFolder == f.fp.Dest && e.DstUIDValidity == f.dstUIDV {
			known[e.DstUID] = e.Hash
		}
	}
	dst := map[[32]byte]int{}
	var fetch []imap.UID
	for _, uid := range list {
		if h, ok := known[uid]; ok {
			dst[h]++
		} else {
			fetch = append(fetch, uid)
		}
	}
	if len(fetch) > 0 {
		hashes, err := hashBodies(c, imap.UIDSetNum(fetch...))
		if err != nil {
			return err
		}
		for _, h := range hashes {
			dst[h]++
		}
	}
	f.rep.DestCount = len(list)
	f.rep.Missing, f.rep.Extra = 0, 0
	for h, n := range src {
		f.rep.Missing += max(0, n-dst[h])
	}
	for h, n := range dst {
		f.rep.Extra += max(0, n-src[h])
	}
	return nil
}
