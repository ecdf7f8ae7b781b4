package composer

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/magpie-mail/magpie/ui/components/common"
)

var fieldKeys = [fieldCount]string{
	FieldFrom: "compose.field.from", FieldTo: "compose.field.to", FieldCc: "compose.field.cc",
	FieldBcc: "compose.field.bcc", FieldSubject: "compose.field.subject", FieldAttach: "compose.field.attach",
	FieldAt: "compose.field.at", FieldBody: "compose.field.body",
}

func (m Model) fieldLabel(f Field) string { return m.c.P.T(fieldKeys[f]) }

// labelWidth is the widest label in cells, so values line up in both
// languages.
func (m Model) labelWidth() int {
	w := 0
	for f := FieldFrom; f < FieldBody; f++ {
		w = max(w, ansi.StringWidth(m.fieldLabel(f)))
	}
	w = max(w, ansi.StringWidth(m.c.P.T("compose.field.signature")))
	return w + 2
}

// View draws the form or the review screen in exactly width×height cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.mode == modeReview {
		return m.reviewView()
	}
	st := m.c.Styles
	w := m.width
	title := m.c.P.T("compose.title.new")
	if m.reply {
		title = m.c.P.T("compose.title.reply")
	}
	lines := []string{st.DialogTitle.Render(common.Fit(" "+title, w))}
	lw := m.labelWidth()
	row := func(f Field, value string) {
		label := common.Fit(" "+m.fieldLabel(f), lw)
		if f == m.focus {
			label = st.HelpKey.Render(label)
		} else {
			label = st.HeaderKey.Render(label)
		}
		lines = append(lines, common.FitStyled(label+value, w))
	}
	vw := max(w-lw, 1)
	row(FieldFrom, m.fromValue(vw))
	for _, f := range []Field{FieldTo, FieldCc, FieldBcc, FieldSubject} {
		row(f, m.input(f, vw))
		if f == m.focus {
			lines = append(lines, m.suggestionLines(lw, vw)...)
		}
	}
	row(FieldAttach, m.input(FieldAttach, vw))
	if m.focus == FieldAttach && len(m.paths) > 0 {
		lines = append(lines, strings.Repeat(" ", lw)+st.HelpSep.Render(common.Fit(strings.Join(m.paths, "  "), vw)))
	}
	if len(m.files)+len(m.base.Attachments) > 0 {
		lines = append(lines, strings.Repeat(" ", lw)+m.attachmentLine(vw))
	}
	at := m.input(FieldAt, vw)
	if len(m.inputs[FieldAt]) == 0 && m.focus != FieldAt {
		at = st.HelpSep.Render(common.Fit(m.c.P.T("compose.at_now"), vw))
	}
	row(FieldAt, at)
	lines = append(lines, st.Border.Render(strings.Repeat("─", w)))

	hint := m.hintLine()
	bodyH := m.height - len(lines) - 1
	if bodyH > 0 {
		body := m.bodyLines(bodyH)
		for len(body) < bodyH {
			body = append(body, "")
		}
		lines = append(lines, body...)
	}
	return common.Block(append(lines[:min(len(lines), m.height-1)], hint), w, m.height)
}

func (m Model) fromValue(w int) string {
	s := m.Sender()
	if s.Identity.Address == "" {
		return common.Fit(m.c.P.T("compose.no_identity"), w)
	}
	v := s.Identity.Address
	if n := s.Name(); n != "" {
		v = n + " <" + v + ">"
	}
	v += "  (" + s.Account.Name + ")"
	if len(m.senders) > 1 {
		v += "  " + strconv.Itoa(m.from+1) + "/" + strconv.Itoa(len(m.senders))
	}
	return common.Fit(common.Clean(v), w)
}

// input draws a one-line field: its end when too long, a cursor when focused.
func (m Model) input(f Field, w int) string {
	v := common.Clean(string(m.inputs[f]))
	if f != m.focus {
		return common.Fit(v, w)
	}
	v += "_"
	if vw := ansi.StringWidth(v); vw > w {
		v = ansi.TruncateLeft(v, vw-w, "")
	}
	return common.Fit(v, w)
}

func (m Model) suggestionLines(lw, w int) []string {
	st := m.c.Styles
	out := make([]string, 0, len(m.sugg))
	for i, k := range m.sugg {
		v := k.Addr
		if k.Name != "" {
			v = k.Name + " <" + k.Addr + ">"
		}
		v = common.Fit(" "+common.Clean(v), w)
		if i == m.pick {
			v = st.RowSelected.Render(v)
		} else {
			v = st.Dialog.Render(v)
		}
		out = append(out, strings.Repeat(" ", lw)+v)
	}
	return out
}

