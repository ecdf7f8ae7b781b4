package corpus

import (
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ServerFolder maps a corpus folder to the name it gets on a server: the
// role folders take the server's own names (INBOX, and those in roles, e.g.
// {"sent": "Sent"} on Dovecot), the rest keep their tree with the server's
// delimiter.
func ServerFolder(f Folder, delim rune, roles map[string]string) string {
	if f.Role == "inbox" {
		return "INBOX"
	}
	if name, ok := roles[f.Role]; ok && f.Role != "" {
		return name
	}
	if delim == 0 || delim == '/' {
		return f.Name
	}
	return strings.ReplaceAll(f.Name, "/", string(delim))
}

// Upload creates the corpus's folders on the server c is logged in to and
// APPENDs every message (RFC 3501 §6.3.11) with its flags and INTERNALDATE.
// roles names the server's existing special-use folders by role (see
// ServerFolder). It returns how many messages each server folder got.
func Upload(c *imapclient.Client, opts Options, roles map[string]string) (map[string]int, error) {
	list, err := c.List("", "%", nil).Collect()
	if err != nil {
		return nil, fmt.Errorf("corpus: list: %w", err)
	}
	delim := rune('/')
	if len(list) > 0 && list[0].Delim != 0 {
		delim = list[0].Delim
	}
	exists := map[string]bool{"INBOX": true}
	all, err := c.List("", "*", nil).Collect()
	if err != nil {
		return nil, fmt.Errorf("corpus: list: %w", err)
	}
	for _, l := range all {
		exists[l.Mailbox] = true
	}
	names := map[string]string{}
	for _, f := range Folders() {
		name := ServerFolder(f, delim, roles)
		names[f.Name] = name
		if !exists[name] {
			if err := c.Create(name, nil).Wait(); err != nil {
				return nil, fmt.Errorf("corpus: create %q: %w", name, err)
			}
			exists[name] = true
		}
	}
	counts := map[string]int{}
	err = Each(opts, func(m Message) error {
		name := names[m.Folder]
		flags := make([]imap.Flag, 0, len(m.Flags))
		for _, f := range m.Flags {
			flags = append(flags, imap.Flag(f))
		}
		cmd := c.Append(name, int64(len(m.Raw)), &imap.AppendOptions{Flags: flags, Time: m.InternalDate})
		if _, err := cmd.Write(m.Raw); err != nil {
			cmd.Close()
			return fmt.Errorf("corpus: append to %q: %w", name, err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("corpus: append to %q: %w", name, err)
		}
		if _, err := cmd.Wait(); err != nil {
			return fmt.Errorf("corpus: append to %q: %w", name, err)
		}
		counts[name]++
		return nil
	})
	return counts, err
}
