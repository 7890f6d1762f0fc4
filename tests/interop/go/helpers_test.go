package interop

// Shared set-up: one client for the server named by COLONIES_SERVER_HOST / _PORT (run.sh
// starts one), the server owner key from COLONIES_SERVER_PRVKEY, and a fresh colony with an
// approved executor for every test that asks for one, so the tests are independent and run
// in parallel.

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/client"
	"github.com/colonyos/colonies/pkg/core"
	"github.com/colonyos/colonies/pkg/security/crypto"
)

var (
	serverHost   string
	serverPort   int
	serverPrvKey string
)

func TestMain(m *testing.M) {
	serverHost = os.Getenv("COLONIES_SERVER_HOST")
	port, err := strconv.Atoi(os.Getenv("COLONIES_SERVER_PORT"))
	serverPrvKey = os.Getenv("COLONIES_SERVER_PRVKEY")
	if serverHost == "" || err != nil || serverPrvKey == "" {
		fmt.Fprintln(os.Stderr, "COLONIES_SERVER_HOST, COLONIES_SERVER_PORT and COLONIES_SERVER_PRVKEY are required (run.sh sets them)")
		os.Exit(2)
	}
	serverPort = port
	os.Exit(m.Run())
}

// newClient is a client of the server under test over plain HTTP (insecure = true).
func newClient() *client.ColoniesClient {
	return client.CreateColoniesClient(serverHost, serverPort, true, false)
}

// key is a fresh private key and its ID.
func key(t *testing.T) (prv string, id string) {
	t.Helper()
	c := crypto.CreateCrypto()
	prv, err := c.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	id, err = c.GenerateID(prv)
	if err != nil {
		t.Fatal(err)
	}
	return prv, id
}

// unique is a name unlikely to collide with another test's or another run's.
func unique(prefix string) string {
	return prefix + "-" + core.GenerateRandomID()[:12]
}

// member is an executor (or a user) of a colony: a name and a key.
type member struct {
	name string
	prv  string
	id   string
}

// colony is a colony made for one test.
type colony struct {
	t        *testing.T
	c        *client.ColoniesClient
	name     string
	ownerPrv string
	ownerID  string
	execType string
	exec     member // approved, of type execType
}

// newColony adds a colony (as the server owner) with one approved executor, and removes the
// colony when the test ends.
func newColony(t *testing.T) *colony {
	t.Helper()
	c := newClient()
	ownerPrv, ownerID := key(t)
	col := &colony{t: t, c: c, name: unique("go"), ownerPrv: ownerPrv, ownerID: ownerID, execType: unique("gotype")}
	added, err := c.AddColony(core.CreateColony(ownerID, col.name), serverPrvKey)
	must(t, err)
	if added.Name != col.name || added.ID != ownerID {
		t.Fatalf("addcolony replied %+v", added)
	}
	t.Cleanup(func() {
		if err := c.RemoveColony(col.name, serverPrvKey); err != nil {
			t.Errorf("removecolony %s: %v", col.name, err)
		}
		_ = c.CloseClient()
	})
	col.exec = col.addExecutor("executor", col.execType, true)
	return col
}

// addExecutor registers an executor (as the colony owner), approved if asked.
func (col *colony) addExecutor(name, execType string, approve bool) member {
	col.t.Helper()
	prv, id := key(col.t)
	executor := core.CreateExecutor(id, execType, name, col.name, time.Now(), time.Now())
	added, err := col.c.AddExecutor(executor, col.ownerPrv)
	must(col.t, err)
	if added.ID != id || added.Name != name || added.State != core.PENDING {
		col.t.Fatalf("addexecutor replied %+v", added)
	}
	if approve {
		must(col.t, col.c.ApproveExecutor(col.name, name, col.ownerPrv))
	}
	return member{name: name, prv: prv, id: id}
}

// addUser registers a user (as the colony owner).
func (col *colony) addUser(name string) member {
	col.t.Helper()
	prv, id := key(col.t)
	added, err := col.c.AddUser(core.CreateUser(col.name, id, name, name+"@example.org", "+46 0"), col.ownerPrv)
	must(col.t, err)
	if added.ID != id || added.Name != name || added.ColonyName != col.name {
		col.t.Fatalf("adduser replied %+v", added)
	}
	return member{name: name, prv: prv, id: id}
}

