package interop

import (
	"testing"

	"github.com/colonyos/colonies/pkg/core"
)

func TestChannels(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	alice := col.addUser("alice")
	bystander := col.addExecutor("bystander", unique("bytype"), true)

	spec := col.spec("chat")
	spec.Channels = []string{"chat"}
	p, err := col.c.Submit(spec, alice.prv)
	must(t, err)
	eq(t, "spec channels", p.FunctionSpec.Channels, []string{"chat"})
	running := col.assign()
	eq(t, "assigned", running.ID, p.ID)

	must(t, col.c.ChannelAppend(p.ID, "chat", 1, 0, []byte("hello from the executor"), col.exec.prv))
	must(t, col.c.ChannelAppend(p.ID, "chat", 1, 1, []byte("hi back"), alice.prv))
	must(t, col.c.ChannelAppendWithType(p.ID, "chat", 2, 0, []byte{}, "end", col.exec.prv))

	entries, err := col.c.ChannelRead(p.ID, "chat", 0, 0, alice.prv)
	must(t, err)
	if len(entries) != 3 {
		t.Fatalf("channelreadmsg: want 3 entries, got %d", len(entries))
	}
	bySender := map[string][]string{}
	for _, e := range entries {
		bySender[e.SenderID] = append(bySender[e.SenderID], string(e.Payload))
		if isZeroTime(e.Timestamp) {
			t.Fatalf("channel entry without a timestamp: %+v", e)
		}
	}
	eq(t, "executor's messages", bySender[col.exec.id], []string{"hello from the executor", ""})
	eq(t, "initiator's messages", bySender[alice.id], []string{"hi back"})
	var reply, end bool
	for _, e := range entries {
		if e.SenderID == alice.id && e.InReplyTo == 1 && e.Sequence == 1 {
			reply = true
		}
		if e.SenderID == col.exec.id && e.Type == "end" && e.Sequence == 2 {
			end = true
		}
	}
	if !reply || !end {
		t.Fatalf("inreplyto/type did not round-trip: %+v", entries)
	}
	limited, err := col.c.ChannelRead(p.ID, "chat", 0, 1, col.exec.prv)
	must(t, err)
	eq(t, "channelreadmsg with limit 1", len(limited), 1)

	err = col.c.ChannelAppend(p.ID, "chat", 9, 0, []byte("intrusion"), bystander.prv)
	mustFail(t, err, "channelappendmsg by an executor that is neither initiator nor assignee", 403)
	_, err = col.c.ChannelRead(p.ID, "chat", 0, 0, bystander.prv)
	mustFail(t, err, "channelreadmsg by an executor that is neither initiator nor assignee", 403)
	err = col.c.ChannelAppend(p.ID, "nosuchchannel", 1, 0, []byte("x"), col.exec.prv)
	mustFail(t, err, "channelappendmsg to an unknown channel", 404)
}