func (m Model) attachmentLine(w int) string {
	st := m.c.Styles
	var parts []string
	for _, f := range m.files {
		parts = append(parts, common.Clean(f.Name)+" ("+humanize.IBytes(uint64(f.Size))+")")
	}
	for _, p := range m.base.Attachments {
		parts = append(parts, common.Clean(p.Filename)+" ("+humanize.IBytes(uint64(len(p.Data)))+")")
	}
	line := m.c.P.T("compose.attachments", len(parts), humanize.IBytes(uint64(m.Size()))) + "  " + strings.Join(parts, ", ")
	if m.OverLimit() {
		return st.StatusError.Render(common.Fit(m.c.P.T("compose.over_limit_short")+"  "+line, w))
	}
	return st.Attachment.Render(common.Fit(line, w))
}

// bodyLines is the editor, then the signature and the quote, dimmed.
func (m Model) bodyLines(h int) []string {
	st := m.c.Styles
	w := m.width
	var tail []string
	if sig := m.Signature(); sig != "" {
		tail = append(tail, "", "-- ")
		tail = append(tail, strings.Split(sig, "\n")...)
	}
	if q := strings.TrimRight(m.base.Quote, "\n"); q != "" {
		tail = append(tail, "")
		tail = append(tail, strings.Split(q, "\n")...)
	}
	edH := max(h-len(tail), min(h, max(len(m.body.lines), 3)))
	cursor := func(s string) string { return st.RowSelected.Render(s) }
	out := m.body.view(w, edH, m.focus == FieldBody, cursor)
	for _, t := range tail {
		if len(out) >= h {
			break
		}
		out = append(out, st.HelpSep.Render(common.Fit(common.Clean(t), w)))
	}
	return out
}

func (m Model) hintLine() string {
	st := m.c.Styles
	if m.problem != "" {
		return st.StatusError.Render(common.Fit(" "+m.problem, m.width))
	}
	var parts []string
	for _, b := range m.ShortHelp() {
		parts = append(parts, b.Help().Key+" "+b.Help().Desc)
	}
	return st.StatusHint.Render(common.Fit(" "+strings.Join(parts, " · "), m.width))
}

// reviewView shows the message as it will leave, and the two choices.
func (m Model) reviewView() string {
	st := m.c.Styles
	p := m.c.P
	w := m.width
	req, _ := m.request()
	lines := []string{st.DialogTitle.Render(common.Fit(" "+p.T("compose.title.review"), w))}
	lw := m.labelWidth()
	row := func(label, value string) {
		lines = append(lines, common.FitStyled(st.HeaderKey.Render(common.Fit(" "+label, lw))+common.Clean(value), w))
	}
	row(m.fieldLabel(FieldFrom), m.fromValue(w-lw))
	row(m.fieldLabel(FieldTo), formatList(req.Message.To))
	if len(req.Message.Cc) > 0 {
		row(m.fieldLabel(FieldCc), formatList(req.Message.Cc))
	}
	if len(req.Message.Bcc) > 0 {
		row(m.fieldLabel(FieldBcc), formatList(req.Message.Bcc)+"  "+p.T("compose.bcc_hidden"))
	}
	row(m.fieldLabel(FieldSubject), req.Message.Subject)
	if n := len(m.files) + len(m.base.Attachments); n > 0 {
		row(m.fieldLabel(FieldAttach), p.T("compose.attachments", n, humanize.IBytes(uint64(m.Size()))))
	}
	when := p.T("compose.now")
	if !req.At.IsZero() {
		when = req.At.Format("2006-01-02 15:04")
	}
	row(m.fieldLabel(FieldAt), when)
	sig := p.T("compose.signature_none")
	if s := m.Signature(); s != "" {
		sig = strings.SplitN(s, "\n", 2)[0]
	}
	row(p.T("compose.field.signature"), sig)
	if m.OverLimit() {
		lines = append(lines, st.StatusError.Render(common.Fit(" "+p.T("compose.over_limit"), w)))
	}
	if req.Message.Subject == "" {
		lines = append(lines, st.StatusNote.Render(common.Fit(" "+p.T("compose.no_subject"), w)))
	}
	lines = append(lines, st.Border.Render(strings.Repeat("─", w)))
	body := strings.Split(strings.TrimRight(req.Message.Body(), "\n"), "\n")
	for _, l := range body {
		if len(lines) >= m.height-1 {
			break
		}
		lines = append(lines, common.Fit(common.Clean(l), w))
	}
	for len(lines) < m.height-1 {
		lines = append(lines, "")
	}
	return common.Block(append(lines[:m.height-1], m.hintLine()), w, m.height)
}
