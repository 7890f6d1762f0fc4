//go:build goservershim

// Package server: a stand-in for pkg/server/test_utils.go of github.com/colonyos/colonies
// v1.9.12, so that the Go server's own handler tests (pkg/server/handlers/*) run against a
// server that is already running (ours) instead of an in-process Go server on a test database.
//
// tests/interop/go-server/run.sh drops this file into a scratch copy of the module in place of
// test_utils.go (the build tag keeps it out of every other build). The server is the one of
// COLONIES_SERVER_HOST / COLONIES_SERVER_PORT, whose owner key is COLONIES_SERVER_PRVKEY.
//
// What the tests get: a client of that server, its owner key, a placeholder *Server (its
// Shutdown does nothing once run.sh has patched it; its other methods touch nothing real), and
// a closed `done` channel, so `server.Shutdown(); <-done` returns at once. Each test starts on
// an empty server: every colony is removed first.
package server

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/colonyos/colonies/pkg/client"
	"github.com/colonyos/colonies/pkg/core"
	"github.com/colonyos/colonies/pkg/utils"
	"github.com/stretchr/testify/assert"
)

const EnableTLS = false
const Insecure = true
const SkipTLSVerify = false

// TestEnv1: two colonies, each with one approved executor.
type TestEnv1 struct {
	Colony1PrvKey   string
	Colony1Name     string
	Colony1ID       string
	Colony2PrvKey   string
	Colony2Name     string
	Colony2ID       string
	Executor1PrvKey string
	Executor1Name   string
	Executor1ID     string
	Executor2PrvKey string
	Executor2Name   string
	Executor2ID     string
}

// TestEnv2: one colony with one approved executor.
type TestEnv2 struct {
	ColonyID       string
	ColonyName     string
	Colony         *core.Colony
	ColonyPrvKey   string
	ExecutorName   string
	ExecutorID     string
	Executor       *core.Executor
	ExecutorPrvKey string
}

// The keys of the colonies and executors the current test's setup created: WaitForProcesses
// has no key of its own and reads processes with the first of them that may.
var shimKeys struct {
	sync.Mutex
	keys []string
}

func rememberKeys(keys ...string) {
	shimKeys.Lock()
	defer shimKeys.Unlock()
	shimKeys.keys = append(shimKeys.keys, keys...)
}

func rememberedKeys() []string {
	shimKeys.Lock()
	defer shimKeys.Unlock()
	return append([]string(nil), shimKeys.keys...)
}

func shimEnv(t *testing.T, name string) string {
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("shim: %s is not set (run tests/interop/go-server/run.sh)", name)
	}
	return value
}

// PrepareTests: a client of the server under test, a placeholder server, the owner key and a
// closed done channel, after every colony of the server has been removed.
func PrepareTests(t *testing.T) (*client.ColoniesClient, *Server, string, chan bool) {
	host := shimEnv(t, "COLONIES_SERVER_HOST")
	port, err := strconv.Atoi(shimEnv(t, "COLONIES_SERVER_PORT"))
	if err != nil {
		t.Fatalf("shim: COLONIES_SERVER_PORT: %v", err)
	}
	serverPrvKey := shimEnv(t, "COLONIES_SERVER_PRVKEY")
	c := client.CreateColoniesClient(host, port, Insecure, SkipTLSVerify)

	colonies, err := c.GetColonies(serverPrvKey)
	if err != nil {
		t.Fatalf("shim: listing the colonies with the server owner key: %v", err)
	}
	for _, colony := range colonies {
		if err := c.RemoveColony(colony.Name, serverPrvKey); err != nil {
			t.Fatalf("shim: removing colony %s: %v", colony.Name, err)
		}
	}

	shimKeys.Lock()
	shimKeys.keys = nil
	shimKeys.Unlock()

	done := make(chan bool)
	close(done)
	return c, &Server{}, serverPrvKey, done
}

// addColonyWithExecutor adds a colony and one approved executor of type test_executor_type.
func addColonyWithExecutor(t *testing.T, c *client.ColoniesClient, serverPrvKey string) (*core.Colony, string, *core.Executor, string) {
	colony, colonyPrvKey, err := utils.CreateTestColonyWithKey()
	assert.Nil(t, err)
	_, err = c.AddColony(colony, serverPrvKey)
	assert.Nil(t, err)

	executor, executorPrvKey, err := utils.CreateTestExecutorWithKey(colony.Name)
	assert.Nil(t, err)
	_, err = c.AddExecutor(executor, colonyPrvKey)
	assert.Nil(t, err)
	assert.Nil(t, c.ApproveExecutor(colony.Name, executor.Name, colonyPrvKey))

	rememberKeys(executorPrvKey, colonyPrvKey)
	return colony, colonyPrvKey, executor, executorPrvKey
}

