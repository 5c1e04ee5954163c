package cpor

// #include <stdint.h>
// #include <stdlib.h>
// #include <cpor/cpor.h>
// extern int cporGoWriteLine(void *user, char *line, size_t len);
// extern int cporGoReadLine(void *user, char **line, size_t *len);
// extern int cporGoFinding(void *user, char *claim_id, char *kind, char *detail);
import "C"

import (
	"bufio"
	"io"
	"os"
	"runtime/cgo"
	"unsafe"
)

// The callbacks only touch the state behind their handle (a file, a
// slice): no user code runs inside a call, so none can re-enter the
// Context. A handle travels through C memory as an integer.

type transferState struct {
	w        *bufio.Writer
	r        *bufio.Reader
	line     *C.char // the line lent to the library (C memory)
	err      error   // the first I/O error
	findings []Finding
}

func handleSlot(h cgo.Handle) *C.uintptr_t {
	slot := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	if slot == nil {
		panic("cpor: out of memory")
	}
	*slot = C.uintptr_t(h)
	return slot
}

func stateOf(user unsafe.Pointer) *transferState {
	return cgo.Handle(*(*C.uintptr_t)(user)).Value().(*transferState)
}

//export cporGoWriteLine
func cporGoWriteLine(user unsafe.Pointer, line *C.char, n C.size_t) C.int {
	st := stateOf(user)
	if _, err := st.w.Write(C.GoBytes(unsafe.Pointer(line), C.int(n))); err != nil {
		st.err = err
		return C.CPOR_ESTORAGE
	}
	return 0
}

//export cporGoReadLine
func cporGoReadLine(user unsafe.Pointer, line **C.char, n *C.size_t) C.int {
	st := stateOf(user)
	b, err := st.r.ReadBytes('\n')
	if len(b) == 0 && err != nil {
		if err == io.EOF {
			return 0
		}
		st.err = err
		return C.CPOR_ESTORAGE
	}
	C.free(unsafe.Pointer(st.line))
	st.line = (*C.char)(C.CBytes(b))
	*line = st.line
	*n = C.size_t(len(b))
	return 1
}

//export cporGoFinding
func cporGoFinding(user unsafe.Pointer, claim, kind, detail *C.char) C.int {
	st := stateOf(user)
	st.findings = append(st.findings, Finding{C.GoString(claim), C.GoString(kind), C.GoString(detail)})
	return 0
}

// checkPath refuses a path with a NUL byte (ErrInvalid), as every string
// argument of the binding is.
func checkPath(path string) (err error) {
	defer catchArg(&err)
	checkString(path)
	return nil
}

// withState runs f with a handle to st in C memory.
func withState(st *transferState, f func(user unsafe.Pointer) C.int) C.int {
	h := cgo.NewHandle(st)
	slot := handleSlot(h)
	defer func() {
		h.Delete()
		C.free(unsafe.Pointer(slot))
		C.free(unsafe.Pointer(st.line))
		st.line = nil
	}()
	return f(unsafe.Pointer(slot))
}

// ExportFile (system only) writes the whole store to path as JSON lines
// (docs/export-format.md), creating or truncating the file.
func (c *Context) ExportFile(a Actor, path string) error {
	if err := checkPath(path); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	st := &transferState{w: bufio.NewWriter(f)}
	var cs cstrings
	defer cs.free()
	err = c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return withState(st, func(u unsafe.Pointer) C.int {
			return C.cpor_ctx_export(p, &ca, C.cpor_line_writer(C.cporGoWriteLine), u)
		})
	})
	if ferr := st.w.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil && st.err != nil {
		err = st.err
	}
	return err
}

// ImportReport is what an import loaded.
type ImportReport struct {
	Objects, Claims, Events uint64
}

// ImportFile (system only) loads an export into this empty store, all or
// nothing; malformed or inconsistent input is ErrCorrupt naming the line.
func (c *Context) ImportFile(a Actor, path string) (ImportReport, error) {
	if err := checkPath(path); err != nil {
		return ImportReport{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return ImportReport{}, err
	}
	defer f.Close()
	st := &transferState{r: bufio.NewReaderSize(f, 1<<20)}
	var rep C.cpor_import_report
	rep.version = C.CPOR_IMPORT_REPORT_VERSION
	var cs cstrings
	defer cs.free()
	err = c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return withState(st, func(u unsafe.Pointer) C.int {
			return C.cpor_ctx_import(p, &ca, C.cpor_line_reader(C.cporGoReadLine), u, &rep)
		})
	})
	if err == nil && st.err != nil {
		err = st.err
	}
	if err != nil {
		return ImportReport{}, err
	}
	return ImportReport{uint64(rep.objects), uint64(rep.claims), uint64(rep.events)}, nil
}

// Finding is one disagreement Verify found: the claim (empty when none can
// be named), a stable kind ("record", "lines", "keys", "deadline",
// "columns", "events", "outbox", "unit", "orphan", "undecodable") and what
// differs.
type Finding struct {
	ClaimID, Kind, Detail string
}

// Verify (system only) replays every claim's history and checks every
// stored row against it; no findings means the store is consistent.
func (c *Context) Verify(a Actor) ([]Finding, error) {
	st := &transferState{}
	var cs cstrings
	defer cs.free()
	err := c.do(func(p *C.cpor_ctx) C.int {
		st.findings = nil
		ca := a.c(&cs)
		return withState(st, func(u unsafe.Pointer) C.int {
			return C.cpor_ctx_verify(p, &ca, C.cpor_finding_fn(C.cporGoFinding), u, nil)
		})
	})
	if err != nil {
		return nil, err
	}
	return st.findings, nil
}
