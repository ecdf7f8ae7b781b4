package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 30 * time.Second

// stopTimeout bounds how long a server may take to exit after SIGTERM
// before its process group is killed.
const stopTimeout = 10 * time.Second

// spawner starts child processes from one OS thread that never exits, so
// that the children's parent-death signal (which Linux ties to the creating
// thread, not the process) fires only when the test binary dies.
type spawner struct {
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan spawnReq)}
	go func() {
		runtime.LockOSThread() // never unlocked: the thread lives as long as the binary
		for r := range s.reqs {
			r.done <- r.cmd.Start()
		}
	}()
	return s
}

func (s *spawner) start(cmd *exec.Cmd) error {
	done := make(chan error, 1)
	s.reqs <- spawnReq{cmd: cmd, done: done}
	return <-done
}

// proc is one long-running child process started by the harness.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// procOpts tune startProc.
type procOpts struct {
	cred  *syscall.Credential // run as this user (only as root)
	env   []string            // extra environment
	stdin []byte              // written to stdin, which is then closed
	// deathSig replaces SIGKILL as the parent-death signal (see guarded).
	deathSig syscall.Signal
}

// startProc starts cmd in its own process group with a parent-death signal,
// its output appended to logPath, and registers it with the registry so Main
// stops it.
func startProc(name, logPath string, cmd *exec.Cmd, o procOpts) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testenv: %s: %w", name, err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if o.stdin != nil {
		cmd.Stdin = bytes.NewReader(o.stdin)
	}
	cmd.Env = append(childEnv(), o.env...)
	deathSig := syscall.SIGKILL
	if o.deathSig != 0 {
		deathSig = o.deathSig
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true,
		Pdeathsig:  deathSig,
		Credential: o.cred,
	}
	reg.mu.Lock()
	sp, closed := reg.spawner, reg.closed
	reg.mu.Unlock()
	if sp == nil || closed {
		return nil, fmt.Errorf("testenv: %s: testenv.Main is not running", name)
	}
	if err := sp.start(cmd); err != nil {
		return nil, fmt.Errorf("testenv: start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	reg.addProc(p)
	return p, nil
}

// guardScript runs its arguments in the background. On SIGTERM (from Main,
// or as its parent-death signal) it passes SIGTERM on, waits for the command
// to exit and then kills whatever is left in its process group.
const guardScript = `trap 'trap "" TERM; kill -TERM $pid 2>/dev/null; wait $pid; kill -KILL 0' TERM
"$@" &
pid=$!
wait $pid`

// guarded wraps cmd in guardScript, for daemons that change their
// credentials at runtime, which clears the parent-death signal the harness
// gives them (Postfix's master does). Start it with deathSig SIGTERM.
func guarded(cmd *exec.Cmd) *exec.Cmd {
	args := append([]string{"-c", guardScript, "testenv-guard"}, cmd.Args[0])
	args = append(args, cmd.Args[1:]...)
	args[3] = cmd.Path
	return exec.Command("/bin/sh", args...)
}

// childEnv is the environment for children: ours without the display and
// session bus (so nothing autolaunches or talks to a desktop), plus the
// owner marker.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", ownerEnv:
			continue
		}
		env = append(env, kv)
	}
	return append(env, ownerEnv+"="+reg.ownerValue())
}

