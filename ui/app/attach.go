package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	gomessage "github.com/emersion/go-message"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/dirpicker"
)

// attachmentRef names one attachment of a stored message.
type attachmentRef struct {
	Message  store.MessageID
	PartPath string
	Filename string // already SafeFilename'd by message.Parse
}

// SaveCheckedMsg reports where an attachment would be saved and whether a
// file is already there (then the user is asked before overwriting).
type SaveCheckedMsg struct {
	Att    attachmentRef
	Path   string
	Exists bool
	Err    error
}

// AttachmentSavedMsg reports a saved attachment.
type AttachmentSavedMsg struct {
	Message store.MessageID
	Path    string
	Err     error
}

// AttachmentOpenedMsg reports an attachment handed to the desktop handler.
type AttachmentOpenedMsg struct {
	Message store.MessageID
	Path    string
	Err     error
}

// errNoOpener says the desktop cannot open files (Deps.Open is nil).
var errNoOpener = errors.New("app: no desktop handler to open files")

// selectedAttachment returns the reader's selected attachment.
func (m *Model) selectedAttachment() (attachmentRef, bool) {
	a, ok := m.reader.Attachment()
	if !ok {
		m.status.SetError(m.c.P.T("tui.err.no_attachment"))
		return attachmentRef{}, false
	}
	return attachmentRef{Message: m.reader.Message().ID, PartPath: a.PartPath, Filename: a.Filename}, true
}

// askSave asks for the folder to save the selected attachment into: a
// path with Tab completion over a list of folders to browse.
func (m *Model) askSave() tea.Cmd {
	ref, ok := m.selectedAttachment()
	if !ok {
		return nil
	}
	m.pending = pendingAction{att: ref}
	m.dirs = dirpicker.New(m.c, actSave, m.c.P.T("tui.save.title", common.Clean(ref.Filename)), m.c.P.T("tui.save.browse"), defaultSaveDir())
	m.modal = modalDirs
	m.layout()
	return m.dirs.Init()
}

// defaultSaveDir is ~/Downloads when it exists, else the home directory.
func defaultSaveDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if fi, err := os.Stat(filepath.Join(home, "Downloads")); err == nil && fi.IsDir() {
		return filepath.Join(home, "Downloads")
	}
	return home
}

// expandHome turns a leading ~ into the home directory.
func expandHome(dir string) string { return dirpicker.Expand(strings.TrimSpace(dir)) }

// checkSaveCmd resolves the file an attachment would be saved as (name
// sanitised, never outside dir) and whether it exists.
func checkSaveCmd(dir string, ref attachmentRef) tea.Cmd {
	return func() tea.Msg {
		dir := expandHome(dir)
		out := SaveCheckedMsg{Att: ref}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			out.Err = fmt.Errorf("app: %q is not a folder", dir)
			return out
		}
		out.Path, out.Err = message.SafeJoin(dir, ref.Filename)
		if out.Err == nil {
			_, err := os.Lstat(out.Path)
			out.Exists = err == nil
		}
		return out
	}
}

// saveCmd writes an attachment's decoded bytes to path. Without overwrite
// it refuses to replace anything (O_EXCL), even a file created meanwhile.
func saveCmd(ctx context.Context, st *store.Store, ref attachmentRef, path string, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		out := AttachmentSavedMsg{Message: ref.Message, Path: path}
		data, err := attachmentBytes(ctx, st, ref)
		if err != nil {
			out.Err = err
			return out
		}
		out.Err = writeFile(path, data, overwrite)
		return out
	}
}

func writeFile(path string, data []byte, overwrite bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		// Replace through a fresh file renamed over the old one, so a
		// symbolic link planted at path is replaced, not followed.
		tmp, err := os.CreateTemp(filepath.Dir(path), ".magpie-save-*")
		if err != nil {
			return fmt.Errorf("app: save: %w", err)
		}
		_, err = tmp.Write(data)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("app: save: %w", err)
		}
		return nil
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return fmt.Errorf("app: save: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("app: save: %w", err)
	}
	return nil
}

