package migrate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// EachHash gives the hashes of one folder at one UIDVALIDITY, whatever
// their outcome, in UID order, and nothing of other folders or
// UIDVALIDITYs.
func TestJournalEachHashIsOneFolderInUIDOrder(t *testing.T) {
	ctx := context.Background()
	j, err := OpenJournal(ctx, filepath.Join(t.TempDir(), "j.db"), "src", "dst")
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	e := func(folder string, uidv uint32, uid imap.UID, o Outcome) Entry {
		return Entry{SrcFolder: folder, SrcUIDValidity: uidv, SrcUID: uid, Hash: [32]byte{byte(uid)}, Outcome: o, DstFolder: folder}
	}
	if err := j.PutAll(ctx, []Entry{e("INBOX", 7, 30, OutcomeCopied), e("INBOX", 7, 4, OutcomeFailed), e("INBOX", 7, 12, OutcomeInFlight),
		e("INBOX", 8, 5, OutcomeCopied), e("Sent", 7, 6, OutcomeAlready)}); err != nil {
		t.Fatal(err)
	}
	var got []imap.UID
	err = j.EachHash(ctx, "INBOX", 7, func(uid imap.UID, h [32]byte) {
		if h != ([32]byte{byte(uid)}) {
			t.Errorf("UID %d: hash %x", uid, h[:2])
		}
		got = append(got, uid)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 4 || got[1] != 12 || got[2] != 30 {
		t.Fatalf("UIDs %v, want [4 12 30]", got)
	}
}