func TestFilesAndSnapshots(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c
	file := func(label, name, checksum string, size int64) *core.File {
		return &core.File{ColonyName: col.name, Label: label, Name: name, Size: size, Checksum: checksum, ChecksumAlg: "SHA256",
			Reference: core.Reference{Protocol: "s3", S3Object: core.S3Object{Server: "s3.local", Port: 9000, TLS: true,
				AccessKey: "ak", SecretKey: "sk", Region: "r", Object: checksum, Bucket: "b"}}}
	}

	v1, err := c.AddFile(file("/data", "a.txt", "c1", 10), col.exec.prv)
	must(t, err)
	if len(v1.ID) != 64 || isZeroTime(v1.Added) {
		t.Fatalf("addfilemsg: fileid %q added %v", v1.ID, v1.Added)
	}
	v2, err := c.AddFile(file("/data", "a.txt", "c2", 20), col.exec.prv)
	must(t, err)
	if v2.SequenceNumber <= v1.SequenceNumber {
		t.Fatalf("sequencenr does not grow: %d then %d", v1.SequenceNumber, v2.SequenceNumber)
	}
	sub, err := c.AddFile(file("/data/sub", "b.txt", "c3", 30), col.exec.prv)
	must(t, err)

	byID, err := c.GetFileByID(col.name, v1.ID, col.exec.prv)
	must(t, err)
	if len(byID) != 1 || byID[0].Checksum != "c1" || byID[0].Reference.S3Object.Bucket != "b" || !byID[0].Reference.S3Object.TLS {
		t.Fatalf("getfilemsg by id: %+v", byID)
	}
	revisions, err := c.GetFileByName(col.name, "/data", "a.txt", col.exec.prv)
	must(t, err)
	eq(t, "revisions", len(revisions), 2)
	eq(t, "newest revision first", revisions[0].ID, v2.ID)
	latest, err := c.GetLatestFileByName(col.name, "/data", "a.txt", col.exec.prv)
	must(t, err)
	if len(latest) != 1 || latest[0].ID != v2.ID {
		t.Fatalf("getfilemsg latest: %+v", latest)
	}
	_, err = c.GetFileByName(col.name, "/data", "nope.txt", col.exec.prv)
	mustFail(t, err, "getfilemsg of an unknown name", 404)

	data, err := c.GetFileData(col.name, "/data", col.exec.prv)
	must(t, err)
	eq(t, "getfilesmsg names", len(data), 1)
	eq(t, "getfilesmsg name", data[0].Name, "a.txt")
	labels, err := c.GetFileLabels(col.name, col.exec.prv)
	must(t, err)
	counts := map[string]int{}
	for _, l := range labels {
		counts[l.Name] = l.Files
	}
	// files counts every revision (Go: COUNT(*) of the label's rows).
	eq(t, "labels", counts, map[string]int{"/data": 2, "/data/sub": 1})
	// Go's "exact": the label itself (which must hold files) and the labels below name/;
	// otherwise every label starting with name.
	labelNames := func(name string, exact bool) []string {
		t.Helper()
		ls, err := c.GetFileLabelsByName(col.name, name, exact, col.exec.prv)
		must(t, err)
		out := []string{}
		for _, l := range ls {
			out = append(out, l.Name)
		}
		return sorted(out)
	}
	eq(t, "labels of /data exactly", labelNames("/data", true), []string{"/data", "/data/sub"})
	eq(t, "labels of /data/sub exactly", labelNames("/data/sub", true), []string{"/data/sub"})
	eq(t, "labels of /da exactly", labelNames("/da", true), []string{})
	eq(t, "labels starting with /da", labelNames("/da", false), []string{"/data", "/data/sub"})

	snap, err := c.CreateSnapshot(col.name, "/data", "snap1", col.exec.prv)
	must(t, err)
	eq(t, "snapshot files", sorted(snap.FileIDs), sorted([]string{v2.ID, sub.ID}))
	_, err = c.CreateSnapshot(col.name, "/data", "snap1", col.exec.prv)
	mustFail(t, err, "createsnapshotmsg with an existing name")
	got, err := c.GetSnapshotByName(col.name, "snap1", col.exec.prv)
	must(t, err)
	eq(t, "snapshot by name", got.ID, snap.ID)
	got, err = c.GetSnapshotByID(col.name, snap.ID, col.exec.prv)
	must(t, err)
	eq(t, "snapshot by id", got.Name, "snap1")
	_, err = c.CreateSnapshot(col.name, "/data/sub", "snap2", col.exec.prv)
	must(t, err)
	all, err := c.GetSnapshotsByColonyName(col.name, col.exec.prv)
	must(t, err)
	eq(t, "snapshots", len(all), 2)
	must(t, c.RemoveSnapshotByName(col.name, "snap1", col.exec.prv))
	_, err = c.GetSnapshotByName(col.name, "snap1", col.exec.prv)
	mustFail(t, err, "getsnapshotmsg of a removed snapshot")
	must(t, c.RemoveAllSnapshots(col.name, col.exec.prv))
	all, err = c.GetSnapshotsByColonyName(col.name, col.exec.prv)
	must(t, err)
	eq(t, "snapshots after removeall", len(all), 0)

	must(t, c.RemoveFileByID(col.name, v1.ID, col.exec.prv))
	must(t, c.RemoveFileByName(col.name, "/data/sub", "b.txt", col.exec.prv))
	revisions, err = c.GetFileByName(col.name, "/data", "a.txt", col.exec.prv)
	must(t, err)
	eq(t, "revisions after removing one", ids2(revisions), []string{v2.ID})
	_, err = c.GetFileByName(col.name, "/data/sub", "b.txt", col.exec.prv)
	mustFail(t, err, "getfilemsg of a removed file", 404)

	strangerPrv, _ := key(t)
	_, err = c.AddFile(file("/data", "x", "c", 1), strangerPrv)
	mustFail(t, err, "addfilemsg by a non-member", 403)
}

func ids2(files []*core.File) []string {
	out := []string{}
	for _, f := range files {
		out = append(out, f.ID)
	}
	return out
}

