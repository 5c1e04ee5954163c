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

// CreatePartner creates a partner. id: 1-64 bytes of [A-Za-z0-9._-]; name:
// 1-256 bytes. ErrExists when the ID is taken.
func (c *Context) CreatePartner(id, name string) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_partner_create(p, cs.str(id), cs.str(name))
	})
}

// Partner reads a partner; ErrNotFound when there is none.
func (c *Context) Partner(id string) (Partner, error) {
	var cs cstrings
	defer cs.free()
	var out Partner
	err := c.do(func(p *C.cpor_ctx) C.int {
		var h *C.cpor_partner
		rc := C.cpor_partner_get(p, cs.str(id), &h)
		if rc == 0 {
			out = Partner{C.GoString(C.cpor_partner_id(h)), C.GoString(C.cpor_partner_name(h))}
			C.cpor_partner_free(h)
		}
		return rc
	})
	return out, err
}

// CreateLocation creates a location of a partner. mpnID: 1-10 ASCII digits,
// unique across partners.
func (c *Context) CreateLocation(partnerID, mpnID, name string) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_location_create(p, cs.str(partnerID), cs.str(mpnID), cs.str(name))
	})
}

// Location reads a location by MPN ID.
func (c *Context) Location(mpnID string) (Location, error) {
	var cs cstrings
	defer cs.free()
	var out Location
	err := c.do(func(p *C.cpor_ctx) C.int {
		var h *C.cpor_location
		rc := C.cpor_location_get(p, cs.str(mpnID), &h)
		if rc == 0 {
			out = Location{
				MPNID:     C.GoString(C.cpor_location_mpn_id(h)),
				PartnerID: C.GoString(C.cpor_location_partner_id(h)),
				Name:      C.GoString(C.cpor_location_name(h)),
			}
			for pr := programFirst; pr <= programLast; pr++ {
				if C.cpor_location_is_enrolled(h, C.int(pr)) == 1 {
					out.Enrolled = append(out.Enrolled, pr)
				}
			}
			C.cpor_location_free(h)
		}
		return rc
	})
	return out, err
}

// Enroll enrolls (enrolled = true) or unenrolls a location in a program.
func (c *Context) Enroll(mpnID string, program Program, enrolled bool) error {
	var cs cstrings
	defer cs.free()
	e := C.int(0)
	if enrolled {
		e = 1
	}
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_location_enroll(p, cs.str(mpnID), C.int(program), e)
	})
}

// CreateCustomer creates a customer and returns its generated ID.
func (c *Context) CreateCustomer(name string) (string, error) {
	var cs cstrings
	defer cs.free()
	var id string
	err := c.do(func(p *C.cpor_ctx) C.int {
		var out *C.char
		rc := C.cpor_customer_create(p, cs.str(name), &out)
		if rc == 0 {
			id = C.GoString(out)
		}
		C.cpor_free(unsafe.Pointer(out))
		return rc
	})
	return id, err
}

// Customer reads a customer.
func (c *Context) Customer(id string) (Customer, error) {
	var cs cstrings
	defer cs.free()
	var out Customer
	err := c.do(func(p *C.cpor_ctx) C.int {
		var h *C.cpor_customer
		rc := C.cpor_customer_get(p, cs.str(id), &h)
		if rc == 0 {
			out = Customer{C.GoString(C.cpor_customer_id(h)), C.GoString(C.cpor_customer_name(h))}
			C.cpor_customer_free(h)
		}
		return rc
	})
	return out, err
}

// CreateTenant creates a customer's tenant with its first domain. tenantID is
// a GUID (braces and uppercase accepted, stored canonical).
func (c *Context) CreateTenant(customerID, tenantID, domain string) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_tenant_create(p, cs.str(customerID), cs.str(tenantID), cs.str(domain))
	})
}

// AddDomain adds a domain to a tenant (stored lowercase; unique).
func (c *Context) AddDomain(tenantID, domain string) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_tenant_add_domain(p, cs.str(tenantID), cs.str(domain))
	})
}

