package cpor

// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import "time"

// Message is a notification owed (the outbox): delivered at least once; its
// ID makes delivery idempotent for the recipient.
type Message struct {
	ID            uint64
	Kind          string // claim_submitted, association_requested, rejected, ...
	RecipientRole string // "partner", "customer" or "reviewer"
	RecipientOrg  string // the partner ID or tenant ID; "" for the reviewers
	ClaimID       string
	EventSeq      uint32
	CreatedAt     time.Time
	LeaseUntil    time.Time
	Deliveries    uint32
	Payload       string // a JSON object
	JSON          string // the whole message as one JSON object
}

func messageFrom(h *C.cpor_message) Message {
	defer C.cpor_message_free(h)
	return Message{
		ID:            uint64(C.cpor_message_id(h)),
		Kind:          C.GoString(C.cpor_message_kind(h)),
		RecipientRole: C.GoString(C.cpor_message_recipient_role(h)),
		RecipientOrg:  C.GoString(C.cpor_message_recipient_org(h)),
		ClaimID:       C.GoString(C.cpor_message_claim_id(h)),
		EventSeq:      uint32(C.cpor_message_event_seq(h)),
		CreatedAt:     goTime(C.cpor_message_created_at(h)),
		LeaseUntil:    goTime(C.cpor_message_lease_until(h)),
		Deliveries:    uint32(C.cpor_message_deliveries(h)),
		Payload:       C.GoString(C.cpor_message_payload(h)),
		JSON:          C.GoString(C.cpor_message_json(h)),
	}
}

// LeaseMessages (system only) leases up to max (1-1000) outbox messages for
// lease (1 ms to 24 h). Acknowledge each with AckMessage; a message whose
// lease ends unacknowledged is leased again.
func (c *Context) LeaseMessages(a Actor, max int, lease time.Duration) ([]Message, error) {
	// Out-of-range values reach the library as out-of-range values, which
	// refuses them with its own message.
	if max < 0 || max > 1001 {
		max = 0
	}
	ms := lease.Milliseconds()
	if ms < 0 || ms > 86400001 {
		ms = 0
	}
	var out []Message
	var cs cstrings
	defer cs.free()
	err := c.do(func(p *C.cpor_ctx) C.int {
		out = nil
		ca := a.c(&cs)
		var it *C.cpor_message_iter
		rc := C.cpor_outbox_lease(p, &ca, C.size_t(max), C.uint32_t(ms), &it)
		if rc < 0 {
			return rc
		}
		defer C.cpor_message_iter_free(it)
		for {
			var h *C.cpor_message
			if C.cpor_message_iter_next(it, &h) != 0 {
				return 0
			}
			out = append(out, messageFrom(h))
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AckMessage (system only) records that message id was delivered and removes
// it; ErrNotFound when it is gone already.
func (c *Context) AckMessage(a Actor, id uint64) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return C.cpor_outbox_ack(p, &ca, C.uint64_t(id))
	})
}

// Change is one entry of the change feed: claim ClaimID reached history
// event Seq and State with change number Number.
type Change struct {
	Number  uint64
	ClaimID string
	State   State
	Seq     uint32
}

// ChangesSince lists the claim changes numbered above after that the actor
// may see, in number order, at most limit (0: 1000; at most 100000). Resume
// with the last Number seen: no change is ever missed.
func (c *Context) ChangesSince(a Actor, after uint64, limit int) ([]Change, error) {
	if limit < 0 || limit > 100001 {
		limit = 100001 // refused by the library, with its message
	}
	var out []Change
	var cs cstrings
	defer cs.free()
	err := c.do(func(p *C.cpor_ctx) C.int {
		out = nil
		ca := a.c(&cs)
		var it *C.cpor_change_iter
		rc := C.cpor_changes_since(p, &ca, C.uint64_t(after), C.size_t(limit), &it)
		if rc < 0 {
			return rc
		}
		defer C.cpor_change_iter_free(it)
		var number C.uint64_t
		var claim *C.char
		var state C.int
		var seq C.uint32_t
		for C.cpor_change_iter_next(it, &number, &claim, &state, &seq) == 0 {
			out = append(out, Change{uint64(number), C.GoString(claim), State(state), uint32(seq)})
		}
		return 0
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
