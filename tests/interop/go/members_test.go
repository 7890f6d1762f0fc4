package interop

import (
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/core"
)

func TestExecutors(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c

	pending := col.addExecutor("pending", col.execType, false)
	// An unapproved executor may list the colony's executors, not read one.
	list, err := c.GetExecutors(col.name, pending.prv)
	must(t, err)
	states := map[string]int{}
	for _, e := range list {
		states[e.Name] = e.State
		eq(t, "listed executor colony", e.ColonyName, col.name)
	}
	eq(t, "executor states", states, map[string]int{"executor": core.APPROVED, "pending": core.PENDING})
	_, err = c.GetExecutor(col.name, "executor", pending.prv)
	mustFail(t, err, "getexecutormsg by an unapproved executor", 403)

	must(t, c.ApproveExecutor(col.name, "pending", col.ownerPrv))
	got, err := c.GetExecutor(col.name, "pending", pending.prv)
	must(t, err)
	eq(t, "approved state", got.State, core.APPROVED)
	eq(t, "executor id", got.ID, pending.id)
	eq(t, "executor type", got.Type, col.execType)
	if isZeroTime(got.CommissionTime) {
		t.Fatal("commissiontime unset")
	}
	byID, err := c.GetExecutorByID(col.name, pending.id, col.exec.prv)
	must(t, err)
	eq(t, "getexecutorbyidmsg name", byID.Name, "pending")
	_, err = c.GetExecutorByID(col.name, col.ownerID, col.exec.prv)
	mustFail(t, err, "getexecutorbyidmsg of an unknown executor", 404)
	_, err = c.GetExecutor(col.name, "nobody", col.exec.prv)
	mustFail(t, err, "getexecutormsg of an unknown executor")

	// A name is unique in a colony; only the colony owner adds, approves, rejects, removes.
	dupPrv, dupID := key(t)
	_ = dupPrv
	_, err = c.AddExecutor(core.CreateExecutor(dupID, col.execType, "pending", col.name, time.Now(), time.Now()), col.ownerPrv)
	mustFail(t, err, "addexecutormsg with an existing name", 400)
	_, err = c.AddExecutor(core.CreateExecutor(dupID, col.execType, "sneaky", col.name, time.Now(), time.Now()), col.exec.prv)
	mustFail(t, err, "addexecutormsg by an executor", 403)
	mustFail(t, c.ApproveExecutor(col.name, "pending", col.exec.prv), "approveexecutormsg by an executor", 403)

	// Capabilities and allocations are the executor's own to report.
	caps := core.Capabilities{
		Hardware: []core.Hardware{{Model: "box", Nodes: 1, CPU: "4000m", Cores: 4, Memory: "16Gi", Storage: "1Ti",
			GPU: core.GPU{Name: "none"}, Platform: "linux", Architecture: "amd64", Network: []string{"127.0.0.1"}}},
		Software: []core.Software{{Name: "go", Type: "runtime", Version: "1.26"}},
	}
	must(t, c.UpdateExecutorCapabilities(col.name, "pending", caps, pending.prv))
	mustFail(t, c.UpdateExecutorCapabilities(col.name, "pending", caps, col.exec.prv), "updateexecutormsg for another executor", 403)
	alloc := core.Allocations{Projects: map[string]core.Project{"p1": {AllocatedCPU: 10, UsedCPU: 3}}}
	must(t, c.ReportAllocation(col.name, "pending", alloc, pending.prv))
	got, err = c.GetExecutor(col.name, "pending", pending.prv)
	must(t, err)
	eq(t, "capabilities", got.Capabilities, caps)
	eq(t, "allocations", got.Allocations, alloc)

	// Rejecting takes the executor's rights away.
	rejected := col.addExecutor("rejected", col.execType, true)
	must(t, c.RejectExecutor(col.name, "rejected", col.ownerPrv))
	_, err = c.Assign(col.name, -1, "", "", rejected.prv)
	mustFail(t, err, "assign by a rejected executor", 403)

	// Removing an executor gives its running process back to the queue and drops its functions.
	_, err = c.AddFunction(&core.Function{ExecutorName: "pending", ExecutorType: col.execType, ColonyName: col.name, FuncName: "held"}, pending.prv)
	must(t, err)
	p := col.submit(col.spec("held"))
	beforeAssign := time.Now()
	held, err := c.Assign(col.name, -1, "", "", pending.prv)
	must(t, err)
	eq(t, "held", held.ID, p.ID)
	got, err = c.GetExecutor(col.name, "pending", pending.prv)
	must(t, err)
	if got.LastHeardFromTime.Before(beforeAssign.Add(-2 * time.Second)) {
		t.Fatalf("lastheardfromtime %v not refreshed by an assign at %v", got.LastHeardFromTime, beforeAssign)
	}
	mustFail(t, c.RemoveExecutor(col.name, "pending", col.exec.prv), "removeexecutormsg by an executor", 403)
	must(t, c.RemoveExecutor(col.name, "pending", col.ownerPrv))
	back := col.process(p.ID)
	eq(t, "state after its executor was removed", back.State, core.WAITING)
	eq(t, "assignedexecutorid after its executor was removed", back.AssignedExecutorID, "")
	_, err = c.GetExecutor(col.name, "pending", pending.prv)
	mustFail(t, err, "getexecutormsg by a removed executor")
	_, err = c.Assign(col.name, -1, "", "", pending.prv)
	mustFail(t, err, "assign by a removed executor", 403)
	functions, err := c.GetFunctionsByColony(col.name, col.exec.prv)
	must(t, err)
	eq(t, "functions of a removed executor", len(functions), 0)
	list, err = c.GetExecutors(col.name, col.exec.prv)
	must(t, err)
	states = map[string]int{}
	for _, e := range list {
		states[e.Name] = e.State
	}
	eq(t, "executor states after reject and remove", states,
		map[string]int{"executor": core.APPROVED, "pending": core.UNREGISTERED, "rejected": core.REJECTED})
	stats, err := c.ColonyStatistics(col.name, col.exec.prv)
	must(t, err)
	eq(t, "executors", stats.Executors, 3)
	eq(t, "activeexecutors", stats.ActiveExecutors, 1)
	eq(t, "unregisteredexecutors", stats.UnregisteredExecutors, 1)
}

