"""Directory calls through the binding: the actor comes first (DESIGN.md 1.4)."""

import unittest

import cpor
from cpor import Actor, Program, Role
from helpers import CUSTOMER, MPN, REVIEWER, TENANT, WorldCase, admin


class DirectoryAuthz(WorldCase):
    """Directory calls take the actor first (DESIGN.md 1.4)."""

    def test_writes_need_the_system_or_own_global_admin(self):
        with self.assertRaises(cpor.PermissionDenied):
            self.ctx.create_partner(admin("A"), "Z", "Partner Z")
        with self.assertRaises(cpor.PermissionDenied):
            self.ctx.enroll(admin("B"), MPN["A"], Program.OSU_M365, enrolled=False)
        ga = Actor(Role.GLOBAL_ADMIN, "A", "ga@a")
        self.ctx.create_location(ga, "A", "1000009", "A branch")
        self.ctx.rename_location(ga, "1000009", "A north")
        self.assertEqual(self.ctx.location(ga, "1000009").name, "A north")
        with self.assertRaises(cpor.NotFound) as other:
            self.ctx.rename_location(ga, MPN["B"], "mine now")
        with self.assertRaises(cpor.NotFound) as unknown:
            self.ctx.rename_location(ga, "9999999", "mine now")
        self.assertEqual(other.exception.message,
                         unknown.exception.message.replace("9999999", MPN["B"]))

    def test_reads_are_filtered(self):
        self.assertEqual([p.id for p in self.ctx.partners(admin("B"))], ["B"])
        self.assertEqual([l.mpn_id for l in self.ctx.locations(admin("B"))], [MPN["B"]])
        self.assertEqual([p.id for p in self.ctx.partners(REVIEWER)], ["A", "B", "C"])
        self.assertEqual([t.id for t in self.ctx.tenants(CUSTOMER)], [TENANT])
        self.assertEqual([c.id for c in self.ctx.customers(CUSTOMER)],
                         [self.customer_id])
        self.assertEqual(list(self.ctx.tenants(admin("A"))), [])
        self.assertEqual(list(self.ctx.subscriptions(CUSTOMER, TENANT)), [])
        with self.assertRaises(cpor.NotFound):
            self.ctx.partner(CUSTOMER, "A")
        with self.assertRaises(cpor.NotFound):
            self.ctx.locations(admin("A"), "B")
        self.assertEqual(self.ctx.workload(CUSTOMER, "TEAMS").code, "TEAMS")
        with self.assertRaises(TypeError):
            self.ctx.partner("A")


if __name__ == "__main__":
    unittest.main()
