package interop

import (
	"testing"

	"github.com/colonyos/colonies/pkg/core"
)

func TestVersionInfoHealth(t *testing.T) {
	t.Parallel()
	c := newClient()
	must(t, c.CheckHealth())

	version, buildTime, err := c.Version()
	must(t, err)
	if version == "" {
		t.Fatalf("versionmsg: empty buildversion (buildtime %q)", buildTime)
	}
	t.Logf("server version %q, build time %q", version, buildTime)

	info, err := c.GetServerInfo()
	must(t, err)
	eq(t, "serverinfo buildversion", info.BuildVersion, version)
	if len(info.Backends) == 0 {
		t.Fatalf("serverinfo: no backends: %+v", info)
	}
	eq(t, "serverinfo backend type", info.Backends[0].Type, "http")
	eq(t, "serverinfo backend port", info.Backends[0].Port, serverPort)
}

func TestServerStatisticsAndCluster(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	p := col.submit(col.spec("stats"))
	_ = p

	stats, err := col.c.Statistics(serverPrvKey)
	must(t, err)
	if stats.Colonies < 1 || stats.Executors < 1 || stats.WaitingProcesses < 1 {
		t.Fatalf("getstatisticsmsg: counts too low after adding a colony, an executor and a process: %+v", stats)
	}

	// Only the server owner may read server statistics.
	_, err = col.c.Statistics(col.ownerPrv)
	mustFail(t, err, "getstatisticsmsg by a colony owner", 403)
	_, err = col.c.Statistics(col.exec.prv)
	mustFail(t, err, "getstatisticsmsg by an executor", 403)

	cluster, err := col.c.GetClusterInfo(serverPrvKey)
	must(t, err)
	if len(cluster.Nodes) == 0 || cluster.Leader.Name == "" {
		t.Fatalf("getclustermsg: want at least one node and a leader, got %+v", cluster)
	}
	_, err = col.c.GetClusterInfo(col.exec.prv)
	mustFail(t, err, "getclustermsg by an executor", 403)
}

// TestChangeServerID rotates the server owner key and back. Not parallel: every other test
// signs as the server owner; sequential tests finish before the parallel ones start.
func TestChangeServerID(t *testing.T) {
	c := newClient()
	newPrv, newID := key(t)
	oldID, err := cryptoID(serverPrvKey)
	must(t, err)

	must(t, c.ChangeServerID(newID, serverPrvKey))
	restored := false
	defer func() {
		if !restored {
			if err := c.ChangeServerID(oldID, newPrv); err != nil {
				t.Errorf("could not restore the server ID: %v", err)
			}
		}
	}()

	_, err = c.GetColonies(serverPrvKey)
	mustFail(t, err, "getcoloniesmsg with the old server key", 403)
	_, err = c.GetColonies(newPrv)
	must(t, err)

	must(t, c.ChangeServerID(oldID, newPrv))
	restored = true
	_, err = c.GetColonies(serverPrvKey)
	must(t, err)
	_, err = c.GetColonies(newPrv)
	mustFail(t, err, "getcoloniesmsg with the retired server key", 403)
}

func TestColonies(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	c := col.c

	colonies, err := c.GetColonies(serverPrvKey)
	must(t, err)
	found := false
	for _, cl := range colonies {
		if cl.Name == col.name {
			found = cl.ID == col.ownerID
		}
	}
	if !found {
		t.Fatalf("getcoloniesmsg does not list %s with its owner ID", col.name)
	}

	// A colony name is unique; a colony ID is 64 hex characters.
	_, err = c.AddColony(core.CreateColony(col.ownerID, col.name), serverPrvKey)
	mustFail(t, err, "addcolonymsg with an existing name", 400)
	_, err = c.AddColony(core.CreateColony(col.ownerID[:63], unique("short")), serverPrvKey)
	mustFail(t, err, "addcolonymsg with a 63-character colony ID", 400)
	// Only the server owner adds and lists colonies.
	_, err = c.AddColony(core.CreateColony(col.ownerID, unique("nope")), col.ownerPrv)
	mustFail(t, err, "addcolonymsg by a colony owner", 403)
	_, err = c.GetColonies(col.exec.prv)
	mustFail(t, err, "getcoloniesmsg by an executor", 403)

	// A member reads the colony; the colony owner is not a member.
	got, err := c.GetColonyByName(col.name, col.exec.prv)
	must(t, err)
	eq(t, "getcolonymsg colonyid", got.ID, col.ownerID)
	_, err = c.GetColonyByName(col.name, col.ownerPrv)
	mustFail(t, err, "getcolonymsg by the colony owner", 403)

	// Removing a colony removes it from the list.
	other := unique("gone")
	otherPrv, otherID := key(t)
	_ = otherPrv
	_, err = c.AddColony(core.CreateColony(otherID, other), serverPrvKey)
	must(t, err)
	must(t, c.RemoveColony(other, serverPrvKey))
	colonies, err = c.GetColonies(serverPrvKey)
	must(t, err)
	for _, cl := range colonies {
		if cl.Name == other {
			t.Fatalf("removed colony %s is still listed", other)
		}
	}
	err = c.RemoveColony(other, serverPrvKey)
	mustFail(t, err, "removecolonymsg of a removed colony")
}
