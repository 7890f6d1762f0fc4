package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/core"
)

type assigned struct {
	p   *core.Process
	err error
	at  time.Time
}

// assignAsync starts a long-polling assign in a goroutine.
func (col *colony) assignAsync(prv string, timeout int) <-chan assigned {
	ch := make(chan assigned, 1)
	go func() {
		p, err := col.c.Assign(col.name, timeout, "", "", prv)
		ch <- assigned{p: p, err: err, at: time.Now()}
	}()
	return ch
}

func TestSubmitLongPollAssignCloseWithOutput(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	alice := col.addUser("alice")

	spec := col.spec("echo", "hello", 42)
	spec.KwArgs = map[string]interface{}{"greeting": "hi"}
	spec.Env = map[string]string{"MODE": "test"}
	spec.Label = "interop"
	spec.MaxExecTime = 60
	spec.MaxRetries = 2

	// The executor long-polls before there is anything to do.
	polling := col.assignAsync(col.exec.prv, 10)
	time.Sleep(700 * time.Millisecond)
	submitted, err := col.c.Submit(spec, alice.prv)
	must(t, err)
	submittedAt := time.Now()

	eq(t, "submitted state", submitted.State, core.WAITING)
	eq(t, "submitted initiatorname", submitted.InitiatorName, "alice")
	eq(t, "submitted initiatorid", submitted.InitiatorID, alice.id)
	eq(t, "submitted isassigned", submitted.IsAssigned, false)
	eq(t, "submitted funcname", submitted.FunctionSpec.FuncName, "echo")
	eq(t, "submitted args", submitted.FunctionSpec.Args, []interface{}{"hello", float64(42)})
	eq(t, "submitted kwargs", submitted.FunctionSpec.KwArgs, map[string]interface{}{"greeting": "hi"})
	eq(t, "submitted env", submitted.FunctionSpec.Env, map[string]string{"MODE": "test"})
	eq(t, "submitted label", submitted.FunctionSpec.Label, "interop")
	eq(t, "submitted colonyname", submitted.FunctionSpec.Conditions.ColonyName, col.name)
	eq(t, "submitted executortype", submitted.FunctionSpec.Conditions.ExecutorType, col.execType)
	eq(t, "submitted maxexectime", submitted.FunctionSpec.MaxExecTime, 60)
	eq(t, "submitted maxretries", submitted.FunctionSpec.MaxRetries, 2)
	if len(submitted.ID) != 64 {
		t.Fatalf("processid %q is not 64 hex characters", submitted.ID)
	}
	if isZeroTime(submitted.SubmissionTime) {
		t.Fatalf("submissiontime unset: %v", submitted.SubmissionTime)
	}
	if submitted.Input == nil || submitted.Output == nil || submitted.Errors == nil {
		t.Fatalf("in/out/errors must be [] on a new process, not null: in=%v out=%v errors=%v",
			submitted.Input, submitted.Output, submitted.Errors)
	}
	if submitted.PriorityTime == 0 {
		t.Fatal("prioritytime unset")
	}
	envAttribute := false
	for _, a := range submitted.Attributes {
		if a.AttributeType == core.ENV && a.Key == "MODE" && a.Value == "test" {
			envAttribute = true
		}
	}
	if !envAttribute {
		t.Fatalf("no ENV attribute MODE=test on the submitted process: %+v", submitted.Attributes)
	}

	var got assigned
	select {
	case got = <-polling:
	case <-time.After(8 * time.Second):
		t.Fatal("the long-polling assign was not woken by the submit")
	}
	must(t, got.err)
	if woke := got.at.Sub(submittedAt); woke > 2*time.Second {
		t.Fatalf("the long-polling assign returned %v after the submit", woke)
	}
	running := got.p
	eq(t, "assigned processid", running.ID, submitted.ID)
	eq(t, "assigned state", running.State, core.RUNNING)
	eq(t, "assigned isassigned", running.IsAssigned, true)
	eq(t, "assigned assignedexecutorid", running.AssignedExecutorID, col.exec.id)
	if isZeroTime(running.StartTime) {
		t.Fatal("starttime unset on the assigned process")
	}
	if isZeroTime(running.ExecDeadline) || !running.ExecDeadline.After(running.StartTime) {
		t.Fatalf("execdeadline %v should be about starttime %v + 60 s", running.ExecDeadline, running.StartTime)
	}

	// An OUT attribute; its ID is derived from the process, the key and the type.
	attribute := core.CreateAttribute(running.ID, col.name, "", core.OUT, "progress", "50%")
	addedAttr, err := col.c.AddAttribute(attribute, col.exec.prv)
	must(t, err)
	eq(t, "attribute id", addedAttr.ID, attribute.ID)
	gotAttr, err := col.c.GetAttribute(addedAttr.ID, col.exec.prv)
	must(t, err)
	eq(t, "attribute value", gotAttr.Value, "50%")
	eq(t, "attribute targetid", gotAttr.TargetID, running.ID)
	eq(t, "attribute type", gotAttr.AttributeType, core.OUT)
	eq(t, "attribute targetcolonyname", gotAttr.TargetColonyName, col.name)
	_, err = col.c.AddAttribute(attribute, col.exec.prv)
	mustFail(t, err, "addattributemsg with the same key and type again", 400)
	_, err = col.c.AddAttribute(core.CreateAttribute(running.ID, col.name, "", core.ERR, "progress", "bad"), col.exec.prv)
	must(t, err)
	_, err = col.c.AddAttribute(core.CreateAttribute(col.ownerID, col.name, "", core.OUT, "k", "v"), col.exec.prv)
	mustFail(t, err, "addattributemsg on an unknown process", 404)
	_, err = col.c.GetAttribute(col.ownerID, col.exec.prv)
	mustFail(t, err, "getattributemsg of an unknown attribute", 404)

	must(t, col.c.SetOutput(running.ID, []interface{}{"partial"}, col.exec.prv))
	eq(t, "output after setoutput", col.process(running.ID).Output, []interface{}{"partial"})

	time.Sleep(20 * time.Millisecond)
	must(t, col.c.CloseWithOutput(running.ID, []interface{}{"done", 7}, col.exec.prv))
	closed := col.process(running.ID)
	eq(t, "closed state", closed.State, core.SUCCESS)
	eq(t, "closed output", closed.Output, []interface{}{"done", float64(7)})
	eq(t, "closed initiatorname", closed.InitiatorName, "alice")
	eq(t, "closed assignedexecutorid", closed.AssignedExecutorID, col.exec.id)
	if isZeroTime(closed.EndTime) || closed.EndTime.Before(closed.StartTime) || closed.StartTime.Before(closed.SubmissionTime) {
		t.Fatalf("times out of order: submission %v, start %v, end %v", closed.SubmissionTime, closed.StartTime, closed.EndTime)
	}
	progress := false
	for _, a := range closed.Attributes {
		if a.Key == "progress" && a.Value == "50%" {
			progress = true
		}
	}
	if !progress {
		t.Fatalf("the closed process lacks its attribute: %+v", closed.Attributes)
	}
	// Closing marks the process's attributes with its final state.
	gotAttr, err = col.c.GetAttribute(addedAttr.ID, col.exec.prv)
	must(t, err)
	eq(t, "attribute state after the close", gotAttr.State, core.SUCCESS)

	// A closed process takes no more output.
	err = col.c.SetOutput(running.ID, []interface{}{"late"}, col.exec.prv)
	mustFail(t, err, "setoutputmsg on a closed process", 403)
}

