package calendar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // IANA zones even where the system has no zoneinfo

	"github.com/emersion/go-ical"
)

// windowsZones maps Windows time zone names (as Outlook and Exchange write
// them in TZID, unicode.org windowsZones.xml "001" territory) to IANA zones.
// go-ical's time.LoadLocation fails on these.
func windowsZones() map[string]string {
	return map[string]string{
		"China Standard Time":            "Asia/Shanghai",
		"中国标准时间":                         "Asia/Shanghai",
		"Taipei Standard Time":           "Asia/Taipei",
		"Tokyo Standard Time":            "Asia/Tokyo",
		"Korea Standard Time":            "Asia/Seoul",
		"Singapore Standard Time":        "Asia/Singapore",
		"SE Asia Standard Time":          "Asia/Bangkok",
		"India Standard Time":            "Asia/Kolkata",
		"Arabian Standard Time":          "Asia/Dubai",
		"Russian Standard Time":          "Europe/Moscow",
		"UTC":                            "UTC",
		"GMT Standard Time":              "Europe/London",
		"Greenwich Standard Time":        "Atlantic/Reykjavik",
		"W. Europe Standard Time":        "Europe/Berlin",
		"Central Europe Standard Time":   "Europe/Budapest",
		"Central European Standard Time": "Europe/Warsaw",
		"Romance Standard Time":          "Europe/Paris",
		"E. Europe Standard Time":        "Europe/Chisinau",
		"FLE Standard Time":              "Europe/Kiev",
		"Eastern Standard Time":          "America/New_York",
		"Central Standard Time":          "America/Chicago",
		"Mountain Standard Time":         "America/Denver",
		"US Mountain Standard Time":      "America/Phoenix",
		"Pacific Standard Time":          "America/Los_Angeles",
		"Alaskan Standard Time":          "America/Anchorage",
		"Hawaiian Standard Time":         "Pacific/Honolulu",
		"AUS Eastern Standard Time":      "Australia/Sydney",
		"E. Australia Standard Time":     "Australia/Brisbane",
		"New Zealand Standard Time":      "Pacific/Auckland",
		"W. Australia Standard Time":     "Australia/Perth",
	}
}

// zones resolves the TZIDs of one iCalendar document (RFC 5545 §3.2.19):
// IANA names, Windows names, vendor-prefixed IANA names
// ("/mozilla.org/20050126_1/Asia/Shanghai"), and otherwise the document's
// own VTIMEZONE (§3.6.5), turned into a Go location. Unknown zones fall back
// to def, the viewer's zone. Not safe for concurrent use.
type zones struct {
	def      *time.Location
	embedded map[string]*ical.Component
	cache    map[string]*time.Location
	keys     map[string]string // zone keys of the TZIDs in cache
	shared   *ZoneCache        // may be nil
}

// ZoneCache remembers the IANA zones loaded by name across documents (a
// view parses hundreds, nearly all in the same few zones). The zero value
// is ready; it is safe for concurrent use.
type ZoneCache struct {
	mu sync.Mutex
	m  map[string]*time.Location // nil value: not a zone name
}

func (zc *ZoneCache) load(name string) (*time.Location, error) {
	if zc == nil {
		return time.LoadLocation(name)
	}
	zc.mu.Lock()
	defer zc.mu.Unlock()
	if loc, ok := zc.m[name]; ok {
		if loc == nil {
			return nil, errUnknownZone
		}
		return loc, nil
	}
	if zc.m == nil {
		zc.m = map[string]*time.Location{}
	}
	loc, err := time.LoadLocation(name)
	zc.m[name] = loc
	return loc, err
}

var errUnknownZone = errors.New("calendar: unknown time zone")

// Parse is the package's Parse with the zones of zc.
func (zc *ZoneCache) Parse(data string, loc *time.Location) (*ical.Calendar, []*Series, error) {
	return parse(data, loc, zc)
}

func newZones(cal *ical.Calendar, def *time.Location) *zones {
	z := &zones{def: def, embedded: map[string]*ical.Component{}, cache: map[string]*time.Location{}}
	if cal != nil {
		for _, c := range cal.Children {
			if c.Name == ical.CompTimezone {
				if id := c.Props.Get(ical.PropTimezoneID); id != nil {
					z.embedded[id.Value] = c
				}
			}
		}
	}
	return z
}

// ResolveTZID returns the location of a TZID with no document around it
// (IANA, Windows or prefixed names), and false when it is unknown.
func ResolveTZID(tzid string) (*time.Location, bool) {
	z := newZones(nil, nil)
	loc := z.location(tzid)
	return loc, loc != nil
}

