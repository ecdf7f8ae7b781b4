package store

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

// TestPutDownloaded: messages fetched whole are stored with their bodies in
// one transaction, several folders in one batch; a reply in one folder
// joins the thread of its parent in another folder of the same batch; a
// row that exists already keeps its ID and gets flags and body; the bodies
// wait for the index; bodies of existing rows in the same call are linked.
func TestPutDownloaded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(1, 1))) // inbox UID 1 exists, without a body
	pre, err := f.s.Lookup(ctx, f.inbox, 1)
	must(t, err)
	bodyOf := func(i int) PreparedBody {
		p, err := PrepareBody(0, Body{Raw: []byte(fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i))})
		must(t, err)
		return p
	}
	parent := genMessages(1, 100)[0]
	reply := genMessages(1, 200)[0]
	reply.InReplyTo, reply.References = parent.MsgID, []string{parent.MsgID}
	again := genMessages(1, 1)[0]
	again.Flags = FlagFlagged
	batch := []Downloaded{
		{Folder: f.inbox, Msg: parent, Body: bodyOf(1)},
		{Folder: f.archive, Msg: reply, Body: bodyOf(2)},
		{Folder: f.inbox, Msg: again, Body: bodyOf(3)},
	}
	extra := genMessages(1, 300)
	must(t, f.s.PutHeaders(ctx, f.archive, extra))
	extraID, err := f.s.Lookup(ctx, f.archive, 300)
	must(t, err)
	linked, err := PrepareBody(extraID, Body{Raw: []byte("Subject: x\r\n\r\nlinked\r\n")})
	must(t, err)
	must(t, f.s.PutDownloaded(ctx, batch, []PreparedBody{linked}))

	check := func(folder FolderID, uid UID, d *Downloaded, raw []byte) Message {
		t.Helper()
		id, err := f.s.Lookup(ctx, folder, uid)
		must(t, err)
		got, err := f.s.Raw(ctx, id)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("uid %d: raw %q, %v; want %q", uid, got, err, raw)
		}
		page, err := f.s.Page(ctx, folder, PageRequest{Limit: 100})
		must(t, err)
		for _, m := range page {
			if m.ID == id {
				if d != nil && (m.Subject != d.Msg.Subject || m.Flags != d.Msg.Flags || !m.BodyFetched) {
					t.Errorf("uid %d stored as %+v", uid, m)
				}
				return m
			}
		}
		t.Fatalf("uid %d not in its folder", uid)
		return Message{}
	}
	p := check(f.inbox, 100, &batch[0], batch[0].Body.Body.Raw)
	r := check(f.archive, 200, &batch[1], batch[1].Body.Body.Raw)
	if p.Thread != r.Thread {
		t.Errorf("reply in another folder of the batch: thread %d, parent's %d", r.Thread, p.Thread)
	}
	a := check(f.inbox, 1, &batch[2], batch[2].Body.Body.Raw)
	if a.ID != pre {
		t.Errorf("existing row replaced: ID %d, was %d", a.ID, pre)
	}
	check(f.archive, 300, nil, linked.Body.Raw)
	if n := count(t, f.s, `SELECT count(*) FROM messages WHERE indexed = 0`); n != 4 {
		t.Errorf("%d messages wait for the index, want 4", n)
	}
}
