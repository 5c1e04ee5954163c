"""The ctypes declarations of cpor/_lib.py against the public headers.

The headers (include/cpor/{common,calendar,model,context}.h; $CPOR_INCLUDE_DIR
overrides the directory) are parsed with regular expressions; every
prototype, struct layout, function-pointer typedef and enumeration value is
compared with the binding, so a header change cannot silently break it.

Type mapping: int -> c_int, int32_t/cpor_date -> c_int32, int64_t/cpor_time ->
c_int64, uint32_t, uint64_t, size_t -> the same-named ctypes type, enums ->
c_int, void -> None; char * (const or not) -> c_char_p; a pointer to an opaque
struct or void -> c_void_p; a pointer to a known struct or scalar ->
POINTER(it); a pointer to a pointer -> POINTER(c_void_p) (or POINTER(c_char_p)
for char **).
"""

import ctypes
import os
import re
import unittest

import cpor
from cpor import _lib, errors
from cpor.model import CLAIM_FIELDS

HEADERS = ("common.h", "calendar.h", "model.h", "context.h", "feed.h", "transfer.h")
INCLUDE = os.environ.get("CPOR_INCLUDE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "include", "cpor")

SCALARS = {
    "int": ctypes.c_int, "int32_t": ctypes.c_int32, "int64_t": ctypes.c_int64,
    "uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64, "size_t": ctypes.c_size_t,
    "char": ctypes.c_char,
}


def _source():
    text = ""
    for h in HEADERS:
        with open(os.path.join(INCLUDE, h)) as f:
            text += f.read() + "\n"
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    text = re.sub(r"^\s*#.*?(?<!\\)$", " ", text, flags=re.M | re.S)  # directives
    text = re.sub(r"\\\n", " ", text)
    return text


class Header:
    def __init__(self, src):
        self.typedefs = {}  # name -> base type name
        self.opaque = set()
        self.enums = {}  # enum name -> {member: value}
        self.structs = {}  # name -> [(field, type string)]
        self.fntypes = {}  # name -> (ret, [params])
        self.functions = {}  # name -> (ret, [params])
        for m in re.finditer(r"typedef\s+struct\s+(\w+)\s+(\w+)\s*;", src):
            self.opaque.add(m.group(2))
        for m in re.finditer(r"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;", src, re.S):
            fields = []
            for decl in m.group(2).split(";"):
                decl = " ".join(decl.split())
                if decl:
                    fields.append(self._split(decl))
            self.structs[m.group(3)] = fields
        for m in re.finditer(r"(typedef\s+)?enum\s+(\w+)\s*\{(.*?)\}\s*(\w+)?\s*;", src, re.S):
            values, nxt = {}, 0
            for item in m.group(3).split(","):
                item = item.strip()
                if not item:
                    continue
                name, _, val = item.partition("=")
                nxt = int(val.strip()) if val.strip() else nxt
                values[name.strip()] = nxt
                nxt += 1
            self.enums[m.group(2)] = values
            if m.group(4):
                self.typedefs[m.group(4)] = "int"
        for m in re.finditer(r"typedef\s+(u?int\d+_t|int|size_t)\s+(\w+)\s*;", src):
            self.typedefs[m.group(2)] = m.group(1)
        for m in re.finditer(r"typedef\s+([\w\s*]+?)\(\s*\*\s*(\w+)\s*\)\s*\(([^)]*)\)\s*;", src):
            self.fntypes[m.group(2)] = (m.group(1).strip(), self._params(m.group(3)))
        for m in re.finditer(r"CPOR_API\s+([\w\s*]+?)(\w+)\s*\(([^)]*)\)\s*;", src):
            self.functions[m.group(2)] = (m.group(1).strip(), self._params(m.group(3)))

    @staticmethod
    def _split(decl):
        """'const char *name' -> ('name', 'const char *')."""
        m = re.match(r"(.*?)(\w+)\s*$", decl)
        return m.group(2), m.group(1).strip()

    def _params(self, text):
        text = " ".join(text.split())
        if text in ("", "void"):
            return []
        return [self._split(p.strip())[1] for p in text.split(",")]

    def ctypes_options(self, ctype):
        """The set of ctypes types acceptable for a C type string."""
        nptr = ctype.count("*")
        words = [w for w in re.findall(r"\w+", ctype) if w not in ("const", "struct", "enum")]
        assert len(words) == 1, ctype
        base = words[0]
        if nptr == 0:
            if base == "void":
                return {None}
            if base in _lib.STRUCTS:
                return {_lib.STRUCTS[base]}
            if base in _lib.FUNCTION_TYPES:
                return {_lib.FUNCTION_TYPES[base]}
            base = self.typedefs.get(base, base)
            return {SCALARS[base]}
        if nptr == 1:
            if base == "char":
                return {ctypes.c_char_p, ctypes.POINTER(ctypes.c_char)}
            if base == "void" or base in self.opaque and base not in _lib.STRUCTS:
                return {ctypes.c_void_p}
            return {ctypes.POINTER(t) for t in self.ctypes_options(base)}
        if base == "char" and nptr == 2:
            return {ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_void_p)}
        return {ctypes.POINTER(ctypes.c_void_p)}


HDR = Header(_source())


