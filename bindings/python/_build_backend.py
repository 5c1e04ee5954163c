"""PEP 517 backend: setuptools.build_meta, with a fallback for offline hosts.

setuptools < 70.1 needs the separate `wheel` package to build a wheel; on a
host without it (and without network), or without setuptools at all (a
Python >= 3.12 venv), this module builds the pure-Python wheel of `cpor`
itself (zipfile: the package's .py files and its py.typed marker, METADATA,
WHEEL, RECORD). So `pip install --no-index --no-build-isolation
./bindings/python` works in a fresh `python3 -m venv` with no network.
Everything else (sdist, editable installs) is setuptools'.
"""

import base64
import hashlib
import os
import zipfile

try:
    from setuptools import build_meta as _st
    from setuptools.build_meta import *  # noqa: F401,F403  (sdist, editable, ...)
except ImportError:  # no setuptools: wheels only (below)
    _st = None

NAME, VERSION = "cpor", "0.2.0"
_HERE = os.path.dirname(os.path.abspath(__file__))


def _have_wheel():
    if _st is None:
        return False
    try:
        import wheel  # noqa: F401
        return True
    except ImportError:
        return False


def get_requires_for_build_wheel(config_settings=None):
    return _st.get_requires_for_build_wheel(config_settings) if _have_wheel() else []


def get_requires_for_build_sdist(config_settings=None):
    if _st is None:
        raise RuntimeError("building an sdist of cpor needs setuptools")
    return _st.get_requires_for_build_sdist(config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    if _have_wheel():
        return _st.prepare_metadata_for_build_wheel(metadata_directory, config_settings)
    distinfo = "%s-%s.dist-info" % (NAME, VERSION)
    os.makedirs(os.path.join(metadata_directory, distinfo), exist_ok=True)
    with open(os.path.join(metadata_directory, distinfo, "METADATA"), "w") as f:
        f.write(_metadata())
    return distinfo


def _metadata():
    return ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
            "Summary: ctypes binding of libcpor\nLicense: MIT\nRequires-Python: >=3.8\n"
            % (NAME, VERSION))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if _have_wheel():
        return _st.build_wheel(wheel_directory, config_settings, metadata_directory)
    filename = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    distinfo = "%s-%s.dist-info" % (NAME, VERSION)
    files = {}
    pkg = os.path.join(_HERE, NAME)
    for entry in sorted(os.listdir(pkg)):
        if entry.endswith(".py") or entry == "py.typed":
            with open(os.path.join(pkg, entry), "rb") as f:
                files["%s/%s" % (NAME, entry)] = f.read()
    files[distinfo + "/METADATA"] = _metadata().encode()
    files[distinfo + "/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: cpor-backend\n"
                                  b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
    record.append(distinfo + "/RECORD,,")
    files[distinfo + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return filename