func TestCloseFailed(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	submitted := col.submit(col.spec("boom"))
	running := col.assign()
	eq(t, "assigned", running.ID, submitted.ID)
	must(t, col.c.Fail(running.ID, []string{"it broke", "badly"}, col.exec.prv))
	failed := col.process(running.ID)
	eq(t, "failed state", failed.State, core.FAILED)
	eq(t, "failed errors", failed.Errors, []string{"it broke", "badly"})
	if isZeroTime(failed.EndTime) {
		t.Fatal("endtime unset on a failed process")
	}

	// A failed process cannot be closed successfully, nor failed twice.
	err := col.c.Close(running.ID, col.exec.prv)
	mustFail(t, err, "closesuccessfulmsg on a failed process", 400)
	err = col.c.Fail(running.ID, []string{"again"}, col.exec.prv)
	mustFail(t, err, "closefailedmsg on a failed process", 400)
	eq(t, "errors unchanged", col.process(running.ID).Errors, []string{"it broke", "badly"})
}

func TestAssignWithNothingToDo(t *testing.T) {
	t.Parallel()
	col := newColony(t)

	started := time.Now()
	_, err := col.c.Assign(col.name, 1, "", "", col.exec.prv)
	mustFail(t, err, "assign with timeout 1 and nothing waiting", 404)
	if d := time.Since(started); d < 900*time.Millisecond || d > 4*time.Second {
		t.Fatalf("assign with timeout 1 returned after %v", d)
	}

	started = time.Now()
	_, err = col.c.Assign(col.name, -1, "", "", col.exec.prv)
	mustFail(t, err, "assign with timeout -1 and nothing waiting", 404)
	if d := time.Since(started); d > time.Second {
		t.Fatalf("assign with timeout -1 waited %v", d)
	}

	_, err = col.c.Assign(col.name, 0, "", "", col.exec.prv)
	mustFail(t, err, "assign with timeout 0", 400)

	// The context of AssignWithContext ends a long poll early.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	started = time.Now()
	_, err = col.c.AssignWithContext(col.name, 10, ctx, "", "", col.exec.prv)
	if err == nil {
		t.Fatal("assign with a cancelled context succeeded")
	}
	if d := time.Since(started); d > 2*time.Second {
		t.Fatalf("the cancelled long poll returned after %v", d)
	}
	// The abandoned long poll must not take the next process (Go ends it with the request's
	// context when the client goes away): the executor gets it on its next assign.
	if onWorkers() {
		// The Worker ends its poll on request.signal; under wrangler dev the local proxy in
		// front of workerd does not pass the client's disconnect on, so this is not testable.
		t.Log("abandoned long poll: not checked on the Workers host under wrangler dev")
		return
	}
	time.Sleep(300 * time.Millisecond)
	p := col.submit(col.spec("after-abandoned-poll"))
	time.Sleep(300 * time.Millisecond)
	got, err := col.c.Assign(col.name, -1, "", "", col.exec.prv)
	if err != nil {
		state := col.process(p.ID)
		t.Fatalf("the process submitted after an abandoned long poll was not assignable (%v); it is in state %d assigned to %q",
			err, state.State, state.AssignedExecutorID)
	}
	eq(t, "assigned after the abandoned poll", got.ID, p.ID)
}

