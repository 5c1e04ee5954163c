/* THE KERNEL: the CPOR claim rules as pure functions, no I/O (DESIGN.md
 * Part 2). Input: the environment (now, policy, calendar, time zone), a
 * request (action, actor, arguments) and a view (the claims the action
 * touches and the claims live on their units, plus the subscriptions their
 * lines name). Output: the view's claims changed in place, each with the
 * events it gains (kind, text, JSON payload) — or a refusal: a CPOR_E* code
 * with its message in env->msg, after which the view must be discarded.
 *
 * Settling (due timed transitions), arbitration, windows, supersession,
 * subscription endings, the duplicate rule, authorization by state and role,
 * and replay are all here. The kernel includes only public headers and its
 * own (record.h, view.h, valid.h); the build refuses core or store headers. */
#ifndef CPOR_RULES_RULES_H
#define CPOR_RULES_RULES_H

#include "record.h"

typedef enum cpor__action {
  CPOR__ACT_VIEW = 1,
  CPOR__ACT_CREATE,
  CPOR__ACT_EDIT,
  CPOR__ACT_ADD_POE,
  CPOR__ACT_COMMENT,
  CPOR__ACT_SUBMIT,
  CPOR__ACT_WITHDRAW,
  CPOR__ACT_START_REVIEW,
  CPOR__ACT_REQUEST_INFO,
  CPOR__ACT_RESPOND,
  CPOR__ACT_APPROVE,
  CPOR__ACT_REJECT,
  CPOR__ACT_OPT_OUT,
  CPOR__ACT_DISPUTE,
  CPOR__ACT_DECIDE_DISPUTE,
  CPOR__ACT_REMOVE,
  CPOR__ACT_COUNT
} cpor__action;

const char *cpor__action_name(int action);

/* The skew between hosts' clocks that history tolerates (DESIGN.md 1.5). */
#define CPOR__SKEW_MS 1000

/* Everything time-dependent a rule needs, and where a refusal's message goes. */
typedef struct cpor__env {
  const cpor_calendar *cal;
  const cpor_tz *tz;
  const cpor_policy *policy; /* the context's: recorded on a claim at submit */
  cpor_time now;
  char *msg; /* may be NULL */
  size_t msglen;
  int lenient;                    /* timed transitions: clamp to the last event, never refuse */
  const cpor__variants *variants; /* the context's (NULL: the defaults) */
} cpor__env;

