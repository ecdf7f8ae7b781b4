// Package composer is the TUI's message composer: From (every identity of
// every account), To/Cc/Bcc with completion from the store's addresses,
// Subject, attachments with path completion and sizes, a send time, the
// body in a built-in editor or $EDITOR, the signature switch, and a review
// screen before sending.
//
// It does no I/O of its own except running the editor: sending, saving
// drafts and reading files are asked of the root through messages
// (SendMsg, SaveDraftMsg, ClosedMsg), which carry copies of what they need.
package composer

import (
	"net/mail"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Field is a part of the form.
type Field int

const (
	FieldFrom Field = iota
	FieldTo
	FieldCc
	FieldBcc
	FieldSubject
	FieldAttach
	FieldAt
	FieldBody
	fieldCount
)

// Start is what the composer opens with: a new message, a reply or a
// forward prepared by package message, or a reopened draft.
type Start struct {
	Senders []account.Sender // every identity of every account
	From    int              // index into Senders
	Message message.Outgoing // To, Cc, Bcc, Subject, Text, Quote, threading, forwarded parts
	Reply   bool             // a reply or forward: the reply signature is the default
	DraftID store.DraftID    // a reopened draft; 0: new
	// Replaces is the message of the Drafts folder this was reopened from:
	// saving or sending the draft removes it.
	Replaces store.MessageID
	// Files are paths already attached (a reopened draft has none: its
	// attachments come back as Message.Attachments).
	Files []File
}

// File is an attached file from disk.
type File struct {
	Path string
	Name string
	Size int64
}

// Request is what the member asked for, as the root needs it.
type Request struct {
	Sender   account.Sender
	Message  message.Outgoing // Text, Signature, Quote set; forwarded parts in Attachments
	Files    []File           // to read from disk and attach
	At       time.Time        // zero: now
	DraftID  store.DraftID
	Replaces store.MessageID // see Start.Replaces
}

// SendMsg asks the root to queue and send the message.
type SendMsg struct{ Request }

// SaveDraftMsg asks the root to save the draft locally and, with Upload,
// to replace its copy in the server's Drafts folder.
type SaveDraftMsg struct {
	Request
	Upload bool
}

// ClosedMsg reports that the member closed the composer (after a
// SaveDraftMsg with Upload when there was anything to keep).
type ClosedMsg struct{ DraftID store.DraftID }

// DraftSavedMsg tells the composer the ID its draft got (root → composer).
type DraftSavedMsg struct {
	ID  store.DraftID
	Err error
}

// autosaveMsg is the autosave tick of one composer generation.
type autosaveMsg struct{ gen uint64 }

// editorDoneMsg carries the body back from $EDITOR.
type editorDoneMsg struct {
	text string
	err  error
}

// AutosaveEvery is how often a changed draft is saved to the store.
const AutosaveEvery = 5 * time.Second

type mode int

const (
	modeEdit mode = iota
	modeReview
)

// sigChoice is which signature the message carries.
type sigChoice int

const (
	sigDefault sigChoice = iota // new-mail signature, or the reply one for replies
	sigOther                    // the other of the two
	sigNone
	sigChoices
)

// Model is the composer.
type Model struct {
	c       *common.Common
	keys    KeyMap
	senders []account.Sender
	from    int
	inputs  [fieldCount][]rune // To, Cc, Bcc, Subject, Attach, At
	body    editor
	base    message.Outgoing // Quote, threading, forwarded parts
	files   []File
	reply   bool
	sig     sigChoice

	focus Field
	mode  mode
	known []store.KnownAddress
	sugg  []store.KnownAddress
	pick  int
	paths []string // path completions shown for the Attach field

	draftID  store.DraftID
	replaces store.MessageID
	dirty    bool
	gen      uint64
	every    time.Duration
	problem  string // why the review cannot open, or a notice
	editor   []string
	stat     func(path string) (File, error)
	glob     func(pattern string) ([]string, error)

	width, height int
}

var _ common.Component[Model] = (*Model)(nil)

// Options are the composer's outside helpers; tests pass fakes for the
// file system only, never for the network.
type Options struct {
	// Editor is the external editor command ("vim", "code -w"); empty:
	// ctrl+e says there is none.
	Editor string
	// Stat and Glob look at the file system for attachments; nil: os.
	Stat func(path string) (File, error)
	Glob func(pattern string) ([]string, error)
	// Gen distinguishes this composer's autosave ticks from an earlier one's.
	Gen uint64
	// AutosaveEvery overrides AutosaveEvery; negative turns autosave off
	// (tests that run Cmds synchronously).
	AutosaveEvery time.Duration
}

// New returns a composer focused on To (or the body of a reply).
func New(c *common.Common, s Start, opt Options) Model {
	m := Model{c: c, keys: NewKeyMap(c.P), senders: s.Senders, from: s.From, base: s.Message, reply: s.Reply,
		files: s.Files, draftID: s.DraftID, replaces: s.Replaces, gen: opt.Gen, editor: strings.Fields(opt.Editor),
		stat: opt.Stat, glob: opt.Glob, focus: FieldTo, every: opt.AutosaveEvery}
	if m.every == 0 {
		m.every = AutosaveEvery
	}
	if m.stat == nil {
		m.stat = statFile
	}
	if m.glob == nil {
		m.glob = globFiles
	}
	m.inputs[FieldTo] = []rune(formatList(s.Message.To))
	m.inputs[FieldCc] = []rune(formatList(s.Message.Cc))
	m.inputs[FieldBcc] = []rune(formatList(s.Message.Bcc))
	m.inputs[FieldSubject] = []rune(s.Message.Subject)
	m.body = newEditor(s.Message.Text)
	if len(s.Message.To) > 0 {
		m.focus = FieldBody
	}
	return m
}

// Init starts the autosave ticks.
func (m Model) Init() tea.Cmd { return autosaveCmd(m.gen, m.every) }

func autosaveCmd(gen uint64, every time.Duration) tea.Cmd {
	if every < 0 {
		return nil
	}
	return tea.Tick(every, func(time.Time) tea.Msg { return autosaveMsg{gen: gen} })
}

// SetSize sets the size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetKnown gives the addresses to complete from, most used first.
func (m *Model) SetKnown(k []store.KnownAddress) { m.known = k }

// DraftID is the ID of the saved draft (0 before the first save).
func (m Model) DraftID() store.DraftID { return m.draftID }

// Focus is the focused field.
func (m Model) Focus() Field { return m.focus }

// Reviewing reports whether the review screen shows.
func (m Model) Reviewing() bool { return m.mode == modeReview }

// Sender is the identity the message goes out as.
func (m Model) Sender() account.Sender {
	if m.from < 0 || m.from >= len(m.senders) {
		return account.Sender{}
	}
	return m.senders[m.from]
}

// Signature is the signature the message carries now.
func (m Model) Signature() string {
	s := m.Sender()
	switch m.sig {
	case sigDefault:
		return s.Signature(m.reply)
	case sigOther:
		return s.Signature(!m.reply)
	}
	return ""
}

// request builds what the root needs from the form. Unparseable addresses
// are left for review to report.
func (m Model) request() (Request, error) {
	s := m.Sender()
	out := m.base
	out.From = message.Address{Name: s.Name(), Addr: s.Identity.Address}
	var err error
	if out.To, err = parseList(string(m.inputs[FieldTo])); err != nil {
		return Request{}, &fieldError{FieldTo, err}
	}
	if out.Cc, err = parseList(string(m.inputs[FieldCc])); err != nil {
		return Request{}, &fieldError{FieldCc, err}
	}
	if out.Bcc, err = parseList(string(m.inputs[FieldBcc])); err != nil {
		return Request{}, &fieldError{FieldBcc, err}
	}
	out.Subject = strings.TrimSpace(string(m.inputs[FieldSubject]))
	out.Text = m.body.text()
	out.Signature = m.Signature()
	out.Date, out.MessageID = time.Time{}, ""
	at, err := parseWhen(string(m.inputs[FieldAt]))
	if err != nil {
		return Request{}, &fieldError{FieldAt, err}
	}
	files := append([]File{}, m.files...)
	out.Attachments = append([]message.Part{}, m.base.Attachments...)
	return Request{Sender: s, Message: out, Files: files, At: at, DraftID: m.draftID, Replaces: m.replaces}, nil
}

type fieldError struct {
	field Field
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }

// DraftRequest is the draft as it stands, for saving on the way out (the
// app quitting); fields that do not parse yet are left empty.
func (m Model) DraftRequest() Request {
	m.base.Draft = true
	req, err := m.request()
	if err != nil {
		req, _ = m.rawRequest()
	}
	return req
}

// SetSignatureOff leaves the signature out (a reopened draft has it in
// its text); ctrl+g still switches it on.
func (m *Model) SetSignatureOff() { m.sig = sigNone }

// Dirty reports whether there are changes not yet handed out for saving.
func (m Model) Dirty() bool { return m.dirty }

// Size is the attachments' size in bytes (files and forwarded parts).
func (m Model) Size() int64 {
	var n int64
	for _, f := range m.files {
		n += f.Size
	}
	for _, p := range m.base.Attachments {
		n += int64(len(p.Data))
	}
	return n
}

// OverLimit reports whether the attachments alone exceed the provider's
// limit (Exmail: 50 MB); base64 makes the message a third larger still.
func (m Model) OverLimit() bool {
	limit := m.Sender().Account.SendLimit()
	return limit > 0 && m.Size()*4/3 > limit
}

// formatList writes addresses for an input ("王芳 <wang@x>, li@x").
func formatList(list []message.Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		if a.Name == "" {
			parts = append(parts, a.Addr)
			continue
		}
		parts = append(parts, a.Name+" <"+a.Addr+">")
	}
	return strings.Join(parts, ", ")
}