func TestUsers(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c
	alice := col.addUser("alice")

	_, err := c.AddUser(core.CreateUser(col.name, alice.id, "alice", "", ""), col.ownerPrv)
	mustFail(t, err, "addusermsg with an existing name", 400)
	_, err = c.AddUser(core.CreateUser(col.name, alice.id, "mallory", "", ""), col.exec.prv)
	mustFail(t, err, "addusermsg by an executor", 403)

	got, err := c.GetUser(col.name, "alice", alice.prv)
	must(t, err)
	eq(t, "user", *got, core.User{ColonyName: col.name, ID: alice.id, Name: "alice", Email: "alice@example.org", Phone: "+46 0"})
	byID, err := c.GetUserByID(col.name, alice.id, col.exec.prv)
	must(t, err)
	eq(t, "getuserbyidmsg", byID.Name, "alice")
	_, err = c.GetUserByID(col.name, col.ownerID, col.exec.prv)
	mustFail(t, err, "getuserbyidmsg of an unknown user", 404)
	users, err := c.GetUsers(col.name, alice.prv)
	must(t, err)
	eq(t, "users", len(users), 1)

	// A user is a member: it submits and reads, but it is not an executor.
	p, err := c.Submit(col.spec("from-user"), alice.prv)
	must(t, err)
	eq(t, "initiatorname", p.InitiatorName, "alice")
	_, err = c.GetColonyByName(col.name, alice.prv)
	must(t, err)
	_, err = c.Assign(col.name, -1, "", "", alice.prv)
	mustFail(t, err, "assign by a user")

	mustFail(t, c.RemoveUser(col.name, "alice", col.exec.prv), "removeusermsg by an executor", 403)
	must(t, c.RemoveUser(col.name, "alice", col.ownerPrv))
	_, err = c.GetUser(col.name, "alice", col.exec.prv)
	mustFail(t, err, "getusermsg of a removed user")
	_, err = c.Submit(col.spec("from-removed-user"), alice.prv)
	mustFail(t, err, "submit by a removed user", 403)
}

