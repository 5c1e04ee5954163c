"""The README runs as written: its Python example, and its getting-started
shell block in a copy of the clone's layout (what a newcomer types)."""

import contextlib
import glob
import io
import os
import re
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)  # bindings/python
README = os.path.join(PACKAGE_ROOT, "README.md")
BUILD_LINE = "meson setup build && ninja -C build"


def _readme():
    with open(README) as f:
        return f.read()


class Readme(unittest.TestCase):
    def test_example_runs(self):
        code = re.search(r"```python\n(.*?)```", _readme(), re.S).group(1)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
        text = out.getvalue()
        self.assertIn("ASSOCIATED", text)
        self.assertIn("2026-11-30", text)
        self.assertIn("CPOR_EWINDOW", text)

    def test_getting_started_from_a_fresh_clone(self):
        """The shell block, from the root of a tree laid out like a fresh clone
        after its build step: bindings/python copied, build/ the real build
        tree. No CPOR_LIBRARY or PYTHONPATH from the test environment."""
        lib = os.environ.get("CPOR_LIBRARY")
        if not lib:
            self.skipTest("CPOR_LIBRARY (the built libcpor.so.1) is not set")
        m = re.search(r"<!-- test_readme.py: shell -->\n```sh\n(.*?)```", _readme(), re.S)
        self.assertIsNotNone(m, "README lost its tested getting-started block")
        script = m.group(1)
        self.assertIn(BUILD_LINE, script)
        # The build itself is meson's job here (this test runs inside it).
        script = script.replace(BUILD_LINE, "test -e build/lib/libcpor.so.1")
        build_root = os.path.dirname(os.path.dirname(os.path.abspath(lib)))
        with tempfile.TemporaryDirectory() as root:
            shutil.copytree(PACKAGE_ROOT, os.path.join(root, "bindings", "python"),
                            ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
            os.symlink(build_root, os.path.join(root, "build"))
            env = {k: v for k, v in os.environ.items()
                   if k not in ("CPOR_LIBRARY", "PYTHONPATH", "VIRTUAL_ENV")}
            env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
            r = subprocess.run(["bash", "-eu", "-o", "pipefail", "-c", script], cwd=root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, timeout=240)
            self.assertEqual(r.returncode, 0, r.stdout)
            import cpor

            want = "%s %s" % (cpor.VERSION_STRING,
                              os.path.join(root, "build", "lib", "libcpor.so.1"))
            lines = [ln for ln in r.stdout.splitlines() if ln.startswith(cpor.VERSION_STRING)]
            self.assertEqual(lines, [want, want], r.stdout)
            typed = glob.glob(os.path.join(root, ".venv", "lib", "python3*", "site-packages",
                                           "cpor", "py.typed"))
            self.assertEqual(len(typed), 1, "py.typed not installed into the venv")


if __name__ == "__main__":
    unittest.main()
