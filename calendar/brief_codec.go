package calendar

import (
	"encoding/binary"
	"errors"
	"time"
)

// The brief encoding: BriefVersion, then per series its UID, a master flag
// and the master, and its overrides; strings and lists length-prefixed
// with unsigned varints, numbers as signed varints. Small, and decoded
// without reflection.

var errBrief = errors.New("calendar: malformed brief")

type briefWriter struct{ b []byte }

func (w *briefWriter) uint(n int)   { w.b = binary.AppendUvarint(w.b, uint64(n)) }
func (w *briefWriter) int(n int64)  { w.b = binary.AppendVarint(w.b, n) }
func (w *briefWriter) str(s string) { w.uint(len(s)); w.b = append(w.b, s...) }
func (w *briefWriter) strs(ss []string) {
	w.uint(len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *briefWriter) time(t bTime) {
	w.b = append(w.b, t.kind)
	if t.kind == tNone {
		return
	}
	w.int(t.sec)
	if t.kind == tZoned {
		w.str(t.zone)
	}
}

func (w *briefWriter) times(ts []bTime) {
	w.uint(len(ts))
	for _, t := range ts {
		w.time(t)
	}
}

func (w *briefWriter) comp(c *bComp) {
	w.b = append(w.b, c.flags)
	for _, s := range []string{c.summary, c.location, c.description, c.organizer, c.rrule} {
		w.str(s)
	}
	w.strs(c.attendees)
	w.uint(len(c.reminders))
	for _, d := range c.reminders {
		w.int(int64(d))
	}
	w.time(c.start)
	w.time(c.end)
	w.time(c.rid)
	w.int(int64(c.dur))
	w.times(c.rdates)
	w.times(c.exdates)
}

func encodeBrief(series []*bSeries) []byte {
	w := briefWriter{b: make([]byte, 0, 256)}
	w.b = append(w.b, BriefVersion)
	w.uint(len(series))
	for _, s := range series {
		w.str(s.uid)
		if s.master == nil {
			w.b = append(w.b, 0)
		} else {
			w.b = append(w.b, 1)
			w.comp(s.master)
		}
		w.uint(len(s.overrides))
		for _, o := range s.overrides {
			w.comp(o)
		}
	}
	return w.b
}

// briefReader decodes; the first error sticks and every later read
// returns zero values.
type briefReader struct {
	b   []byte
	err error
}

func (r *briefReader) fail() { r.err, r.b = errBrief, nil }

func (r *briefReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *briefReader) uint() int {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)) { // no count can exceed the bytes left
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *briefReader) int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *briefReader) str() string {
	n := r.uint()
	if n > len(r.b) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *briefReader) strs() []string {
	n := r.uint()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *briefReader) time() bTime {
	t := bTime{kind: r.byte()}
	if t.kind == tNone {
		return t
	}
	t.sec = r.int()
	if t.kind == tZoned {
		t.zone = r.str()
	}
	return t
}

func (r *briefReader) times() []bTime {
	n := r.uint()
	if n == 0 {
		return nil
	}
	out := make([]bTime, n)
	for i := range out {
		out[i] = r.time()
	}
	return out
}

func (r *briefReader) comp() *bComp {
	c := &bComp{flags: r.byte()}
	c.summary, c.location, c.description, c.organizer, c.rrule = r.str(), r.str(), r.str(), r.str(), r.str()
	c.attendees = r.strs()
	if n := r.uint(); n > 0 {
		c.reminders = make([]time.Duration, n)
		for i := range c.reminders {
			c.reminders[i] = time.Duration(r.int())
		}
	}
	c.start, c.end, c.rid = r.time(), r.time(), r.time()
	c.dur = time.Duration(r.int())
	c.rdates, c.exdates = r.times(), r.times()
	return c
}

// decodeBrief reads an encoded brief of BriefVersion.
func decodeBrief(b []byte) ([]*bSeries, error) {
	if len(b) == 0 || b[0] != BriefVersion {
		return nil, errBrief
	}
	r := briefReader{b: b[1:]}
	n := r.uint()
	out := make([]*bSeries, 0, n)
	for range n {
		s := &bSeries{uid: r.str()}
		if r.byte() == 1 {
			s.master = r.comp()
		}
		for range r.uint() {
			s.overrides = append(s.overrides, r.comp())
		}
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, s)
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errBrief
	}
	return out, nil
}
