package cpor

// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import (
	"strconv"
	"time"
	"unsafe"
)

// Actor is who is calling. Org is the partner ID for the four partner
// roles, the tenant ID for RoleCustomer, and ignored for the reviewer and
// the system. User is a free-form user ID (1-128 bytes).
type Actor struct {
	Role Role
	Org  string
	User string
}

// PartnerActor is an actor of a partner with one of the four partner roles.
func PartnerActor(role Role, partnerID, user string) Actor {
	return Actor{Role: role, Org: partnerID, User: user}
}

// Reviewer is a Microsoft reviewer.
func Reviewer(user string) Actor { return Actor{Role: RoleReviewer, User: user} }

// CustomerAdmin is an admin of the customer tenant tenantID.
func CustomerAdmin(tenantID, user string) Actor {
	return Actor{Role: RoleCustomer, Org: tenantID, User: user}
}

// System is the actor of automatic transitions.
func System() Actor { return Actor{Role: RoleSystem, User: "system"} }

func (a Actor) c(cs *cstrings) C.cpor_actor {
	var ca C.cpor_actor
	C.cpor_actor_init(&ca, C.CPOR_ACTOR_VERSION)
	ca.role = C.uint32_t(a.Role)
	ca.org = cs.opt(a.Org)
	ca.user = cs.opt(a.User)
	return ca
}

// Line is one line of a claim: a workload, plus a subscription GUID for
// Business Applications products ("" for Microsoft 365).
type Line struct {
	Workload     string
	Subscription string
}

// ClaimSpec is what a claim says. For CreateClaim, MPNID, TenantID, Domain,
// Area and Activity are required; the rest may come later (Submit checks).
// For EditClaim, "" strings and zero enums mean "unchanged", lines are
// replaced when Lines is not empty, and optional fields are cleared by
// naming them in EditClaim's clear argument.
type ClaimSpec struct {
	Name     string
	MPNID    string
	TenantID string
	Domain   string
	Area     Area
	Activity Activity
	Lines    []Line

	CustomerContactName   string
	CustomerContactTitle  string
	CustomerContactEmail  string
	TechnicalContactName  string // required for Dynamics 365 lines
	TechnicalContactTitle string
	TechnicalContactEmail string
	PartnerContactName    string
	PartnerContactEmail   string
	SolutionSeller        string // revenue association
	CustomerName          string // revenue association
	ISVProduct            string // revenue association

	// CreateClaim only: the caller's key for this create, 1-200 bytes,
	// unique per partner. A create that repeats a key with the same content
	// returns the claim the first one made; with other content ErrExists.
	IdempotencyKey string
	// The caller's own reference (1-200 bytes), searchable with
	// ClaimQuery.ExternalRef; EditClaim clears it with FieldExternalRef.
	ExternalRef string
	// EditClaim only: the revision (Claim.Revision) the edit expects; when
	// the stored one differs the edit is ErrConflict and changes nothing
	// (0: any revision).
	ExpectedRevision uint64
}

// FieldExternalRef names the external reference in EditClaim's clear
// argument (a binding value: the C API clears it with "").
const FieldExternalRef Field = 1000

