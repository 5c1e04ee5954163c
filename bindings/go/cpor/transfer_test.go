package cpor_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"example.invalid/libcpor/bindings/go/cpor"
)

func TestExportImportVerify(t *testing.T) {
	w := newWorld(t)
	w.approved("A", "TEAMS")
	w.submitted("B", "EXCHANGE")
	dir := t.TempDir()
	first := filepath.Join(dir, "first.jsonl")
	must(t, w.ctx.ExportFile(ops, first))
	findings, err := w.ctx.Verify(ops)
	must(t, err)
	eq(t, "findings", len(findings), 0)

	other, err := cpor.Open(cpor.Options{Clock: w.clock})
	must(t, err)
	defer other.Close()
	rep, err := other.ImportFile(ops, first)
	must(t, err)
	eq(t, "claims", rep.Claims, uint64(2))
	again := filepath.Join(dir, "again.jsonl")
	must(t, other.ExportFile(ops, again))
	a, err := os.ReadFile(first)
	must(t, err)
	b, err := os.ReadFile(again)
	must(t, err)
	if !bytes.Equal(a, b) {
		t.Fatal("export -> import -> export is not byte-identical")
	}
	// A second import into the non-empty store is refused, changing nothing.
	_, err = other.ImportFile(ops, first)
	wantErr(t, err, cpor.ErrExists)
	// Truncated input names its line.
	cut := filepath.Join(dir, "cut.jsonl")
	must(t, os.WriteFile(cut, a[:bytes.LastIndexByte(a[:len(a)-1], '\n')+1], 0o600))
	fresh, err := cpor.Open(cpor.Options{Clock: w.clock})
	must(t, err)
	defer fresh.Close()
	_, err = fresh.ImportFile(ops, cut)
	e := wantErr(t, err, cpor.ErrCorrupt)
	if !bytes.Contains([]byte(e.Message), []byte("line ")) {
		t.Errorf("message %q names no line", e.Message)
	}
	// Only the system.
	_, err = w.ctx.Verify(reviewer)
	wantErr(t, err, cpor.ErrPermission)
	wantErr(t, w.ctx.ExportFile(admin("A"), filepath.Join(dir, "x.jsonl")), cpor.ErrPermission)
	if _, err := w.ctx.ImportFile(ops, filepath.Join(dir, "missing.jsonl")); err == nil {
		t.Error("importing a missing file succeeded")
	}
}
