package interop

// Finer points of the Go server's behaviour that Go executors rely on without saying so.

import (
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/core"
)

// Go stores the resource conditions as numbers and renders them back as "<n>m" and
// "<MiB>Mi" (pkg/database/postgresql/processes.go, parseProcesses); the rest of the spec
// comes back as sent.
func TestSpecRoundTrip(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	spec := col.spec("full", "a", 1.5, true)
	spec.NodeName = "solo"
	spec.Label = "batch"
	spec.MaxWaitTime = 60
	spec.MaxExecTime = 30
	spec.MaxRetries = 3
	spec.Conditions.ExecutorNames = []string{"executor"}
	spec.Conditions.CPU = "500m"
	spec.Conditions.Memory = "2Gi"
	spec.Conditions.Storage = "1G"
	spec.Conditions.GPU = core.GPU{Name: "a100", Memory: "80Gi", Count: 2}
	spec.Conditions.Nodes = 1
	spec.Conditions.Processes = 2
	spec.Conditions.ProcessesPerNode = 2
	spec.Conditions.WallTime = 3600
	spec.Filesystem = core.Filesystem{Mount: "/cfs",
		SnapshotMounts: []core.SnapshotMount{{SnapshotID: "s1", Label: "/in", Dir: "/in", KeepFiles: true}},
		SyncDirMounts: []core.SyncDirMount{{Label: "/out", Dir: "/out",
			ConflictResolution: core.ConflictResolution{OnClose: core.OnClose{KeepLocal: true}}}}}

	check := func(what string, p *core.Process) {
		t.Helper()
		s := p.FunctionSpec
		eq(t, what+" nodename", s.NodeName, "solo")
		eq(t, what+" args", s.Args, []interface{}{"a", 1.5, true})
		eq(t, what+" label", s.Label, "batch")
		eq(t, what+" maxwaittime", s.MaxWaitTime, 60)
		eq(t, what+" maxexectime", s.MaxExecTime, 30)
		eq(t, what+" maxretries", s.MaxRetries, 3)
		eq(t, what+" executornames", s.Conditions.ExecutorNames, []string{"executor"})
		eq(t, what+" cpu", s.Conditions.CPU, "500m")
		eq(t, what+" mem", s.Conditions.Memory, "2048Mi")
		eq(t, what+" storage", s.Conditions.Storage, "953Mi")
		eq(t, what+" gpu name", s.Conditions.GPU.Name, "a100")
		eq(t, what+" gpu mem", s.Conditions.GPU.Memory, "81920Mi")
		eq(t, what+" gpu count", s.Conditions.GPU.Count, 2)
		eq(t, what+" nodes", s.Conditions.Nodes, 1)
		eq(t, what+" processes", s.Conditions.Processes, 2)
		eq(t, what+" processespernode", s.Conditions.ProcessesPerNode, 2)
		eq(t, what+" walltime", s.Conditions.WallTime, 3600)
		eq(t, what+" fs", s.Filesystem, spec.Filesystem)
		if isZeroTime(p.WaitDeadline) || p.WaitDeadline.Sub(p.SubmissionTime) < 59*time.Second {
			t.Fatalf("%s waitdeadline %v is not submissiontime %v + 60 s", what, p.WaitDeadline, p.SubmissionTime)
		}
	}
	submitted := col.submit(spec)
	check("submit reply", submitted)
	check("getprocessmsg", col.process(submitted.ID))

	// A spec without resource conditions comes back as zero quantities.
	plain := col.submit(col.spec("plain"))
	eq(t, "cpu of a plain spec", plain.FunctionSpec.Conditions.CPU, "0m")
	eq(t, "mem of a plain spec", plain.FunctionSpec.Conditions.Memory, "0Mi")

	// A memory quantity without a unit is refused by Go's parser.
	bad := col.spec("bad")
	bad.Conditions.Memory = "1000"
	_, err := col.c.Submit(bad, col.exec.prv)
	mustFail(t, err, "submit with a memory condition without unit")
}

// closesuccessfulmsg with no output keeps what setoutputmsg stored (Go writes out only
// when it is non-empty).
func TestCloseWithoutOutputKeepsOutput(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("partial"))
	eq(t, "assigned", col.assign().ID, p.ID)
	must(t, col.c.SetOutput(p.ID, []interface{}{"kept"}, col.exec.prv))
	must(t, col.c.Close(p.ID, col.exec.prv))
	closed := col.process(p.ID)
	eq(t, "state", closed.State, core.SUCCESS)
	eq(t, "output", closed.Output, []interface{}{"kept"})
}

