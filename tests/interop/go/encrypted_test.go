package interop

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/colonyos/colonies/pkg/core"
)

// sealedStrings are sealed strings (protocol §16) as an encrypting client writes them, taken
// from colonies-core's vectors.
func sealedStrings(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "core", "tests", "fixtures", "e2e-vectors.json"))
	must(t, err)
	var vectors struct {
		Seals []struct {
			Sealed string `json:"sealed"`
		} `json:"seals"`
	}
	must(t, json.Unmarshal(data, &vectors))
	var sealed []string
	for _, seal := range vectors.Seals {
		sealed = append(sealed, seal.Sealed)
	}
	if len(sealed) < 6 {
		t.Fatalf("only %d sealed vectors", len(sealed))
	}
	return sealed
}

// TestAnEncryptedProcessReadsAsStrings: the Go client, which knows nothing of the encryption,
// reads a process whose args, kwargs, env, attribute, log and output a member's client sealed:
// every sealed field is a string, and nothing fails.
func TestAnEncryptedProcessReadsAsStrings(t *testing.T) {
	t.Parallel()
	col := newColony(t)
	sealed := sealedStrings(t)
	spec := col.spec("echo", sealed[0])
	spec.KwArgs = map[string]interface{}{"ce1": sealed[1]}
	spec.Env = map[string]string{"ce1": sealed[2]}
	submitted := col.submit(spec)
	eq(t, "submitted args", submitted.FunctionSpec.Args, []interface{}{sealed[0]})
	running := col.assign()
	eq(t, "assigned id", running.ID, submitted.ID)
	eq(t, "assigned kwargs", running.FunctionSpec.KwArgs, map[string]interface{}{"ce1": sealed[1]})
	eq(t, "assigned env", running.FunctionSpec.Env, map[string]string{"ce1": sealed[2]})
	_, err := col.c.AddAttribute(core.CreateAttribute(running.ID, col.name, "", core.OUT, "result", sealed[3]), col.exec.prv)
	must(t, err)
	must(t, col.c.AddLog(running.ID, sealed[4], col.exec.prv))
	must(t, col.c.CloseWithOutput(running.ID, []interface{}{sealed[5]}, col.exec.prv))
	closed := col.process(running.ID)
	eq(t, "closed state", closed.State, core.SUCCESS)
	eq(t, "closed output", closed.Output, []interface{}{sealed[5]})
	found := false
	for _, a := range closed.Attributes {
		if a.Key == "result" && a.Value == sealed[3] {
			found = true
		}
	}
	if !found {
		t.Fatalf("the sealed attribute is not on the process: %+v", closed.Attributes)
	}
	logs, err := col.c.GetLogsByProcess(col.name, running.ID, 100, col.exec.prv)
	must(t, err)
	if len(logs) != 1 || logs[0].Message != sealed[4] {
		t.Fatalf("logs %+v, want the sealed message", logs)
	}
}
