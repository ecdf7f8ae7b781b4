package demo

import (
	"bytes"
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

// corpusOwner is the address the corpus writes its mailbox owner as; the
// demo rewrites it in headers to the owner of the mailbox it fills.
const corpusOwner = "sunli@magpie-demo.cn"

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
		{MemberAccount, MemberEmail, corpus.Options{Seed: 2026, Messages: memberCorpus}, memberShowcase(now)},
		{SalesAccount, SalesEmail, corpus.Options{Seed: 86, Messages: salesCorpus}, salesShowcase(now)},
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

// fillCorpus creates the corpus's folders for user and appends the corpus,
// its owner's address replaced by user in the header section.
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
		if _, err := b.Append(user, name, ownHeaders(m.Raw, user), flags, m.InternalDate); err != nil {
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

// ownHeaders replaces the corpus owner's address with user in the header
// section of raw (the address is plain ASCII there; bodies are left alone).
func ownHeaders(raw []byte, user string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	hdr := bytes.ReplaceAll(raw[:end], []byte(corpusOwner), []byte(user))
	return append(hdr, raw[end:]...)
}