func TestPriorities(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	var want []string
	byPriority := map[int][]string{}
	for _, priority := range []int{1, 2, 5, 5, 0} {
		spec := col.spec("prio")
		spec.Priority = priority
		p := col.submit(spec)
		eq(t, "spec priority", p.FunctionSpec.Priority, priority)
		// prioritytime = submission time in ns - priority days.
		want := p.SubmissionTime.UnixNano() - int64(priority)*86400*1000000000
		if d := p.PriorityTime - want; d < -int64(time.Millisecond) || d > int64(time.Millisecond) {
			t.Fatalf("prioritytime %d is not submissiontime - %d days (%d)", p.PriorityTime, priority, want)
		}
		byPriority[priority] = append(byPriority[priority], p.ID)
	}
	for _, priority := range []int{5, 2, 1, 0} {
		want = append(want, byPriority[priority]...)
	}
	var got []string
	for range want {
		got = append(got, col.assign().ID)
	}
	eq(t, "assignment order (highest priority first, FIFO within one)", got, want)

	spec := col.spec("prio")
	spec.Priority = 50001
	_, err := col.c.Submit(spec, col.exec.prv)
	mustFail(t, err, "submit with priority 50001", 400)
}

func TestMaxExecTimeRetries(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	spec := col.spec("slow")
	spec.MaxExecTime = 1
	spec.MaxRetries = 1
	submitted := col.submit(spec)

	first := col.assign()
	eq(t, "assigned", first.ID, submitted.ID)
	var p *core.Process
	waitFor(t, 5*time.Second, "the expired process to be released for a retry", func() bool {
		p = col.process(submitted.ID)
		return p.State == core.WAITING
	})
	eq(t, "retries after the first expiry", p.Retries, 1)
	eq(t, "released assignedexecutorid", p.AssignedExecutorID, "")
	eq(t, "released isassigned", p.IsAssigned, false)

	second := col.assign()
	eq(t, "reassigned", second.ID, submitted.ID)
	waitFor(t, 5*time.Second, "the expired process to fail after its last retry", func() bool {
		p = col.process(submitted.ID)
		return p.State == core.FAILED
	})
	eq(t, "errors after the last retry", p.Errors, []string{"Maximum execution time limit exceeded"})

	// The executor that held it can no longer close it.
	err := col.c.Close(submitted.ID, col.exec.prv)
	mustFail(t, err, "closing a process failed by its deadline")
}

