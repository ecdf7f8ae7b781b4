package bench

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// TestAppendCost measures what Dovecot's imap process spends per single
// APPEND (RFC 3501 §6.3.11) as a folder grows: BENCH_MESSAGES corpus
// messages (default 3000) into a fresh folder of a tmpfs user, in steps
// of 250, for each mode of APPCOST_MODES (comma-separated words: "sel"
// the folder SELECTed first, "nosel" not, "exam" EXAMINEd; "sync"
// synchronising literals, else LITERAL+; "noflags" no flags; "parN" N
// connections, each into its own folder, "same" into one; "readback" a
// UID FETCH 1:* BODY.PEEK[] after; "proxy" through CapFilter, as (b) of
// BenchmarkMigrate). MAGPIE_BENCH_APPCOST=1 only; it
// asserts nothing, it logs.
//
// Measured here (Dovecot 2.3, maildir on tmpfs): selected, 0.3 ms per
// APPEND into an empty folder growing to ~1 ms at 4,000 messages (0.66
// on average), 0.1 ms more with synchronising literals, 1.7 ms not
// selected; reading back 0.04 ms per message; two sessions into one
// folder ~1.4× the CPU per message of one, and slower (they wait on each
// other's dovecot-uidlist lock: 3,000 messages in 4.7 s against 2.7 s).
// At 2,000 messages: selected 0.52 ms, EXAMINEd 0.82 ms (APPEND then
// opens the folder apart), without flags 0.62 ms (the file lands in new/
// and the session's next sync moves it to cur/). The growth with the
// folder is Dovecot's: every save commit (maildir_save_sync_index) walks
// the whole uid list into the index, so the cost of a transaction grows
// with the folder whatever the client sends; only fewer transactions
// (MULTIAPPEND) avoid it.
func TestAppendCost(t *testing.T) {
	if os.Getenv("MAGPIE_BENCH_APPCOST") != "1" {
		t.Skip("set MAGPIE_BENCH_APPCOST=1")
	}
	d := testenv.Dovecot(t)
	n := envInt("BENCH_MESSAGES", 3000)
	var msgs []corpus.Message
	for m := range corpus.All(corpus.Options{Seed: 1, Messages: n}) {
		msgs = append(msgs, m)
	}
	for _, mode := range strings.Split(os.Getenv("APPCOST_MODES"), ",") {
		u := tmpfsUser(t, d)
		conns := 1
		if strings.HasPrefix(mode, "par") {
			conns, _ = strconv.Atoi(mode[3:4])
		}
		var wg sync.WaitGroup
		procs := startProcSampler(d, map[string]string{u.Name: "dest"})
		start := procs.snapshot()
		t0 := time.Now()
		for k := range conns {
			wg.Go(func() {
				addr := d.IMAPAddr()
				if strings.Contains(mode, "proxy") {
					f, err := StartCapFilter(addr, reducedCaps)
					if err != nil {
						t.Error(err)
						return
					}
					defer f.Close()
					addr = f.Addr()
				}
				nc, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				defer nc.Close()
				br, bw := bufio.NewReader(nc), bufio.NewWriterSize(nc, 64<<10)
				br.ReadString('\n')
				fmt.Fprintf(bw, "L LOGIN %s %s\r\n", u.Name, u.Password)
				bw.Flush()
				waitTag(br, "L")
				box := fmt.Sprintf("F%d", k)
				if strings.Contains(mode, "same") {
					box = "F0"
				}
				fmt.Fprintf(bw, "C CREATE %s\r\n", box)
				bw.Flush()
				waitTag(br, "C")
				if strings.Contains(mode, "exam") {
					fmt.Fprintf(bw, "S EXAMINE %s\r\n", box)
					bw.Flush()
					waitTag(br, "S")
				} else if !strings.Contains(mode, "nosel") {
					fmt.Fprintf(bw, "S SELECT %s\r\n", box)
					bw.Flush()
					waitTag(br, "S")
				}
				mine := msgs[k*len(msgs)/conns : (k+1)*len(msgs)/conns]
				chunk := 250
				for i := 0; i < len(mine); i += chunk {
					c0 := procs.sampleSnapshot()
					j := min(i+chunk, len(mine))
					for x, m := range mine[i:j] {
						fl := ""
						if !strings.Contains(mode, "noflags") {
							fl = "(" + strings.Join(m.Flags, " ") + ") "
						}
						if strings.Contains(mode, "sync") {
							fmt.Fprintf(bw, "A%d APPEND %s %s{%d}\r\n", x, box, fl, len(m.Raw))
							bw.Flush()
							waitTag(br, "+")
						} else {
							fmt.Fprintf(bw, "A%d APPEND %s %s{%d+}\r\n", x, box, fl, len(m.Raw))
						}
						bw.Write(m.Raw)
						bw.WriteString("\r\n")
					}
					bw.Flush()
					if l := waitTag(br, fmt.Sprintf("A%d", j-i-1)); i == 0 {
						t.Logf("%s: %s", mode, l)
					}
					if conns == 1 {
						c1 := procs.sampleSnapshot()
						t.Logf("%s: folder at %d: %.2f ms CPU/msg (imap dest)", mode, j, float64(c1["imap dest"]-c0["imap dest"])/float64(time.Millisecond)/float64(j-i))
					}
				}
				if strings.Contains(mode, "readback") {
					c0 := procs.sampleSnapshot()
					fmt.Fprintf(bw, "R UID FETCH 1:* BODY.PEEK[]\r\n")
					bw.Flush()
					for {
						l, err := br.ReadString('\n')
						if err != nil || strings.HasPrefix(l, "R ") {
							break
						}
						if n, ok := trailingLiteral([]byte(l)); ok {
							br.Discard(int(n))
						}
					}
					c1 := procs.sampleSnapshot()
					t.Logf("%s: read back: %.3f ms CPU/msg (imap dest)", mode, float64(c1["imap dest"]-c0["imap dest"])/float64(time.Millisecond)/float64(len(mine)))
				}
			})
		}
		wg.Wait()
		time.Sleep(200 * time.Millisecond)
		end := procs.sampleSnapshot()
		procs.stop()
		t.Logf("%s: %d msgs over %d conns in %s: %s; per msg %.2f ms", mode, len(msgs), conns, time.Since(t0).Round(time.Millisecond), cpuDiff(start, end),
			float64(end["imap dest"]-start["imap dest"])/float64(time.Millisecond)/float64(len(msgs)))
	}
}

func (s *procSampler) sampleSnapshot() map[string]time.Duration {
	s.sample()
	return s.snapshot()
}

func waitTag(br *bufio.Reader, tag string) string {
	for {
		l, err := br.ReadString('\n')
		if err != nil || strings.HasPrefix(l, tag+" ") {
			return l
		}
	}
}