// Tenant reads a tenant.
func (c *Context) Tenant(tenantID string) (Tenant, error) {
	var cs cstrings
	defer cs.free()
	var out Tenant
	err := c.do(func(p *C.cpor_ctx) C.int {
		var h *C.cpor_tenant
		rc := C.cpor_tenant_get(p, cs.str(tenantID), &h)
		if rc == 0 {
			out = Tenant{
				ID:         C.GoString(C.cpor_tenant_id(h)),
				CustomerID: C.GoString(C.cpor_tenant_customer_id(h)),
			}
			n := C.cpor_tenant_domain_count(h)
			for i := C.size_t(0); i < n; i++ {
				out.Domains = append(out.Domains, C.GoString(C.cpor_tenant_domain(h, i)))
			}
			C.cpor_tenant_free(h)
		}
		return rc
	})
	return out, err
}

// CreateSubscription records a Business Applications subscription of a tenant.
func (c *Context) CreateSubscription(s Subscription) error {
	var cs cstrings
	defer cs.free()
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_subscription_create(p, cs.str(s.ID), cs.str(s.TenantID), cs.str(s.Workload),
			C.int(s.Channel), C.int(s.State))
	})
}

// Subscription reads a subscription.
func (c *Context) Subscription(id string) (Subscription, error) {
	var cs cstrings
	defer cs.free()
	var out Subscription
	err := c.do(func(p *C.cpor_ctx) C.int {
		var h *C.cpor_subscription
		rc := C.cpor_subscription_get(p, cs.str(id), &h)
		if rc == 0 {
			out = Subscription{
				ID:       C.GoString(C.cpor_subscription_id(h)),
				TenantID: C.GoString(C.cpor_subscription_tenant_id(h)),
				Workload: C.GoString(C.cpor_subscription_workload(h)),
				Channel:  Channel(C.cpor_subscription_channel(h)),
				State:    SubState(C.cpor_subscription_state(h)),
			}
			C.cpor_subscription_free(h)
		}
		return rc
	})
	return out, err
}

// SetSubscriptionState changes a subscription's state. Expired or disabled
// ends every association on it (reason subscription_ended) in the same
// transaction; the result is the number of claims changed.
func (c *Context) SetSubscriptionState(id string, state SubState) (int, error) {
	var cs cstrings
	defer cs.free()
	var n C.size_t
	err := c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_subscription_set_state(p, cs.str(id), C.int(state), &n)
	})
	return int(n), err
}

// RegisterWorkload adds a workload to the catalog. code: 2-32 bytes of
// [A-Z0-9_]; ErrExists for a code that exists (built-in ones included).
func (c *Context) RegisterWorkload(code, name string, area Area, needsSubscription bool) error {
	var cs cstrings
	defer cs.free()
	ns := C.int(0)
	if needsSubscription {
		ns = 1
	}
	return c.do(func(p *C.cpor_ctx) C.int {
		return C.cpor_workload_register(p, cs.str(code), cs.str(name), C.int(area), ns)
	})
}

func workloadFrom(h *C.cpor_workload) Workload {
	w := Workload{
		Code:              C.GoString(C.cpor_workload_code(h)),
		Name:              C.GoString(C.cpor_workload_name(h)),
		Area:              Area(C.cpor_workload_area(h)),
		NeedsSubscription: C.cpor_workload_needs_subscription(h) == 1,
		IsDynamics:        C.cpor_workload_is_dynamics(h) == 1,
		IsBuiltin:         C.cpor_workload_is_builtin(h) == 1,
	}
	C.cpor_workload_free(h)
	return w
}

// Workload reads a catalog entry.
func (c *Context) Workload(code string) (Workload, error) {
	var cs cstrings
	defer cs.free()
	var out Workload
	err := c.do(func(p *C.cpor_ctx) C.int {
		var h *C.cpor_workload
		rc := C.cpor_workload_get(p, cs.str(code), &h)
		if rc == 0 {
			out = workloadFrom(h)
		}
		return rc
	})
	return out, err
}

// Workloads lists the catalog (built-in and registered), sorted by code.
func (c *Context) Workloads() ([]Workload, error) {
	var out []Workload
	err := c.do(func(p *C.cpor_ctx) C.int {
		var it *C.cpor_workload_iter
		rc := C.cpor_workload_list(p, &it)
		if rc < 0 {
			return rc
		}
		defer C.cpor_workload_iter_free(it)
		for {
			var h *C.cpor_workload
			rc = C.cpor_workload_iter_next(it, &h)
			if rc != 0 {
				break
			}
			out = append(out, workloadFrom(h))
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