func TestMaxWaitTime(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	spec := col.spec("never")
	spec.MaxWaitTime = 1
	submitted := col.submit(spec)
	var p *core.Process
	waitFor(t, 5*time.Second, "the unassigned process to fail by maxwaittime", func() bool {
		p = col.process(submitted.ID)
		return p.State == core.FAILED
	})
	eq(t, "errors", p.Errors, []string{"Maximum waiting time limit exceeded"})
	stats, err := col.c.ColonyStatistics(col.name, col.exec.prv)
	must(t, err)
	eq(t, "failedprocesses", stats.FailedProcesses, 1)
}

func TestListProcessesAndStatistics(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	bob := col.addUser("bob")
	other := col.addExecutor("other", unique("othertype"), true)

	ok := col.submit(col.spec("ok"))
	bad := col.submit(col.spec("bad"))
	running := col.submit(col.spec("running"))
	labelled := col.spec("labelled")
	labelled.Label = "lbl"
	waitingLabelled := col.submit(labelled)
	byBob, err := col.c.Submit(col.spec("bobs"), bob.prv)
	must(t, err)
	otherSpec := col.spec("other")
	otherSpec.Conditions.ExecutorType = "othertype-never"
	otherType := col.submit(otherSpec)

	eq(t, "first", col.assign().ID, ok.ID)
	must(t, col.c.CloseWithOutput(ok.ID, []interface{}{"fine"}, col.exec.prv))
	eq(t, "second", col.assign().ID, bad.ID)
	must(t, col.c.Fail(bad.ID, []string{"no"}, col.exec.prv))
	eq(t, "third", col.assign().ID, running.ID)

	list := func(name string, f func() ([]*core.Process, error)) []string {
		t.Helper()
		ps, err := f()
		must(t, err)
		return ids(ps)
	}
	eq(t, "successful", list("successful", func() ([]*core.Process, error) {
		return col.c.GetSuccessfulProcesses(col.name, "", "", "", 100, col.exec.prv)
	}), []string{ok.ID})
	eq(t, "failed", list("failed", func() ([]*core.Process, error) {
		return col.c.GetFailedProcesses(col.name, "", "", "", 100, col.exec.prv)
	}), []string{bad.ID})
	eq(t, "running", list("running", func() ([]*core.Process, error) {
		return col.c.GetRunningProcesses(col.name, "", "", "", 100, col.exec.prv)
	}), []string{running.ID})
	eq(t, "waiting (prioritytime order)", list("waiting", func() ([]*core.Process, error) {
		return col.c.GetWaitingProcesses(col.name, "", "", "", 100, col.exec.prv)
	}), []string{waitingLabelled.ID, byBob.ID, otherType.ID})
	eq(t, "waiting by executortype", list("waiting by type", func() ([]*core.Process, error) {
		return col.c.GetWaitingProcesses(col.name, "othertype-never", "", "", 100, col.exec.prv)
	}), []string{otherType.ID})
	eq(t, "waiting by label", list("waiting by label", func() ([]*core.Process, error) {
		return col.c.GetWaitingProcesses(col.name, "", "lbl", "", 100, col.exec.prv)
	}), []string{waitingLabelled.ID})
	eq(t, "waiting by initiator", list("waiting by initiator", func() ([]*core.Process, error) {
		return col.c.GetWaitingProcesses(col.name, "", "", "bob", 100, col.exec.prv)
	}), []string{byBob.ID})
	eq(t, "waiting, count 1", list("waiting count 1", func() ([]*core.Process, error) {
		return col.c.GetWaitingProcesses(col.name, "", "", "", 1, col.exec.prv)
	}), []string{waitingLabelled.ID})
	cancelled, err := col.c.GetCancelledProcesses(col.name, "", "", "", 100, col.exec.prv)
	must(t, err)
	eq(t, "cancelled", len(cancelled), 0)
	_, err = col.c.GetWaitingProcesses(col.name, "", "", "", 101, col.exec.prv)
	mustFail(t, err, "getprocessesmsg with count 101", 400)

	// History: processes submitted in the last minute, by state, for the colony or one executor.
	hist, err := col.c.GetProcessHistForColony(core.SUCCESS, col.name, 60, col.exec.prv)
	must(t, err)
	eq(t, "history of successful processes", ids(hist), []string{ok.ID})
	hist, err = col.c.GetProcessHistForExecutor(core.FAILED, col.name, col.exec.id, 60, col.exec.prv)
	must(t, err)
	eq(t, "history of the executor's failed processes", ids(hist), []string{bad.ID})

	stats, err := col.c.ColonyStatistics(col.name, col.exec.prv)
	must(t, err)
	eq(t, "colony stats", *stats, core.Statistics{
		Colonies: 1, Executors: 2, ActiveExecutors: 2,
		WaitingProcesses: 3, RunningProcesses: 1, SuccessfulProcesses: 1, FailedProcesses: 1,
	})
	_ = other
}

