package cpor

// #include <stdlib.h>
// #include <cpor/cpor.h>
import "C"

import "unsafe"

// Partner is a Partner Global Account: one company.
type Partner struct {
	ID   string
	Name string
}

// Location is a partner location, identified by its MPN ID.
type Location struct {
	MPNID     string
	PartnerID string
	Name      string
	Enrolled  []Program // the programs the location is enrolled in, in value order
}

// IsEnrolled reports whether the location is enrolled in p.
func (l Location) IsEnrolled(p Program) bool {
	for _, e := range l.Enrolled {
		if e == p {
			return true
		}
	}
	return false
}

// Customer is a customer organization.
type Customer struct {
	ID   string
	Name string
}

// Tenant is a Microsoft Entra directory of a customer.
type Tenant struct {
	ID         string // canonical lowercase GUID
	CustomerID string
	Domains    []string // lowercase, in the order added
}

// Subscription is a Business Applications subscription of a tenant.
type Subscription struct {
	ID       string
	TenantID string
	Workload string
	Channel  Channel
	State    SubState
}

// Workload is a catalog entry that can be claimed.
type Workload struct {
	Code              string
	Name              string
	Area              Area
	NeedsSubscription bool // a claim line on it names a subscription
	IsDynamics        bool // Dynamics 365: a claim needs a technical contact
	IsBuiltin         bool
}

// Every directory method takes the calling actor first, like the claim
// methods (DESIGN.md 1.4): the system writes reference data, and a partner's
// global admin adds and renames its own locations (any other role gets
// ErrPermission for a write). System and reviewer read everything, a partner
// its own partner and locations, a customer its own tenant, that tenant's
// subscriptions and its customer record; everyone reads the workload
// catalog. Another organization's record is ErrNotFound with exactly the
// message an unknown ID gets. Lists are sorted by ID and hold only what the
// actor may read; an empty filter ("") lists everything visible.

// dirCall runs one directory call with the actor converted; cs holds the
// C strings until it returns.
func (c *Context) dirCall(a Actor, f func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int) error {
	var cs cstrings
	defer cs.free()
	// Converted inside the closure: a NUL is ErrInvalid, not a panic.
	return c.do(func(p *C.cpor_ctx) C.int {
		ca := a.c(&cs)
		return f(p, &ca, &cs)
	})
}

// drain calls next until the end of a C iterator, appending each record
// to out; 0 at the end, else the failing code.
func drain[T any](out *[]T, next func() (T, C.int)) C.int {
	for {
		v, rc := next()
		if rc == C.CPOR_ITEROVER {
			return 0
		}
		if rc != 0 {
			return rc
		}
		*out = append(*out, v)
	}
}

func partnerFrom(h *C.cpor_partner) Partner {
	defer C.cpor_partner_free(h)
	return Partner{C.GoString(C.cpor_partner_id(h)), C.GoString(C.cpor_partner_name(h))}
}

func locationFrom(h *C.cpor_location) Location {
	defer C.cpor_location_free(h)
	out := Location{
		MPNID:     C.GoString(C.cpor_location_mpn_id(h)),
		PartnerID: C.GoString(C.cpor_location_partner_id(h)),
		Name:      C.GoString(C.cpor_location_name(h)),
	}
	for pr := programFirst; pr <= programLast; pr++ {
		if C.cpor_location_is_enrolled(h, C.int(pr)) == 1 {
			out.Enrolled = append(out.Enrolled, pr)
		}
	}
	return out
}

func customerFrom(h *C.cpor_customer) Customer {
	defer C.cpor_customer_free(h)
	return Customer{C.GoString(C.cpor_customer_id(h)), C.GoString(C.cpor_customer_name(h))}
}

func tenantFrom(h *C.cpor_tenant) Tenant {
	defer C.cpor_tenant_free(h)
	out := Tenant{
		ID:         C.GoString(C.cpor_tenant_id(h)),
		CustomerID: C.GoString(C.cpor_tenant_customer_id(h)),
	}
	n := C.cpor_tenant_domain_count(h)
	for i := C.size_t(0); i < n; i++ {
		out.Domains = append(out.Domains, C.GoString(C.cpor_tenant_domain(h, i)))
	}
	return out
}

func subscriptionFrom(h *C.cpor_subscription) Subscription {
	defer C.cpor_subscription_free(h)
	return Subscription{
		ID:       C.GoString(C.cpor_subscription_id(h)),
		TenantID: C.GoString(C.cpor_subscription_tenant_id(h)),
		Workload: C.GoString(C.cpor_subscription_workload(h)),
		Channel:  Channel(C.cpor_subscription_channel(h)),
		State:    SubState(C.cpor_subscription_state(h)),
	}
}