func SetupTestEnv1(t *testing.T) (*TestEnv1, *client.ColoniesClient, *Server, string, chan bool) {
	c, s, serverPrvKey, done := PrepareTests(t)
	colony1, colony1PrvKey, executor1, executor1PrvKey := addColonyWithExecutor(t, c, serverPrvKey)
	colony2, colony2PrvKey, executor2, executor2PrvKey := addColonyWithExecutor(t, c, serverPrvKey)
	env := &TestEnv1{
		Colony1PrvKey:   colony1PrvKey,
		Colony1Name:     colony1.Name,
		Colony1ID:       colony1.ID,
		Colony2PrvKey:   colony2PrvKey,
		Colony2Name:     colony2.Name,
		Colony2ID:       colony2.ID,
		Executor1PrvKey: executor1PrvKey,
		Executor1Name:   executor1.Name,
		Executor1ID:     executor1.ID,
		Executor2PrvKey: executor2PrvKey,
		Executor2Name:   executor2.Name,
		Executor2ID:     executor2.ID,
	}
	return env, c, s, serverPrvKey, done
}

func SetupTestEnv2(t *testing.T) (*TestEnv2, *client.ColoniesClient, *Server, string, chan bool) {
	c, s, serverPrvKey, done := PrepareTests(t)
	colony, colonyPrvKey, executor, executorPrvKey := addColonyWithExecutor(t, c, serverPrvKey)
	env := &TestEnv2{
		ColonyID:       colony.ID,
		ColonyName:     colony.Name,
		Colony:         colony,
		ColonyPrvKey:   colonyPrvKey,
		ExecutorName:   executor.Name,
		ExecutorID:     executor.ID,
		Executor:       executor,
		ExecutorPrvKey: executorPrvKey,
	}
	return env, c, s, serverPrvKey, done
}

// workflowSpec: one function spec per node (executor type test_executor_type), each node
// depending on the nodes listed for it.
func workflowSpec(colonyName string, nodes []string, deps map[string][]string) *core.WorkflowSpec {
	spec := core.CreateWorkflowSpec(colonyName)
	for _, node := range nodes {
		fs := core.CreateEmptyFunctionSpec()
		fs.NodeName = node
		fs.Conditions.ColonyName = colonyName
		fs.Conditions.ExecutorType = "test_executor_type"
		for _, dep := range deps[node] {
			fs.AddDependency(dep)
		}
		spec.AddFunctionSpec(fs)
	}
	return spec
}

// GenerateDiamondtWorkflowSpec: task1 -> task2, task3 -> task4.
func GenerateDiamondtWorkflowSpec(colonyName string) *core.WorkflowSpec {
	return workflowSpec(colonyName, []string{"task1", "task2", "task3", "task4"}, map[string][]string{
		"task2": {"task1"}, "task3": {"task1"}, "task4": {"task2", "task3"},
	})
}

// GenerateTreeWorkflowSpec: task1 -> task2, task3.
func GenerateTreeWorkflowSpec(colonyName string) *core.WorkflowSpec {
	return workflowSpec(colonyName, []string{"task1", "task2", "task3"}, map[string][]string{
		"task2": {"task1"}, "task3": {"task1"},
	})
}

// GenerateSingleWorkflowSpec: task1 alone.
func GenerateSingleWorkflowSpec(colonyName string) *core.WorkflowSpec {
	return workflowSpec(colonyName, []string{"task1"}, nil)
}

// waitTimeout: COLONIES_SHIM_WAIT_SECONDS, default 60.
func waitTimeout() time.Duration {
	if s, err := strconv.Atoi(os.Getenv("COLONIES_SHIM_WAIT_SECONDS")); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 60 * time.Second
}

// WaitForProcesses polls each process (getprocessmsg) until it is in the given state.
func WaitForProcesses(t *testing.T, _ *Server, processes []*core.Process, state int) {
	host := shimEnv(t, "COLONIES_SERVER_HOST")
	port, _ := strconv.Atoi(shimEnv(t, "COLONIES_SERVER_PORT"))
	c := client.CreateColoniesClient(host, port, Insecure, SkipTLSVerify)
	keys := rememberedKeys()
	deadline := time.Now().Add(waitTimeout())
	for _, process := range processes {
		var lastErr error
		last := -1
		for {
			lastErr = fmt.Errorf("no key of this test may read it")
			for _, key := range keys {
				p, err := c.GetProcess(process.ID, key)
				if err == nil {
					lastErr = nil
					last = p.State
					break
				}
				lastErr = err
			}
			if lastErr == nil && last == state {
				break
			}
			if time.Now().After(deadline) {
				assert.Failf(t, "shim: WaitForProcesses timed out",
					"process %s: want state %d, last state %d, last error %v", process.ID, state, last, lastErr)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// WaitForProcessGraphs polls the colony's waiting process graphs until there are at least
// threshold of them (at most 40 tries a second apart) and returns how many there were.
func WaitForProcessGraphs(t *testing.T, c *client.ColoniesClient, colonyName string, generatorID string, executorPrvKey string, threshold int) int {
	count := 0
	for try := 0; try < 40; try++ {
		graphs, err := c.GetWaitingProcessGraphs(colonyName, 100, executorPrvKey)
		assert.Nil(t, err)
		count = len(graphs)
		if count >= threshold {
			break
		}
		time.Sleep(time.Second)
	}
	return count
}