func TestCancelAndRemoveProcesses(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	waiting := col.submit(col.spec("cancel-me"))
	must(t, col.c.CancelProcess(waiting.ID, col.exec.prv))
	cancelled := col.process(waiting.ID)
	eq(t, "cancelled state", cancelled.State, core.CANCELLED)
	if isZeroTime(cancelled.EndTime) {
		t.Fatal("endtime unset on a cancelled process")
	}
	err := col.c.CancelProcess(waiting.ID, col.exec.prv)
	mustFail(t, err, "cancelling a cancelled process", 400)
	_, err = col.c.Assign(col.name, -1, "", "", col.exec.prv)
	mustFail(t, err, "assigning with only a cancelled process", 404)
	list, err := col.c.GetCancelledProcesses(col.name, "", "", "", 10, col.exec.prv)
	must(t, err)
	eq(t, "cancelled list", ids(list), []string{waiting.ID})

	// A running process can be cancelled too; its executor can no longer close it.
	running := col.submit(col.spec("cancel-running"))
	eq(t, "assigned", col.assign().ID, running.ID)
	err = col.c.RemoveProcess(running.ID, col.exec.prv)
	mustFail(t, err, "removing a running process", 400)
	must(t, col.c.CancelProcess(running.ID, col.exec.prv))
	eq(t, "cancelled running", col.process(running.ID).State, core.CANCELLED)
	err = col.c.Close(running.ID, col.exec.prv)
	mustFail(t, err, "closing a cancelled process", 400)

	stats, err := col.c.ColonyStatistics(col.name, col.exec.prv)
	must(t, err)
	eq(t, "cancelledprocesses", stats.CancelledProcesses, 2)

	// Remove one, then all.
	must(t, col.c.RemoveProcess(waiting.ID, col.exec.prv))
	_, err = col.c.GetProcess(waiting.ID, col.exec.prv)
	mustFail(t, err, "getprocessmsg of a removed process", 404)

	col.submit(col.spec("a"))
	col.submit(col.spec("b"))
	err = col.c.RemoveAllProcesses(col.name, col.exec.prv)
	mustFail(t, err, "removeallprocessesmsg by an executor", 403)
	err = col.c.RemoveAllProcessesWithState(col.name, core.RUNNING, col.ownerPrv)
	mustFail(t, err, "removeallprocessesmsg with state RUNNING", 400)
	must(t, col.c.RemoveAllProcessesWithState(col.name, core.WAITING, col.ownerPrv))
	waitingNow, err := col.c.GetWaitingProcesses(col.name, "", "", "", 100, col.exec.prv)
	must(t, err)
	eq(t, "waiting after removing all waiting", len(waitingNow), 0)
	eq(t, "the cancelled one survives", col.process(running.ID).State, core.CANCELLED)
	must(t, col.c.RemoveAllProcesses(col.name, col.ownerPrv))
	_, err = col.c.GetProcess(running.ID, col.exec.prv)
	mustFail(t, err, "getprocessmsg after removeall", 404)
}