// cspec fills a C claim spec whose strings and arrays live in cs; a field
// that cannot be cleared throws ErrInvalid (see argError).
func (s *ClaimSpec) c(cs *cstrings, clear []Field) C.cpor_claim_spec {
	var cp C.cpor_claim_spec
	C.cpor_claim_spec_init(&cp, C.CPOR_CLAIM_SPEC_VERSION)
	cp.name = cs.opt(s.Name)
	cp.mpn_id = cs.opt(s.MPNID)
	cp.tenant_id = cs.opt(s.TenantID)
	cp.domain = cs.opt(s.Domain)
	cp.area = C.uint32_t(s.Area)
	cp.activity = C.uint32_t(s.Activity)
	cp.idempotency_key = cs.opt(s.IdempotencyKey)
	cp.expected_revision = C.uint64_t(s.ExpectedRevision)
	if n := len(s.Lines); n > 0 {
		wl := cs.array(n)
		sub := cs.array(n)
		anySub := false
		for i, l := range s.Lines {
			wl[i] = cs.str(l.Workload)
			sub[i] = cs.opt(l.Subscription)
			anySub = anySub || l.Subscription != ""
		}
		cp.line_count = C.size_t(n)
		cp.workloads = &wl[0]
		if anySub {
			cp.subscriptions = &sub[0]
		}
	}
	fields := []struct {
		f   Field
		v   string
		dst **C.char
	}{
		{FieldCustomerContactName, s.CustomerContactName, &cp.customer_contact_name},
		{FieldCustomerContactTitle, s.CustomerContactTitle, &cp.customer_contact_title},
		{FieldCustomerContactEmail, s.CustomerContactEmail, &cp.customer_contact_email},
		{FieldTechnicalContactName, s.TechnicalContactName, &cp.technical_contact_name},
		{FieldTechnicalContactTitle, s.TechnicalContactTitle, &cp.technical_contact_title},
		{FieldTechnicalContactEmail, s.TechnicalContactEmail, &cp.technical_contact_email},
		{FieldPartnerContactName, s.PartnerContactName, &cp.partner_contact_name},
		{FieldPartnerContactEmail, s.PartnerContactEmail, &cp.partner_contact_email},
		{FieldSolutionSeller, s.SolutionSeller, &cp.solution_seller},
		{FieldCustomerName, s.CustomerName, &cp.customer_name},
		{FieldISVProduct, s.ISVProduct, &cp.isv_product},
		{FieldExternalRef, s.ExternalRef, &cp.external_ref},
	}
	for _, f := range fields {
		*f.dst = cs.opt(f.v)
	}
next:
	for _, cf := range clear {
		for _, f := range fields {
			if f.f == cf {
				*f.dst = cs.str("")
				continue next
			}
		}
		throwInvalid("field " + strconv.Itoa(int(cf)) + " cannot be cleared")
	}
	return cp
}

// ClaimLine is a line of a stored claim with its own state: it follows the
// claim's, except a line that lost arbitration (REJECTED) or was superseded
// (ENDED) while the claim went on.
type ClaimLine struct {
	Workload     string
	Subscription string // "" for a Microsoft 365 line
	State        State
	Reason       Reason
}

// PoE is a proof-of-execution reference (the library stores digests, not files).
type PoE struct {
	Name      string
	MediaType string
	SHA256    string // 64 hex digits (stored lowercase)
	Size      uint64 // > 0
}

// Claim is a snapshot of a CPOR association claim. Unset instants are the
// zero time.Time; unset text fields are "".
type Claim struct {
	ID        string
	Name      string
	State     State
	Reason    Reason // ReasonNone unless REJECTED or ENDED
	PartnerID string
	MPNID     string
	TenantID  string
	Domain    string
	Area      Area
	Activity  Activity
	CreatedAt time.Time
	UpdatedAt time.Time
	// The exclusive end of the window open in the current state (opt-out
	// while APPROVED, response while PARTNER_ACTION_REQUIRED, dispute while
	// REJECTED and disputable).
	WindowClosesAt time.Time
	// The exclusive end of the review SLA (SUBMITTED, UNDER_REVIEW,
	// DISPUTED); Overdue when the call's clock had passed it.
	SLADueAt   time.Time
	Overdue    bool
	Contested  bool // another partner held or claimed a unit at submission
	Disputable bool // REJECTED and a dispute is still possible
	Lines      []ClaimLine
	PoEs       []PoE

	CustomerContactName   string
	CustomerContactTitle  string
	CustomerContactEmail  string
	TechnicalContactName  string
	TechnicalContactTitle string
	TechnicalContactEmail string
	PartnerContactName    string
	PartnerContactEmail   string
	SolutionSeller        string
	CustomerName          string
	ISVProduct            string

	ExternalRef    string // the caller's own reference
	IdempotencyKey string // the key of the create that made it
	// The stored record's revision: 1 once created, one more at every write
	// (what ClaimSpec.ExpectedRevision compares with).
	Revision uint64
}

