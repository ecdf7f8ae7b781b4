package rules

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/magpie-mail/magpie/store"
)

// New Junk mail from an allowed address or domain (any case) goes back to
// INBOX, once; other Junk mail and a look-alike domain stay.
func TestAllowedSendersLeaveJunk(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(ctx, "work")
	inbox, _ := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "INBOX", RawName: "INBOX", Delim: "/", Role: "inbox"})
	junk, _ := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "垃圾箱", RawName: "垃圾箱", Delim: "/", Role: "junk"})
	if err := st.SetFolderState(ctx, junk, store.FolderState{UIDValidity: 7}); err != nil {
		t.Fatal(err)
	}
	if err := SaveLocal(ctx, st, acct, Set{Allow: []string{"boss@corp.example", "@partner.example"}, Block: []string{"@partner.example.evil"}}); err != nil {
		t.Fatal(err)
	}
	put := func(uid store.UID, from string) {
		t.Helper()
		if err := st.PutHeaders(ctx, junk, []store.Message{{UID: uid, MsgID: fmt.Sprintf("%d@t", uid), From: store.Address{Addr: from}, Subject: "s"}}); err != nil {
			t.Fatal(err)
		}
	}
	put(1, "boss@corp.example") // there before the rules started watching: left alone
	if _, err := rescueAllowed(ctx, st, "work", "垃圾箱", nil); err != nil {
		t.Fatal(err)
	}
	put(2, "BOSS@Corp.Example")
	put(3, "li@partner.example")
	put(4, "spam@partner.example.evil")
	put(5, "someone@else.example")
	res, err := rescueAllowed(ctx, st, "work", "垃圾箱", nil)
	if err != nil || res.Examined != 4 || res.Moved != 2 {
		t.Fatalf("rescue: %+v %v", res, err)
	}
	ops, _ := st.PendingOps(ctx, acct)
	if len(ops) != 1 || ops[0].Kind != store.OpMove || ops[0].Folder != junk || ops[0].Target != inbox ||
		len(ops[0].UIDs) != 2 || ops[0].UIDs[0] != 2 || ops[0].UIDs[1] != 3 {
		t.Fatalf("ops: %+v", ops)
	}
	if res, _ := rescueAllowed(ctx, st, "work", "垃圾箱", nil); res.Examined != 0 {
		t.Fatalf("second run examined %d", res.Examined)
	}
}
