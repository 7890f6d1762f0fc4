package interop

import (
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/core"
)

func TestSecurityNonMembers(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	other := newColony(t)
	strangerPrv, _ := key(t)
	p := col.submit(col.spec("private"))

	for _, who := range []struct {
		name string
		prv  string
	}{
		{"an unknown key", strangerPrv},
		{"an executor of another colony", other.exec.prv},
		{"the colony owner", col.ownerPrv},
		{"the server owner", serverPrvKey},
	} {
		_, err := col.c.Submit(col.spec("intruder"), who.prv)
		mustFail(t, err, "submit by "+who.name, 403)
		_, err = col.c.Assign(col.name, -1, "", "", who.prv)
		mustFail(t, err, "assign by "+who.name, 403)
		_, err = col.c.GetProcess(p.ID, who.prv)
		mustFail(t, err, "getprocessmsg by "+who.name, 403)
		_, err = col.c.GetWaitingProcesses(col.name, "", "", "", 10, who.prv)
		mustFail(t, err, "getprocessesmsg by "+who.name, 403)
		_, err = col.c.GetExecutors(col.name, who.prv)
		mustFail(t, err, "getexecutorsmsg by "+who.name, 403)
		_, err = col.c.SubmitWorkflowSpec(col.workflow(col.node("w")), who.prv)
		mustFail(t, err, "submitworkflowspecmsg by "+who.name, 403)
		_, err = col.c.ColonyStatistics(col.name, who.prv)
		mustFail(t, err, "getcolonystatsmsg by "+who.name, 403)
		mustFail(t, col.c.CancelProcess(p.ID, who.prv), "cancelprocessmsg by "+who.name, 403)
		mustFail(t, col.c.RemoveProcess(p.ID, who.prv), "removeprocessmsg by "+who.name, 403)
	}

	// Another colony's owner is nobody here.
	mustFail(t, col.c.ApproveExecutor(col.name, "executor", other.ownerPrv), "approveexecutormsg by another colony's owner", 403)
	_, err := col.c.AddExecutor(core.CreateExecutor(other.exec.id, col.execType, "foreign", col.name, time.Now(), time.Now()), other.ownerPrv)
	mustFail(t, err, "addexecutormsg by another colony's owner", 403)
	eq(t, "the process is untouched", col.process(p.ID).State, core.WAITING)
}

func TestSecurityUnapprovedExecutor(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	pending := col.addExecutor("pending", col.execType, false)
	p := col.submit(col.spec("guarded"))

	_, err := col.c.Assign(col.name, -1, "", "", pending.prv)
	mustFail(t, err, "assign by an unapproved executor", 403)
	_, err = col.c.Assign(col.name, 1, "", "", pending.prv)
	mustFail(t, err, "long-poll assign by an unapproved executor", 403)
	_, err = col.c.Submit(col.spec("by-pending"), pending.prv)
	mustFail(t, err, "submit by an unapproved executor", 403)
	_, err = col.c.GetProcess(p.ID, pending.prv)
	mustFail(t, err, "getprocessmsg by an unapproved executor", 403)
	eq(t, "the process still waits", col.process(p.ID).State, core.WAITING)
}

func TestSecurityWrongExecutor(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	other := col.addExecutor("other", col.execType, true)
	foreign := newColony(t)

	p := col.submit(col.spec("mine"))
	// Closing a process nobody was assigned.
	mustFail(t, col.c.Close(p.ID, col.exec.prv), "closesuccessfulmsg on a waiting process", 403)
	mustFail(t, col.c.Fail(p.ID, []string{"x"}, col.exec.prv), "closefailedmsg on a waiting process", 403)

	running := col.assign()
	eq(t, "assigned", running.ID, p.ID)
	for _, who := range []struct {
		name string
		prv  string
	}{
		{"another executor of the colony", other.prv},
		{"an executor of another colony", foreign.exec.prv},
		{"the colony owner", col.ownerPrv},
	} {
		mustFail(t, col.c.CloseWithOutput(p.ID, []interface{}{"stolen"}, who.prv), "closesuccessfulmsg by "+who.name, 403)
		mustFail(t, col.c.Fail(p.ID, []string{"sabotage"}, who.prv), "closefailedmsg by "+who.name, 403)
		mustFail(t, col.c.SetOutput(p.ID, []interface{}{"x"}, who.prv), "setoutputmsg by "+who.name, 403)
		mustFail(t, col.c.AddLog(p.ID, "x", who.prv), "addlogmsg by "+who.name, 403)
		_, err := col.c.AddAttribute(core.CreateAttribute(p.ID, col.name, "", core.OUT, "k", "v"), who.prv)
		mustFail(t, err, "addattributemsg by "+who.name, 403)
	}
	still := col.process(p.ID)
	eq(t, "state after the attempts", still.State, core.RUNNING)
	eq(t, "output after the attempts", len(still.Output), 0)
	must(t, col.c.CloseWithOutput(p.ID, []interface{}{"mine"}, col.exec.prv))
	eq(t, "output", col.process(p.ID).Output, []interface{}{"mine"})
}