// A process released by its exec deadline keeps its prioritytime, so it is assigned again
// before processes submitted after it.
func TestRetryKeepsItsPlace(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	spec := col.spec("flaky")
	spec.MaxExecTime = 1
	spec.MaxRetries = 3
	first := col.submit(spec)
	eq(t, "assigned", col.assign().ID, first.ID)
	later := col.submit(col.spec("later"))
	waitFor(t, 5*time.Second, "the first process to be released", func() bool {
		return col.process(first.ID).State == core.WAITING
	})
	released := col.process(first.ID)
	eq(t, "prioritytime after the release", released.PriorityTime, first.PriorityTime)
	eq(t, "retried first", col.assign().ID, first.ID)
	eq(t, "then the later one", col.assign().ID, later.ID)
}

// One submit wakes one long-polling executor; the other keeps waiting for the next one.
func TestOneSubmitWakesOneExecutor(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	second := col.addExecutor("second", col.execType, true)
	a := col.assignAsync(col.exec.prv, 8)
	b := col.assignAsync(second.prv, 8)
	time.Sleep(700 * time.Millisecond)

	p1 := col.submit(col.spec("one"))
	var got []assigned
	select {
	case r := <-a:
		got = append(got, r)
	case r := <-b:
		got = append(got, r)
	case <-time.After(3 * time.Second):
		t.Fatal("no executor was woken by the first submit")
	}
	must(t, got[0].err)
	eq(t, "first wakeup", got[0].p.ID, p1.ID)
	select {
	case r := <-a:
		t.Fatalf("a second executor returned after one submit: %v %v", r.p, r.err)
	case r := <-b:
		t.Fatalf("a second executor returned after one submit: %v %v", r.p, r.err)
	case <-time.After(500 * time.Millisecond):
	}

	p2 := col.submit(col.spec("two"))
	select {
	case r := <-a:
		got = append(got, r)
	case r := <-b:
		got = append(got, r)
	case <-time.After(3 * time.Second):
		t.Fatal("the waiting executor was not woken by the second submit")
	}
	must(t, got[1].err)
	eq(t, "second wakeup", got[1].p.ID, p2.ID)
	if got[0].p.AssignedExecutorID == got[1].p.AssignedExecutorID {
		t.Fatal("both processes went to the same executor although both were waiting")
	}
}

// addchildmsg with insert = true puts the new process between the parent and its children.
func TestAddChildInsert(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	graph, err := col.c.SubmitWorkflowSpec(col.workflow(col.node("parent"), col.node("child", "parent")), col.exec.prv)
	must(t, err)
	parent := col.assign()
	eq(t, "parent", parent.FunctionSpec.NodeName, "parent")
	inserted, err := col.c.AddChild(graph.ID, parent.ID, "", col.node("middle"), true, col.exec.prv)
	must(t, err)
	eq(t, "inserted parents", inserted.Parents, []string{parent.ID})
	eq(t, "inserted children", len(inserted.Children), 1)
	childID := inserted.Children[0]
	eq(t, "the old child's parents", col.process(childID).Parents, []string{inserted.ID})
	eq(t, "the parent's children", col.process(parent.ID).Children, []string{inserted.ID})

	// Only the parent's executor, while it runs, may add children.
	other := col.addExecutor("other", col.execType, true)
	_, err = col.c.AddChild(graph.ID, parent.ID, "", col.node("rogue"), false, other.prv)
	mustFail(t, err, "addchildmsg by another executor")

	must(t, col.c.CloseWithOutput(parent.ID, []interface{}{"p"}, col.exec.prv))
	middle := col.assign()
	eq(t, "middle runs next", middle.ID, inserted.ID)
	eq(t, "middle's input", middle.Input, []interface{}{"p"})
	must(t, col.c.CloseWithOutput(middle.ID, []interface{}{"m"}, col.exec.prv))
	child := col.assign()
	eq(t, "then the old child", child.ID, childID)
	eq(t, "the old child's input", child.Input, []interface{}{"m"})
	must(t, col.c.Close(child.ID, col.exec.prv))
	eq(t, "graph state", col.graph(graph.ID).State, core.SUCCESS)

	_, err = col.c.AddChild(graph.ID, parent.ID, "", col.node("late"), false, col.exec.prv)
	mustFail(t, err, "addchildmsg on a closed parent")
}

// Limits on list sizes that Go enforces.
func TestListLimits(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	_, err := col.c.GetWaitingProcessGraphs(col.name, 101, col.exec.prv)
	mustFail(t, err, "getprocessgraphsmsg with count 101", 400)
	_, err = col.c.SearchLogs(col.name, "x", 31, 10, col.exec.prv)
	mustFail(t, err, "searchlogsmsg over 31 days", 400)
	_, err = col.c.SearchLogs(col.name, "x", 1, 101, col.exec.prv)
	mustFail(t, err, "searchlogsmsg with count 101", 400)
}
