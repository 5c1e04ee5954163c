package cpor

// #include <cpor/cpor.h>
import "C"

import "strconv"

// State is a claim's (or a claim line's) state.
type State uint32

// Claim states (values fixed by the library).
const (
	StateEditing               State = C.CPOR_STATE_EDITING
	StateSubmitted             State = C.CPOR_STATE_SUBMITTED
	StateUnderReview           State = C.CPOR_STATE_UNDER_REVIEW
	StatePartnerActionRequired State = C.CPOR_STATE_PARTNER_ACTION_REQUIRED
	StateApproved              State = C.CPOR_STATE_APPROVED
	StateAssociated            State = C.CPOR_STATE_ASSOCIATED
	StateRejected              State = C.CPOR_STATE_REJECTED
	StateDisputed              State = C.CPOR_STATE_DISPUTED
	StateEnded                 State = C.CPOR_STATE_ENDED
)

// String is the name the design uses: "UNDER_REVIEW".
func (s State) String() string { return enumName(C.cpor_state_name(C.int(s)), int(s)) }

// Reason says why a claim or a line was rejected or ended.
type Reason uint32

// Rejection and ending reasons.
const (
	ReasonNone              Reason = C.CPOR_REASON_NONE
	ReasonInsufficientPoE   Reason = C.CPOR_REASON_INSUFFICIENT_POE
	ReasonMissingConsent    Reason = C.CPOR_REASON_MISSING_CONSENT
	ReasonMissingProducts   Reason = C.CPOR_REASON_MISSING_PRODUCTS
	ReasonPoEUnavailable    Reason = C.CPOR_REASON_POE_UNAVAILABLE
	ReasonNoPartnerResponse Reason = C.CPOR_REASON_NO_PARTNER_RESPONSE
	ReasonCustomerDeclined  Reason = C.CPOR_REASON_CUSTOMER_DECLINED
	ReasonPartnerRequest    Reason = C.CPOR_REASON_PARTNER_REQUEST
	ReasonLostArbitration   Reason = C.CPOR_REASON_LOST_ARBITRATION
	ReasonSuperseded        Reason = C.CPOR_REASON_SUPERSEDED
	ReasonSubscriptionEnded Reason = C.CPOR_REASON_SUBSCRIPTION_ENDED
	ReasonPartnerRemoved    Reason = C.CPOR_REASON_PARTNER_REMOVED
)

// String is the lower_snake_case name: "lost_arbitration".
func (r Reason) String() string { return enumName(C.cpor_reason_name(C.int(r)), int(r)) }

// InfoReason says why a reviewer asks the partner for information.
type InfoReason uint32

// Information reasons (the 2023 Manage page).
const (
	InfoMissingPoE            InfoReason = C.CPOR_INFO_MISSING_POE
	InfoMissingCustomerAck    InfoReason = C.CPOR_INFO_MISSING_CUSTOMER_ACK
	InfoMissingDates          InfoReason = C.CPOR_INFO_MISSING_DATES
	InfoMissingPartnerService InfoReason = C.CPOR_INFO_MISSING_PARTNER_SERVICE
	InfoMissingProducts       InfoReason = C.CPOR_INFO_MISSING_PRODUCTS
	InfoOther                 InfoReason = C.CPOR_INFO_OTHER
)

func (r InfoReason) String() string {
	return enumName(C.cpor_info_reason_name(C.int(r)), int(r))
}

// RemovalReason says why a partner removes an association (mandatory).
type RemovalReason uint32

// Removal reasons.
const (
	RemovalCustomerRequest RemovalReason = C.CPOR_REMOVAL_CUSTOMER_REQUEST
	RemovalEngagementEnded RemovalReason = C.CPOR_REMOVAL_ENGAGEMENT_ENDED
	RemovalClaimedInError  RemovalReason = C.CPOR_REMOVAL_CLAIMED_IN_ERROR
	RemovalOther           RemovalReason = C.CPOR_REMOVAL_OTHER
)

func (r RemovalReason) String() string {
	return enumName(C.cpor_removal_reason_name(C.int(r)), int(r))
}