func workloadFrom(h *C.cpor_workload) Workload {
	defer C.cpor_workload_free(h)
	return Workload{
		Code:              C.GoString(C.cpor_workload_code(h)),
		Name:              C.GoString(C.cpor_workload_name(h)),
		Area:              Area(C.cpor_workload_area(h)),
		NeedsSubscription: C.cpor_workload_needs_subscription(h) == 1,
		IsDynamics:        C.cpor_workload_is_dynamics(h) == 1,
		IsBuiltin:         C.cpor_workload_is_builtin(h) == 1,
	}
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// CreatePartner creates a partner (system only). id: 1-64 bytes of
// [A-Za-z0-9._-]; name: 1-256 bytes. ErrExists when the ID is taken.
func (c *Context) CreatePartner(a Actor, id, name string) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_partner_create(p, ca, cs.str(id), cs.str(name))
	})
}

// Partner reads a partner; ErrNotFound when there is none (or the actor may
// not read it).
func (c *Context) Partner(a Actor, id string) (Partner, error) {
	var out Partner
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var h *C.cpor_partner
		rc := C.cpor_partner_get(p, ca, cs.str(id), &h)
		if rc == 0 {
			out = partnerFrom(h)
		}
		return rc
	})
	return out, err
}

// Partners lists the partners the actor may read.
func (c *Context) Partners(a Actor) ([]Partner, error) {
	out := []Partner{}
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var it *C.cpor_partner_iter
		if rc := C.cpor_partner_list(p, ca, &it); rc < 0 {
			return rc
		}
		defer C.cpor_partner_iter_free(it)
		return drain(&out, func() (Partner, C.int) {
			var h *C.cpor_partner
			if rc := C.cpor_partner_iter_next(it, &h); rc != 0 {
				return Partner{}, rc
			}
			return partnerFrom(h), 0
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateLocation creates a location of a partner (the system, or the
// partner's global admin). mpnID: 1-10 ASCII digits, unique across partners.
func (c *Context) CreateLocation(a Actor, partnerID, mpnID, name string) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_location_create(p, ca, cs.str(partnerID), cs.str(mpnID), cs.str(name))
	})
}

// RenameLocation renames a location (the system, or its partner's global admin).
func (c *Context) RenameLocation(a Actor, mpnID, name string) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_location_rename(p, ca, cs.str(mpnID), cs.str(name))
	})
}

// Location reads a location by MPN ID.
func (c *Context) Location(a Actor, mpnID string) (Location, error) {
	var out Location
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var h *C.cpor_location
		rc := C.cpor_location_get(p, ca, cs.str(mpnID), &h)
		if rc == 0 {
			out = locationFrom(h)
		}
		return rc
	})
	return out, err
}

// Locations lists the locations of partnerID ("" for every partner) that
// the actor may read, by MPN ID.
func (c *Context) Locations(a Actor, partnerID string) ([]Location, error) {
	out := []Location{}
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var it *C.cpor_location_iter
		if rc := C.cpor_location_list(p, ca, cs.opt(partnerID), &it); rc < 0 {
			return rc
		}
		defer C.cpor_location_iter_free(it)
		return drain(&out, func() (Location, C.int) {
			var h *C.cpor_location
			if rc := C.cpor_location_iter_next(it, &h); rc != 0 {
				return Location{}, rc
			}
			return locationFrom(h), 0
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Enroll enrolls (enrolled = true) or unenrolls a location in a program
// (system only).
func (c *Context) Enroll(a Actor, mpnID string, program Program, enrolled bool) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_location_enroll(p, ca, cs.str(mpnID), C.int(program), cbool(enrolled))
	})
}

// CreateCustomer creates a customer (system only) and returns its generated ID.
func (c *Context) CreateCustomer(a Actor, name string) (string, error) {
	var id string
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var out *C.char
		rc := C.cpor_customer_create(p, ca, cs.str(name), &out)
		if rc == 0 {
			id = C.GoString(out)
		}
		C.cpor_free(unsafe.Pointer(out))
		return rc
	})
	return id, err
}

// Customer reads a customer.
func (c *Context) Customer(a Actor, id string) (Customer, error) {
	var out Customer
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var h *C.cpor_customer
		rc := C.cpor_customer_get(p, ca, cs.str(id), &h)
		if rc == 0 {
			out = customerFrom(h)
		}
		return rc
	})
	return out, err
}

// Customers lists the customers the actor may read.
func (c *Context) Customers(a Actor) ([]Customer, error) {
	out := []Customer{}
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var it *C.cpor_customer_iter
		if rc := C.cpor_customer_list(p, ca, &it); rc < 0 {
			return rc
		}
		defer C.cpor_customer_iter_free(it)
		return drain(&out, func() (Customer, C.int) {
			var h *C.cpor_customer
			if rc := C.cpor_customer_iter_next(it, &h); rc != 0 {
				return Customer{}, rc
			}
			return customerFrom(h), 0
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateTenant creates a customer's tenant with its first domain (system
// only). tenantID is a GUID (braces and uppercase accepted, stored canonical).
func (c *Context) CreateTenant(a Actor, customerID, tenantID, domain string) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_tenant_create(p, ca, cs.str(customerID), cs.str(tenantID), cs.str(domain))
	})
}

