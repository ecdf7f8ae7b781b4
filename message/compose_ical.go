package message

import (
	"bytes"
	"strings"
)

// CalendarPart is an iTIP message carried by mail (iMIP, RFC 6047 §2.4):
// the iCalendar text with its METHOD (REQUEST, REPLY, CANCEL).
type CalendarPart struct {
	Method string
	Data   string
}

// buildWithCalendar writes the body as multipart/alternative of the text
// and the text/calendar part, as RFC 6047 §2.4 and Outlook do; h holds the
// header written so far.
func (o *Outgoing) buildWithCalendar(h *headerWriter, text string) []byte {
	boundary := newBoundary()
	h.field("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	var buf bytes.Buffer
	buf.Write(h.bytes())
	buf.WriteString("\r\n--" + boundary + "\r\n")
	var ph headerWriter
	writeTextPart(&ph, text)
	buf.Write(ph.bytes())
	buf.WriteString("\r\n" + encodeText(text))
	buf.WriteString("\r\n--" + boundary + "\r\n")
	var ch headerWriter
	ch.field("Content-Type", "text/calendar; charset=UTF-8; method="+strings.ToUpper(o.Calendar.Method))
	ch.field("Content-Transfer-Encoding", "base64")
	buf.Write(ch.bytes())
	buf.WriteString("\r\n" + base64Lines([]byte(o.Calendar.Data)))
	buf.WriteString("\r\n--" + boundary + "--\r\n")
	return buf.Bytes()
}