// claimFrom copies a C claim into Go and frees the handle.
func claimFrom(h *C.cpor_claim) Claim {
	defer C.cpor_claim_free(h)
	f := func(field Field) string { return C.GoString(C.cpor_claim_field(h, C.int(field))) }
	c := Claim{
		ID:             C.GoString(C.cpor_claim_id(h)),
		Name:           C.GoString(C.cpor_claim_name(h)),
		State:          State(C.cpor_claim_state(h)),
		Reason:         Reason(C.cpor_claim_reason(h)),
		PartnerID:      C.GoString(C.cpor_claim_partner_id(h)),
		MPNID:          C.GoString(C.cpor_claim_mpn_id(h)),
		TenantID:       C.GoString(C.cpor_claim_tenant_id(h)),
		Domain:         C.GoString(C.cpor_claim_domain(h)),
		Area:           Area(C.cpor_claim_area(h)),
		Activity:       Activity(C.cpor_claim_activity(h)),
		CreatedAt:      goTime(C.cpor_claim_created_at(h)),
		UpdatedAt:      goTime(C.cpor_claim_updated_at(h)),
		WindowClosesAt: goTime(C.cpor_claim_window_closes_at(h)),
		SLADueAt:       goTime(C.cpor_claim_sla_due_at(h)),
		Overdue:        C.cpor_claim_overdue(h) == 1,
		Contested:      C.cpor_claim_contested(h) == 1,
		Disputable:     C.cpor_claim_disputable(h) == 1,

		CustomerContactName:   f(FieldCustomerContactName),
		CustomerContactTitle:  f(FieldCustomerContactTitle),
		CustomerContactEmail:  f(FieldCustomerContactEmail),
		TechnicalContactName:  f(FieldTechnicalContactName),
		TechnicalContactTitle: f(FieldTechnicalContactTitle),
		TechnicalContactEmail: f(FieldTechnicalContactEmail),
		PartnerContactName:    f(FieldPartnerContactName),
		PartnerContactEmail:   f(FieldPartnerContactEmail),
		SolutionSeller:        f(FieldSolutionSeller),
		CustomerName:          f(FieldCustomerName),
		ISVProduct:            f(FieldISVProduct),

		ExternalRef:    C.GoString(C.cpor_claim_external_ref(h)),
		IdempotencyKey: C.GoString(C.cpor_claim_idempotency_key(h)),
		Revision:       uint64(C.cpor_claim_revision(h)),
	}
	for i, n := C.size_t(0), C.cpor_claim_line_count(h); i < n; i++ {
		c.Lines = append(c.Lines, ClaimLine{
			Workload:     C.GoString(C.cpor_claim_line_workload(h, i)),
			Subscription: C.GoString(C.cpor_claim_line_subscription(h, i)),
			State:        State(C.cpor_claim_line_state(h, i)),
			Reason:       Reason(C.cpor_claim_line_reason(h, i)),
		})
	}
	for i, n := C.size_t(0), C.cpor_claim_poe_count(h); i < n; i++ {
		c.PoEs = append(c.PoEs, PoE{
			Name:      C.GoString(C.cpor_claim_poe_name(h, i)),
			MediaType: C.GoString(C.cpor_claim_poe_media_type(h, i)),
			SHA256:    C.GoString(C.cpor_claim_poe_sha256(h, i)),
			Size:      uint64(C.cpor_claim_poe_size(h, i)),
		})
	}
	return c
}