// Area is a solution area.
type Area uint32

// Solution areas.
const (
	AreaM365    Area = C.CPOR_AREA_M365    // Microsoft 365: the unit is (tenant, workload)
	AreaBizApps Area = C.CPOR_AREA_BIZAPPS // Business Applications: the unit is the subscription
)

func (a Area) String() string { return enumName(C.cpor_area_name(C.int(a)), int(a)) }

// Activity is a claim's activity.
type Activity uint32

// Activities.
const (
	ActivityPresales Activity = C.CPOR_ACTIVITY_PRESALES
	ActivityUsage    Activity = C.CPOR_ACTIVITY_USAGE
	ActivityRevenue  Activity = C.CPOR_ACTIVITY_REVENUE
)

func (a Activity) String() string { return enumName(C.cpor_activity_name(C.int(a)), int(a)) }

// Program is a partner program a location may be enrolled in.
type Program uint32

// Programs.
const (
	ProgramOSASell    Program = C.CPOR_PROGRAM_OSA_SELL
	ProgramOSUM365    Program = C.CPOR_PROGRAM_OSU_M365
	ProgramOSUBizApps Program = C.CPOR_PROGRAM_OSU_BIZAPPS
	programLast               = ProgramOSUBizApps
	programFirst              = ProgramOSASell
)

func (p Program) String() string { return enumName(C.cpor_program_name(C.int(p)), int(p)) }

// Channel is how a subscription was sold.
type Channel uint32

// Channels.
const (
	ChannelVolumeLicensing Channel = C.CPOR_CHANNEL_VOLUME_LICENSING
	ChannelWebDirect       Channel = C.CPOR_CHANNEL_WEB_DIRECT
	ChannelCSP             Channel = C.CPOR_CHANNEL_CSP
)

func (c Channel) String() string { return enumName(C.cpor_channel_name(C.int(c)), int(c)) }

// SubState is a subscription's state.
type SubState uint32

// Subscription states.
const (
	SubProvisioning SubState = C.CPOR_SUB_PROVISIONING
	SubActive       SubState = C.CPOR_SUB_ACTIVE
	SubInGrace      SubState = C.CPOR_SUB_IN_GRACE
	SubExpired      SubState = C.CPOR_SUB_EXPIRED
	SubDisabled     SubState = C.CPOR_SUB_DISABLED
)

func (s SubState) String() string { return enumName(C.cpor_sub_state_name(C.int(s)), int(s)) }

// Role is an actor's role.
type Role uint32

// Roles: four partner roles, then the reviewer (Microsoft), the customer (an
// admin of the claimed tenant) and the system (timed transitions).
const (
	RoleGlobalAdmin     Role = C.CPOR_ROLE_GLOBAL_ADMIN
	RoleBillingAdmin    Role = C.CPOR_ROLE_BILLING_ADMIN
	RoleIncentivesAdmin Role = C.CPOR_ROLE_INCENTIVES_ADMIN
	RoleIncentivesUser  Role = C.CPOR_ROLE_INCENTIVES_USER
	RoleReviewer        Role = C.CPOR_ROLE_REVIEWER
	RoleCustomer        Role = C.CPOR_ROLE_CUSTOMER
	RoleSystem          Role = C.CPOR_ROLE_SYSTEM
)

func (r Role) String() string { return enumName(C.cpor_role_name(C.int(r)), int(r)) }

// EventKind is the kind of a history event.
type EventKind uint32