// blueprintDefinition is a WebServer definition whose handler is the colony's executor type.
func (col *colony) blueprintDefinition() *core.BlueprintDefinition {
	def := core.CreateBlueprintDefinition("webservers", "example.org", "v1", "WebServer", "webservers", "Namespaced", col.execType, "reconcile-web")
	def.Metadata.ColonyName = col.name
	def.Spec.Schema = &core.ValidationSchema{Type: "object",
		Properties: map[string]core.SchemaProperty{"replicas": {Type: "number"}, "image": {Type: "string"}},
		Required:   []string{"image"}}
	return def
}

func webServer(col *colony, name string) *core.Blueprint {
	bp := core.CreateBlueprint("WebServer", name, col.name)
	bp.Spec["image"] = "nginx:1"
	bp.Spec["replicas"] = 2
	return bp
}

func TestBlueprints(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c

	def := col.blueprintDefinition()
	_, err := c.AddBlueprintDefinition(def, col.exec.prv)
	mustFail(t, err, "addblueprintdefinitionmsg by an executor", 403)
	addedDef, err := c.AddBlueprintDefinition(def, col.ownerPrv)
	must(t, err)
	eq(t, "definition kind", addedDef.Spec.Names.Kind, "WebServer")
	gotDef, err := c.GetBlueprintDefinition(col.name, "webservers", col.exec.prv)
	must(t, err)
	eq(t, "definition handler", gotDef.Spec.Handler.FunctionName, "reconcile-web")
	eq(t, "definition schema", gotDef.Spec.Schema.Required, []string{"image"})
	defs, err := c.GetBlueprintDefinitions(col.name, col.exec.prv)
	must(t, err)
	eq(t, "definitions", len(defs), 1)
	byKind, err := c.GetBlueprintDefinitionByKind(col.name, "WebServer", col.exec.prv)
	must(t, err)
	eq(t, "definition by kind", byKind.Metadata.Name, "webservers")

	bad := core.CreateBlueprint("WebServer", "noimage", col.name)
	bad.Spec["replicas"] = 2
	_, err = c.AddBlueprint(bad, col.exec.prv)
	mustFail(t, err, "addblueprintmsg violating the schema", 400)
	unknownKind := core.CreateBlueprint("Database", "db", col.name)
	_, err = c.AddBlueprint(unknownKind, col.exec.prv)
	mustFail(t, err, "addblueprintmsg of a kind without definition", 400)
	strangerPrv, _ := key(t)
	_, err = c.AddBlueprint(webServer(col, "intruder"), strangerPrv)
	mustFail(t, err, "addblueprintmsg by a non-member", 403)

	bp := webServer(col, "web")
	added, err := c.AddBlueprint(bp, col.exec.prv)
	must(t, err)
	eq(t, "blueprint name", added.Metadata.Name, "web")
	eq(t, "blueprint id", added.ID, bp.ID)
	_, err = c.AddBlueprint(bp, col.exec.prv)
	mustFail(t, err, "addblueprintmsg with an existing name", 409)

	got, err := c.GetBlueprint(col.name, "web", col.exec.prv)
	must(t, err)
	eq(t, "blueprint spec image", got.Spec["image"], "nginx:1")
	list, err := c.GetBlueprints(col.name, "WebServer", col.exec.prv)
	must(t, err)
	eq(t, "blueprints of the kind", len(list), 1)
	none, err := c.GetBlueprints(col.name, "Database", col.exec.prv)
	must(t, err)
	eq(t, "blueprints of another kind", len(none), 0)

	generation := got.Metadata.Generation
	got.Spec["replicas"] = 3
	updated, err := c.UpdateBlueprint(got, col.exec.prv)
	must(t, err)
	if updated.Metadata.Generation <= generation || updated.Spec["replicas"] != float64(3) {
		t.Fatalf("updateblueprintmsg: generation %d -> %d, spec %v", generation, updated.Metadata.Generation, updated.Spec)
	}
	history, err := c.GetBlueprintHistory(got.ID, 10, col.exec.prv)
	must(t, err)
	if len(history) != 2 {
		t.Fatalf("blueprint history: want create + update, got %d entries", len(history))
	}
	must(t, c.UpdateBlueprintStatus(col.name, "web", map[string]interface{}{"ready": true}, col.exec.prv))
	got, err = c.GetBlueprint(col.name, "web", col.exec.prv)
	must(t, err)
	eq(t, "blueprint status", got.Status["ready"], true)

	p, err := c.ReconcileBlueprint(col.name, "web", true, col.exec.prv)
	must(t, err)
	eq(t, "reconcileblueprintmsg process state", p.State, core.WAITING)
	eq(t, "reconcileblueprintmsg executortype", p.FunctionSpec.Conditions.ExecutorType, col.execType)
	eq(t, "reconcileblueprintmsg kwargs", p.FunctionSpec.KwArgs,
		map[string]interface{}{"kind": "WebServer", "blueprintName": "web", "force": true})
	eq(t, "reconcileblueprintmsg initiatorname", p.InitiatorName, col.exec.name)
	reconcileFuncName, reconcileNodeName := p.FunctionSpec.FuncName, p.FunctionSpec.NodeName
	_, err = c.ReconcileBlueprint(col.name, "nosuch", false, col.exec.prv)
	mustFail(t, err, "reconcileblueprintmsg of an unknown blueprint", 404)

	err = c.RemoveBlueprintDefinition(col.name, "webservers", col.ownerPrv)
	mustFail(t, err, "removeblueprintdefinitionmsg while blueprints of the kind exist", 409)
	must(t, c.RemoveBlueprint(col.name, "web", col.exec.prv))
	_, err = c.GetBlueprint(col.name, "web", col.exec.prv)
	mustFail(t, err, "getblueprintmsg of a removed blueprint", 404)
	must(t, c.RemoveBlueprintDefinition(col.name, "webservers", col.ownerPrv))
	_, err = c.GetBlueprintDefinition(col.name, "webservers", col.exec.prv)
	mustFail(t, err, "getblueprintdefinitionmsg of a removed definition", 404)

	// Go names the reconcile process after the definition's handler: funcname =
	// handler.functionName, nodename = "<executorType>-<functionName>".
	knownBug(t, reconcileFuncName == "reconcile-web" && reconcileNodeName == col.execType+"-reconcile-web",
		"reconcileblueprintmsg submits funcname %q nodename %q; Go uses the handler's functionName %q and nodename %q",
		reconcileFuncName, reconcileNodeName, "reconcile-web", col.execType+"-reconcile-web")
}

