package mailsync

import (
	"context"
	"testing"

	"github.com/magpie-mail/magpie/store"
)

// A folder made here (a rule filing into a folder that does not exist yet)
// exists at once, survives a folder listing that does not show it yet, and
// reaches the server before the move queued into it: the server then holds
// the folder, with its Chinese nested name, and the message.
func TestOfflineFolderCreateThenMove(t *testing.T) {
	f := newFixture(t, 5)
	f.syncOnce(Options{})
	ctx := context.Background()
	acct, _ := f.st.Account(ctx, "dove")
	folders, _ := f.st.Folders(ctx, acct)
	var inbox store.Folder
	for _, fo := range folders {
		if fo.Name == "INBOX" {
			inbox = fo
		}
	}
	uids, _ := f.st.UIDs(ctx, inbox.ID)
	name := "客户邮件/新项目"
	made, op, err := f.st.CreateFolderOffline(ctx, store.Folder{Account: acct, Name: name, RawName: name, Delim: "/"})
	if err != nil || op == 0 {
		t.Fatalf("create offline: folder %d op %d: %v", made, op, err)
	}
	if _, err := f.st.EnqueueOp(ctx, store.Op{Kind: store.OpMove, Folder: inbox.ID, Target: made, UIDs: []store.UID{uids[0].UID}}); err != nil {
		t.Fatal(err)
	}
	if now, _ := f.st.UIDs(ctx, inbox.ID); len(now) != len(uids)-1 {
		t.Fatalf("local INBOX after the offline move: %d, want %d", len(now), len(uids)-1)
	}
	f.syncOnce(Options{})
	if pending, _ := f.st.PendingOps(ctx, acct); len(pending) != 0 {
		t.Fatalf("ops still pending: %+v", pending)
	}
	server := f.serverState()
	if len(server[name]) != 1 {
		t.Fatalf("%s on the server holds %d messages, want 1 (server folders: %d)", name, len(server[name]), len(server))
	}
	f.syncOnce(Options{}) // once more: nothing created or moved twice
	f.assertInStep(true)
	if server := f.serverState(); len(server[name]) != 1 {
		t.Errorf("after a second pass %s holds %d messages", name, len(server[name]))
	}
}