// Event is one entry of a claim's history.
type Event struct {
	Seq   uint32 // 1, 2, ... within its claim
	At    time.Time
	Kind  EventKind
	Actor Actor // Org is "" for the reviewer and the system
	State State // the claim's state after the event
	Text  string
}

func eventFrom(h *C.cpor_event) Event {
	defer C.cpor_event_free(h)
	return Event{
		Seq:  uint32(C.cpor_event_seq(h)),
		At:   goTime(C.cpor_event_at(h)),
		Kind: EventKind(C.cpor_event_kind(h)),
		Actor: Actor{
			Role: Role(C.cpor_event_actor_role(h)),
			Org:  C.GoString(C.cpor_event_actor_org(h)),
			User: C.GoString(C.cpor_event_actor_user(h)),
		},
		State: State(C.cpor_event_state(h)),
		Text:  C.GoString(C.cpor_event_text(h)),
	}
}

// CreateClaim creates a claim in EDITING and returns it.
func (c *Context) CreateClaim(a Actor, spec ClaimSpec) (Claim, error) {
	var cs cstrings
	defer cs.free()
	var out Claim
	err := c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		cp := spec.c(&cs, nil)
		var h *C.cpor_claim
		rc := C.cpor_claim_create(p, &ca, &cp, &h)
		if rc == 0 && h != nil {
			out = claimFrom(h)
		}
		return rc
	})
	return out, err
}

// Problem is one finding of a preflight check: its error (matched by
// errors.Is against the sentinels, e.g. ErrIncomplete) and message.
type Problem struct {
	Err     error
	Message string
}

// CheckClaim lists every problem that would block submitting the draft,
// writing nothing; an empty list means submit would pass.
func (c *Context) CheckClaim(a Actor, claimID string) ([]Problem, error) {
	return c.check(a, func(cs *cstrings) (*C.char, *C.cpor_claim_spec) { return cs.str(claimID), nil })
}

// CheckSpec lists every problem that would block submitting a claim created
// from spec, writing nothing.
func (c *Context) CheckSpec(a Actor, spec ClaimSpec) ([]Problem, error) {
	return c.check(a, func(cs *cstrings) (*C.char, *C.cpor_claim_spec) {
		cp := spec.c(cs, nil)
		p := (*C.cpor_claim_spec)(C.malloc(C.size_t(unsafe.Sizeof(cp))))
		*p = cp
		*cs = append(*cs, unsafe.Pointer(p))
		return nil, p
	})
}

func (c *Context) check(a Actor, args func(*cstrings) (*C.char, *C.cpor_claim_spec)) ([]Problem, error) {
	var cs cstrings
	defer cs.free()
	var out []Problem
	err := c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		id, spec := args(&cs)
		var r *C.cpor_check_report
		rc := C.cpor_claim_check(p, &ca, id, spec, &r)
		if rc != 0 {
			return rc
		}
		defer C.cpor_check_report_free(r)
		n := C.cpor_check_report_count(r)
		for i := C.size_t(0); i < n; i++ {
			code := C.cpor_check_report_code(r, i)
			msg := C.GoString(C.cpor_check_report_message(r, i))
			out = append(out, Problem{Err: codeError(code, msg), Message: msg})
		}
		return 0
	})
	return out, err
}

// EditClaim changes a claim: non-empty fields of changes replace the stored
// ones, Lines replace the lines when not empty, and each field named in
// clear is emptied. Anything may change while EDITING; in SUBMITTED and
// PARTNER_ACTION_REQUIRED only the MPN ID, the lines and the contacts.
func (c *Context) EditClaim(a Actor, claimID string, changes ClaimSpec, clear ...Field) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		cp := changes.c(&cs, clear)
		return C.cpor_claim_edit(p, &ca, cs.str(claimID), &cp)
	})
}