// exited reports whether p has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM, waits up to stopTimeout, then kills the whole process
// group. Leftovers in the group are always killed.
func (p *proc) stop() error {
	pid := p.cmd.Process.Pid
	if !p.exited() {
		_ = syscall.Kill(pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			fmt.Fprintf(os.Stderr, "testenv: %s (pid %d) ignored SIGTERM for %v; killing\n", p.name, pid, stopTimeout)
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("testenv: %s (pid %d) did not exit", p.name, pid)
	}
}

// failure builds a startup error for server name that includes the tail of
// its log.
func failure(name, logPath string, err error) error {
	return fmt.Errorf("testenv: start %s: %w\n--- %s (tail) ---\n%s", name, err, logPath, logTail(logPath, 30))
}

// logTail returns the last n lines of the file at path.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitPorts polls until every port on 127.0.0.1 accepts a TCP connection,
// p exits, or the deadline passes.
func waitPorts(p *proc, ports ...int) error {
	deadline := time.Now().Add(startTimeout)
	for _, port := range ports {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			if p.exited() {
				return fmt.Errorf("exited before listening on %s: %v", addr, p.waitErr)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not listening on %s after %v: %w", addr, startTimeout, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// waitFile polls until path exists, p exits, or the deadline passes.
func waitFile(p *proc, path string) error {
	deadline := time.Now().Add(startTimeout)
	for {
		_, err := os.Stat(path)
		if err == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("exited before creating %s: %v", path, p.waitErr)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %s after %v: %w", path, startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePorts returns n distinct TCP ports on 127.0.0.1 that were free a moment
// ago. Servers are restarted with new ports when one was taken meanwhile.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("testenv: free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tempDir creates a world-traversable temporary directory that Main removes.
func tempDir(name string) (string, error) {
	dir, err := os.MkdirTemp(tempBase(), "magpie-testenv-"+name+"-")
	if err != nil {
		return "", fmt.Errorf("testenv: %s: %w", name, err)
	}
	reg.addDir(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", fmt.Errorf("testenv: %s: %w", name, err)
	}
	return dir, nil
}

// tempBase is where instance directories go: /tmp as root (servers drop
// privileges and must traverse the path; a private $TMPDIR would stop them)
// or when $TMPDIR is long (unix socket paths are limited to 107 bytes).
func tempBase() string {
	base := os.TempDir()
	if isRoot() || len(base) > 40 {
		if st, err := os.Stat("/tmp"); err == nil && st.IsDir() {
			return "/tmp"
		}
	}
	return base
}

// lookBin finds a server program in PATH or in the given absolute paths.
func lookBin(name string, alt ...string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	for _, a := range alt {
		if st, err := os.Stat(a); err == nil && !st.IsDir() {
			return a, true
		}
	}
	return "", false
}

// runCmd runs a short-lived command and returns its combined output.
func runCmd(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("testenv: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// mailUser is the unprivileged account servers and mail files run as.
type mailUser struct {
	Name     string
	UID, GID int
	Home     string
}

// unprivilegedUserName is the account created when the tests run as root.
const unprivilegedUserName = "magpie-test"

// unprivilegedUser returns the account to run servers as: magpie-test
// (created with useradd when missing) as root, the current user otherwise.
func unprivilegedUser(ctx context.Context) (mailUser, error) {
	if !isRoot() {
		u, err := user.Current()
		if err != nil {
			return mailUser{}, fmt.Errorf("testenv: current user: %w", err)
		}
		return toMailUser(u)
	}
	u, err := user.Lookup(unprivilegedUserName)
	if err == nil {
		return toMailUser(u)
	}
	// Several test binaries may race to create the user; useradd fails for
	// all but one, so look again after each attempt.
	var lastErr error
	for range 20 {
		_, lastErr = runCmd(ctx, "useradd", "--system", "--user-group", "--no-create-home",
			"--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", unprivilegedUserName)
		if u, err := user.Lookup(unprivilegedUserName); err == nil {
			return toMailUser(u)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return mailUser{}, fmt.Errorf("testenv: create user %s: %w", unprivilegedUserName, lastErr)
}

func toMailUser(u *user.User) (mailUser, error) {
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return mailUser{}, fmt.Errorf("testenv: user %s: %w", u.Username, err)
	}
	return mailUser{Name: u.Username, UID: uid, GID: gid, Home: u.HomeDir}, nil
}

// credential returns the credential to run a child as u, or nil when not
// root (the child then runs as the current user).
func (u mailUser) credential() *syscall.Credential {
	if !isRoot() {
		return nil
	}
	return &syscall.Credential{Uid: uint32(u.UID), Gid: uint32(u.GID), Groups: []uint32{}}
}

// chownTree gives the tree at dir to u (as root; a no-op otherwise).
func (u mailUser) chownTree(dir string) error {
	if !isRoot() {
		return nil
	}
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, u.UID, u.GID)
	})
}

// killOwned kills every process whose environment carries owner and returns
// a description of those that were still running.
func killOwned(owner string) []string {
	if owner == "" {
		return nil
	}
	found := ownedProcs(owner)
	var left []string
	for _, pid := range found {
		left = append(left, fmt.Sprintf("pid %d (%s)", pid, procName(pid)))
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return left
}

// ownedProcs lists the live processes whose environment has ownerEnv=owner.
func ownedProcs(owner string) []int {
	want := []byte("\x00" + ownerEnv + "=" + owner + "\x00")
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append(append([]byte{0}, env...), 0), want) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && isZombie(st) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// isZombie reports whether a /proc/PID/stat line is of a zombie.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

func procName(pid int) string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}
