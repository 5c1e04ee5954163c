package cpor

// #include <cpor/cpor.h>
import "C"

import (
	"runtime"
	"sync"
)

// Tx is a batch on a Context: every call made through it shares one storage
// transaction (much faster for bulk work) until Commit or Rollback. A call
// that fails inside a batch changes nothing itself and the batch goes on.
//
// The batch belongs to the Tx: from Begin to Commit or Rollback the Tx
// holds the Context, so other goroutines' calls on the Context wait until
// the Tx ends instead of joining its batch. Calls through the Tx do not
// wait for the Context (they already hold it). A call on the Context (not
// the Tx) from the goroutine that called Begin would wait for itself: it
// fails with ErrReentrant instead.
//
// Tx embeds a *Context, the Tx's view of the Context: every Context method
// (directory, claims, Now, Advance) is a method of Tx, and tx.Context can be
// passed to code written against *Context. On the view, Begin fails with
// ErrState (batches do not nest) and Close ends the Tx like Tx.Close. After
// the Tx ends, its calls fail with ErrClosed. A Tx may be used by several
// goroutines (its calls are serialized), but it is meant for the one that
// began it. An abandoned Tx is rolled back by a finalizer, as a backstop
// only: until then the Context stays held.
type Tx struct {
	*Context
}

// txState is the Tx's side of its view: it serializes calls through the
// Tx and records its end.
type txState struct {
	mu   sync.Mutex
	done bool
}

// Begin starts a batch and returns its Tx. ErrState on a Tx's Context
// (batches do not nest), ErrReentrant from the goroutine that holds an open
// Tx on the Context or from inside its ClockFunc, ErrClosed after Close.
func (c *Context) Begin() (*Tx, error) {
	if c.tx != nil {
		return nil, codeError(C.CPOR_ESTATE, "a batch is already open: batches do not nest")
	}
	k := c.k
	if err := k.lock(); err != nil {
		return nil, err
	}
	if err := k.call(func(p *C.cpor_ctx) C.int { return C.cpor_ctx_begin(p) }); err != nil {
		k.mu.Unlock()
		return nil, err
	}
	k.txOwner.Store(goid())
	tx := &Tx{Context: &Context{k: k, tx: &txState{}}}
	runtime.SetFinalizer(tx, (*Tx).abandon)
	return tx, nil
}

// Commit commits the batch and ends the Tx. When the commit fails
// (ErrStorage: a write inside the batch failed, or the store refused) the
// batch is rolled back and the Tx ends all the same. ErrClosed when the Tx
// has already ended.
func (tx *Tx) Commit() error {
	return tx.tx.end(tx.k, true, false)
}

// Rollback discards the whole batch and ends the Tx. ErrClosed when the Tx
// has already ended (harmless after Commit: `defer tx.Rollback()` is fine).
func (tx *Tx) Rollback() error {
	return tx.tx.end(tx.k, false, false)
}

// Close ends the Tx: it rolls the batch back unless the Tx already ended,
// and then returns nil.
func (tx *Tx) Close() error {
	return tx.tx.end(tx.k, false, true)
}

func (tx *Tx) abandon() { tx.tx.end(tx.k, false, true) }

// lock serializes calls through the Tx, refusing (ErrReentrant) a call
// from inside the Context's ClockFunc, whose own call holds the lock.
func (ts *txState) lock(k *ctxCore) error {
	if ts.mu.TryLock() {
		return nil
	}
	if k.gofn.active() && k.gofn.inside(goid()) {
		return reentrantError("a call on the Tx from inside its context's ClockFunc")
	}
	ts.mu.Lock()
	return nil
}

func errTxEnded() error { return closedError("the Tx has ended (Commit or Rollback)") }

// do runs f inside the batch.
func (ts *txState) do(k *ctxCore, f func(p *C.cpor_ctx) C.int) error {
	if err := ts.lock(k); err != nil {
		return err
	}
	defer ts.mu.Unlock()
	if ts.done {
		return errTxEnded()
	}
	return k.call(f)
}

// end commits or rolls back and releases the Context. quiet: an ended Tx
// is not an error (Close).
func (ts *txState) end(k *ctxCore, commit, quiet bool) error {
	if err := ts.lock(k); err != nil {
		return err
	}
	defer ts.mu.Unlock()
	if ts.done {
		if quiet {
			return nil
		}
		return errTxEnded()
	}
	err := k.call(func(p *C.cpor_ctx) C.int {
		if commit {
			return C.cpor_ctx_commit(p)
		}
		return C.cpor_ctx_rollback(p)
	})
	ts.done = true
	k.txOwner.Store(0)
	k.mu.Unlock()
	return err
}