func (z *zones) location(tzid string) *time.Location {
	loc, _ := z.locationKey(tzid)
	return loc
}

// locationKey resolves tzid and names the zone for a brief (zoneKey):
// "" when it is unknown and the viewer's zone stands in.
func (z *zones) locationKey(tzid string) (*time.Location, string) {
	if loc, ok := z.cache[tzid]; ok {
		return loc, z.keys[tzid]
	}
	loc, key := z.find(strings.Trim(strings.TrimSpace(tzid), `"`))
	if loc == nil {
		loc, key = z.def, ""
	}
	z.cache[tzid] = loc
	if z.keys == nil {
		z.keys = map[string]string{}
	}
	z.keys[tzid] = key
	return loc, key
}

func (z *zones) find(tzid string) (*time.Location, string) {
	if tzid == "" || tzid == "Local" {
		return nil, ""
	}
	if loc, err := z.shared.load(tzid); err == nil {
		return loc, tzid
	}
	if name, ok := windowsZones()[tzid]; ok {
		if loc, err := z.shared.load(name); err == nil {
			return loc, name
		}
	}
	// Vendor prefixes: try ever shorter suffixes of the path.
	parts := strings.Split(strings.Trim(tzid, "/"), "/")
	for i := 1; i < len(parts); i++ {
		name := strings.Join(parts[i:], "/")
		if loc, err := z.shared.load(name); err == nil {
			return loc, name
		}
	}
	if c, ok := z.embedded[tzid]; ok {
		if p := c.Props.Get("X-LIC-LOCATION"); p != nil {
			if loc, err := z.shared.load(p.Value); err == nil {
				return loc, p.Value
			}
		}
		if off, footer, err := vtimezoneRule(tzid, c); err == nil {
			key := tzifKey(tzid, off, footer)
			if loc, err := z.shared.zone(key); err == nil {
				return loc, key
			}
		}
	}
	return nil, ""
}

// A zone key names a resolved zone so that a brief can find it again: an
// IANA name, or for a VTIMEZONE with no IANA name its rules,
// "tzif|<offset east in seconds>|<POSIX TZ string>|<TZID>".
func tzifKey(name string, off int, footer string) string {
	return "tzif|" + strconv.Itoa(off) + "|" + footer + "|" + name
}

// zone returns the location a zone key names; zc may be nil.
func (zc *ZoneCache) zone(key string) (*time.Location, error) {
	rest, ok := strings.CutPrefix(key, "tzif|")
	if !ok {
		return zc.load(key)
	}
	if zc != nil {
		zc.mu.Lock()
		loc, ok := zc.m[key]
		zc.mu.Unlock()
		if ok && loc != nil {
			return loc, nil
		}
	}
	offs, rest, _ := strings.Cut(rest, "|")
	footer, name, _ := strings.Cut(rest, "|")
	off, err := strconv.Atoi(offs)
	if err != nil {
		return nil, fmt.Errorf("calendar: zone key %q: %w", key, errUnknownZone)
	}
	loc, err := time.LoadLocationFromTZData(name, tzif(off, footer))
	if err != nil {
		return nil, err
	}
	if zc != nil {
		zc.mu.Lock()
		if zc.m == nil {
			zc.m = map[string]*time.Location{}
		}
		zc.m[key] = loc
		zc.mu.Unlock()
	}
	return loc, nil
}

// vtimezoneRule reads a VTIMEZONE's newest STANDARD and DAYLIGHT rules as
// a standard offset and a POSIX TZ string: with tzif, a TZif file with no
// transitions and that footer (RFC 8536 §3.3), which Go applies to every
// instant.
func vtimezoneRule(name string, c *ical.Component) (int, string, error) {
	var std, dst *ical.Component
	newest := func(cur, cand *ical.Component) *ical.Component {
		if cur == nil {
			return cand
		}
		a, b := cur.Props.Get(ical.PropDateTimeStart), cand.Props.Get(ical.PropDateTimeStart)
		if a == nil || (b != nil && b.Value > a.Value) {
			return cand
		}
		return cur
	}
	for _, ch := range c.Children {
		switch ch.Name {
		case "STANDARD":
			std = newest(std, ch)
		case "DAYLIGHT":
			dst = newest(dst, ch)
		}
	}
	if std == nil {
		return 0, "", fmt.Errorf("calendar: VTIMEZONE %q without STANDARD", name)
	}
	stdOff, err := utcOffset(std.Props.Get("TZOFFSETTO"))
	if err != nil {
		return 0, "", err
	}
	footer := "STD" + posixOffset(stdOff)
	if dst != nil && dst.Props.Get(ical.PropRecurrenceRule) != nil && std.Props.Get(ical.PropRecurrenceRule) != nil {
		dstOff, err := utcOffset(dst.Props.Get("TZOFFSETTO"))
		if err != nil {
			return 0, "", err
		}
		on, err1 := posixRule(dst)
		off, err2 := posixRule(std)
		if err1 == nil && err2 == nil {
			footer += "DST" + posixOffset(dstOff) + "," + on + "," + off
		}
	}
	return stdOff, footer, nil
}