// parseList reads an address input; empty is no address.
func parseList(s string) ([]message.Address, error) {
	s = strings.Trim(strings.TrimSpace(s), ",")
	if s == "" {
		return nil, nil
	}
	list, err := mail.ParseAddressList(s)
	if err != nil {
		return nil, err
	}
	out := make([]message.Address, 0, len(list))
	for _, a := range list {
		out = append(out, message.Address{Name: a.Name, Addr: a.Address})
	}
	return out, nil
}

// KeyMap is the composer's keys.
type KeyMap struct {
	Next, Prev, Review, Send, Back, Editor, Signature, Save, Close, RemoveFile key.Binding
}

// NewKeyMap returns the keys with help texts from p.
func NewKeyMap(p interface{ T(string, ...any) string }) KeyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], p.T(help)))
	}
	return KeyMap{
		Next:       b("compose.key.next", "tab"),
		Prev:       b("compose.key.prev", "shift+tab"),
		Review:     b("compose.key.review", "ctrl+x"),
		Send:       b("compose.key.send", "y", "enter"),
		Back:       b("compose.key.back", "esc", "n"),
		Editor:     b("compose.key.editor", "ctrl+e"),
		Signature:  b("compose.key.signature", "ctrl+g"),
		Save:       b("compose.key.save", "ctrl+s"),
		Close:      b("compose.key.close", "esc"),
		RemoveFile: b("compose.key.remove_file", "ctrl+d"),
	}
}

// ShortHelp is the hint line of the form.
func (m Model) ShortHelp() []key.Binding {
	if m.mode == modeReview {
		return []key.Binding{m.keys.Send, m.keys.Back}
	}
	return []key.Binding{m.keys.Next, m.keys.Review, m.keys.Editor, m.keys.Signature, m.keys.Save, m.keys.Close}
}

// FullHelp is every key.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Review, k.Send, k.Back}, {k.Editor, k.Signature, k.Save, k.Close, k.RemoveFile}}
}