// What Go does around a blueprint for its handler: a reconcile process at once on add and on
// a spec update, a "reconcile-<Kind>" cron (60 s, waiting for the previous run), and on
// removal the cron goes and a cleanup process is submitted.
func TestBlueprintHandlerProcesses(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c
	_, err := c.AddBlueprintDefinition(col.blueprintDefinition(), col.ownerPrv)
	must(t, err)
	_, err = c.AddBlueprint(webServer(col, "web"), col.exec.prv)
	must(t, err)

	onAdd, err := c.Assign(col.name, 2, "", "", col.exec.prv)
	if err != nil {
		knownBug(t, false, "addblueprintmsg submits no reconcile process for the handler (Go: funcname = handler.functionName, kwargs {kind, blueprintName}) and creates no reconcile-<Kind> cron: assign gave %v", err)
	}
	eq(t, "reconcile funcname", onAdd.FunctionSpec.FuncName, "reconcile-web")
	eq(t, "reconcile kwargs", onAdd.FunctionSpec.KwArgs, map[string]interface{}{"kind": "WebServer", "blueprintName": "web"})
	must(t, c.Close(onAdd.ID, col.exec.prv))
	crons, err := c.GetCrons(col.name, 10, col.exec.prv)
	must(t, err)
	if len(crons) != 1 || crons[0].Name != "reconcile-WebServer" || crons[0].Interval != 60 || !crons[0].WaitForPrevProcessGraph {
		t.Fatalf("expected the reconcile-WebServer cron, got %+v", crons)
	}

	got, err := c.GetBlueprint(col.name, "web", col.exec.prv)
	must(t, err)
	got.Spec["replicas"] = 5
	_, err = c.UpdateBlueprint(got, col.exec.prv)
	must(t, err)
	onUpdate, err := c.Assign(col.name, 2, "", "", col.exec.prv)
	must(t, err)
	eq(t, "reconcile after a spec update", onUpdate.FunctionSpec.KwArgs["blueprintName"], "web")
	must(t, c.Close(onUpdate.ID, col.exec.prv))

	must(t, c.RemoveBlueprint(col.name, "web", col.exec.prv))
	crons, err = c.GetCrons(col.name, 10, col.exec.prv)
	must(t, err)
	eq(t, "crons after the last blueprint of the kind is removed", len(crons), 0)
	cleanup, err := c.Assign(col.name, 2, "", "", col.exec.prv)
	must(t, err)
	eq(t, "cleanup process executortype", cleanup.FunctionSpec.Conditions.ExecutorType, col.execType)
	eq(t, "cleanup process funcname", cleanup.FunctionSpec.FuncName, "cleanup")
	eq(t, "cleanup process kwargs", cleanup.FunctionSpec.KwArgs, map[string]interface{}{"kind": "WebServer", "blueprintName": "web"})
}