class Prototypes(unittest.TestCase):
    def test_headers_parsed(self):
        self.assertGreater(len(HDR.functions), 150)
        self.assertIn("cpor_calendar_deadline", HDR.functions)

    def test_every_declaration_matches(self):
        for name, (restype, argtypes) in _lib.FUNCTIONS.items():
            with self.subTest(function=name):
                self.assertIn(name, HDR.functions, "not declared in the public headers")
                ret, params = HDR.functions[name]
                self.assertIn(restype, HDR.ctypes_options(ret), "return type %r" % ret)
                self.assertEqual(len(argtypes), len(params), "argument count")
                for i, (ct, c) in enumerate(zip(argtypes, params)):
                    self.assertIn(ct, HDR.ctypes_options(c), "argument %d (%s)" % (i + 1, c))

    def test_every_public_function_is_bound(self):
        self.assertEqual(sorted(set(HDR.functions) - set(_lib.FUNCTIONS)), [])

    def test_loaded_functions_carry_the_table(self):
        for name, (restype, argtypes) in _lib.FUNCTIONS.items():
            fn = getattr(_lib.lib, name)
            self.assertIs(fn.restype, restype, name)
            self.assertEqual(list(fn.argtypes), list(argtypes), name)

    def test_function_pointer_types(self):
        for cname, pytype in _lib.FUNCTION_TYPES.items():
            ret, params = HDR.fntypes[cname]
            self.assertIn(pytype._restype_, HDR.ctypes_options(ret))
            self.assertEqual(len(pytype._argtypes_), len(params))
            for ct, c in zip(pytype._argtypes_, params):
                self.assertIn(ct, HDR.ctypes_options(c), cname)

    def test_structs(self):
        for cname, pytype in _lib.STRUCTS.items():
            with self.subTest(struct=cname):
                fields = HDR.structs[cname]
                self.assertEqual([f for f, _ in fields], [f for f, _ in pytype._fields_])
                for (fname, ctype), (_, ct) in zip(fields, pytype._fields_):
                    self.assertIn(ct, HDR.ctypes_options(ctype), "%s.%s" % (cname, fname))
        public = {n for n in HDR.structs}
        self.assertEqual(public - set(_lib.STRUCTS), set())


class Enumerations(unittest.TestCase):
    CASES = [
        ("cpor_state", "CPOR_STATE_", cpor.State),
        ("cpor_reason", "CPOR_REASON_", cpor.Reason),
        ("cpor_area", "CPOR_AREA_", cpor.Area),
        ("cpor_activity", "CPOR_ACTIVITY_", cpor.Activity),
        ("cpor_program", "CPOR_PROGRAM_", cpor.Program),
        ("cpor_channel", "CPOR_CHANNEL_", cpor.Channel),
        ("cpor_sub_state", "CPOR_SUB_", cpor.SubState),
        ("cpor_role", "CPOR_ROLE_", cpor.Role),
        ("cpor_event_kind", "CPOR_EVENT_", cpor.EventKind),
        ("cpor_roll", "CPOR_ROLL_", cpor.Roll),
    ]

    def test_values(self):
        for enum, prefix, pyenum in self.CASES:
            with self.subTest(enum=enum):
                c = {k[len(prefix):]: v for k, v in HDR.enums[enum].items()}
                self.assertEqual(c, {m.name: m.value for m in pyenum})
        units = HDR.enums["cpor_day_unit"]
        self.assertEqual(units["CPOR_BUSINESS_DAYS"], cpor.DayUnit.BUSINESS)
        self.assertEqual(units["CPOR_CALENDAR_DAYS"], cpor.DayUnit.CALENDAR)
        fields = {k[len("CPOR_FIELD_"):].lower(): v for k, v in HDR.enums["cpor_field"].items()}
        self.assertEqual(fields, CLAIM_FIELDS)

    def test_names_agree_with_library(self):
        lib = _lib.lib
        for fn, pyenum in ((lib.cpor_state_name, cpor.State), (lib.cpor_role_name, cpor.Role),
                           (lib.cpor_reason_name, cpor.Reason),
                           (lib.cpor_event_kind_name, cpor.EventKind)):
            for m in pyenum:
                if m.value == 0:
                    continue
                self.assertEqual(fn(m.value).decode().upper(), m.name)

    def test_status_codes(self):
        status = HDR.enums["cpor_status"]
        self.assertEqual(_lib.lib.cpor_status_count(), len(status))
        self.assertEqual(status["CPOR_ITEROVER"], _lib.ITEROVER)
        for name, code in status.items():
            if name in ("CPOR_OK", "CPOR_ITEROVER"):
                continue
            with self.subTest(code=name):
                cls = errors.error_class(code)
                self.assertIsNot(cls, errors.CporError)
                self.assertEqual((cls.code, cls.name), (code, name))
                self.assertEqual(_lib.lib.cpor_status_name(code).decode(), name)

    def test_versions(self):
        self.assertEqual(HDR.typedefs["cpor_date"], "int32_t")
        self.assertEqual(HDR.typedefs["cpor_time"], "int64_t")
        raw = ""
        for h in HEADERS:
            with open(os.path.join(INCLUDE, h)) as f:
                raw += f.read()
        for macro, value in (("CPOR_ACTOR_VERSION", _lib.ACTOR_VERSION),
                             ("CPOR_CTX_OPTIONS_VERSION", _lib.CTX_OPTIONS_VERSION),
                             ("CPOR_SQLITE_OPTIONS_VERSION", _lib.SQLITE_OPTIONS_VERSION),
                             ("CPOR_CLAIM_SPEC_VERSION", _lib.CLAIM_SPEC_VERSION),
                             ("CPOR_CLAIM_QUERY_VERSION", _lib.CLAIM_QUERY_VERSION)):
            m = re.search(r"#define\s+%s\s+(\d+)" % macro, raw)
            self.assertEqual(int(m.group(1)), value, macro)
        self.assertIn("#define CPOR_TIME_NONE INT64_MIN", raw)
        self.assertGreaterEqual(cpor.VERSION, _lib.MIN_VERSION)


if __name__ == "__main__":
    unittest.main()
