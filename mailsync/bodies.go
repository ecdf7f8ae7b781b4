package mailsync

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// bodyBatch is how many bodies one UID FETCH asks for. Each body is
// collected and stored on its own, so memory holds one message at a time
// whatever the batch.
const bodyBatch = 100

// fetchBodies downloads the raw bytes (BODY.PEEK[], RFC 3501 §6.4.5: PEEK so
// \Seen is never set) of messages the store lacks, newest first, as the
// account's policy allows. The folder must be selected. Messages that the
// server no longer has are skipped; the next pass sees them expunged.
func (e *Engine) fetchBodies(ctx context.Context, c *account.IMAPClient, f store.Folder) (int, error) {
	if e.opts.Bodies.Mode == BodiesNone {
		return 0, nil
	}
	var allowed map[store.UID]bool
	if e.opts.Bodies.Mode == BodiesRecent {
		since := dayStart(e.opts.Now().AddDate(0, 0, -e.opts.Bodies.Days))
		data, err := c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err != nil {
			return 0, fmt.Errorf("mailsync: search recent %q: %w", f.Name, err)
		}
		allowed = map[store.UID]bool{}
		for _, u := range data.AllUIDs() {
			allowed[store.UID(u)] = true
		}
	}
	tried := map[store.MessageID]bool{}
	done := 0
	for {
		need, err := e.st.NeedBodies(ctx, f.ID, bodyBatch+len(tried))
		if err != nil {
			return done, err
		}
		byUID := map[store.UID]store.MessageID{}
		var set imap.UIDSet
		fresh := 0
		for _, n := range need {
			if tried[n.ID] {
				continue
			}
			fresh++
			tried[n.ID] = true // also when skipped: asked once per pass
			if allowed != nil && !allowed[n.UID] {
				continue
			}
			byUID[n.UID] = n.ID
			set.AddNum(imap.UID(n.UID))
			if len(byUID) == bodyBatch {
				break
			}
		}
		if fresh == 0 {
			return done, nil
		}
		if len(byUID) == 0 {
			continue
		}
		n, err := e.fetchBodySet(ctx, c, f, set, byUID)
		done += n
		if err != nil {
			return done, err
		}
		e.emit(ctx, FolderProgress{Account: e.acct.Name, Folder: f.Name, Phase: PhaseBodies, Done: done, Total: done + len(need) - len(byUID)})
	}
}

func (e *Engine) fetchBodySet(ctx context.Context, c *account.IMAPClient, f store.Folder, set imap.UIDSet, byUID map[store.UID]store.MessageID) (int, error) {
	cmd := c.Fetch(set, &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	done := 0
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return done, fmt.Errorf("mailsync: fetch bodies %q: %w", f.Name, err)
		}
		id, ok := byUID[store.UID(buf.UID)]
		if !ok || len(buf.BodySection) == 0 {
			continue
		}
		if err := e.st.PutBody(ctx, id, bodyOf(buf.BodySection[0].Bytes)); err != nil {
			cmd.Close()
			return done, err
		}
		done++
	}
	if err := cmd.Close(); err != nil {
		return done, fmt.Errorf("mailsync: fetch bodies %q: %w", f.Name, err)
	}
	return done, nil
}
