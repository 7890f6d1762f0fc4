package interop

import (
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/client"
	"github.com/colonyos/colonies/pkg/core"
)

// next waits for the next process (or error) of a subscription.
func next(t *testing.T, sub *client.ProcessSubscription, within time.Duration, what string) *core.Process {
	t.Helper()
	select {
	case p := <-sub.ProcessChan:
		return p
	case err := <-sub.ErrChan:
		t.Fatalf("%s: subscription error: %v", what, err)
	case <-time.After(within):
		t.Fatalf("%s: nothing within %v", what, within)
	}
	return nil
}

// nextError waits for a subscription to fail; a process frame is a failure of the test.
func nextError(t *testing.T, sub *client.ProcessSubscription, within time.Duration, what string) error {
	t.Helper()
	select {
	case p := <-sub.ProcessChan:
		t.Fatalf("%s: expected an error, got a process frame %s (state %d)", what, p.ID, p.State)
	case err := <-sub.ErrChan:
		return err
	case <-time.After(within):
		t.Fatalf("%s: no error within %v", what, within)
	}
	return nil
}

func TestSubscribeProcess(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("watched"))
	if refusedOnWorkers(t, func() (*client.ProcessSubscription, error) {
		return col.c.SubscribeProcess(col.name, p.ID, col.execType, core.SUCCESS, 10, col.exec.prv)
	}) {
		return
	}

	sub, err := col.c.SubscribeProcess(col.name, p.ID, col.execType, core.SUCCESS, 10, col.exec.prv)
	must(t, err)
	defer sub.Close()
	time.Sleep(300 * time.Millisecond)
	running := col.assign()
	must(t, col.c.CloseWithOutput(running.ID, []interface{}{"seen"}, col.exec.prv))
	closedAt := time.Now()
	got := next(t, sub, 5*time.Second, "subscribeprocessmsg for SUCCESS")
	if d := time.Since(closedAt); d > 3*time.Second {
		t.Fatalf("the subscription saw the close %v late", d)
	}
	eq(t, "subscribed process", got.ID, p.ID)
	eq(t, "subscribed state", got.State, core.SUCCESS)
	eq(t, "subscribed output", got.Output, []interface{}{"seen"})

	// A process already in the state is reported at once (executortype may be left empty).
	again, err := col.c.SubscribeProcess(col.name, p.ID, "", core.SUCCESS, 10, col.exec.prv)
	must(t, err)
	defer again.Close()
	got = next(t, again, 3*time.Second, "subscribeprocessmsg for a state already reached")
	eq(t, "already successful", got.ID, p.ID)
}

func TestSubscribeProcessFailedAndRunning(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("watched"))
	if refusedOnWorkers(t, func() (*client.ProcessSubscription, error) {
		return col.c.SubscribeProcess(col.name, p.ID, col.execType, core.RUNNING, 10, col.exec.prv)
	}) {
		return
	}

	running, err := col.c.SubscribeProcess(col.name, p.ID, col.execType, core.RUNNING, 10, col.exec.prv)
	must(t, err)
	defer running.Close()
	failed, err := col.c.SubscribeProcess(col.name, p.ID, col.execType, core.FAILED, 10, col.exec.prv)
	must(t, err)
	defer failed.Close()
	time.Sleep(300 * time.Millisecond)

	assigned := col.assign()
	got := next(t, running, 5*time.Second, "subscribeprocessmsg for RUNNING")
	eq(t, "running frame", got.ID, p.ID)
	eq(t, "running frame state", got.State, core.RUNNING)
	eq(t, "running frame executor", got.AssignedExecutorID, col.exec.id)

	must(t, col.c.Fail(assigned.ID, []string{"down"}, col.exec.prv))
	got = next(t, failed, 5*time.Second, "subscribeprocessmsg for FAILED")
	eq(t, "failed frame state", got.State, core.FAILED)
	eq(t, "failed frame errors", got.Errors, []string{"down"})
}

func TestSubscribeProcesses(t *testing.T) {
	t.Parallel()
	col := newColony(t)

	if refusedOnWorkers(t, func() (*client.ProcessSubscription, error) {
		return col.c.SubscribeProcesses(col.name, col.execType, core.WAITING, 10, col.exec.prv)
	}) {
		return
	}
	waiting, err := col.c.SubscribeProcesses(col.name, col.execType, core.WAITING, 10, col.exec.prv)
	must(t, err)
	defer waiting.Close()
	time.Sleep(300 * time.Millisecond)
	p := col.submit(col.spec("announced"))
	got := next(t, waiting, 5*time.Second, "subscribeprocessesmsg for WAITING")
	eq(t, "announced process", got.ID, p.ID)
	eq(t, "announced state", got.State, core.WAITING)
	eq(t, "announced funcname", got.FunctionSpec.FuncName, "announced")
}

func TestSubscribeSecurity(t *testing.T) {
	t.Parallel()
	if onWorkers() {
		t.Skip("the Workers host refuses every subscription with 501 (checked by TestSubscribeProcess), so who may subscribe cannot be told apart there")
	}
	col := newColony(t)
	other := newColony(t)
	p := col.submit(col.spec("private"))
	strangerPrv, _ := key(t)

	sub, err := col.c.SubscribeProcess(col.name, p.ID, col.execType, core.SUCCESS, 5, strangerPrv)
	if err == nil {
		defer sub.Close()
		nextError(t, sub, 4*time.Second, "subscribeprocessmsg with an unknown key")
	}
	sub2, err := col.c.SubscribeProcesses(col.name, col.execType, core.WAITING, 5, strangerPrv)
	if err == nil {
		defer sub2.Close()
		nextError(t, sub2, 4*time.Second, "subscribeprocessesmsg with an unknown key")
	}
	// A member of another colony must not watch this colony's processes (Go v1.8.19 checks;
	// Go v1.9.12 dropped the check, protocol §7 recommends keeping it).
	sub3, err := col.c.SubscribeProcess(col.name, p.ID, col.execType, core.WAITING, 5, other.exec.prv)
	if err == nil {
		defer sub3.Close()
		nextError(t, sub3, 4*time.Second, "subscribeprocessmsg to another colony's process")
	}
	sub4, err := col.c.SubscribeProcess(col.name, "0000000000000000000000000000000000000000000000000000000000000000", col.execType, core.SUCCESS, 5, col.exec.prv)
	if err == nil {
		defer sub4.Close()
		nextError(t, sub4, 4*time.Second, "subscribeprocessmsg to an unknown process")
	}
}

// When its timeout passes with nothing to report, the server closes the subscription.
func TestSubscriptionTimeout(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("idle"))
	if refusedOnWorkers(t, func() (*client.ProcessSubscription, error) {
		return col.c.SubscribeProcess(col.name, p.ID, col.execType, core.SUCCESS, 1, col.exec.prv)
	}) {
		return
	}
	sub, err := col.c.SubscribeProcess(col.name, p.ID, col.execType, core.SUCCESS, 1, col.exec.prv)
	must(t, err)
	defer sub.Close()
	started := time.Now()
	nextError(t, sub, 5*time.Second, "a subscription whose timeout passed")
	if d := time.Since(started); d < 500*time.Millisecond {
		t.Fatalf("the subscription ended after %v, before its 1 s timeout", d)
	}
}