// openAttachment writes the selected attachment to a private temporary
// folder and hands it to the desktop handler.
func (m *Model) openAttachment() tea.Cmd {
	ref, ok := m.selectedAttachment()
	if !ok {
		return nil
	}
	ctx, st, open := m.ctx, m.d.Store, m.d.Open
	return func() tea.Msg {
		out := AttachmentOpenedMsg{Message: ref.Message}
		if open == nil {
			out.Err = errNoOpener
			return out
		}
		data, err := attachmentBytes(ctx, st, ref)
		if err != nil {
			out.Err = err
			return out
		}
		dir, err := os.MkdirTemp("", "magpie-open-")
		if err != nil {
			out.Err = err
			return out
		}
		if out.Path, out.Err = message.SafeJoin(dir, ref.Filename); out.Err != nil {
			return out
		}
		if out.Err = writeFile(out.Path, data, false); out.Err != nil {
			return out
		}
		out.Err = open(out.Path)
		return out
	}
}

// onAttachment shows the outcome of saving or opening, or asks before
// overwriting.
func (m *Model) onAttachment(msg tea.Msg) tea.Cmd {
	p := m.c.P
	switch msg := msg.(type) {
	case SaveCheckedMsg:
		switch {
		case msg.Err != nil:
			m.status.SetError(p.T("tui.err.save", common.Clean(msg.Err.Error())))
		case msg.Exists:
			m.pending = pendingAction{att: msg.Att, path: msg.Path}
			return m.ask(actOverwrite, p.T("tui.confirm.overwrite", common.Clean(msg.Path)))
		default:
			return saveCmd(m.ctx, m.d.Store, msg.Att, msg.Path, false)
		}
	case AttachmentSavedMsg:
		if msg.Err != nil {
			m.status.SetError(p.T("tui.err.save", common.Clean(msg.Err.Error())))
		} else {
			m.status.SetNotice(p.T("tui.done.saved", common.Clean(msg.Path)))
		}
	case AttachmentOpenedMsg:
		switch {
		case errors.Is(msg.Err, errNoOpener):
			m.status.SetError(p.T("tui.err.no_opener"))
		case msg.Err != nil:
			m.status.SetError(p.T("tui.err.open", common.Clean(msg.Err.Error())))
		default:
			m.status.SetNotice(p.T("tui.done.opened", common.Clean(filepath.Base(msg.Path))))
		}
	}
	return nil
}

// attachmentBytes reads the message and decodes the attachment's part.
func attachmentBytes(ctx context.Context, st *store.Store, ref attachmentRef) ([]byte, error) {
	if st == nil {
		return nil, errors.New("app: no store")
	}
	raw, err := st.Raw(ctx, ref.Message)
	if err != nil {
		return nil, err
	}
	return partBytes(raw, ref.PartPath)
}

// maxAttachment bounds what is read from one part.
const maxAttachment = 1 << 30

// partBytes returns the body of the MIME part at an IMAP section path (RFC
// 3501 §6.4.5: "1", "2.1"; "" for a single-part message) with its transfer
// encoding undone. The numbering is the one message.Parse gives PartPath.
func partBytes(raw []byte, path string) ([]byte, error) {
	e, err := gomessage.Read(bytes.NewReader(raw))
	if e == nil {
		return nil, fmt.Errorf("app: attachment: %w", err)
	}
	if path != "" {
		for _, seg := range strings.Split(path, ".") {
			n, err := strconv.Atoi(seg)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("app: attachment: bad part %q", path)
			}
			mr := e.MultipartReader()
			if mr == nil {
				return nil, fmt.Errorf("app: attachment: part %q not found", path)
			}
			for i := 1; i <= n; i++ {
				p, err := mr.NextPart()
				if p == nil {
					return nil, fmt.Errorf("app: attachment: part %q: %w", path, err)
				}
				e = p
			}
		}
	}
	return io.ReadAll(io.LimitReader(e.Body, maxAttachment))
}