func TestLogs(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("log"))
	eq(t, "assigned", col.assign().ID, p.ID)

	must(t, col.c.AddLog(p.ID, "working\n", col.exec.prv))
	time.Sleep(5 * time.Millisecond)
	must(t, col.c.AddLog(p.ID, "almost done\n", col.exec.prv))

	logs, err := col.c.GetLogsByProcess(col.name, p.ID, 100, col.exec.prv)
	must(t, err)
	if len(logs) != 2 {
		t.Fatalf("getlogsmsg: want 2 logs, got %d", len(logs))
	}
	eq(t, "first log", logs[0].Message, "working\n")
	eq(t, "second log", logs[1].Message, "almost done\n")
	for _, l := range logs {
		eq(t, "log executorname", l.ExecutorName, col.exec.name)
		eq(t, "log processid", l.ProcessID, p.ID)
		eq(t, "log colonyname", l.ColonyName, col.name)
		if l.Timestamp < time.Now().Add(-time.Minute).UnixNano() {
			t.Fatalf("log timestamp %d is not Unix nanoseconds of now", l.Timestamp)
		}
	}

	since, err := col.c.GetLogsByProcessSince(col.name, p.ID, 100, logs[0].Timestamp, col.exec.prv)
	must(t, err)
	eq(t, "logs since the first", len(since), 1)
	eq(t, "log since the first", since[0].Message, "almost done\n")
	latest, err := col.c.GetLogsByProcessLatest(col.name, p.ID, 1, col.exec.prv)
	must(t, err)
	eq(t, "latest log", len(latest), 1)
	eq(t, "latest log message", latest[0].Message, "almost done\n")

	must(t, col.c.AddLogToExecutor(col.name, col.exec.name, "executor says hi", col.exec.prv))
	byExecutor, err := col.c.GetLogsByExecutor(col.name, col.exec.name, 100, col.exec.prv)
	must(t, err)
	eq(t, "logs by executor", len(byExecutor), 3)

	latestByExecutor, err := col.c.GetLogsByExecutorLatest(col.name, col.exec.name, 1, col.exec.prv)
	must(t, err)
	if len(latestByExecutor) != 1 || latestByExecutor[0].Message != "executor says hi" || latestByExecutor[0].ProcessID != "" {
		t.Fatalf("latest log of the executor: %+v", latestByExecutor)
	}
	sinceByExecutor, err := col.c.GetLogsByExecutorSince(col.name, col.exec.name, 100, logs[1].Timestamp, col.exec.prv)
	must(t, err)
	eq(t, "executor logs since the second", len(sinceByExecutor), 1)

	found, err := col.c.SearchLogs(col.name, "almost", 1, 10, col.exec.prv)
	must(t, err)
	eq(t, "searchlogs hits", len(found), 1)
	eq(t, "searchlogs hit", found[0].Message, "almost done\n")

	_, err = col.c.GetLogsByProcess(col.name, p.ID, 501, col.exec.prv)
	mustFail(t, err, "getlogsmsg with count 501", 403)

	// Logs go only to a running process.
	must(t, col.c.Close(p.ID, col.exec.prv))
	err = col.c.AddLog(p.ID, "too late", col.exec.prv)
	mustFail(t, err, "addlogmsg on a closed process", 403)
}

