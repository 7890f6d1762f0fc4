// Package interop holds the Go interop suite: the official Go client
// (github.com/colonyos/colonies/pkg/client, pinned in go.mod) against a Colonies Edge
// server. The tests are in the _test.go files; run.sh starts a server and runs them.
package interop
