"""The README example runs as written."""

import contextlib
import io
import os
import re
import unittest

README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")


class Readme(unittest.TestCase):
    def test_example_runs(self):
        with open(README) as f:
            code = re.search(r"```python\n(.*?)```", f.read(), re.S).group(1)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        text = out.getvalue()
        self.assertIn("ASSOCIATED", text)
        self.assertIn("2026-11-30", text)
        self.assertIn("CPOR_ESTATE", text)


if __name__ == "__main__":
    unittest.main()
