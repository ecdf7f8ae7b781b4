package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// copyOne settles one source message: it reads the body (BODY.PEEK[]),
// looks for an unclaimed identical message on the destination, and
// APPENDs only when there is none. The journal says in-flight before the
// APPEND is sent, so a crash at any instant leaves either a settled entry
// or one the next run checks on the destination.
func (r *runner) copyOne(ctx context.Context, f *folderRun, m srcMsg) error {
	var sp *spool
	err := r.try(ctx, f, func() error {
		if _, err := r.src.open(ctx, f.fp.Source, true); err != nil {
			return err
		}
		var err error
		sp, err = fetchBody(r.src.c.Client, m.UID)
		return err
	})
	if errors.Is(err, errVanished) {
		f.rep.SourceCount--
		return nil
	}
	if err != nil {
		return err
	}
	defer sp.Close()
	m.Size = sp.size // the bytes are the truth; RFC822.SIZE should agree
	e := Entry{SrcFolder: f.fp.Source, SrcUIDValidity: f.srcUIDV, SrcUID: m.UID, Hash: sp.hash, Size: sp.size,
		MessageID: m.MsgID, DstFolder: f.fp.Dest}
	// One attempt looks on the destination, then APPENDs if needed. A
	// transient failure reconnects and runs it again from the look: the
	// APPEND may or may not have landed.
	return r.try(ctx, f, func() error {
		have, err := r.dstHas(ctx, f, m.key(), sp.hash)
		if err != nil {
			return err
		}
		e.DstUIDValidity = f.dstUIDV
		if have {
			e.Outcome = OutcomeAlready
			if err := r.put(ctx, f, e); err != nil {
				return err
			}
			f.claimed[sp.hash]++
			f.rep.Already++
			return nil
		}
		e.Outcome = OutcomeInFlight
		if err := r.put(ctx, f, e); err != nil {
			return err
		}
		uid, err := r.appendMsg(ctx, f, m, sp)
		if err == nil {
			e.Outcome, e.DstUID = OutcomeCopied, uid
			if err := r.put(ctx, f, e); err != nil {
				return err
			}
			f.claimed[sp.hash]++
			if c := f.counts[m.key()]; c != nil {
				c[sp.hash]++
			}
			f.rep.Copied++
			return nil
		}
		if reason, detail, ok := refusal(err); ok && ctx.Err() == nil {
			e.Outcome, e.Reason, e.Detail = OutcomeFailed, reason, detail
			if err := r.put(ctx, f, e); err != nil {
				return err
			}
			f.rep.Failed++
			f.rep.Failures = append(f.rep.Failures, Failure{UID: m.UID, MessageID: m.MsgID, Size: sp.size, Reason: reason, Detail: detail})
			return nil
		}
		return err
	})
}

func (r *runner) put(ctx context.Context, f *folderRun, e Entry) error {
	// The journal write must not be lost to a cancelled ctx halfway
	// through a message: it records what already happened on the server.
	if err := r.j.Put(context.WithoutCancel(ctx), e); err != nil {
		return err
	}
	f.entries[e.SrcUID] = e
	return nil
}

// dstHas reports whether the destination folder holds a message with
// hash h that no other source message accounts for. Candidates are the
// destination messages with the same Message-ID and size (one FETCH of
// those header fields per folder and connection); only their bodies are
// fetched, streamed through SHA-256.
func (r *runner) dstHas(ctx context.Context, f *folderRun, k msgKey, h [32]byte) (bool, error) {
	if err := r.openDest(ctx, f); err != nil {
		return false, err
	}
	c := r.dst.c.Client
	if f.idx == nil {
		idx := map[msgKey][]imap.UID{}
		if r.dst.sel.NumMessages > 0 || (c.Mailbox() != nil && c.Mailbox().NumMessages > 0) {
			list, err := fetchMeta(c, imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, false)
			if err != nil {
				return false, err
			}
			for _, m := range list {
				idx[m.key()] = append(idx[m.key()], m.UID)
			}
		}
		f.idx, f.counts = idx, map[msgKey]map[[32]byte]int{}
	}
	counts, ok := f.counts[k]
	if !ok {
		counts = map[[32]byte]int{}
		if uids := f.idx[k]; len(uids) > 0 {
			hashes, err := hashBodies(c, imap.UIDSetNum(uids...))
			if err != nil {
				return false, err
			}
			for _, sum := range hashes {
				counts[sum]++
			}
		}
		f.counts[k] = counts
	}
	return counts[h]-f.claimed[h] > 0, nil
}

// appendMsg APPENDs the spooled message with its flags and INTERNALDATE
// (RFC 3501 §6.3.11) and returns the new UID from APPENDUID (RFC 4315),
// or 0 without UIDPLUS.
func (r *runner) appendMsg(ctx context.Context, f *folderRun, m srcMsg, sp *spool) (imap.UID, error) {
	c, err := r.dst.client(ctx)
	if err != nil {
		return 0, err
	}
	cmd := c.Append(f.fp.Dest, sp.size, &imap.AppendOptions{Flags: f.flagsFor(m.Flags), Time: m.Date})
	_, werr := io.Copy(cmd, sp.reader())
	cerr := cmd.Close()
	data, err := cmd.Wait()
	if err == nil {
		err = errors.Join(werr, cerr)
	}
	if err != nil {
		return 0, fmt.Errorf("migrate: append to %q: %w", f.fp.Dest, err)
	}
	if data != nil && data.UIDValidity == f.dstUIDV {
		return data.UID, nil
	}
	return 0, nil
}

// flagsFor keeps the flags the destination stores permanently (RFC 3501
// §7.1: PERMANENTFLAGS, \* meaning any keyword); \Recent is never sent.
// Keywords left out are remembered for the report.
func (f *folderRun) flagsFor(flags []imap.Flag) []imap.Flag {
	var out []imap.Flag
	wildcard := false
	perm := map[string]bool{}
	for _, p := range f.perm {
		if p == imap.FlagWildcard {
			wildcard = true
		}
		perm[strings.ToLower(string(p))] = true
	}
	for _, fl := range flags {
		lower := strings.ToLower(string(fl))
		switch {
		case lower == `\recent`:
		case f.perm == nil || perm[lower]:
			out = append(out, fl)
		case strings.HasPrefix(lower, `\`):
			// a system flag the destination cannot keep: leave it out
		case wildcard:
			out = append(out, fl)
		default:
			f.dropped[string(fl)] = true
		}
	}
	return out
}