func TestFunctionsAndStats(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	other := col.addExecutor("other", col.execType, true)

	fn := &core.Function{ExecutorName: col.exec.name, ExecutorType: col.execType, ColonyName: col.name, FuncName: "echo",
		Description: "echoes its args", Args: []*core.FunctionArg{core.CreateFunctionArg("text", "string", "what to echo", true, nil)}}
	added, err := col.c.AddFunction(fn, col.exec.prv)
	must(t, err)
	if len(added.FunctionID) != 64 {
		t.Fatalf("addfunctionmsg: functionid %q", added.FunctionID)
	}
	eq(t, "function description", added.Description, "echoes its args")
	_, err = col.c.AddFunction(&core.Function{ExecutorName: col.exec.name, ExecutorType: col.execType, ColonyName: col.name, FuncName: "sneaky"}, other.prv)
	mustFail(t, err, "addfunctionmsg for another executor", 403)
	_, err = col.c.AddFunction(&core.Function{ExecutorName: other.name, ExecutorType: col.execType, ColonyName: col.name, FuncName: "other"}, other.prv)
	must(t, err)

	mine, err := col.c.GetFunctionsByExecutor(col.name, col.exec.name, col.exec.prv)
	must(t, err)
	if len(mine) != 1 || mine[0].FuncName != "echo" || mine[0].Counter != 0 {
		t.Fatalf("getfunctionsmsg by executor: %+v", mine)
	}
	if len(mine[0].Args) != 1 || mine[0].Args[0].Name != "text" || !mine[0].Args[0].Required {
		t.Fatalf("function args did not round-trip: %+v", mine[0].Args)
	}
	all, err := col.c.GetFunctionsByColony(col.name, col.exec.prv)
	must(t, err)
	eq(t, "functions in the colony", len(all), 2)

	p := col.submit(col.spec("echo", "x"))
	time.Sleep(50 * time.Millisecond)
	eq(t, "assigned", col.assign().ID, p.ID)
	time.Sleep(50 * time.Millisecond)
	must(t, col.c.Close(p.ID, col.exec.prv))
	mine, err = col.c.GetFunctionsByExecutor(col.name, col.exec.name, col.exec.prv)
	must(t, err)
	if len(mine) != 1 || mine[0].Counter != 1 {
		t.Fatalf("after one successful echo the counter should be 1: %+v", mine)
	}
	if mine[0].MinExecTime <= 0 || mine[0].MaxExecTime < mine[0].MinExecTime || mine[0].MinWaitTime <= 0 {
		t.Fatalf("function exec/wait statistics not updated: %+v", mine[0])
	}

	err = col.c.RemoveFunction(added.FunctionID, other.prv)
	mustFail(t, err, "removefunctionmsg of another executor's function", 403)
	must(t, col.c.RemoveFunction(added.FunctionID, col.exec.prv))
	err = col.c.RemoveFunction(added.FunctionID, col.exec.prv)
	mustFail(t, err, "removefunctionmsg of a removed function", 404)
	mine, err = col.c.GetFunctionsByExecutor(col.name, col.exec.name, col.exec.prv)
	must(t, err)
	eq(t, "functions after removal", len(mine), 0)
}

func TestPauseResumeAssignments(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("paused"))

	err := col.c.PauseColonyAssignments(col.name, col.exec.prv)
	mustFail(t, err, "pauseassignmentsmsg by an executor", 403)
	must(t, col.c.PauseColonyAssignments(col.name, col.ownerPrv))
	paused, err := col.c.AreColonyAssignmentsPaused(col.name, col.exec.prv)
	must(t, err)
	eq(t, "paused", paused, true)

	_, err = col.c.Assign(col.name, -1, "", "", col.exec.prv)
	mustFail(t, err, "assign without waiting while paused", 503)
	started := time.Now()
	_, err = col.c.Assign(col.name, 1, "", "", col.exec.prv)
	mustFail(t, err, "assign with timeout 1 while paused", 408)
	if d := time.Since(started); d < 900*time.Millisecond {
		t.Fatalf("a paused long poll returned after %v", d)
	}

	// A long poll waiting while paused is woken by the resume.
	polling := col.assignAsync(col.exec.prv, 10)
	time.Sleep(500 * time.Millisecond)
	must(t, col.c.ResumeColonyAssignments(col.name, col.ownerPrv))
	select {
	case got := <-polling:
		must(t, got.err)
		eq(t, "assigned after resume", got.p.ID, p.ID)
	case <-time.After(5 * time.Second):
		t.Fatal("resume did not wake the waiting assign")
	}
	paused, err = col.c.AreColonyAssignmentsPaused(col.name, col.exec.prv)
	must(t, err)
	eq(t, "paused after resume", paused, false)
}

