package message

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// Skimming. The full-text index needs a message's Text, Preview and
// HasAttachments, and those depend on its header blocks and its text parts
// only, never on the bytes of an attachment. A Skimmer reads a message
// from a stream a line at a time, follows its MIME structure as the
// walker will (the same boundary lines, RFC 2046 §5.1.1, the same header
// blocks, the same attachment test), and keeps every byte except the
// bodies of attachment leaves, which it reads past: what it keeps is then
// parsed whole by Parse. So the memory a message takes is that of its
// headers and text, not that of its largest attachment, and the text is
// Parse's own (TestSkimMatchesParse holds them equal over the test
// messages and the corpus).
//
// What is kept is bounded by skimKeepMax: a message with more headers and
// text than that (a hostile one, or a log pasted as one text part) is
// parsed from its first skimKeepMax bytes of them, of which the index
// takes the first 256 KB of text anyway.

// skimKeepMax bounds the bytes a Skimmer keeps of one message.
const skimKeepMax = 2 << 20

// skimBufSize is the size of a Skimmer's read buffer: lines longer than
// it are read in pieces, never held whole unless kept.
const skimBufSize = 32 << 10

// IndexText is what the full-text index takes of a message: Parse's Text,
// Preview and HasAttachments.
type IndexText struct {
	Text           string
	Preview        string
	HasAttachments bool
}

// Skimmer reads messages from streams for the index (see Skim), reusing
// its buffers from one message to the next. The zero value is ready. A
// Skimmer is not safe for concurrent use: keep one per goroutine.
type Skimmer struct {
	br     *bufio.Reader
	kept   []byte
	head   []byte
	frames []skimFrame
	// bufSize, when not zero, replaces skimBufSize (tests read in tiny
	// pieces to cut lines anywhere).
	bufSize int
}

// skimFrame is a multipart whose boundary lines the Skimmer watches for.
type skimFrame struct {
	delim  []byte // "--" boundary
	depth  int    // the multipart's depth (the root is 0)
	digest bool   // multipart/digest: its parts default to message/rfc822
}

// skimMode is what the Skimmer does with the lines of the current part.
type skimMode int

const (
	skimHeader skimMode = iota // a header block: kept, parsed at its end
	skimKeep                   // text, preamble, epilogue: kept
	skimSkip                   // an attachment's body: read past
)

// Skim reads a whole message from r and returns what Parse would make of
// its text: Skim(r) equals Parse's Text, Preview and HasAttachments on the
// same bytes, for any message whose headers and text fit skimKeepMax. It
// reads r to its end even when it keeps no more, so a reader that checks
// what it read (store.OpenRaw) has its say; its error is returned. Empty
// input returns ErrEmpty.
func (s *Skimmer) Skim(r io.Reader) (IndexText, error) {
	kept, err := s.reduce(r)
	if err != nil {
		return IndexText{}, err
	}
	p, err := Parse(kept)
	if err != nil {
		return IndexText{}, err
	}
	return IndexText{Text: p.Text, Preview: p.Preview, HasAttachments: p.HasAttachments}, nil
}

