package app

import (
	"slices"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// TestTypeAheadAfterADialog: a key typed right after a dialog's answer goes
// to the app, even before the answer went round the event loop.
func TestTypeAheadAfterADialog(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 120, 40)
	press(t, m, "m")
	if m.modal != modalPicker {
		t.Fatal("m did not open the move picker")
	}
	m.Update(keyMsg("esc")) // the returned Cmds are not run: the next key comes first
	if m.modal != modalNone {
		t.Fatal("the picker is still open after Esc")
	}
	m.Update(keyMsg("c"))
	if m.modal != modalPicker || !strings.Contains(m.View().Content, "Jump to which folder?") {
		t.Fatalf("the key typed after Esc was lost:\n%s", m.View().Content)
	}
}

// TestSortFoundCollates: search results sorted by sender or subject follow
// the store's collation (case folded in every script, Chinese by pinyin).
func TestSortFoundCollates(t *testing.T) {
	var rows []store.Message
	for i, n := range []string{"张伟", "Zola", "émile", "阿里", "Apple", "Ωmega"} {
		rows = append(rows, store.Message{ID: store.MessageID(i + 1), From: store.Address{Name: n}, Subject: n})
	}
	for _, by := range []store.SortField{store.SortSender, store.SortSubject} {
		var got []string
		for _, r := range sortFound(rows, listOrder{by: by}) {
			got = append(got, r.Subject)
		}
		if want := []string{"Apple", "émile", "Zola", "Ωmega", "阿里", "张伟"}; !slices.Equal(got, want) {
			t.Errorf("by %d: %q, want %q", by, got, want)
		}
	}
}
