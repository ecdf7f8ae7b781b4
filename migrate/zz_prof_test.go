package migrate

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestZZProf(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PROF_N"))
	if n == 0 {
		t.Skip()
	}
	d := testenv.Dovecot(t)
	src, dst := dovecotSide(t, d, d.NewUser(t)), dovecotSide(t, d, d.NewUser(t))
	upload(t, src, corpus.Options{Seed: 1, Messages: n, LargeEvery: 500})
	opts := Options{JournalDir: t.TempDir()}
	start := time.Now()
	p := plan(t, src, dst, opts)
	t.Logf("plan %s", time.Since(start))
	start = time.Now()
	rep := run(t, p, opts)
	t.Logf("run %s verified %v %+v", time.Since(start), rep.Verified(), rep.Totals().Copied)
	for i := 0; i < 2; i++ {
		start = time.Now()
		p = plan(t, src, dst, opts)
		t.Logf("noop plan %s", time.Since(start))
		start = time.Now()
		rep = run(t, p, opts)
		t.Logf("noop run %s verified %v", time.Since(start), rep.Verified())
	}
}