// reduce reads r and returns the bytes Parse needs for the text: r
// without the bodies of attachment leaves (an attachment's delimiter line
// is written as a bare "--boundary", which splits the same). The result is
// s's buffer, valid until the next call.
func (s *Skimmer) reduce(r io.Reader) ([]byte, error) {
	size := s.bufSize
	if size == 0 {
		size = skimBufSize
	}
	if s.br == nil || s.br.Size() != size {
		s.br = bufio.NewReaderSize(nil, size) // not r: a large enough *bufio.Reader would be r itself
	}
	s.br.Reset(r)
	defer s.br.Reset(nil) // holds no reference to r between messages

	kept := s.kept[:0]
	frames := s.frames[:0]
	head := s.head[:0] // the current line's first headWant bytes
	defer func() { s.kept, s.frames, s.head = kept, frames, head }()
	headWant := 0   // the longest delimiter of frames, plus 2 ("--" of a close)
	lineLen := 0    // bytes of the current line so far, without its '\n'
	lastNonWS := -1 // offset in the line of its last byte that is not ' ', '\t', '\r'
	mode := skimHeader
	hdrStart, depth, defType := 0, 0, "text/plain" // the current part's
	hint := ""                                     // the root's charset (see charsetHint)
	root := true
	for {
		chunk, err := s.br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull && err != io.EOF {
			return nil, fmt.Errorf("message: skim: %w", err)
		}
		ended := len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		text := chunk
		if ended {
			text = chunk[:len(chunk)-1]
		}
		if n := headWant - len(head); n > 0 {
			head = append(head, text[:min(n, len(text))]...)
		}
		for i := len(text) - 1; i >= 0; i-- {
			if c := text[i]; c != ' ' && c != '\t' && c != '\r' {
				lastNonWS = lineLen + i
				break
			}
		}
		lineLen += len(text)
		if mode != skimSkip {
			kept = append(kept, chunk...)
		}
		if !ended && err == bufio.ErrBufferFull {
			if len(kept) > skimKeepMax {
				break
			}
			continue // the line goes on
		}
		if lineLen == 0 && !ended { // end of input at a line start
			break
		}
		// A whole line: is it a boundary of one of the open multiparts?
		// The outermost first, as the walker splits the outermost first.
		k, closing := -1, false
		for i, f := range frames {
			if !bytes.HasPrefix(head, f.delim) {
				continue
			}
			d := len(f.delim)
			if len(head) >= d+2 && head[d] == '-' && head[d+1] == '-' {
				k, closing = i, true
				break
			}
			if lastNonWS < d {
				k = i
				break
			}
		}
		switch {
		case k >= 0:
			if mode == skimSkip {
				kept = append(kept, frames[k].delim...)
				if closing {
					kept = append(kept, '-', '-')
				}
				kept = append(kept, '\n')
			}
			f := frames[k]
			if closing {
				frames = frames[:k] // its epilogue: kept, the walker drops it
				mode = skimKeep
			} else {
				frames = frames[:k+1]
				mode, hdrStart, depth, defType = skimHeader, len(kept), f.depth+1, "text/plain"
				if f.digest {
					defType = "message/rfc822"
				}
			}
			headWant = 0
			for _, f := range frames {
				headWant = max(headWant, len(f.delim)+2)
			}
		case mode == skimHeader && ended && (lineLen == 0 || lineLen == 1 && text[0] == '\r'):
			// The empty line that ends the header block (splitHeader).
			var scratch problems
			h := parseHeader(kept[hdrStart:], &scratch)
			if root {
				hint = charsetHint(h)
				root = false
			}
			w := walker{probs: &scratch, hint: hint}
			p := w.typed(h, nil, "", defType)
			switch {
			case !p.isMultipart():
				mode = skimKeep
				if p.isAttachment() {
					mode = skimSkip
				}
			case depth >= maxMIMEDepth || p.ctype.params["boundary"] == "":
				mode = skimKeep // the walker reads it as one leaf: keep it all
			default:
				delim := []byte("--" + p.ctype.params["boundary"])
				frames = append(frames, skimFrame{delim: delim, depth: depth, digest: p.ctype.value == "multipart/digest"})
				headWant = max(headWant, len(delim)+2)
				mode = skimKeep // its preamble: the whole part if no boundary line follows
			}
		}
		head, lineLen, lastNonWS = head[:0], 0, -1
		if err == io.EOF || len(kept) > skimKeepMax {
			break
		}
	}
	if len(kept) > skimKeepMax {
		kept = kept[:skimKeepMax]
		if _, err := io.Copy(io.Discard, s.br); err != nil {
			return nil, fmt.Errorf("message: skim: %w", err)
		}
	}
	return kept, nil
}
