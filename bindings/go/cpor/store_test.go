package cpor_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// storePath is the DBPath of a world's store: "" (in memory), or with
// CPOR_TEST_BACKEND=postgres a fresh schema of the server of .ci/pg.sh by
// URL, dropped when the test ends. Without a server the test skips, unless
// CI=true.
func storePath(t *testing.T) string {
	t.Helper()
	if os.Getenv("CPOR_TEST_BACKEND") != "postgres" {
		return ""
	}
	url, bin := os.Getenv("CPOR_TEST_PG_URL"), os.Getenv("CPOR_TEST_PG_BIN")
	if url == "" || bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true: CPOR_TEST_PG_URL and CPOR_TEST_PG_BIN must be set (.ci/pg.sh)")
		}
		t.Skip("CPOR_TEST_PG_URL unset: run through bash .ci/pg.sh run")
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "cpor_go_" + hex.EncodeToString(b)
	psql := func(sql string) {
		out, err := exec.Command(filepath.Join(bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
			"-c", sql, os.Getenv("CPOR_TEST_PG")).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %s: %v %s", sql, err, out)
		}
	}
	psql("CREATE SCHEMA " + schema)
	t.Cleanup(func() { psql("DROP SCHEMA " + schema + " CASCADE") })
	return url + "?options=-c%20search_path%3D" + schema
}
