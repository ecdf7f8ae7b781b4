package demo

import (
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/quirkserver"
)

// exmailRoles names the special-use folders quirkserver.ExmailFolders
// creates, by role, for corpus.ServerFolder.
func exmailRoles() map[string]string {
	return map[string]string{"sent": "已发送", "drafts": "草稿箱", "trash": "已删除", "junk": "垃圾箱"}
}

// fill gives the member and the business mailbox their mail: a
// deterministic corpus each, then the hand-written showcase messages dated
// shortly before now. It returns account name → folder → messages.
func fill(b *quirkserver.MemBackend, now time.Time) (map[string]map[string]int, error) {
	seeded := map[string]map[string]int{}
	for _, box := range []struct {
		account, login string
		opts           corpus.Options
		showcase       []showMessage
	}{
		{MemberAccount, MemberEmail, corpus.Options{Seed: 2026, Messages: memberCorpus,
			Owner: corpus.Owner{Name: MemberName, Addr: MemberEmail, Latin: "Chen Ming"}}, memberShowcase(now)},
		{SalesAccount, SalesEmail, corpus.Options{Seed: 86, Messages: salesCorpus,
			Owner: corpus.Owner{Name: SalesName, Addr: SalesEmail, Latin: "Sales Team"}}, salesShowcase(now)},
	} {
		counts, err := fillCorpus(b, box.login, box.opts)
		if err != nil {
			return nil, err
		}
		for _, m := range box.showcase {
			if _, err := b.Append(box.login, m.folder, m.raw, m.flags, m.date); err != nil {
				return nil, fmt.Errorf("demo: showcase for %s: %w", box.login, err)
			}
			counts[m.folder]++
		}
		seeded[box.account] = counts
	}
	return seeded, nil
}

// fillCorpus creates the corpus's folders for user and appends the corpus
// (whose Owner is the mailbox's owner: headers and signatures are hers).
func fillCorpus(b *quirkserver.MemBackend, user string, opts corpus.Options) (map[string]int, error) {
	counts := map[string]int{}
	roles := exmailRoles()
	existing := map[string]bool{"INBOX": true}
	for _, name := range quirkserver.ExmailFolders.Names() {
		existing[name] = true
		counts[name] = 0
	}
	names := map[string]string{}
	for _, f := range corpus.Folders() {
		name := corpus.ServerFolder(f, '/', roles)
		names[f.Name] = name
		if !existing[name] {
			if err := b.CreateMailbox(user, name); err != nil {
				return nil, fmt.Errorf("demo: %w", err)
			}
			existing[name] = true
		}
		counts[name] += 0
	}
	err := corpus.Each(opts, func(m corpus.Message) error {
		name := names[m.Folder]
		flags := make([]imap.Flag, 0, len(m.Flags))
		for _, f := range m.Flags {
			flags = append(flags, imap.Flag(f))
		}
		if _, err := b.Append(user, name, m.Raw, flags, m.InternalDate); err != nil {
			return fmt.Errorf("demo: corpus for %s: %w", user, err)
		}
		counts[name]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
