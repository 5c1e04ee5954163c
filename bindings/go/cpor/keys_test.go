package cpor_test

import (
	"fmt"
	"strings"
	"testing"

	"example.invalid/libcpor/bindings/go/cpor"
)

// Idempotent creates, external references, revisions (issue 12 item 5).
func TestIdempotentCreate(t *testing.T) {
	w := newWorld(t)
	s := spec("A", "TEAMS")
	s.IdempotencyKey = "order-42"
	s.ExternalRef = "PO-1"
	first, err := w.ctx.CreateClaim(admin("A"), s)
	must(t, err)
	eq(t, "key", first.IdempotencyKey, "order-42")
	eq(t, "ref", first.ExternalRef, "PO-1")
	eq(t, "revision", first.Revision, uint64(1))
	again, err := w.ctx.CreateClaim(admin("A"), s)
	must(t, err)
	eq(t, "same claim", again.ID, first.ID)
	events, err := w.ctx.History(reviewer, first.ID)
	must(t, err)
	eq(t, "events", len(events), 1)
	other := s
	other.Name = "other"
	_, err = w.ctx.CreateClaim(admin("A"), other)
	e := wantErr(t, err, cpor.ErrExists)
	eq(t, "message", e.Message, "idempotency key 'order-42' was used by a create with other content")
	b := spec("B", "EXCHANGE")
	b.IdempotencyKey = "order-42" // keys are per partner
	bc, err := w.ctx.CreateClaim(admin("B"), b)
	must(t, err)
	if bc.ID == first.ID {
		t.Fatal("another partner's key returned the first partner's claim")
	}
	bad := spec("A", "EXCHANGE")
	bad.IdempotencyKey = strings.Repeat("k", 201)
	_, err = w.ctx.CreateClaim(admin("A"), bad)
	wantErr(t, err, cpor.ErrInvalid)
}

func TestExternalRefAndExpectedRevision(t *testing.T) {
	w := newWorld(t)
	s := spec("A", "TEAMS")
	s.ExternalRef = "PO-1"
	c, err := w.ctx.CreateClaim(admin("A"), s)
	must(t, err)
	w.newClaim("A", "EXCHANGE")
	found, err := w.ctx.FindClaims(admin("A"), cpor.ClaimQuery{ExternalRef: "PO-1"})
	must(t, err)
	if len(found) != 1 || found[0].ID != c.ID {
		t.Fatalf("found %v", found)
	}
	must(t, w.ctx.EditClaim(admin("A"), c.ID, cpor.ClaimSpec{ExternalRef: "PO-2", ExpectedRevision: 1}))
	now := w.claim(c.ID)
	eq(t, "ref", now.ExternalRef, "PO-2")
	eq(t, "revision", now.Revision, uint64(2))
	err = w.ctx.EditClaim(admin("A"), c.ID, cpor.ClaimSpec{Name: "late", ExpectedRevision: 1})
	e := wantErr(t, err, cpor.ErrConflict)
	eq(t, "message", e.Message, fmt.Sprintf("claim %s is at revision 2, not the expected 1", c.ID))
	eq(t, "unchanged", w.claim(c.ID).Name, now.Name)
	must(t, w.ctx.EditClaim(admin("A"), c.ID, cpor.ClaimSpec{}, cpor.FieldExternalRef))
	eq(t, "cleared", w.claim(c.ID).ExternalRef, "")
}