// utcOffset parses a UTC-OFFSET value (RFC 5545 §3.3.14): ±hhmm[ss].
func utcOffset(p *ical.Prop) (int, error) {
	if p == nil {
		return 0, fmt.Errorf("calendar: VTIMEZONE without TZOFFSETTO")
	}
	v := strings.TrimSpace(p.Value)
	if len(v) != 5 && len(v) != 7 {
		return 0, fmt.Errorf("calendar: bad UTC offset %q", v)
	}
	sign := 1
	switch v[0] {
	case '-':
		sign = -1
	case '+':
	default:
		return 0, fmt.Errorf("calendar: bad UTC offset %q", v)
	}
	h, err1 := strconv.Atoi(v[1:3])
	m, err2 := strconv.Atoi(v[3:5])
	s := 0
	var err3 error
	if len(v) == 7 {
		s, err3 = strconv.Atoi(v[5:7])
	}
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("calendar: bad UTC offset %q", v)
	}
	return sign * (h*3600 + m*60 + s), nil
}

// posixOffset writes an offset east of UTC the POSIX way (west positive).
func posixOffset(east int) string {
	w := -east
	sign := ""
	if w < 0 {
		sign, w = "-", -w
	}
	return fmt.Sprintf("%s%d:%02d:%02d", sign, w/3600, w/60%60, w%60)
}

// posixRule turns a STANDARD/DAYLIGHT's yearly RRULE (BYMONTH, BYDAY=nSU
// or -1SU) and DTSTART wall time into a POSIX "Mm.w.d/time" rule.
func posixRule(c *ical.Component) (string, error) {
	r := c.Props.Get(ical.PropRecurrenceRule)
	start := c.Props.Get(ical.PropDateTimeStart)
	if r == nil || start == nil || len(start.Value) < 15 {
		return "", fmt.Errorf("calendar: VTIMEZONE rule incomplete")
	}
	var month, week, wday int
	for _, part := range strings.Split(r.Value, ";") {
		k, v, _ := strings.Cut(part, "=")
		switch strings.ToUpper(k) {
		case "BYMONTH":
			month, _ = strconv.Atoi(v)
		case "BYDAY":
			v = strings.ToUpper(v)
			days := map[string]int{"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}
			if len(v) < 3 {
				return "", fmt.Errorf("calendar: VTIMEZONE BYDAY %q", v)
			}
			d, ok := days[v[len(v)-2:]]
			n, err := strconv.Atoi(v[:len(v)-2])
			if !ok || err != nil || n == 0 || n < -1 || n > 5 {
				return "", fmt.Errorf("calendar: VTIMEZONE BYDAY %q", v)
			}
			if n == -1 {
				n = 5
			}
			week, wday = n, d
		}
	}
	if month < 1 || month > 12 || week == 0 {
		return "", fmt.Errorf("calendar: VTIMEZONE rule %q", r.Value)
	}
	t := start.Value[9:15]
	return fmt.Sprintf("M%d.%d.%d/%s:%s:%s", month, week, wday, t[0:2], t[2:4], t[4:6]), nil
}

// tzif encodes a version 2 TZif file with one local time type and no
// transitions, carrying footer as its POSIX TZ string.
func tzif(offset int, footer string) []byte {
	var b bytes.Buffer
	block := func() {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		for _, n := range []uint32{0, 0, 0, 0, 1, 4} { // isut, isstd, leap, time, type, char counts
			binary.Write(&b, binary.BigEndian, n)
		}
		binary.Write(&b, binary.BigEndian, int32(offset))
		b.Write([]byte{0, 0}) // isdst, abbreviation index
		b.WriteString("STD\x00")
	}
	block() // version 1 data
	block() // version 2 data (no transitions either)
	b.WriteString("\n" + footer + "\n")
	return b.Bytes()
}
