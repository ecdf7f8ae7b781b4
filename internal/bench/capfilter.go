package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
)

// CapFilter is a loopback TCP proxy in front of a plaintext IMAP listener
// that rewrites every capability list the server sends (the CAPABILITY
// response and the [CAPABILITY …] response code, RFC 3501 §7.2.1 and
// §7.1) to Caps plus the server's own AUTH= entries: the same mailboxes,
// seen as a server with fewer extensions (Exmail and NetEase advertise
// only "IMAP4rev1 ID IDLE UIDPLUS NAMESPACE"). Client bytes pass through
// untouched; server literals are copied verbatim.
type CapFilter struct {
	ln      net.Listener
	backend string
	caps    string
	wg      sync.WaitGroup
}

// StartCapFilter listens on 127.0.0.1 and forwards to backend.
func StartCapFilter(backend string, caps []string) (*CapFilter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	f := &CapFilter{ln: ln, backend: backend, caps: strings.Join(caps, " ")}
	f.wg.Add(1)
	go f.serve()
	return f, nil
}

// Addr is the proxy's host:port.
func (f *CapFilter) Addr() string { return f.ln.Addr().String() }

// Port is the proxy's port.
func (f *CapFilter) Port() int { return f.ln.Addr().(*net.TCPAddr).Port }

// Close stops accepting; connections in progress end with their peers.
func (f *CapFilter) Close() error {
	err := f.ln.Close()
	f.wg.Wait()
	return err
}

func (f *CapFilter) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go f.handle(c)
	}
}

func (f *CapFilter) handle(c net.Conn) {
	defer c.Close()
	b, err := net.Dial("tcp", f.backend)
	if err != nil {
		return
	}
	defer b.Close()
	go func() {
		io.Copy(b, c)
		b.Close()
	}()
	br := bufio.NewReaderSize(b, 64<<10)
	bw := bufio.NewWriterSize(c, 64<<10)
	var long []byte // a line longer than br's buffer, gathered
	for {
		// ReadSlice: no copy of the line; it is written on before br is
		// read again.
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, line...)
			continue
		}
		if err != nil {
			bw.Flush()
			return
		}
		if long != nil {
			line, long = append(long, line...), nil
		}
		if hasCapability(line) {
			bw.WriteString(f.rewrite(string(line)))
		} else {
			bw.Write(line)
		}
		if n, ok := trailingLiteral(line); ok {
			if _, err := io.CopyN(bw, br, n); err != nil {
				bw.Flush()
				return
			}
		}
		if br.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return
			}
		}
	}
}

// hasCapability reports whether line holds "CAPABILITY" in any case: the
// only lines rewrite changes.
func hasCapability(line []byte) bool {
	const word = "CAPABILITY"
	for i := 0; i+len(word) <= len(line); i++ {
		if line[i]|0x20 == 'c' && bytes.EqualFold(line[i:i+len(word)], []byte(word)) {
			return true
		}
	}
	return false
}

var capCode = regexp.MustCompile(`(?i)\[CAPABILITY ([^\]]*)\]`)

func (f *CapFilter) rewrite(line string) string {
	if strings.HasPrefix(strings.ToUpper(line), "* CAPABILITY ") {
		return "* CAPABILITY " + f.with(strings.TrimRight(line[len("* CAPABILITY "):], "\r\n")) + "\r\n"
	}
	return capCode.ReplaceAllStringFunc(line, func(m string) string {
		return "[CAPABILITY " + f.with(capCode.FindStringSubmatch(m)[1]) + "]"
	})
}

// with is Caps plus the AUTH= entries of the server's list.
func (f *CapFilter) with(orig string) string {
	out := f.caps
	for _, c := range strings.Fields(orig) {
		if strings.HasPrefix(strings.ToUpper(c), "AUTH=") {
			out += " " + c
		}
	}
	return out
}

func trailingLiteral(line []byte) (int64, bool) {
	line = bytes.TrimRight(line, "\r\n")
	if !bytes.HasSuffix(line, []byte("}")) {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	digits := bytes.TrimSuffix(line[i+1:len(line)-1], []byte("+"))
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}
