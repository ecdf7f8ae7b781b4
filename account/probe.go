package account

import (
	"context"
	"sort"

	"github.com/emersion/go-imap/v2"
)

// FolderInfo is one folder as the server lists it.
type FolderInfo struct {
	Name     string // decoded UTF-8 (go-imap decodes modified UTF-7, RFC 3501 §5.1.3)
	Delim    rune
	Role     Role
	NoSelect bool
	Messages uint32
	Unseen   uint32
	// Err is set when the folder's counts could not be read.
	Err error
}

// ProbeReport is what `magpie account test` shows: whether IMAP and SMTP
// logins work, the folders with roles and counts, and the capabilities.
type ProbeReport struct {
	IMAPErr      error // nil when the IMAP login worked; a *ConnError otherwise
	Capabilities []string
	ServerID     *imap.IDData
	Quirks       Quirks
	Folders      []FolderInfo
	FoldersErr   error
	// SMTPErr is nil when the SMTP login worked; SMTPSkipped when the
	// account has no SMTP server (a source-only account).
	SMTPErr     error
	SMTPSkipped bool
	SMTPMaxSize int // bytes, from the SIZE extension (RFC 1870); 0 if unknown
}

// OK reports whether everything the report checked worked.
func (r ProbeReport) OK() bool {
	if r.IMAPErr != nil || r.FoldersErr != nil || r.SMTPErr != nil {
		return false
	}
	for _, f := range r.Folders {
		if f.Err != nil {
			return false
		}
	}
	return true
}

// Probe logs in to the account's IMAP and SMTP servers and reads the
// folder list with counts. It does not change anything on the server: only
// LIST and STATUS are used (STATUS does not select, RFC 3501 §6.3.10).
func (d *Dialer) Probe(ctx context.Context, a Account) ProbeReport {
	var r ProbeReport
	if c, err := d.DialIMAP(ctx, a, nil); err != nil {
		r.IMAPErr = err
	} else {
		r.ServerID, r.Quirks = c.ServerID, c.Quirks
		for cp := range c.Caps() {
			r.Capabilities = append(r.Capabilities, string(cp))
		}
		sort.Strings(r.Capabilities)
		r.Folders, r.FoldersErr = listFolders(c)
		_ = c.Logout().Wait()
		c.Close()
	}
	if a.SMTP.IsZero() {
		r.SMTPSkipped = true
		return r
	}
	s, err := d.DialSMTP(ctx, a)
	if err != nil {
		r.SMTPErr = err
		return r
	}
	if n, ok := s.MaxMessageSize(); ok {
		r.SMTPMaxSize = n
	}
	_ = s.Quit()
	s.Close()
	return r
}

func listFolders(c *IMAPClient) ([]FolderInfo, error) {
	caps := c.Caps()
	opts := &imap.ListOptions{}
	if caps.Has(imap.CapSpecialUse) {
		opts.ReturnSpecialUse = true
	}
	list, err := c.List("", "*", opts).Collect()
	if err != nil {
		return nil, err
	}
	folders := make([]FolderInfo, 0, len(list))
	for _, l := range list {
		f := FolderInfo{Name: l.Mailbox, Delim: l.Delim, Role: FolderRole(l.Mailbox, l.Delim, l.Attrs)}
		for _, attr := range l.Attrs {
			if attr == imap.MailboxAttrNoSelect || attr == imap.MailboxAttrNonExistent {
				f.NoSelect = true
			}
		}
		if !f.NoSelect {
			st, err := c.Status(l.Mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
			switch {
			case err != nil:
				f.Err = err
			default:
				if st.NumMessages != nil {
					f.Messages = *st.NumMessages
				}
				if st.NumUnseen != nil {
					f.Unseen = *st.NumUnseen
				}
			}
		}
		folders = append(folders, f)
	}
	sort.SliceStable(folders, func(i, j int) bool {
		ri, rj := roleOrder(folders[i].Role), roleOrder(folders[j].Role)
		if ri != rj {
			return ri < rj
		}
		return folders[i].Name < folders[j].Name
	})
	return folders, nil
}

func roleOrder(r Role) int {
	for i, x := range []Role{RoleInbox, RoleDrafts, RoleSent, RoleArchive, RoleJunk, RoleTrash, RoleAll, RoleFlagged, RoleVirus} {
		if r == x {
			return i
		}
	}
	return 100
}