// AddPoE attaches a proof-of-execution reference.
func (c *Context) AddPoE(a Actor, claimID string, poe PoE) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return C.cpor_claim_add_poe(p, &ca, cs.str(claimID), cs.str(poe.Name), cs.str(poe.MediaType),
			cs.str(poe.SHA256), C.uint64_t(poe.Size))
	})
}

// actText runs one of the claim actions that take (actor, claim ID, text).
func (c *Context) actText(a Actor, claimID, text string,
	f func(*C.cpor_ctx, *C.cpor_actor, *C.char, *C.char) C.int) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return f(p, &ca, cs.str(claimID), cs.str(text))
	})
}

// act runs one of the claim actions that take (actor, claim ID).
func (c *Context) act(a Actor, claimID string,
	f func(*C.cpor_ctx, *C.cpor_actor, *C.char) C.int) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return f(p, &ca, cs.str(claimID))
	})
}

// Comment adds a comment to a claim's history.
func (c *Context) Comment(a Actor, claimID, text string) error {
	return c.actText(a, claimID, text, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_comment(p, a, id, t)
	})
}

// Submit submits a claim (all required fields and at least one PoE).
func (c *Context) Submit(a Actor, claimID string) error {
	return c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		return C.cpor_claim_submit(p, a, id)
	})
}

// Withdraw asks for the claim's rejection (partner request) before ASSOCIATED.
func (c *Context) Withdraw(a Actor, claimID string) error {
	return c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		return C.cpor_claim_withdraw(p, a, id)
	})
}

// StartReview moves a SUBMITTED claim to UNDER_REVIEW (reviewer).
func (c *Context) StartReview(a Actor, claimID string) error {
	return c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		return C.cpor_claim_start_review(p, a, id)
	})
}

// RequestInfo asks the partner for more information (reviewer), for a
// reason: PARTNER_ACTION_REQUIRED until Respond or the response window
// elapses.
func (c *Context) RequestInfo(a Actor, claimID string, reason InfoReason, text string) error {
	return c.actText(a, claimID, text, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_request_info(p, a, id, C.int(reason), t)
	})
}

// Respond answers an info request: back to UNDER_REVIEW.
func (c *Context) Respond(a Actor, claimID, text string) error {
	return c.actText(a, claimID, text, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_respond(p, a, id, t)
	})
}

// Approve approves a claim (reviewer): the opt-out window opens, and other
// partners' pending claims on its units lose arbitration.
func (c *Context) Approve(a Actor, claimID string) error {
	return c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		return C.cpor_claim_approve(p, a, id)
	})
}

// Reject rejects a claim (reviewer) with ReasonInsufficientPoE,
// ReasonMissingConsent, ReasonMissingProducts or ReasonPoEUnavailable;
// text may be "".
func (c *Context) Reject(a Actor, claimID string, reason Reason, text string) error {
	return c.actText(a, claimID, text, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_reject(p, a, id, C.int(reason), t)
	})
}

// OptOut is the customer declining inside the opt-out window.
func (c *Context) OptOut(a Actor, claimID string) error {
	return c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		return C.cpor_claim_opt_out(p, a, id)
	})
}

// Dispute disputes a rejection inside the dispute window.
func (c *Context) Dispute(a Actor, claimID, justification string) error {
	return c.actText(a, claimID, justification, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_dispute(p, a, id, t)
	})
}

// DecideDispute decides a dispute (reviewer): grant goes back to
// UNDER_REVIEW, otherwise the rejection is final. text may be "".
func (c *Context) DecideDispute(a Actor, claimID string, grant bool, text string) error {
	g := C.int(0)
	if grant {
		g = 1
	}
	return c.actText(a, claimID, text, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_decide_dispute(p, a, id, g, t)
	})
}

// Remove ends the partner's association: ENDED (partner_removed), for a
// reason (text optional, required for RemovalOther).
func (c *Context) Remove(a Actor, claimID string, reason RemovalReason, text string) error {
	return c.actText(a, claimID, text, func(p *C.cpor_ctx, a *C.cpor_actor, id, t *C.char) C.int {
		return C.cpor_claim_remove(p, a, id, C.int(reason), t)
	})
}