func TestAssignConditions(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	other := col.addExecutor("other", col.execType, true)

	// Targeted by executor name.
	targeted := col.spec("targeted")
	targeted.Conditions.ExecutorNames = []string{"other"}
	p := col.submit(targeted)
	_, err := col.c.Assign(col.name, -1, "", "", col.exec.prv)
	mustFail(t, err, "assign of a process targeted at another executor", 404)
	got, err := col.c.Assign(col.name, -1, "", "", other.prv)
	must(t, err)
	eq(t, "the targeted executor gets it", got.ID, p.ID)

	// Resources: a process asking for 4 cores and 4 GB only goes to an executor that has them.
	big := col.spec("big")
	big.Conditions.CPU = "4000m"
	big.Conditions.Memory = "4G"
	p = col.submit(big)
	_, err = col.c.Assign(col.name, -1, "1000m", "10G", col.exec.prv)
	mustFail(t, err, "assign with too little CPU", 404)
	got, err = col.c.Assign(col.name, -1, "4000m", "4G", col.exec.prv)
	must(t, err)
	eq(t, "assign with enough resources", got.ID, p.ID)
	eq(t, "cpu normalised", got.FunctionSpec.Conditions.CPU, "4000m")

	// Another executor type never sees it.
	stranger := col.addExecutor("stranger", unique("strangertype"), true)
	col.submit(col.spec("plain"))
	_, err = col.c.Assign(col.name, -1, "", "", stranger.prv)
	mustFail(t, err, "assign by an executor of another type", 404)
}

// A process submitted with an unknown executor type still has a clear error for a
// non-existent process.
func TestUnknownProcess(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	_, err := col.c.GetProcess(strings.Repeat("ab", 32), col.exec.prv)
	mustFail(t, err, "getprocessmsg of an unknown process", 404)
}

// Many executors assigning at once never get the same process twice.
func TestConcurrentAssignNoDoubles(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	const executors, processes = 4, 24
	keys := []string{col.exec.prv}
	for i := 1; i < executors; i++ {
		keys = append(keys, col.addExecutor("worker"+string(rune('a'+i)), col.execType, true).prv)
	}
	want := map[string]bool{}
	for i := 0; i < processes; i++ {
		want[col.submit(col.spec("work")).ID] = true
	}
	results := make(chan string, processes*2)
	errs := make(chan error, executors)
	done := make(chan struct{}, executors)
	for _, prv := range keys {
		go func(prv string) {
			defer func() { done <- struct{}{} }()
			for {
				p, err := col.c.Assign(col.name, -1, "", "", prv)
				if status(err) == 404 {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				results <- p.ID
				if err := col.c.Close(p.ID, prv); err != nil {
					errs <- err
					return
				}
			}
		}(prv)
	}
	for i := 0; i < executors; i++ {
		<-done
	}
	close(results)
	close(errs)
	for err := range errs {
		t.Fatalf("an executor failed: %v", err)
	}
	seen := map[string]int{}
	for id := range results {
		seen[id]++
		if !want[id] {
			t.Fatalf("assigned a process that was not submitted here: %s", id)
		}
		if seen[id] > 1 {
			t.Fatalf("process %s was assigned twice", id)
		}
	}
	eq(t, "processes assigned", len(seen), processes)
	list, err := col.c.GetSuccessfulProcesses(col.name, "", "", "", 100, col.exec.prv)
	must(t, err)
	eq(t, "successful processes", len(list), processes)
	// Newest end time first.
	for i := 1; i < len(list); i++ {
		if list[i].EndTime.After(list[i-1].EndTime) {
			t.Fatalf("successful processes are not ordered by end time, newest first: %v then %v", list[i-1].EndTime, list[i].EndTime)
		}
	}
}
