package mailsync

import (
	"bytes"
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// feedWhole fetches the messages of rest (UIDs ascending, none of them in
// the store) whole into p, newest first, in batches of Options.Batch: each
// batch one UID FETCH of an ascending set (never a descending range) of
// UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ where the mailbox keeps
// mod-sequences (RFC 7162 §3.1.4), and BODY.PEEK[] (RFC 3501 §6.4.5; PEEK
// so \Seen is never set). The header row is taken from the raw bytes
// (headerBlock), so a message costs one FETCH and one store write instead
// of a header FETCH, a body FETCH and two writes. The folder must be
// selected on c. It stops between FETCHes when ctx ends.
func (e *Engine) feedWhole(ctx context.Context, c *account.IMAPClient, f store.Folder, rest []store.UID, modseq bool, p *bodyPipeline) error {
	opts := &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true, ModSeq: modseq,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}
	for hi := len(rest); hi > 0; hi -= e.opts.Batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		var set imap.UIDSet
		for _, u := range rest[max(0, hi-e.opts.Batch):hi] {
			set.AddNum(imap.UID(u))
		}
		if err := p.fetchWhole(c, f, set, opts); err != nil {
			return fmt.Errorf("mailsync: fetch messages %q: %w", f.Name, err)
		}
	}
	return nil
}

// fetchWhole runs one UID FETCH of whole messages of folder f (selected on
// c) into the pipeline, as fetch does for bodies. Messages the server no
// longer has are simply not answered; the next pass sees them expunged.
func (p *bodyPipeline) fetchWhole(c *account.IMAPClient, f store.Folder, set imap.UIDSet, opts *imap.FetchOptions) error {
	cmd := c.Fetch(set, opts)
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, data, err := readWhole(msg)
		if err != nil {
			cmd.Close()
			return err
		}
		if data == nil || buf.UID == 0 || !set.Contains(buf.UID) {
			continue // an unsolicited FETCH (a flag change), not an answer
		}
		if err := p.budget.acquire(p.ctx, len(data)); err != nil {
			cmd.Close()
			return err
		}
		select {
		case p.raws <- rawBody{folder: f, data: data, whole: buf}:
		case <-p.ctx.Done():
			p.budget.release(len(data))
			cmd.Close()
			return p.ctx.Err()
		}
	}
	return cmd.Close()
}

// readWhole reads one message of a whole-message FETCH: the body into a
// buffer of exactly the literal's size (as readBody), the other items into
// a FetchMessageBuffer. data is nil when the server sent no body.
func readWhole(msg *imapclient.FetchMessageData) (*imapclient.FetchMessageBuffer, []byte, error) {
	buf := &imapclient.FetchMessageBuffer{}
	var data []byte
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			buf.UID = item.UID
		case imapclient.FetchItemDataFlags:
			buf.Flags = item.Flags
		case imapclient.FetchItemDataInternalDate:
			buf.InternalDate = item.Time
		case imapclient.FetchItemDataRFC822Size:
			buf.RFC822Size = item.Size
		case imapclient.FetchItemDataModSeq:
			buf.ModSeq = item.ModSeq
		case imapclient.FetchItemDataBodySection:
			if item.Literal == nil {
				continue
			}
			var err error
			if data, err = readLiteral(item.Literal); err != nil {
				return nil, nil, err
			}
		}
	}
	return buf, data, nil
}

// headerBlock is the header of a raw message as BODY[HEADER] returns it
// (RFC 3501 §6.4.5): every line up to and including the empty line that
// ends the header; the whole message when there is no such line. The
// header row and a synthetic Message-ID (a hash of these bytes) are then
// the same whichever FETCH the message came from.
func headerBlock(raw []byte) []byte {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		line := raw[i : i+j+1]
		if len(line) == 1 || (len(line) == 2 && line[0] == '\r') {
			return raw[:i+j+1]
		}
		i += j + 1
	}
	return raw
}