// AddDomain adds a domain to a tenant (system only; stored lowercase; unique).
func (c *Context) AddDomain(a Actor, tenantID, domain string) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_tenant_add_domain(p, ca, cs.str(tenantID), cs.str(domain))
	})
}

// Tenant reads a tenant.
func (c *Context) Tenant(a Actor, tenantID string) (Tenant, error) {
	var out Tenant
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var h *C.cpor_tenant
		rc := C.cpor_tenant_get(p, ca, cs.str(tenantID), &h)
		if rc == 0 {
			out = tenantFrom(h)
		}
		return rc
	})
	return out, err
}

// Tenants lists the tenants of customerID ("" for every customer) that the
// actor may read.
func (c *Context) Tenants(a Actor, customerID string) ([]Tenant, error) {
	out := []Tenant{}
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var it *C.cpor_tenant_iter
		if rc := C.cpor_tenant_list(p, ca, cs.opt(customerID), &it); rc < 0 {
			return rc
		}
		defer C.cpor_tenant_iter_free(it)
		return drain(&out, func() (Tenant, C.int) {
			var h *C.cpor_tenant
			if rc := C.cpor_tenant_iter_next(it, &h); rc != 0 {
				return Tenant{}, rc
			}
			return tenantFrom(h), 0
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateSubscription records a Business Applications subscription of a
// tenant (system only).
func (c *Context) CreateSubscription(a Actor, s Subscription) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_subscription_create(p, ca, cs.str(s.ID), cs.str(s.TenantID),
			cs.str(s.Workload), C.int(s.Channel), C.int(s.State))
	})
}

// Subscription reads a subscription.
func (c *Context) Subscription(a Actor, id string) (Subscription, error) {
	var out Subscription
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var h *C.cpor_subscription
		rc := C.cpor_subscription_get(p, ca, cs.str(id), &h)
		if rc == 0 {
			out = subscriptionFrom(h)
		}
		return rc
	})
	return out, err
}

// Subscriptions lists the subscriptions of tenantID ("" for every tenant)
// that the actor may read.
func (c *Context) Subscriptions(a Actor, tenantID string) ([]Subscription, error) {
	out := []Subscription{}
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var it *C.cpor_subscription_iter
		if rc := C.cpor_subscription_list(p, ca, cs.opt(tenantID), &it); rc < 0 {
			return rc
		}
		defer C.cpor_subscription_iter_free(it)
		return drain(&out, func() (Subscription, C.int) {
			var h *C.cpor_subscription
			if rc := C.cpor_subscription_iter_next(it, &h); rc != 0 {
				return Subscription{}, rc
			}
			return subscriptionFrom(h), 0
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetSubscriptionState changes a subscription's state (system only).
// Expired or disabled ends every association on it (reason
// subscription_ended) in the same transaction; the result is the number of
// claims changed.
func (c *Context) SetSubscriptionState(a Actor, id string, state SubState) (int, error) {
	var n C.size_t
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_subscription_set_state(p, ca, cs.str(id), C.int(state), &n)
	})
	return int(n), err
}

// RegisterWorkload adds a workload to the catalog (system only). code: 2-32
// bytes of [A-Z0-9_]; ErrExists for a code that exists (built-in ones included).
func (c *Context) RegisterWorkload(a Actor, code, name string, area Area, needsSubscription bool) error {
	return c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		return C.cpor_workload_register(p, ca, cs.str(code), cs.str(name), C.int(area),
			cbool(needsSubscription))
	})
}

// Workload reads a catalog entry (every actor may).
func (c *Context) Workload(a Actor, code string) (Workload, error) {
	var out Workload
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var h *C.cpor_workload
		rc := C.cpor_workload_get(p, ca, cs.str(code), &h)
		if rc == 0 {
			out = workloadFrom(h)
		}
		return rc
	})
	return out, err
}

// Workloads lists the catalog (built-in and registered), sorted by code.
func (c *Context) Workloads(a Actor) ([]Workload, error) {
	var out []Workload
	err := c.dirCall(a, func(p *C.cpor_ctx, ca *C.cpor_actor, cs *cstrings) C.int {
		var it *C.cpor_workload_iter
		if rc := C.cpor_workload_list(p, ca, &it); rc < 0 {
			return rc
		}
		defer C.cpor_workload_iter_free(it)
		return drain(&out, func() (Workload, C.int) {
			var h *C.cpor_workload
			if rc := C.cpor_workload_iter_next(it, &h); rc != 0 {
				return Workload{}, rc
			}
			return workloadFrom(h), 0
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
