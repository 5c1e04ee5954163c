"""The outbox and the change feed from Python (issue 12)."""

import datetime as dt
import json
import unittest

import cpor
from helpers import REVIEWER, SYSTEM, WorldCase, admin


class TestOutbox(WorldCase):
    def test_messages_lease_and_ack(self):
        c = self.approved("A")
        msgs = self.ctx.lease_messages(SYSTEM, max=10, lease=dt.timedelta(seconds=30))
        self.assertEqual([m.kind for m in msgs], ["claim_submitted", "association_requested"])
        self.assertEqual([m.id for m in msgs], [1, 2])
        sub, req = msgs
        self.assertEqual((sub.recipient_role, sub.recipient_org), ("reviewer", None))
        self.assertEqual(req.recipient_role, "customer")
        self.assertEqual(req.claim_id, c.id)
        self.assertEqual(req.deliveries, 1)
        self.assertEqual(req.lease_until, self.ctx.now() + dt.timedelta(seconds=30))
        want = int(self.ctx.claim(REVIEWER, c).window_closes_at.timestamp() * 1000)
        self.assertEqual(json.loads(req.payload), {"opt_out_until": want})
        self.assertEqual(json.loads(req.json)["id"], 2)
        # Held: nothing more now; after the lease both come back.
        self.assertEqual(self.ctx.lease_messages(SYSTEM), [])
        self.ctx.ack_message(SYSTEM, sub)
        self.clock.advance(seconds=30)
        again = self.ctx.lease_messages(SYSTEM, lease=1000)
        self.assertEqual([(m.id, m.deliveries) for m in again], [(2, 2)])
        self.ctx.ack_message(SYSTEM, 2)
        with self.assertRaises(cpor.NotFound) as e:
            self.ctx.ack_message(SYSTEM, 2)
        self.assertIn("no outbox message 2", str(e.exception))

    def test_refusals(self):
        self.submitted("A")
        with self.assertRaises(cpor.PermissionDenied):
            self.ctx.lease_messages(REVIEWER)
        with self.assertRaises(cpor.InvalidArgument) as e:
            self.ctx.lease_messages(SYSTEM, max=0)
        self.assertEqual(str(e.exception).split(": ", 1)[-1], "max must be 1-1000 messages")
        with self.assertRaises(cpor.InvalidArgument):
            self.ctx.lease_messages(SYSTEM, lease=0)
        with self.assertRaises(ValueError):
            self.ctx.ack_message(SYSTEM, -1)
        with self.assertRaises(OverflowError):
            self.ctx.lease_messages(SYSTEM, lease=2 ** 40)
        with self.assertRaises(TypeError):
            self.ctx.ack_message(SYSTEM, "1")
        # Nothing was leased by the refused calls.
        self.assertEqual(len(self.ctx.lease_messages(SYSTEM)), 1)


class TestChanges(WorldCase):
    def test_feed(self):
        a = self.approved("A")
        b = self.submitted("B", workload="EXCHANGE")
        changes = self.ctx.changes_since(SYSTEM)
        self.assertEqual([ch.number for ch in changes], list(range(1, len(changes) + 1)))
        last = {}
        for ch in changes:
            self.assertGreater(ch.seq, last.get(ch.claim_id, 0))
            last[ch.claim_id] = ch.seq
        self.assertEqual(changes[-1].claim_id, b.id)
        self.assertEqual(changes[-1].state, cpor.State.SUBMITTED)
        self.assertEqual(last[a.id], len(list(self.ctx.history(REVIEWER, a))))
        mine = self.ctx.changes_since(admin("B"))
        self.assertEqual({ch.claim_id for ch in mine}, {b.id})
        self.assertEqual(self.ctx.changes_since(SYSTEM, after=len(changes)), [])
        self.assertEqual(len(self.ctx.changes_since(SYSTEM, limit=2)), 2)
        with self.assertRaises(cpor.InvalidArgument):
            self.ctx.changes_since(SYSTEM, limit=100001)


if __name__ == "__main__":
    unittest.main()
