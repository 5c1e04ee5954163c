"""Times numpy.busday_offset / busday_count on the data bench_calendar wrote,
checks that libcpor's results are numpy's, and prints numpy_ns / libcpor_ns.

usage: bench_numpy.py DATAFILE   (layout: see write_data in bench_calendar.c)
Exit status 1 when a result differs; 0 with a message when numpy is missing.
"""
import struct
import sys
import time

try:
    import numpy as np
except ImportError:
    print("numpy comparison skipped: numpy is not installed for", sys.executable)
    sys.exit(0)

FIGS = ["add5_scalar", "add5_batch", "addr_scalar", "count_scalar", "count_batch", "isbiz_scalar"]


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:8] != b"CPORBNCH":
        sys.exit("bench_numpy: bad data file")
    n, nh = struct.unpack_from("=ii", raw, 8)
    off = 16
    ns = dict(zip(FIGS, struct.unpack_from("=%dd" % len(FIGS), raw, off)))
    off += 8 * len(FIGS)

    def take(count, dtype):
        nonlocal off
        a = np.frombuffer(raw, dtype=dtype, count=count, offset=off)
        off += a.nbytes
        return a

    d = dict(
        dates=take(n, np.int32), nrand=take(n, np.int32), to=take(n, np.int32),
        holidays=take(nh, np.int32), add5=take(n, np.int32), addr=take(n, np.int32),
        count=take(n, np.int64))
    return n, ns, d


def best(fn, repeat=3):
    t_best = None
    for _ in range(repeat):
        t = time.perf_counter()
        r = fn()
        t = time.perf_counter() - t
        t_best = t if t_best is None or t < t_best else t_best
    return t_best, r


def main():
    n, ns, d = load(sys.argv[1])
    day = "datetime64[D]"
    dates = d["dates"].astype(np.int64).view(day)
    to = d["to"].astype(np.int64).view(day)
    cal = np.busdaycalendar(weekmask="1111100", holidays=d["holidays"].astype(np.int64).view(day))

    # libcpor's "n-th business day strictly after d" is numpy's offset from d
    # rolled backward (n > 0); "|n|-th strictly before" and n = 0 (following)
    # are numpy's offset from d rolled forward.
    t_add5, add5 = best(lambda: np.busday_offset(dates, 5, roll="backward", busdaycal=cal))
    pos = d["nrand"] > 0
    dp, dn = dates[pos], dates[~pos]
    np_, nn = d["nrand"][pos], d["nrand"][~pos]

    def addr():
        out = np.empty(n, dtype=day)
        out[pos] = np.busday_offset(dp, np_, roll="backward", busdaycal=cal)
        out[~pos] = np.busday_offset(dn, nn, roll="forward", busdaycal=cal)
        return out

    t_addr, addr_r = best(addr)
    t_count, count = best(lambda: np.busday_count(dates, to, busdaycal=cal))
    t_isbiz, _ = best(lambda: np.is_busday(dates, busdaycal=cal))

    bad = 0
    for name, mine, theirs in [("add(+5)", d["add5"], add5.view(np.int64)),
                               ("add(random)", d["addr"], addr_r.view(np.int64)),
                               ("count", d["count"], count.astype(np.int64))]:
        diff = np.nonzero(mine.astype(np.int64) != theirs)[0]
        if diff.size:
            i = diff[0]
            print("MISMATCH %s: %d of %d differ; first: date %s, libcpor %s, numpy %s" % (
                name, diff.size, n, dates[i], mine[i], theirs[i]))
            bad += 1
        else:
            print("  %-28s all %d results equal numpy's" % (name, n))
    if bad:
        sys.exit(1)

    rows = [("add(+5)", t_add5, ["add5_scalar", "add5_batch"]),
            ("add(random +-260)", t_addr, ["addr_scalar"]),
            ("count", t_count, ["count_scalar", "count_batch"]),
            ("is_business_day", t_isbiz, ["isbiz_scalar"])]
    print("  numpy %s:" % np.__version__)
    for label, t, figs in rows:
        np_ns = t * 1e9 / n
        ratios = ", ".join("%s %.1fx" % (f.split("_")[1], np_ns / ns[f]) for f in figs)
        print("  %-28s numpy %6.2f ns/op; numpy/libcpor: %s" % (label, np_ns, ratios))


main()
