package demo

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
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

// corpusOwner is the address the corpus writes its mailbox owner (孙丽) as;
// the demo rewrites the owner in headers to the mailbox it fills.
const corpusOwner = "sunli@magpie-demo.cn"

// fill gives the member and the business mailbox their mail: a
// deterministic corpus each, then the hand-written showcase messages dated
// shortly before now. It returns account name → folder → messages.
func fill(b *quirkserver.MemBackend, now time.Time) (map[string]map[string]int, error) {
	seeded := map[string]map[string]int{}
	for _, box := range []struct {
		account, login, name string
		opts                 corpus.Options
		showcase             []showMessage
	}{
		{MemberAccount, MemberEmail, MemberName, corpus.Options{Seed: 2026, Messages: memberCorpus}, memberShowcase(now)},
		{SalesAccount, SalesEmail, SalesName, corpus.Options{Seed: 86, Messages: salesCorpus}, salesShowcase(now)},
	} {
		counts, err := fillCorpus(b, box.login, box.name, box.opts)
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
// its owner's mailbox replaced by ownerName and user in the header section.
func fillCorpus(b *quirkserver.MemBackend, user, ownerName string, opts corpus.Options) (map[string]int, error) {
	counts := map[string]int{}
	owner := ownerPattern()
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
		if _, err := b.Append(user, name, ownHeaders(m.Raw, owner, ownerName, user), flags, m.InternalDate); err != nil {
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

// ownHeaders gives the header section of raw to the mailbox's owner: each
// corpus-owner mailbox ("=?…?= <sunli@…>", the name one encoded word)
// becomes name and user. Bodies, signatures included, are left alone.
func ownHeaders(raw []byte, owner *regexp.Regexp, name, user string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	hdr := owner.ReplaceAllLiteral(raw[:end], []byte(mime.BEncoding.Encode("UTF-8", name)+" <"+user+">"))
	return append(hdr, raw[end:]...)
}

// ownerPattern matches the corpus owner's mailbox in a header.
func ownerPattern() *regexp.Regexp {
	return regexp.MustCompile(`(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=\s*)?<` + regexp.QuoteMeta(corpusOwner) + `>`)
}
