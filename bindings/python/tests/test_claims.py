"""Claim lifecycle through the binding: happy path, opt-out, timeouts, arbitration, refusals."""

import datetime as dt
import unittest

import cpor
from cpor import Actor, EventKind, Program, Reason, Role, State
from helpers import (CUSTOMER, DOMAIN, MPN, REVIEWER, SHA, START, SYSTEM, TENANT, UTC,
                     WorldCase, admin)


class HappyPath(WorldCase):
    def test_directory_records(self):
        self.assertEqual(self.ctx.partner(SYSTEM, "A"), cpor.Partner("A", "Partner A"))
        loc = self.ctx.location(SYSTEM, MPN["A"])
        self.assertEqual(loc.partner_id, "A")
        self.assertTrue(loc.is_enrolled(Program.OSU_M365))
        self.assertFalse(loc.is_enrolled("osa_sell"))
        self.assertEqual(self.ctx.customer(SYSTEM, self.customer_id).name, "Contoso")
        self.ctx.add_domain(SYSTEM, TENANT.upper(), "Contoso.com")
        t = self.ctx.tenant(SYSTEM, "{" + TENANT.upper() + "}")
        self.assertEqual(t.id, TENANT)
        self.assertEqual(t.domains, (DOMAIN, "contoso.com"))
        w = self.ctx.workload(SYSTEM, "TEAMS")
        self.assertEqual((w.area, w.needs_subscription, w.is_builtin), (cpor.Area.M365, False, True))
        codes = [w.code for w in self.ctx.workloads(SYSTEM)]
        self.assertEqual(codes, sorted(codes))
        self.assertIn("D365_SALES", codes)

    def test_check_claim_lists_every_problem(self):
        c = self.new_claim()
        problems = self.ctx.check_claim(admin("A"), c)
        self.assertEqual([p.code for p in problems], [cpor.Incomplete.code])
        self.assertEqual(problems[0].message, "no proof of execution has been added")
        self.ctx.add_poe(admin("A"), c, "poe.pdf", "application/pdf", SHA, 1)
        self.assertEqual(self.ctx.check_claim(admin("A"), c), [])
        spec = self.ctx.check_claim(admin("A"), mpn_id=MPN["A"], tenant_id=TENANT,
                                    domain="woodgrove.example.com", area="m365",
                                    activity="usage", lines=["EXCHANGE"])
        codes = [p.code for p in spec]
        self.assertIn(cpor.Mismatch.code, codes)
        self.assertIn(cpor.Incomplete.code, codes)
        with self.assertRaises(TypeError):
            self.ctx.check_claim(admin("A"))
        with self.assertRaises(cpor.PermissionDenied):
            self.ctx.check_claim(REVIEWER, c)

    def test_policy_variants(self):
        ctx = cpor.Context(clock=self.clock, customer_may_end=True, max_disputes=2)
        self.addCleanup(ctx.close)
        with self.assertRaises(ValueError):
            cpor.Context(optout_from="never")
        with self.assertRaises(ValueError):
            cpor.Context(max_disputes=0)

    def test_reasons_and_replay(self):
        c = self.new_claim()
        self.ctx.add_poe(admin("A"), c, "poe.pdf", "application/pdf", SHA, 1)
        self.ctx.submit(admin("A"), c)
        self.ctx.start_review(REVIEWER, c)
        self.ctx.request_info(REVIEWER, c, "the dates", reason="missing_dates")
        events = list(self.ctx.history(admin("A"), c))
        self.assertEqual(events[-1].payload, '{"reason":"missing_dates"}')
        self.assertEqual(self.ctx.replay(admin("A"), c), self.ctx.claim(admin("A"), c))
        with self.assertRaises(cpor.InvalidArgument):
            self.ctx.request_info(REVIEWER, c, "x", reason=99)

    def test_create_submit_review_approve_associate(self):
        c = self.new_claim()
        self.assertEqual(c.state, State.EDITING)
        self.assertEqual(c.lines, (cpor.ClaimLine("TEAMS", None, State.EDITING, Reason.NONE),))
        self.assertEqual(c.customer_contact_email, "ann@contoso.com")
        self.assertIsNone(c.technical_contact_name)
        self.assertEqual(c.created_at, START)
        self.ctx.add_poe(admin("A"), c.id, "poe.pdf", "application/pdf", SHA, 1234)
        self.ctx.comment(admin("A"), c, "ready")
        self.ctx.submit(admin("A"), c)
        self.assertEqual(self.state(c), State.SUBMITTED)
        self.ctx.start_review(REVIEWER, c)
        self.ctx.approve(REVIEWER, c)
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual(got.state, State.APPROVED)
        self.assertEqual(got.poes, (cpor.Poe("poe.pdf", "application/pdf", SHA, 1234),))
        # 5 business days after Monday 2026-11-02: Monday 2026-11-09; closes at the next midnight.
        self.assertEqual(got.window_closes_at, dt.datetime(2026, 11, 10, tzinfo=UTC))
        self.clock.advance(days=7, hours=13)  # 2026-11-09 23:00: still open
        self.assertEqual(self.ctx.advance(), 0)
        self.assertEqual(self.state(c), State.APPROVED)
        self.clock.set(dt.datetime(2026, 11, 10, tzinfo=UTC))
        self.assertEqual(self.ctx.advance(), 1)
        self.assertEqual(self.ctx.advance(), 0)  # idempotent
        self.assertEqual(self.state(c), State.ASSOCIATED)
        kinds = [e.kind for e in self.ctx.history(admin("A"), c)]
        self.assertEqual(kinds[0], EventKind.CREATED)
        self.assertEqual(kinds[-1], EventKind.ASSOCIATED)
        for k in (EventKind.POE_ADDED, EventKind.COMMENTED, EventKind.SUBMITTED,
                  EventKind.REVIEW_STARTED, EventKind.APPROVED):
            self.assertIn(k, kinds)
        events = list(self.ctx.history(REVIEWER, c))
        self.assertEqual([e.seq for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[0].actor, admin("A"))
        self.assertEqual(events[-1].state, State.ASSOCIATED)
        found = list(self.ctx.find_claims(admin("A"), partner_id="A", state="associated"))
        self.assertEqual([x.id for x in found], [c.id])
        self.assertEqual(list(self.ctx.find_claims(admin("A"), state=State.APPROVED)), [])
        on_unit = list(self.ctx.find_claims(REVIEWER, tenant_id=TENANT, unit_workload="TEAMS"))
        self.assertEqual([x.id for x in on_unit], [c.id])

    def test_edit_claim(self):
        c = self.new_claim(name="draft")
        self.ctx.edit_claim(admin("A"), c, name="final", lines=["TEAMS", "EXCHANGE"],
                            customer_contact_title="")
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual(got.name, "final")
        self.assertEqual([l.workload for l in got.lines], ["TEAMS", "EXCHANGE"])
        self.assertIsNone(got.customer_contact_title)
        self.assertEqual(got.customer_contact_name, "Ann")

    def test_opt_out(self):
        c = self.approved()
        self.clock.advance(days=1)
        self.ctx.opt_out(CUSTOMER, c)
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual((got.state, got.reason), (State.REJECTED, Reason.CUSTOMER_DECLINED))
        self.clock.advance(days=30)
        self.assertEqual(self.ctx.advance(), 0)
        self.assertEqual(self.state(c), State.REJECTED)

    def test_opt_out_after_window(self):
        c = self.approved()
        self.clock.advance(days=8)
        with self.assertRaises(cpor.WindowClosed):
            self.ctx.opt_out(CUSTOMER, c)

    def test_opt_out_by_another_tenant(self):
        c = self.approved()
        other = Actor.customer("11111111-2222-3333-4444-555555555555")
        with self.assertRaises(cpor.AccessDenied):
            self.ctx.opt_out(other, c)

    def test_no_response_auto_reject(self):
        c = self.submitted()
        self.ctx.start_review(REVIEWER, c)
        self.ctx.request_info(REVIEWER, c, "which users?")
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual(got.state, State.PARTNER_ACTION_REQUIRED)
        self.assertEqual(got.window_closes_at, dt.datetime(2026, 11, 10, tzinfo=UTC))
        self.clock.set(got.window_closes_at)
        self.assertEqual(self.ctx.advance(), 1)
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual((got.state, got.reason), (State.REJECTED, Reason.NO_PARTNER_RESPONSE))
        self.assertTrue(got.disputable)
        self.ctx.dispute(admin("A"), c, "we answered by mail")
        self.assertEqual(self.state(c), State.DISPUTED)
        self.ctx.decide_dispute(REVIEWER, c, True, "granted")
        self.assertEqual(self.state(c), State.UNDER_REVIEW)

    def test_respond_in_time(self):
        c = self.submitted()
        self.ctx.start_review(REVIEWER, c)
        self.ctx.request_info(REVIEWER, c, "which users?")
        self.clock.advance(days=2)
        self.ctx.respond(admin("A"), c, "all of them")
        self.assertEqual(self.state(c), State.UNDER_REVIEW)
        self.ctx.reject(REVIEWER, c, "insufficient_poe", "no consent screenshot")
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual(got.reason, Reason.INSUFFICIENT_POE)

    def test_dispute_window(self):
        c = self.submitted()
        self.ctx.start_review(REVIEWER, c)
        self.ctx.reject(REVIEWER, c, cpor.Reason.POE_UNAVAILABLE)
        self.clock.advance(days=31)
        with self.assertRaises(cpor.WindowClosed):
            self.ctx.dispute(admin("A"), c, "too late")

    def test_withdraw_and_remove(self):
        c = self.submitted()
        self.ctx.withdraw(admin("A"), c)
        got = self.ctx.claim(admin("A"), c)
        self.assertEqual((got.state, got.reason), (State.REJECTED, Reason.PARTNER_REQUEST))
        self.assertFalse(got.disputable)
        d = self.approved(workload="EXCHANGE")
        self.clock.advance(days=8)
        self.ctx.advance()
        self.ctx.remove(admin("A"), d, "engagement_ended")
        got = self.ctx.claim(admin("A"), d)
        self.assertEqual((got.state, got.reason), (State.ENDED, Reason.PARTNER_REMOVED))


class Arbitration(WorldCase):
    def test_b_approved_rejects_c_then_supersedes_a(self):
        a = self.approved("A")
        self.clock.advance(days=8)
        self.assertEqual(self.ctx.advance(), 1)
        self.assertEqual(self.state(a), State.ASSOCIATED)
        b = self.submitted("B")
        c = self.submitted("C")
        self.assertTrue(self.ctx.claim(admin("B"), b).contested)
        self.ctx.start_review(REVIEWER, b)
        self.ctx.start_review(REVIEWER, c)
        rivals = sorted(x.id for x in self.ctx.competitors(REVIEWER, b))
        self.assertEqual(rivals, sorted([a.id, c.id]))
        with self.assertRaises(cpor.PermissionDenied):
            list(self.ctx.competitors(admin("B"), b))
        self.ctx.approve(REVIEWER, b)
        got_c = self.ctx.claim(admin("C"), c)
        self.assertEqual((got_c.state, got_c.reason), (State.REJECTED, Reason.LOST_ARBITRATION))
        self.assertEqual(self.state(a), State.ASSOCIATED)  # incumbent until B's window closes
        self.clock.advance(days=8)
        self.assertEqual(self.ctx.advance(), 2)  # B associated, A superseded
        self.assertEqual(self.state(b), State.ASSOCIATED)
        got_a = self.ctx.claim(admin("A"), a)
        self.assertEqual((got_a.state, got_a.reason), (State.ENDED, Reason.SUPERSEDED))
        live = list(self.ctx.find_claims(REVIEWER, tenant_id=TENANT, unit_workload="TEAMS"))
        self.assertEqual([x.id for x in live], [b.id])

    def test_opt_out_keeps_incumbent(self):
        a = self.approved("A")
        self.clock.advance(days=8)
        self.ctx.advance()
        b = self.approved("B")
        self.ctx.opt_out(CUSTOMER, b)
        self.clock.advance(days=8)
        self.ctx.advance()
        self.assertEqual(self.state(a), State.ASSOCIATED)
        self.assertEqual(self.state(b), State.REJECTED)


class Refusals(WorldCase):
    def test_duplicate(self):
        self.submitted("A")
        with self.assertRaises(cpor.Duplicate) as cm:
            self.new_claim("A", name="again")
        self.assertEqual(cm.exception.code, -8)
        self.assertEqual(cm.exception.name, "CPOR_EDUPLICATE")
        self.assertEqual(self.ctx.errcode, -8)
        self.assertEqual(cm.exception.message, self.ctx.errmsg)
        self.assertIn("already claims TEAMS", str(cm.exception))
        self.assertEqual(len(list(self.ctx.find_claims(admin("A"), partner_id="A"))), 1)

    def test_mismatch(self):
        with self.assertRaises(cpor.Mismatch) as cm:
            self.new_claim(domain="fabrikam.com")
        self.assertIn("fabrikam.com", cm.exception.message)

    def test_not_enrolled(self):
        self.ctx.enroll(SYSTEM, MPN["A"], Program.OSU_M365, enrolled=False)
        with self.assertRaises(cpor.NotEnrolled):
            self.submitted("A")

    def test_incomplete(self):
        c = self.new_claim()
        with self.assertRaises(cpor.Incomplete) as cm:
            self.ctx.submit(admin("A"), c)
        self.assertIn("proof of execution", cm.exception.message)

    def test_permission_denied(self):
        c = self.new_claim()
        self.ctx.add_poe(admin("A"), c, "p.pdf", "application/pdf", SHA, 1)
        user = Actor(Role.INCENTIVES_USER, "A", "intern")
        with self.assertRaises(cpor.PermissionDenied):
            self.ctx.submit(user, c)
        with self.assertRaises(cpor.PermissionDenied):
            self.ctx.approve(admin("A"), c)

    def test_other_partner_sees_nothing(self):
        c = self.submitted("A")
        for call in (lambda: self.ctx.claim(admin("B"), c),
                     lambda: list(self.ctx.history(admin("B"), c)),
                     lambda: self.ctx.withdraw(admin("B"), c),
                     lambda: self.ctx.comment(admin("B"), c, "hi")):
            with self.assertRaises(cpor.NotFound):
                call()
        self.assertEqual(list(self.ctx.find_claims(admin("B"), tenant_id=TENANT)), [])
        self.assertEqual(self.state(c), State.SUBMITTED)

    def test_invalid_state_and_argument(self):
        c = self.new_claim()
        with self.assertRaises(cpor.InvalidState):
            self.ctx.approve(REVIEWER, c)
        with self.assertRaises(cpor.InvalidArgument):
            self.ctx.create_location(SYSTEM, "A", "12x", "bad MPN")
        with self.assertRaises(cpor.Exists):
            self.ctx.create_partner(SYSTEM, "A", "again")
        with self.assertRaises(cpor.NotFound):
            self.ctx.partner(SYSTEM, "nobody")
        with self.assertRaises(cpor.InvalidArgument):
            list(self.ctx.find_claims(CUSTOMER))  # no filter at all
        # The reviewer may list every claim.
        self.assertEqual([x.id for x in self.ctx.find_claims(REVIEWER)], [c.id])

    def test_subscription_claims(self):
        sub = "9b2c1d3e-0000-4000-8000-000000000001"
        self.ctx.enroll(SYSTEM, MPN["A"], Program.OSU_BIZAPPS)
        self.ctx.create_subscription(SYSTEM, sub, TENANT, "D365_SALES", "web_direct", "active")
        s = self.ctx.subscription(SYSTEM, sub)
        self.assertEqual((s.channel, s.state), (cpor.Channel.WEB_DIRECT, cpor.SubState.ACTIVE))
        with self.assertRaises(cpor.ActivityNotAllowed):
            self.new_claim(area="m365", activity="presales")
        c = self.new_claim(area="bizapps", activity="usage", workload="D365_SALES",
                           lines=[("D365_SALES", sub)], technical_contact_name="Tom",
                           technical_contact_email="tom@contoso.com")
        self.assertEqual(c.lines[0].subscription, sub)
        csp = "9b2c1d3e-0000-4000-8000-000000000002"
        self.ctx.create_subscription(SYSTEM, csp, TENANT, "D365_SALES", cpor.Channel.CSP,
                                     "active")
        with self.assertRaises(cpor.SubscriptionError):
            self.new_claim(area="bizapps", activity="usage", lines=[("D365_SALES", csp)])


class ClockCallable(unittest.TestCase):
    def test_python_callable_clock(self):
        now = [START]
        with cpor.Context(clock=lambda: now[0]) as ctx:
            self.assertEqual(ctx.now(), START)
            now[0] = START + dt.timedelta(hours=1)
            self.assertEqual(ctx.now(), START + dt.timedelta(hours=1))
            now[0] = dt.datetime(2026, 1, 1)  # naive: the call fails, cause attached
            with self.assertRaises(cpor.CporError) as cm:
                ctx.now()
            self.assertIsInstance(cm.exception.__cause__, ValueError)
            now[0] = START
            self.assertEqual(ctx.now(), START)


class IntegrationKeys(WorldCase):
    """Idempotent creates, external references, revisions (issue 12 item 5)."""

    def test_idempotent_create(self):
        c = self.new_claim(idempotency_key="order-42", external_ref="PO-1")
        self.assertEqual(c.idempotency_key, "order-42")
        self.assertEqual(c.external_ref, "PO-1")
        self.assertEqual(c.revision, 1)
        again = self.new_claim(idempotency_key="order-42", external_ref="PO-1")
        self.assertEqual(again.id, c.id)
        self.assertEqual(len(list(self.ctx.history(REVIEWER, c))), 1)
        with self.assertRaises(cpor.Exists) as e:
            self.new_claim(idempotency_key="order-42", external_ref="PO-2")
        self.assertEqual(e.exception.message,
                         "idempotency key 'order-42' was used by a create with other content")
        other = self.new_claim("B", idempotency_key="order-42")  # keys are per partner
        self.assertNotEqual(other.id, c.id)
        with self.assertRaises(cpor.InvalidArgument):
            self.new_claim(idempotency_key="k" * 201)
        self.assertEqual(len(list(self.ctx.find_claims(REVIEWER))), 2)

    def test_external_ref_and_expected_revision(self):
        c = self.new_claim(external_ref="PO-1")
        self.new_claim(workload="EXCHANGE")
        self.assertEqual([x.id for x in self.ctx.find_claims(admin("A"), external_ref="PO-1")],
                         [c.id])
        self.assertEqual(list(self.ctx.find_claims(admin("A"), external_ref="PO-9")), [])
        self.ctx.edit_claim(admin("A"), c, external_ref="PO-2", expected_revision=c.revision)
        now = self.ctx.claim(admin("A"), c)
        self.assertEqual((now.external_ref, now.revision), ("PO-2", 2))
        with self.assertRaises(cpor.Conflict) as e:
            self.ctx.edit_claim(admin("A"), c, name="late", expected_revision=1)
        self.assertIn("is at revision 2, not the expected 1", str(e.exception))
        self.assertEqual(self.ctx.claim(admin("A"), c).name, now.name)
        self.assertEqual(self.ctx.replay(REVIEWER, c), self.ctx.claim(REVIEWER, c))
        with self.assertRaises(ValueError):
            self.ctx.edit_claim(admin("A"), c, expected_revision=-1)


if __name__ == "__main__":
    unittest.main()