// Claim reads a claim as the actor may see it (ErrNotFound for another
// partner's claim).
func (c *Context) Claim(a Actor, claimID string) (Claim, error) {
	var out Claim
	err := c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		var h *C.cpor_claim
		rc := C.cpor_claim_get(p, a, id, &h)
		if rc == 0 {
			out = claimFrom(h)
		}
		return rc
	})
	return out, err
}

// ClaimQuery filters FindClaims. Filters combine (AND); unset ones ("", 0,
// false) do not filter, but partners and customers must set at least one
// of PartnerID, TenantID, State, a unit, Overdue or ExternalRef (ErrInvalid
// otherwise);
// the reviewer and the system may list every claim. UnitWorkload (with
// TenantID) selects a Microsoft 365 unit, UnitSubscription a Business
// Applications one: a unit query returns the claims live on it.
type ClaimQuery struct {
	PartnerID        string
	TenantID         string
	State            State
	UnitWorkload     string
	UnitSubscription string
	Overdue          bool   // only claims past their review SLA
	ExternalRef      string // only claims with exactly this external reference
}

// FindClaims returns the claims matching q that the actor may see, in claim
// ID order.
func (c *Context) FindClaims(a Actor, q ClaimQuery) ([]Claim, error) {
	var cs cstrings
	defer cs.free()
	out := []Claim{}
	err := c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		var cq C.cpor_claim_query
		C.cpor_claim_query_init(&cq, C.CPOR_CLAIM_QUERY_VERSION)
		cq.partner_id = cs.opt(q.PartnerID)
		cq.tenant_id = cs.opt(q.TenantID)
		cq.state = C.uint32_t(q.State)
		cq.unit_workload = cs.opt(q.UnitWorkload)
		cq.unit_subscription = cs.opt(q.UnitSubscription)
		cq.external_ref = cs.opt(q.ExternalRef)
		if q.Overdue {
			cq.overdue = 1
		}
		var it *C.cpor_claim_iter
		if rc := C.cpor_claim_find(p, &ca, &cq, &it); rc < 0 {
			return rc
		}
		return drainClaims(it, &out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Competitors returns the other partners' claims live on the claim's units
// (arbitration). Reviewer and system only: a partner gets ErrPermission.
func (c *Context) Competitors(a Actor, claimID string) ([]Claim, error) {
	out := []Claim{}
	err := c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		var it *C.cpor_claim_iter
		if rc := C.cpor_claim_competitors(p, a, id, &it); rc < 0 {
			return rc
		}
		return drainClaims(it, &out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// drainClaims copies every claim of it into out and frees it; 0 at the end.
func drainClaims(it *C.cpor_claim_iter, out *[]Claim) C.int {
	defer C.cpor_claim_iter_free(it)
	for {
		var h *C.cpor_claim
		rc := C.cpor_claim_iter_next(it, &h)
		if rc == C.CPOR_ITEROVER {
			return 0
		}
		if rc != 0 {
			return rc
		}
		*out = append(*out, claimFrom(h))
	}
}

// History returns a claim's events in order.
func (c *Context) History(a Actor, claimID string) ([]Event, error) {
	var out []Event
	err := c.act(a, claimID, func(p *C.cpor_ctx, a *C.cpor_actor, id *C.char) C.int {
		var it *C.cpor_event_iter
		rc := C.cpor_claim_history(p, a, id, &it)
		if rc < 0 {
			return rc
		}
		defer C.cpor_event_iter_free(it)
		for {
			var h *C.cpor_event
			if rc = C.cpor_event_iter_next(it, &h); rc != 0 {
				break
			}
			out = append(out, eventFrom(h))
		}
		if rc == C.CPOR_ITEROVER {
			return 0
		}
		return rc
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
