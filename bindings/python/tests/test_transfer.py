"""Context.export / import_ / verify (cpor/transfer.h)."""

import io
import os
import tempfile
import unittest

import cpor
from helpers import SYSTEM, WorldCase, admin


class TestTransfer(WorldCase):
    def test_round_trip_and_verify(self):
        self.approved("A")
        self.submitted("B", workload="EXCHANGE")
        self.assertEqual(self.ctx.verify(SYSTEM), [])
        first = io.BytesIO()
        self.ctx.export(SYSTEM, first)
        lines = first.getvalue().splitlines()
        self.assertIn(b'"type":"header"', lines[0])
        self.assertIn(b'"type":"end"', lines[-1])
        other = cpor.Context(clock=self.clock)
        self.addCleanup(other.close)
        rep = other.import_(SYSTEM, io.BytesIO(first.getvalue()))
        self.assertEqual(rep["claims"], 2)
        again = io.BytesIO()
        other.export(SYSTEM, again)
        self.assertEqual(again.getvalue(), first.getvalue())
        self.assertEqual(other.verify(SYSTEM), [])
        # A path works as well; a store that is not empty is refused.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.jsonl")
            self.ctx.export(SYSTEM, path)
            with self.assertRaises(cpor.CporError) as e:
                other.import_(SYSTEM, path)
            self.assertIn("not empty", str(e.exception))

    def test_refusals(self):
        with self.assertRaises(cpor.CporError) as e:
            self.ctx.export(admin("A"), io.BytesIO())
        self.assertIn("may not export the store", str(e.exception))
        other = cpor.Context(clock=self.clock)
        self.addCleanup(other.close)
        with self.assertRaises(cpor.CporError) as e:
            other.import_(SYSTEM, io.BytesIO(b'{"format":"libcpor-export","type":"header",'
                                             b'"version":1}\n'))
        self.assertIn("line 2: the input ends without its trailer", str(e.exception))

    def test_writer_failure_is_raised(self):
        class Broken(io.RawIOBase):
            def write(self, b):
                raise OSError("disk full")
        with self.assertRaises(OSError):
            self.ctx.export(SYSTEM, Broken())


if __name__ == "__main__":
    unittest.main()