// spec is a function spec for this colony's executor type: no time limits unless set.
func (col *colony) spec(funcName string, args ...interface{}) *core.FunctionSpec {
	if args == nil {
		args = []interface{}{}
	}
	s := core.CreateFunctionSpec("", funcName, args, map[string]interface{}{}, col.name, []string{}, col.execType,
		-1, -1, -1, map[string]string{}, []string{}, 0, "")
	return s
}

// submit submits spec as the colony's executor.
func (col *colony) submit(spec *core.FunctionSpec) *core.Process {
	col.t.Helper()
	p, err := col.c.Submit(spec, col.exec.prv)
	must(col.t, err)
	return p
}

// assign takes the next process as the colony's executor (long poll of up to 5 s).
func (col *colony) assign() *core.Process {
	col.t.Helper()
	p, err := col.c.Assign(col.name, 5, "", "", col.exec.prv)
	must(col.t, err)
	return p
}

// process reads a process as the colony's executor.
func (col *colony) process(id string) *core.Process {
	col.t.Helper()
	p, err := col.c.GetProcess(id, col.exec.prv)
	must(col.t, err)
	return p
}

// waitFor polls cond every 100 ms until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// status is the HTTP-like status of a Colonies error reply, or -1 when err is not one.
func status(err error) int {
	var ce *core.ColoniesError
	if errors.As(err, &ce) {
		return ce.Status
	}
	return -1
}

// mustFail checks that err is a Colonies error reply with one of the given statuses
// (any status when none are given).
func mustFail(t *testing.T, err error, what string, statuses ...int) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: expected an error, got success", what)
	}
	got := status(err)
	if got == -1 {
		t.Fatalf("%s: expected a Colonies error reply, got %T: %v", what, err, err)
	}
	if len(statuses) == 0 {
		return
	}
	for _, s := range statuses {
		if got == s {
			return
		}
	}
	t.Fatalf("%s: expected status %v, got %d (%v)", what, statuses, got, err)
}

// isZeroTime says whether a time is unset (Go's zero time, possibly in a local offset).
func isZeroTime(tm time.Time) bool {
	return tm.IsZero() || tm.Year() <= 1
}

// ids lists the process IDs of ps.
func ids(ps []*core.Process) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func eq(t *testing.T, what string, got, want interface{}) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// cryptoID is the ID of a private key.
func cryptoID(prv string) (string, error) {
	return crypto.CreateCrypto().GenerateID(prv)
}

// onWorkers reports whether the server under test is the Workers host
// (COLONIES_TEST_WORKERS=1, set by scripts/worker/test.mjs), which serves no /pubsub: it
// answers subscriptions with the error envelope and status 501 (docs/deploy-workers.md).
func onWorkers() bool {
	return os.Getenv("COLONIES_TEST_WORKERS") == "1"
}

// refusedOnWorkers, on the Workers host, checks that a subscription is refused (the
// documented 501: the WebSocket gets one error frame) and reports true: the caller's test then
// ends there. Elsewhere it reports false.
func refusedOnWorkers(t *testing.T, subscribe func() (*client.ProcessSubscription, error)) bool {
	t.Helper()
	if !onWorkers() {
		return false
	}
	sub, err := subscribe()
	if err != nil {
		return true
	}
	defer sub.Close()
	err = nextError(t, sub, 5*time.Second, "a subscription to the Workers host")
	if !strings.Contains(err.Error(), "not available on the Workers host") {
		t.Fatalf("the Workers host's /pubsub refusal said %q", err)
	}
	return true
}

// knownBug skips the test (which has otherwise passed up to here) when ok is false: a
// known incompatibility of the server under test, reported and waiting for a fix. Once the
// server is fixed the check passes and the test passes with it.
func knownBug(t *testing.T, ok bool, format string, args ...interface{}) {
	t.Helper()
	if !ok {
		t.Skipf("server bug: "+format, args...)
	}
}
