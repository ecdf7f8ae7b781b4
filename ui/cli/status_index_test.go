package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/store"
)

// TestStatusShowsIndexLag: bodies stored but not yet indexed for search
// (a sync stopped between the two) are counted in status --json and
// explained by the plain status, in the user's language.
func TestStatusShowsIndexLag(t *testing.T) {
	h := newHarness(t, "zh_CN.UTF-8")
	offlineAccount(t, h, "work")
	date := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	seedStore(t, h, "work", []store.Message{{UID: 1, MsgID: "a@x", Subject: "x", Date: date}, {UID: 2, MsgID: "b@x", Subject: "y", Date: date}})
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(h.env["XDG_DATA_HOME"], "magpie", "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := st.Account(ctx, "work")
	folders, _ := st.Folders(ctx, id)
	mid, err := st.Lookup(ctx, folders[0].ID, 1)
	if err == nil {
		var p store.PreparedBody
		p, err = store.PrepareBody(mid, store.Body{Raw: []byte("Subject: x\r\n\r\n正文\r\n")})
		if err == nil {
			err = st.PutRawBodies(ctx, []store.PreparedBody{p})
		}
	}
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := h.run("", "status")
	if r.code != ExitOK || !strings.Contains(r.stdout, "work：1 封已下载的邮件还未建立正文索引") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = h.run("", "status", "--json")
	var rows []statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if rows[0].Bodies != 1 || rows[0].Unindexed != 1 {
		t.Errorf("status --json row = %+v, want 1 body, 1 unindexed", rows[0])
	}
}