// Event kinds.
const (
	EventCreated        EventKind = C.CPOR_EVENT_CREATED
	EventEdited         EventKind = C.CPOR_EVENT_EDITED
	EventPoEAdded       EventKind = C.CPOR_EVENT_POE_ADDED
	EventCommented      EventKind = C.CPOR_EVENT_COMMENTED
	EventSubmitted      EventKind = C.CPOR_EVENT_SUBMITTED
	EventContested      EventKind = C.CPOR_EVENT_CONTESTED
	EventReviewStarted  EventKind = C.CPOR_EVENT_REVIEW_STARTED
	EventInfoRequested  EventKind = C.CPOR_EVENT_INFO_REQUESTED
	EventResponded      EventKind = C.CPOR_EVENT_RESPONDED
	EventApproved       EventKind = C.CPOR_EVENT_APPROVED
	EventRejected       EventKind = C.CPOR_EVENT_REJECTED
	EventOptedOut       EventKind = C.CPOR_EVENT_OPTED_OUT
	EventAssociated     EventKind = C.CPOR_EVENT_ASSOCIATED
	EventDisputed       EventKind = C.CPOR_EVENT_DISPUTED
	EventDisputeGranted EventKind = C.CPOR_EVENT_DISPUTE_GRANTED
	EventDisputeUpheld  EventKind = C.CPOR_EVENT_DISPUTE_UPHELD
	EventWithdrawn      EventKind = C.CPOR_EVENT_WITHDRAWN
	EventRemoved        EventKind = C.CPOR_EVENT_REMOVED
	EventEnded          EventKind = C.CPOR_EVENT_ENDED
	EventLineEnded      EventKind = C.CPOR_EVENT_LINE_ENDED
	EventLineRejected   EventKind = C.CPOR_EVENT_LINE_REJECTED
)

func (k EventKind) String() string { return enumName(C.cpor_event_kind_name(C.int(k)), int(k)) }

// DayUnit is the unit of a policy window.
type DayUnit uint32

// Day units.
const (
	BusinessDays DayUnit = C.CPOR_BUSINESS_DAYS // counted with the context's calendar
	CalendarDays DayUnit = C.CPOR_CALENDAR_DAYS // every day counts
)

func (u DayUnit) String() string {
	switch u {
	case BusinessDays:
		return "business days"
	case CalendarDays:
		return "calendar days"
	}
	return "DayUnit(" + strconv.Itoa(int(u)) + ")"
}

// Roll is a business-day convention for Calendar.Adjust.
type Roll uint32

// Roll conventions.
const (
	RollUnadjusted        Roll = C.CPOR_ROLL_UNADJUSTED
	RollFollowing         Roll = C.CPOR_ROLL_FOLLOWING
	RollModifiedFollowing Roll = C.CPOR_ROLL_MODIFIED_FOLLOWING
	RollPreceding         Roll = C.CPOR_ROLL_PRECEDING
	RollModifiedPreceding Roll = C.CPOR_ROLL_MODIFIED_PRECEDING
	RollNearest           Roll = C.CPOR_ROLL_NEAREST // the nearest business day; ties go forward
)

// Field names a claim's optional text field (EditClaim can clear them).
type Field uint32

// Claim fields.
const (
	FieldCustomerContactName   Field = C.CPOR_FIELD_CUSTOMER_CONTACT_NAME
	FieldCustomerContactTitle  Field = C.CPOR_FIELD_CUSTOMER_CONTACT_TITLE
	FieldCustomerContactEmail  Field = C.CPOR_FIELD_CUSTOMER_CONTACT_EMAIL
	FieldTechnicalContactName  Field = C.CPOR_FIELD_TECHNICAL_CONTACT_NAME
	FieldTechnicalContactTitle Field = C.CPOR_FIELD_TECHNICAL_CONTACT_TITLE
	FieldTechnicalContactEmail Field = C.CPOR_FIELD_TECHNICAL_CONTACT_EMAIL
	FieldPartnerContactName    Field = C.CPOR_FIELD_PARTNER_CONTACT_NAME
	FieldPartnerContactEmail   Field = C.CPOR_FIELD_PARTNER_CONTACT_EMAIL
	FieldSolutionSeller        Field = C.CPOR_FIELD_SOLUTION_SELLER
	FieldCustomerName          Field = C.CPOR_FIELD_CUSTOMER_NAME
	FieldISVProduct            Field = C.CPOR_FIELD_ISV_PRODUCT
)

func enumName(p *C.char, v int) string {
	if p == nil {
		return strconv.Itoa(v)
	}
	return C.GoString(p)
}
