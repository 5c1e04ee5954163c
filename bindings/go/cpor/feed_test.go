package cpor_test

import (
	"encoding/json"
	"testing"
	"time"

	"example.invalid/libcpor/bindings/go/cpor"
)

func TestOutboxLeaseAndAck(t *testing.T) {
	w := newWorld(t)
	id := w.approved("A", "TEAMS")
	msgs, err := w.ctx.LeaseMessages(ops, 10, 30*time.Second)
	must(t, err)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	eq(t, "first kind", msgs[0].Kind, "claim_submitted")
	eq(t, "first role", msgs[0].RecipientRole, "reviewer")
	eq(t, "first org", msgs[0].RecipientOrg, "")
	eq(t, "second kind", msgs[1].Kind, "association_requested")
	eq(t, "second org", msgs[1].RecipientOrg, tenant)
	eq(t, "second claim", msgs[1].ClaimID, id)
	eq(t, "deliveries", msgs[1].Deliveries, uint32(1))
	now, err := w.ctx.Now()
	must(t, err)
	eq(t, "lease until", msgs[1].LeaseUntil, now.Add(30*time.Second))
	var payload map[string]int64
	must(t, json.Unmarshal([]byte(msgs[1].Payload), &payload))
	eq(t, "opt out until", payload["opt_out_until"], w.claim(id).WindowClosesAt.UnixMilli())
	// Held by the lease; after it, the unacknowledged one comes again.
	again, err := w.ctx.LeaseMessages(ops, 10, time.Second)
	must(t, err)
	eq(t, "held", len(again), 0)
	must(t, w.ctx.AckMessage(ops, msgs[0].ID))
	w.clock.Advance(30 * time.Second)
	again, err = w.ctx.LeaseMessages(ops, 10, time.Second)
	must(t, err)
	if len(again) != 1 || again[0].ID != 2 || again[0].Deliveries != 2 {
		t.Fatalf("got %+v, want message 2, delivered twice", again)
	}
	must(t, w.ctx.AckMessage(ops, 2))
	e := wantErr(t, w.ctx.AckMessage(ops, 2), cpor.ErrNotFound)
	eq(t, "message", e.Message, "no outbox message 2 (acknowledged already, or never written)")
	wantErr(t, func() error { _, err := w.ctx.LeaseMessages(reviewer, 1, time.Second); return err }(),
		cpor.ErrPermission)
	e = wantErr(t, func() error { _, err := w.ctx.LeaseMessages(ops, 0, time.Second); return err }(),
		cpor.ErrInvalid)
	eq(t, "max message", e.Message, "max must be 1-1000 messages")
	wantErr(t, func() error { _, err := w.ctx.LeaseMessages(ops, 1, 25*time.Hour); return err }(),
		cpor.ErrInvalid)
	wantErr(t, func() error { _, err := w.ctx.LeaseMessages(ops, -5, time.Second); return err }(),
		cpor.ErrInvalid)
}

func TestChangeFeed(t *testing.T) {
	w := newWorld(t)
	a := w.approved("A", "TEAMS")
	b := w.submitted("B", "EXCHANGE")
	changes, err := w.ctx.ChangesSince(ops, 0, 0)
	must(t, err)
	last := map[string]uint32{}
	for i, ch := range changes {
		eq(t, "number", ch.Number, uint64(i+1))
		if ch.Seq <= last[ch.ClaimID] {
			t.Fatalf("change %d: seq %d after %d", ch.Number, ch.Seq, last[ch.ClaimID])
		}
		last[ch.ClaimID] = ch.Seq
	}
	hist, err := w.ctx.History(reviewer, a)
	must(t, err)
	eq(t, "last seq of a", last[a], uint32(len(hist)))
	eq(t, "last state", changes[len(changes)-1].State, cpor.StateSubmitted)
	mine, err := w.ctx.ChangesSince(admin("B"), 0, 0)
	must(t, err)
	for _, ch := range mine {
		eq(t, "B sees its own", ch.ClaimID, b)
	}
	rest, err := w.ctx.ChangesSince(ops, uint64(len(changes)), 0)
	must(t, err)
	eq(t, "nothing after the last", len(rest), 0)
	wantErr(t, func() error { _, err := w.ctx.ChangesSince(ops, 0, -1); return err }(), cpor.ErrInvalid)
}
