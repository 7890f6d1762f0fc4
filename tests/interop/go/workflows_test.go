package interop

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/core"
)

// node is a workflow function spec named nodeName that depends on deps.
func (col *colony) node(nodeName string, deps ...string) *core.FunctionSpec {
	s := col.spec("step-" + nodeName)
	s.NodeName = nodeName
	if deps == nil {
		deps = []string{}
	}
	s.Conditions.Dependencies = deps
	return s
}

func (col *colony) workflow(specs ...*core.FunctionSpec) *core.WorkflowSpec {
	wf := core.CreateWorkflowSpec(col.name)
	for _, s := range specs {
		wf.AddFunctionSpec(s)
	}
	return wf
}

func (col *colony) graph(id string) *core.ProcessGraph {
	col.t.Helper()
	g, err := col.c.GetProcessGraph(id, col.exec.prv)
	must(col.t, err)
	return g
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// a and b feed c: c runs after both, with their outputs as its input.
func TestWorkflowDAG(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	graph, err := col.c.SubmitWorkflowSpec(col.workflow(col.node("a"), col.node("b"), col.node("c", "a", "b")), col.exec.prv)
	must(t, err)
	eq(t, "processids", len(graph.ProcessIDs), 3)
	eq(t, "rootprocessids", len(graph.Roots), 2)
	eq(t, "graph state", graph.State, core.WAITING)
	eq(t, "graph colonyname", graph.ColonyName, col.name)
	eq(t, "graph initiatorname", graph.InitiatorName, col.exec.name)
	eq(t, "graph initiatorid", graph.InitiatorID, col.exec.id)

	byNode := map[string]*core.Process{}
	for _, id := range graph.ProcessIDs {
		p := col.process(id)
		byNode[p.FunctionSpec.NodeName] = p
		eq(t, "processgraphid of "+p.FunctionSpec.NodeName, p.ProcessGraphID, graph.ID)
		eq(t, "state of "+p.FunctionSpec.NodeName, p.State, core.WAITING)
	}
	a, b, c := byNode["a"], byNode["b"], byNode["c"]
	if a == nil || b == nil || c == nil {
		t.Fatalf("the graph's processes are not a, b and c: %v", byNode)
	}
	eq(t, "roots", sorted(graph.Roots), sorted([]string{a.ID, b.ID}))
	eq(t, "c waits for its parents", c.WaitForParents, true)
	eq(t, "a does not wait", a.WaitForParents, false)
	eq(t, "c's parents", sorted(c.Parents), sorted([]string{a.ID, b.ID}))
	eq(t, "a's children", a.Children, []string{c.ID})
	eq(t, "c's maxexectime stays -1", c.FunctionSpec.MaxExecTime, -1)

	// Processes of a workflow are handled through the graph, not one by one.
	mustFail(t, col.c.RemoveProcess(a.ID, col.exec.prv), "removeprocessmsg on a workflow process", 400)
	mustFail(t, col.c.CancelProcess(a.ID, col.exec.prv), "cancelprocessmsg on a workflow process", 400)

	waiting, err := col.c.GetWaitingProcessGraphs(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "waiting graphs", len(waiting), 1)

	outputs := map[string][]interface{}{"a": {"from-a"}, "b": {"from-b", float64(2)}}
	for i := 0; i < 2; i++ {
		root := col.assign()
		node := root.FunctionSpec.NodeName
		if node != "a" && node != "b" {
			t.Fatalf("assign %d gave node %q before its parents finished", i, node)
		}
		if i == 0 {
			eq(t, "graph state with a root running", col.graph(graph.ID).State, core.RUNNING)
			running, err := col.c.GetRunningProcessGraphs(col.name, 10, col.exec.prv)
			must(t, err)
			eq(t, "running graphs", len(running), 1)
		}
		must(t, col.c.CloseWithOutput(root.ID, outputs[node], col.exec.prv))
	}

	child := col.assign()
	eq(t, "the child", child.ID, c.ID)
	// in = the parents' outputs, in the order of c's parents.
	var want []interface{}
	for _, parent := range child.Parents {
		if parent == a.ID {
			want = append(want, outputs["a"]...)
		} else {
			want = append(want, outputs["b"]...)
		}
	}
	eq(t, "the child's input", child.Input, want)
	must(t, col.c.CloseWithOutput(child.ID, []interface{}{"from-c"}, col.exec.prv))

	done := col.graph(graph.ID)
	eq(t, "graph state when all succeeded", done.State, core.SUCCESS)
	if isZeroTime(done.EndTime) || isZeroTime(done.StartTime) {
		t.Fatalf("graph start/end times unset: %v %v", done.StartTime, done.EndTime)
	}
	eq(t, "graph nodes", len(done.Nodes), 3)
	eq(t, "graph edges", len(done.Edges), 2)
	successful, err := col.c.GetSuccessfulProcessGraphs(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "successful graphs", len(successful), 1)
	eq(t, "successful graph", successful[0].ID, graph.ID)
	stats, err := col.c.ColonyStatistics(col.name, col.exec.prv)
	must(t, err)
	eq(t, "successfulprocesses", stats.SuccessfulProcesses, 3)
	workflowStats := stats.SuccessfulWorkflows == 1

	must(t, col.c.RemoveProcessGraph(graph.ID, col.exec.prv))
	_, err = col.c.GetProcessGraph(graph.ID, col.exec.prv)
	mustFail(t, err, "getprocessgraphmsg of a removed graph")
	_, err = col.c.GetProcess(a.ID, col.exec.prv)
	mustFail(t, err, "getprocessmsg of a process of a removed graph", 404)

	// Last, so that the rest of the test runs while the bug is open.
	knownBug(t, workflowStats, "getcolonystatsmsg leaves the workflow counts at 0: successfulworkflows = %d after a successful workflow, Go counts process graphs per state", stats.SuccessfulWorkflows)
}

func TestWorkflowFailureCancelAndChildren(t *testing.T) {
	t.Parallel()
	col := newColony(t)

	// A failed parent fails the graph; its child never runs.
	failing, err := col.c.SubmitWorkflowSpec(col.workflow(col.node("first"), col.node("second", "first")), col.exec.prv)
	must(t, err)
	first := col.assign()
	eq(t, "first node", first.FunctionSpec.NodeName, "first")
	must(t, col.c.Fail(first.ID, []string{"nope"}, col.exec.prv))
	eq(t, "graph state after a failure", col.graph(failing.ID).State, core.FAILED)
	_, err = col.c.Assign(col.name, -1, "", "", col.exec.prv)
	mustFail(t, err, "assign after the parent failed", 404)
	failedGraphs, err := col.c.GetFailedProcessGraphs(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "failed graphs", len(failedGraphs), 1)

	// Cancelling a graph cancels its waiting and running processes.
	cancelling, err := col.c.SubmitWorkflowSpec(col.workflow(col.node("x"), col.node("y", "x")), col.exec.prv)
	must(t, err)
	x := col.assign()
	must(t, col.c.CancelProcessGraph(cancelling.ID, col.exec.prv))
	g := col.graph(cancelling.ID)
	eq(t, "cancelled graph state", g.State, core.CANCELLED)
	for _, id := range g.ProcessIDs {
		eq(t, "state of a process of a cancelled graph", col.process(id).State, core.CANCELLED)
	}
	mustFail(t, col.c.Close(x.ID, col.exec.prv), "closing a process of a cancelled graph", 400)
	cancelledGraphs, err := col.c.GetCancelledProcessGraphs(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "cancelled graphs", len(cancelledGraphs), 1)

	// A running process grows its graph with a child.
	growing, err := col.c.SubmitWorkflowSpec(col.workflow(col.node("root")), col.exec.prv)
	must(t, err)
	root := col.assign()
	eq(t, "root node", root.FunctionSpec.NodeName, "root")
	childSpec := col.node("dynamic")
	added, err := col.c.AddChild(growing.ID, root.ID, "", childSpec, false, col.exec.prv)
	must(t, err)
	eq(t, "added child waits for its parent", added.WaitForParents, true)
	eq(t, "added child's parents", added.Parents, []string{root.ID})
	eq(t, "added child's graph", added.ProcessGraphID, growing.ID)
	must(t, col.c.CloseWithOutput(root.ID, []interface{}{"seed"}, col.exec.prv))
	dynamic := col.assign()
	eq(t, "the added child runs after its parent", dynamic.ID, added.ID)
	eq(t, "the added child's input", dynamic.Input, []interface{}{"seed"})
	must(t, col.c.Close(dynamic.ID, col.exec.prv))
	eq(t, "grown graph", len(col.graph(growing.ID).ProcessIDs), 2)

	// Malformed workflows are refused.
	_, err = col.c.SubmitWorkflowSpec(col.workflow(col.node("dup"), col.node("dup")), col.exec.prv)
	mustFail(t, err, "a workflow with a duplicate nodename")
	_, err = col.c.SubmitWorkflowSpec(col.workflow(col.node("orphan", "missing")), col.exec.prv)
	mustFail(t, err, "a workflow depending on a missing node")

	err = col.c.RemoveAllProcessGraphs(col.name, col.exec.prv)
	mustFail(t, err, "removeallprocessgraphsmsg by an executor", 403)
	must(t, col.c.RemoveAllProcessGraphs(col.name, col.ownerPrv))
	for _, id := range []string{failing.ID, cancelling.ID, growing.ID} {
		_, err = col.c.GetProcessGraph(id, col.exec.prv)
		mustFail(t, err, "getprocessgraphmsg after removeall")
	}
}

func TestCrons(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	wf, err := col.workflow(col.node("tick")).ToJSON()
	must(t, err)

	_, err = col.c.AddCron(core.CreateCron(col.name, "zero", "", 0, false, wf), col.exec.prv)
	mustFail(t, err, "addcronmsg with interval 0", 400)
	_, err = col.c.AddCron(core.CreateCron(col.name, "randexpr", "0/1 * * * * *", -1, true, wf), col.exec.prv)
	mustFail(t, err, "addcronmsg with an expression and random", 400)
	expr, err := col.c.AddCron(core.CreateCron(col.name, "every-second", "0/1 * * * * *", -1, false, wf), col.exec.prv)
	must(t, err)
	must(t, col.c.RemoveCron(expr.ID, col.exec.prv))

	cron, err := col.c.AddCron(core.CreateCron(col.name, "every-1s", "", 1, false, wf), col.exec.prv)
	must(t, err)
	if len(cron.ID) != 64 {
		t.Fatalf("addcronmsg: cronid %q", cron.ID)
	}
	eq(t, "cron name", cron.Name, "every-1s")
	eq(t, "cron initiatorname", cron.InitiatorName, col.exec.name)
	eq(t, "cron interval", cron.Interval, 1)
	_, err = col.c.AddCron(core.CreateCron(col.name, "every-1s", "", 1, false, wf), col.exec.prv)
	mustFail(t, err, "addcronmsg with an existing name")

	got, err := col.c.GetCron(cron.ID, col.exec.prv)
	must(t, err)
	eq(t, "getcronmsg workflowspec", got.WorkflowSpec, wf)
	if got.CheckerPeriod <= 0 {
		t.Fatalf("getcronmsg: checkerperiod %d", got.CheckerPeriod)
	}
	crons, err := col.c.GetCrons(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "getcronsmsg", len(crons), 1)

	var graphs []*core.ProcessGraph
	waitFor(t, 6*time.Second, "the cron to start a workflow", func() bool {
		graphs, err = col.c.GetWaitingProcessGraphs(col.name, 10, col.exec.prv)
		must(t, err)
		return len(graphs) >= 1
	})
	p := col.assign()
	eq(t, "the cron's process", p.FunctionSpec.FuncName, "step-tick")
	must(t, col.c.Close(p.ID, col.exec.prv))
	after, err := col.c.GetCron(cron.ID, col.exec.prv)
	must(t, err)
	if isZeroTime(after.LastRun) || !after.NextRun.After(after.LastRun) {
		t.Fatalf("cron lastrun %v / nextrun %v not advanced", after.LastRun, after.NextRun)
	}
	if after.PrevProcessGraphID == "" {
		t.Fatal("cron prevprocessgraphid unset after a run")
	}

	must(t, col.c.RemoveCron(cron.ID, col.exec.prv))
	_, err = col.c.GetCron(cron.ID, col.exec.prv)
	mustFail(t, err, "getcronmsg of a removed cron")

	// runcronmsg starts the workflow now.
	manual, err := col.c.AddCron(core.CreateCron(col.name, "manual", "0 0 3 * * *", -1, false, wf), col.exec.prv)
	must(t, err)
	before, err := col.c.GetWaitingProcessGraphs(col.name, 100, col.exec.prv)
	must(t, err)
	_, err = col.c.RunCron(manual.ID, col.exec.prv)
	must(t, err)
	waitFor(t, 3*time.Second, "runcronmsg to start a workflow", func() bool {
		now, err := col.c.GetWaitingProcessGraphs(col.name, 100, col.exec.prv)
		must(t, err)
		return len(now) > len(before)
	})
	must(t, col.c.RemoveCron(manual.ID, col.exec.prv))
}

func TestGenerators(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	wf, err := col.workflow(col.node("gen")).ToJSON()
	must(t, err)

	gen, err := col.c.AddGenerator(core.CreateGenerator(col.name, "batcher", wf, 2, 0), col.exec.prv)
	must(t, err)
	if len(gen.ID) != 64 {
		t.Fatalf("addgeneratormsg: generatorid %q", gen.ID)
	}
	eq(t, "generator trigger", gen.Trigger, 2)
	eq(t, "generator initiatorname", gen.InitiatorName, col.exec.name)

	resolved, err := col.c.ResolveGenerator(col.name, "batcher", col.exec.prv)
	must(t, err)
	eq(t, "resolvegeneratormsg", resolved.ID, gen.ID)
	list, err := col.c.GetGenerators(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "getgeneratorsmsg", len(list), 1)

	must(t, col.c.PackGenerator(gen.ID, "one", col.exec.prv))
	got, err := col.c.GetGenerator(gen.ID, col.exec.prv)
	must(t, err)
	eq(t, "queuesize after one pack", got.QueueSize, 1)
	if got.CheckerPeriod <= 0 {
		t.Fatalf("getgeneratormsg: checkerperiod %d", got.CheckerPeriod)
	}
	if isZeroTime(got.FirstPack) {
		t.Fatal("firstpack unset after a pack")
	}
	must(t, col.c.PackGenerator(gen.ID, "two", col.exec.prv))

	var p *core.Process
	waitFor(t, 6*time.Second, "the generator to start a workflow", func() bool {
		p, err = col.c.Assign(col.name, 1, "", "", col.exec.prv)
		return err == nil
	})
	eq(t, "generated arg count", len(p.FunctionSpec.Args), 2)
	eq(t, "generated args", sorted([]string{fmt.Sprint(p.FunctionSpec.Args[0]), fmt.Sprint(p.FunctionSpec.Args[1])}), []string{"one", "two"})
	if p.ProcessGraphID == "" {
		t.Fatal("the generated process is not in a workflow")
	}
	got, err = col.c.GetGenerator(gen.ID, col.exec.prv)
	must(t, err)
	eq(t, "queuesize after the trigger", got.QueueSize, 0)

	must(t, col.c.RemoveGenerator(gen.ID, col.exec.prv))
	_, err = col.c.GetGenerator(gen.ID, col.exec.prv)
	mustFail(t, err, "getgeneratormsg of a removed generator")
}

// A generator with a timeout submits what it has once the timeout passes.
func TestGeneratorTimeout(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	wf, err := col.workflow(col.node("gen")).ToJSON()
	must(t, err)
	gen, err := col.c.AddGenerator(core.CreateGenerator(col.name, "lazy", wf, 10, 1), col.exec.prv)
	must(t, err)
	must(t, col.c.PackGenerator(gen.ID, "only", col.exec.prv))
	var p *core.Process
	waitFor(t, 6*time.Second, "the generator timeout to start a workflow", func() bool {
		p, err = col.c.Assign(col.name, 1, "", "", col.exec.prv)
		return err == nil
	})
	eq(t, "args after the timeout", p.FunctionSpec.Args, []interface{}{"only"})
	must(t, col.c.RemoveGenerator(gen.ID, col.exec.prv))
}

// A cron that waits for its previous workflow starts no new one meanwhile, and hands the
// previous workflow's output to the next one's roots.
func TestCronWaitForPrevious(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	wf, err := col.workflow(col.node("tick")).ToJSON()
	must(t, err)
	cron := core.CreateCron(col.name, "chained", "", 1, false, wf)
	cron.WaitForPrevProcessGraph = true
	added, err := col.c.AddCron(cron, col.exec.prv)
	must(t, err)
	eq(t, "waitforprevprocessgraph", added.WaitForPrevProcessGraph, true)

	first, err := col.c.Assign(col.name, 5, "", "", col.exec.prv)
	must(t, err)
	time.Sleep(2500 * time.Millisecond)
	graphs, err := col.c.GetWaitingProcessGraphs(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "waiting graphs while the previous one runs", len(graphs), 0)
	must(t, col.c.CloseWithOutput(first.ID, []interface{}{"carried"}, col.exec.prv))

	second, err := col.c.Assign(col.name, 5, "", "", col.exec.prv)
	must(t, err)
	if second.ProcessGraphID == first.ProcessGraphID {
		t.Fatal("the second run is in the first run's graph")
	}
	eq(t, "the next run's input", second.Input, []interface{}{"carried"})
	must(t, col.c.RemoveCron(added.ID, col.exec.prv))
}