func TestLocations(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c
	loc := core.CreateLocation(core.GenerateRandomID(), "edge", col.name, "the edge", 18.07, 59.33)
	added, err := c.AddLocation(loc, col.ownerPrv)
	must(t, err)
	eq(t, "added location", added.Name, "edge")
	_, err = c.AddLocation(loc, col.ownerPrv)
	mustFail(t, err, "addlocationmsg with an existing name", 400)
	_, err = c.AddLocation(core.CreateLocation(core.GenerateRandomID(), "x", col.name, "", 0, 0), col.exec.prv)
	mustFail(t, err, "addlocationmsg by an executor", 403)

	got, err := c.GetLocation(col.name, "edge", col.exec.prv)
	must(t, err)
	eq(t, "location", *got, *loc)
	all, err := c.GetLocations(col.name, col.exec.prv)
	must(t, err)
	eq(t, "locations", len(all), 1)
	_, err = c.GetLocation(col.name, "nowhere", col.exec.prv)
	mustFail(t, err, "getlocationmsg of an unknown location", 404)

	// A process for a location goes only to an executor there (case-insensitively).
	prv, id := key(t)
	e := core.CreateExecutor(id, col.execType, "at-edge", col.name, time.Now(), time.Now())
	e.LocationName = "EDGE"
	_, err = c.AddExecutor(e, col.ownerPrv)
	must(t, err)
	must(t, c.ApproveExecutor(col.name, "at-edge", col.ownerPrv))
	spec := col.spec("located")
	spec.Conditions.LocationName = "edge"
	p := col.submit(spec)
	_, err = c.Assign(col.name, -1, "", "", col.exec.prv)
	mustFail(t, err, "assign of a located process by an executor elsewhere", 404)
	got2, err := c.Assign(col.name, -1, "", "", prv)
	must(t, err)
	eq(t, "the executor at the location gets it", got2.ID, p.ID)
	atEdge, err := c.GetExecutor(col.name, "at-edge", prv)
	must(t, err)
	eq(t, "executor locationname", atEdge.LocationName, "EDGE")
	fn, err := c.AddFunction(&core.Function{ExecutorName: "at-edge", ExecutorType: col.execType, ColonyName: col.name, FuncName: "located"}, prv)
	must(t, err)
	eq(t, "function locationname (copied from its executor)", fn.LocationName, "EDGE")

	mustFail(t, c.RemoveLocation(col.name, "edge", col.exec.prv), "removelocationmsg by an executor", 403)
	must(t, c.RemoveLocation(col.name, "edge", col.ownerPrv))
	_, err = c.GetLocation(col.name, "edge", col.exec.prv)
	mustFail(t, err, "getlocationmsg of a removed location", 404)
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c
	alice := col.addUser("alice")

	newExecPrv, newExecID := key(t)
	mustFail(t, c.ChangeExecutorID(col.name, newExecID[:10], col.exec.prv), "changeexecutoridmsg with a short ID", 400)
	must(t, c.ChangeExecutorID(col.name, newExecID, col.exec.prv))
	_, err := c.GetColonyByName(col.name, col.exec.prv)
	mustFail(t, err, "getcolonymsg with the executor's old key", 403)
	_, err = c.GetColonyByName(col.name, newExecPrv)
	must(t, err)
	col.exec.prv, col.exec.id = newExecPrv, newExecID

	newUserPrv, newUserID := key(t)
	must(t, c.ChangeUserID(col.name, newUserID, alice.prv))
	_, err = c.GetUsers(col.name, alice.prv)
	mustFail(t, err, "getusersmsg with the user's old key", 403)
	got, err := c.GetUser(col.name, "alice", newUserPrv)
	must(t, err)
	eq(t, "user id after rotation", got.ID, newUserID)

	newOwnerPrv, newOwnerID := key(t)
	mustFail(t, c.ChangeColonyID(col.name, newOwnerID, col.exec.prv), "changecolonyidmsg by an executor", 403)
	must(t, c.ChangeColonyID(col.name, newOwnerID, col.ownerPrv))
	extraPrv, extraID := key(t)
	_ = extraPrv
	_, err = c.AddExecutor(core.CreateExecutor(extraID, col.execType, "extra", col.name, time.Now(), time.Now()), col.ownerPrv)
	mustFail(t, err, "addexecutormsg with the colony's old owner key", 403)
	_, err = c.AddExecutor(core.CreateExecutor(extraID, col.execType, "extra", col.name, time.Now(), time.Now()), newOwnerPrv)
	must(t, err)
	colony, err := c.GetColonyByName(col.name, col.exec.prv)
	must(t, err)
	eq(t, "colonyid after rotation", colony.ID, newOwnerID)
	col.ownerPrv, col.ownerID = newOwnerPrv, newOwnerID
}