/* Problems: every reason a claim cannot be submitted, not only the first. */
typedef struct cpor__problems {
  size_t n, cap;
  int *codes;
  char **msgs;
} cpor__problems;
/* Writes the message (printf-style) and returns code. */
int cpor__kfail(const cpor__env *env, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- the view ------------------------------------------------------------ */

/* A claim the decision reads, and what it becomes. */
typedef struct cpor__touched {
  cpor_claim *claim; /* owned */
  int is_new;
  int32_t old_state;
  cpor_time old_window, old_sla;
  int lines_dirty; /* the unit rows must be rewritten */
  cpor_event **events;
  size_t nevents, cap;
} cpor__touched;

typedef struct cpor__view {
  cpor__touched **v; /* v[0]: the claim acted on, when there is one */
  size_t n, cap;
  cpor_subscription **subs; /* owned; the subscriptions the view's lines name */
  size_t nsubs, subcap;
} cpor__view;

/* Takes ownership of c (also on failure: CPOR_ENOMEM frees it). */
int cpor__view_add(cpor__view *v, cpor_claim *c, int is_new, cpor__touched **out);
int cpor__view_add_sub(cpor__view *v, cpor_subscription *s);
cpor__touched *cpor__view_find(const cpor__view *v, const char *claim_id);
const cpor_subscription *cpor__view_sub(const cpor__view *v, const char *sub_id);
void cpor__view_free(cpor__view *v);
/* 1 when the claim gained events (its record must be written). */
int cpor__touched_changed(const cpor__touched *t);

/* The instant an event on c is stamped at: max(now, c's last event) when the
 * clock is behind by at most CPOR__SKEW_MS; CPOR_ERANGE (naming both) else. */
int cpor__k_stamp(const cpor__env *env, const cpor_claim *c, cpor__env *out);
/* Appends a history event to t's claim, stamped by cpor__k_stamp (the claim's
 * state after = its current state). payload: a JSON object text (NULL: "{}").
 * The text is stored whole. */
int cpor__k_event(const cpor__env *env, cpor__touched *t, const cpor_actor *actor, int kind,
                  const char *payload, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* An instant as ISO 8601 UTC with milliseconds; any int64 value is safe. */
const char *cpor__k_format_time(cpor_time t, char buf[48]);

/* ---- notifications owed (DESIGN.md 1.6) ------------------------------------ */

/* One notification an event owes. kind, role and org are static strings or
 * point into the claim; payload is a JSON object text the caller frees. */
typedef struct cpor__notice {
  const char *kind; /* claim_submitted, claim_disputed, association_requested,
                     * info_requested, rejected, lost_arbitration,
                     * association_official, superseded, ended, dispute_decided */
  const char *role; /* the recipient: "partner", "customer" or "reviewer" */
  const char *org;  /* the partner ID, the tenant ID; NULL for the reviewers */
  char *payload;    /* the event's payload and the deadline the recipient is told */
  int verbatim;     /* 1: payload is the event's payload as it is (nothing added) */
} cpor__notice;
/* The notice event e of claim c (as the call leaves it) owes: 1 with *out
 * filled, 0 when it owes none, or CPOR_ENOMEM / CPOR_ECORRUPT (a payload
 * that is not a JSON object). */
int cpor__k_notice(const cpor_claim *c, const cpor_event *e, cpor__notice *out);

/* ---- predicates ------------------------------------------------------------ */

/* Who may do what (DESIGN.md 1.4), then whether the state allows it:
 * CPOR_ENOTFOUND for a partner actor of another partner (no existence leak),
 * CPOR_EACCES for a customer of another tenant, CPOR_EPERM for a role that may
 * not, CPOR_ESTATE for a state that does not allow it. For CREATE, partner_id
 * is the partner the claim would belong to and state is 0. */
int cpor__rules_check(const cpor_actor *actor, int action, const char *partner_id,
                      const char *tenant_id, int state, const char **msg);
/* Validates the actor itself (role, org, user); its version was read at the
 * API boundary (the core hands the kernel the latest layout). */
int cpor__rules_actor_valid(const cpor_actor *actor, const char **msg);
/* The program a claim's solution area and activity map to; 0 when the
 * activity is not allowed for the area. */
int cpor__rules_program(int area, int activity);
/* Whether a subscription can be claimed on the tenant for the workload:
 * CPOR_OK or CPOR_ESUBSCRIPTION with a distinct message per reason. */
int cpor__rules_subscription(const cpor_subscription *s, const char *tenant_id,
                             const char *workload, const char **msg);
/* Whether a claim has everything submit needs: CPOR_OK or CPOR_EINCOMPLETE.
 * dynamics: 1 when one of its lines is a Dynamics 365 product. */
int cpor__rules_complete(const cpor_claim *c, int dynamics, const char **msg);
/* Calls fn for every field submit needs that the claim lacks (stops at a
 * non-zero return, which it returns). */
typedef int (*cpor__missing_fn)(void *arg, const char *msg);
int cpor__rules_each_missing(const cpor_claim *c, int dynamics, cpor__missing_fn fn, void *arg);
/* Line states that hold or claim a unit. */
int cpor__rules_live(int state);
/* Live and beyond a draft: these contest, and count as duplicates. */
int cpor__rules_pending_or_held(int state);
/* Pending: submitted and not yet decided (these lose arbitration). */
int cpor__rules_pending(int state);
/* A line outcome of its own (lost arbitration, superseded, subscription
 * ended): the line stays so for good. */
int cpor__rules_line_final(const cpor__line *l);
/* Windows: the exclusive end of a window opened at t. */
int cpor__rules_window_end(const cpor__env *env, const cpor_window *w, cpor_time t,
                           cpor_time *closes_at);
/* The policy that governs c: its recorded one, else the context's. */
const cpor_policy *cpor__rules_policy(const cpor__env *env, const cpor_claim *c);
/* Its variants likewise, with zeros made the defaults. */
cpor__variants cpor__rules_variants(const cpor__env *env, const cpor_claim *c);
/* Moves the claim to a state: the lines that follow the claim (live, in its
 * state, without an outcome of their own) move with it; sets the windows and
 * SLA of the new state from env->now. */
int cpor__rules_enter(const cpor__env *env, cpor_claim *c, int state, int reason);
/* One line of a claim lost its unit. Returns 1 when that was the claim's last
 * live line, after which the claim itself has entered that state. */
int cpor__rules_line_outcome(const cpor__env *env, cpor_claim *c, size_t line, int state,
                             int reason);
/* Whether the claim is overdue at now (review SLAs). */
int cpor__rules_overdue(const cpor_claim *c, cpor_time now);
/* The timed transition due on c at or before now, or CPOR_TIME_NONE. */
cpor_time cpor__rules_due(const cpor_claim *c, cpor_time now);

/* ---- decisions ------------------------------------------------------------ */

/* Applies every timed transition due at env->now to the view's claims, in
 * (due instant, claim ID) order, each stamped at its due instant by system:
 * opt-out window elapsed -> ASSOCIATED (subscriptions re-checked, the
 * incumbents in the view superseded); no partner response -> REJECTED. */
int cpor__settle(const cpor__env *env, cpor__view *view);

/* A request on view->v[0]. */
typedef struct cpor__request {
  int action;
  const cpor_actor *actor;
  int reason;       /* reject */
  const char *text; /* request info, respond, reject, dispute, decision, comment */
  int grant;        /* decide dispute */
  /* submit: what the directory says of the claim */
  const cpor_location *location;
  int dynamics;
  /* add PoE */
  const cpor__poe *poe;
  /* submit and check: the claim's tenant (NULL: not checked again) */
  const cpor_tenant *tenant;
} cpor__request;

/* Who may do the action on c in its (settled) state: CPOR_OK or the refusal
 * (a state refusal whose window closed is CPOR_EWINDOW). */
int cpor__k_authorize(const cpor__env *env, const cpor_actor *actor, int action,
                      const cpor_claim *c);
/* Authorization, then the action: CPOR_OK with the view changed, or a
 * refusal. view->v[0] must be settled; the claims live on its units must be
 * in the view for submit, approve and dispute. */
int cpor__decide(const cpor__env *env, const cpor__request *req, cpor__view *view);

/* Adds a problem for every line of t that the duplicate rule refuses. */
int cpor__k_duplicate_problems(const cpor__env *env, const cpor__view *view, const cpor__touched *t,
                               cpor__problems *out);
/* The duplicate rule (DESIGN.md 1.3) for t against the rest of the view. */
int cpor__k_duplicates(const cpor__env *env, const cpor__view *view, const cpor__touched *t);
/* Marks t contested (and its rivals) when another partner's pending or held
 * line shares a unit with it. */
int cpor__k_contest(const cpor__env *env, cpor__view *view, cpor__touched *t,
                    const cpor_actor *actor);
/* A subscription became expired or disabled: its ASSOCIATED lines END and
 * every other live line on it is REJECTED (subscription_ended, final). */
int cpor__k_subscription_ended(const cpor__env *env, cpor__view *view, const char *sub_id);

/* The actor of timed transitions and of the effects on other claims. */
extern const cpor_actor cpor__k_system;
/* Line k of o loses its unit (REJECTED or ENDED with reason), with its event. */
int cpor__k_line_lost(const cpor__env *env, cpor__touched *o, size_t k, int state, int reason);
/* Approval's arbitration: every other partner's pending line on t's units
 * loses; CPOR_ESTATE while another claim of a unit is APPROVED. */
int cpor__k_arbitrate(const cpor__env *env, cpor__view *view, cpor__touched *t);
/* Association: the ASSOCIATED lines of others on t's units END (superseded). */
int cpor__k_supersede(const cpor__env *env, cpor__view *view, cpor__touched *t);
/* An edit of t's claim (before: its record before the edit): the event with
 * the fields that changed, from what, to what. */
int cpor__k_edited(const cpor__env *env, cpor__touched *t, const cpor_actor *actor,
                   const cpor_claim *before);
/* The created event, whose payload holds the whole claim as created. */
int cpor__k_created(const cpor__env *env, cpor__touched *t, const cpor_actor *actor);
/* Whether an edit of the claim in its state may change what the spec sets:
 * only_contacts says the spec changes nothing but the MPN ID, lines and
 * contacts. CPOR_OK or CPOR_ESTATE with the message. */
int cpor__k_edit_allowed(const cpor__env *env, const cpor_claim *c, int only_contacts);

int cpor__problem_add(cpor__problems *p, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void cpor__problems_free(cpor__problems *p);
/* Every problem that blocks submitting t's claim (req: the directory's
 * location, dynamics and tenant; the view: its neighbors and subscriptions).
 * CPOR_OK (problems in out) or CPOR_ENOMEM. */
int cpor__k_submit_problems(const cpor__env *env, const cpor__request *req, const cpor__view *view,
                            const cpor__touched *t, cpor__problems *out);
/* Fails with the first problem's code and a message listing them all. */
int cpor__k_problems_fail(const cpor__env *env, const char *what, const cpor__problems *p);

/* Replay: the claim re-derived from its history (events in seq order)
 * through the same transitions. *out is a new claim. */
int cpor__replay(const cpor__env *env, const char *claim_id, cpor_event *const *events, size_t n,
                 cpor_claim **out);

#endif
