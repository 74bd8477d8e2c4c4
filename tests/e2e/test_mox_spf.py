"""End-to-end tests of mox-spf: the check, lookup and parse verbs through the
built program with DNS answers from a zone file, and a cross-check with an
independent SPF implementation from Debian (pyspf, package python3-spf):
for each case, pyspf answers from the same zone (through its spf.DNSLookup
hook) and must reach the same MAIL FROM result. No test needs the internet.

Run by hand: MOX_BIN=<build dir> /usr/bin/python3 tests/e2e/test_mox_spf.py -v
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

try:
    import spf  # pyspf
except ImportError:  # pragma: no cover
    spf = None

# name -> [(type, value)]; TXT values are lists of character-strings, MX
# values (preference, host).
ZONE = {
    "pass.test": [("TXT", ["v=spf1 ip4:192.0.2.0/24 -all"])],
    "a.test": [("TXT", ["v=spf1 a -all"]), ("A", "192.0.2.10")],
    "mx.test": [("TXT", ["v=spf1 mx/24 -all"]), ("MX", (10, "mail.mx.test"))],
    "mail.mx.test": [("A", "198.51.100.5")],
    "soft.test": [("TXT", ["v=spf1 ip4:192.0.2.1 ~all"])],
    "neutral.test": [("TXT", ["v=spf1 ?all"])],
    "default.test": [("TXT", ["v=spf1 ip4:192.0.2.1"])],
    "two.test": [("TXT", ["v=spf1 -all"]), ("TXT", ["v=spf1 +all"])],
    "bad.test": [("TXT", ["v=spf1 ip4:192.0.2.1 foo -all"])],
    "split.test": [("TXT", ["v=spf1 ip4:192.0.2.", "0/24 -all"]), ("TXT", ["other text"])],
    "inc.test": [("TXT", ["v=spf1 include:pass.test -all"])],
    "incsoft.test": [("TXT", ["v=spf1 include:soft.test -all"])],
    "incnone.test": [("TXT", ["v=spf1 include:nothing.test -all"])],
    "red.test": [("TXT", ["v=spf1 redirect=pass.test"])],
    "rednone.test": [("TXT", ["v=spf1 redirect=nothing.test"])],
    "exists.test": [("TXT", ["v=spf1 exists:%{ir}.bl.test -all"])],
    "10.2.0.192.bl.test": [("A", "127.0.0.2")],
    "ip6.test": [("TXT", ["v=spf1 ip6:2001:db8::/32 -all"])],
    "ptr.test": [("TXT", ["v=spf1 ptr -all"])],
    "host.ptr.test": [("A", "192.0.2.77")],
    "77.2.0.192.in-addr.arpa": [("PTR", "host.ptr.test")],
    "exp.test": [("TXT", ["v=spf1 -all exp=why.exp.test"])],
    "why.exp.test": [("TXT", ["%{i} is not allowed for %{d}"])],
    "macro.test": [("TXT", ["v=spf1 exists:%{l}.users.%{d} -all"])],
    "alice.users.macro.test": [("A", "127.0.0.2")],
    "loop.test": [("TXT", ["v=spf1 include:loop.test -all"])],
    "void.test": [("TXT", ["v=spf1 a:n1.void.test a:n2.void.test a:n3.void.test ~all"])],
    "dual.test": [("TXT", ["v=spf1 a:host.dual.test/24//64 -all"])],
    "host.dual.test": [("A", "203.0.113.9"), ("AAAA", "2001:db8:5::1")],
    "helo.test": [("TXT", ["v=spf1 a -all"]), ("A", "192.0.2.99")],
}


def zone_text():
    lines = []
    for name, recs in ZONE.items():
        for t, v in recs:
            if t == "TXT":
                v = " ".join('"%s"' % s.replace("\\", "\\\\").replace('"', '\\"') for s in v)
            elif t == "MX":
                v = "%d %s." % (v[0], v[1])
            elif t == "PTR":
                v = v + "."
            lines.append("%s. %s %s" % (name, t, v))
    return "\n".join(lines) + "\n"


def pyspf_lookup(name, qtype, *args, **kwargs):
    """spf.DNSLookup over ZONE."""
    name = name.lower().rstrip(".")
    out = []
    for t, v in ZONE.get(name, []):
        if t != qtype:
            continue
        if t == "TXT":
            v = [s.encode() for s in v]
        out.append(((name, qtype), v))
    return out


# (ip, mail_from, helo): pyspf and mox-spf must agree on the MAIL FROM result.
CASES = [
    ("192.0.2.1", "a@pass.test", "h.test"),
    ("198.51.100.1", "a@pass.test", "h.test"),
    ("192.0.2.10", "a@a.test", "h.test"),
    ("192.0.2.11", "a@a.test", "h.test"),
    ("198.51.100.200", "a@mx.test", "h.test"),
    ("198.51.101.1", "a@mx.test", "h.test"),
    ("192.0.2.1", "a@soft.test", "h.test"),
    ("192.0.2.2", "a@soft.test", "h.test"),
    ("192.0.2.2", "a@neutral.test", "h.test"),
    ("192.0.2.2", "a@default.test", "h.test"),
    ("192.0.2.2", "a@two.test", "h.test"),
    ("192.0.2.1", "a@bad.test", "h.test"),
    ("192.0.2.5", "a@split.test", "h.test"),
    ("192.0.2.5", "a@inc.test", "h.test"),
    ("198.51.100.1", "a@inc.test", "h.test"),
    ("192.0.2.2", "a@incsoft.test", "h.test"),
    ("192.0.2.2", "a@incnone.test", "h.test"),
    ("192.0.2.3", "a@red.test", "h.test"),
    ("192.0.2.3", "a@rednone.test", "h.test"),
    ("192.0.2.10", "a@exists.test", "h.test"),
    ("192.0.2.11", "a@exists.test", "h.test"),
    ("2001:db8::1", "a@ip6.test", "h.test"),
    ("2001:db9::1", "a@ip6.test", "h.test"),
    ("192.0.2.1", "a@ip6.test", "h.test"),
    ("192.0.2.77", "a@ptr.test", "h.test"),
    ("192.0.2.78", "a@ptr.test", "h.test"),
    ("192.0.2.8", "alice@macro.test", "h.test"),
    ("192.0.2.8", "bob@macro.test", "h.test"),
    ("192.0.2.8", "a@loop.test", "h.test"),
    ("192.0.2.8", "a@void.test", "h.test"),
    ("203.0.113.200", "a@dual.test", "h.test"),
    ("2001:db8:5::ffff", "a@dual.test", "h.test"),
    ("2001:db8:6::1", "a@dual.test", "h.test"),
    ("192.0.2.8", "a@nothing.test", "h.test"),
    ("192.0.2.99", "", "helo.test"),
    ("192.0.2.98", "", "helo.test"),
    ("192.0.2.9", "a@exp.test", "h.test"),
]


def mox_spf(*args, input=None, expect=0):
    e = dict(os.environ)
    e.pop("MOX_CONFIG", None)
    p = subprocess.run([moxtest.bin_path("mox-spf")] + list(args), input=input, capture_output=True,
                       text=True, env=e, timeout=60, cwd=tempfile.gettempdir())
    if expect is not None and p.returncode != expect:
        raise AssertionError("mox-spf %s: exit %d, expected %d\nstdout: %s\nstderr: %s" % (
            " ".join(args), p.returncode, expect, p.stdout, p.stderr))
    return p


class MoxSpf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mox-spf-")
        cls.zone = os.path.join(cls.tmp, "spf.zone")
        with open(cls.zone, "w") as f:
            f.write(zone_text())

    def check(self, ip, mail_from, helo, *extra):
        return mox_spf("check", "--ip", ip, "--mail-from", mail_from, "--helo", helo,
                       "--zone-file", self.zone, *extra)

    def test_pass(self):
        out = self.check("192.0.2.1", "a@pass.test", "h.test").stdout.splitlines()
        self.assertEqual(out[0], "pass")
        self.assertEqual(out[1], "mechanism: ip4:192.0.2.0/24")

    def test_fail_with_exp(self):
        out = self.check("192.0.2.9", "a@exp.test", "h.test").stdout.splitlines()
        self.assertEqual(out[0], "fail")
        self.assertIn("mechanism: -all", out)
        self.assertIn("explanation: 192.0.2.9 is not allowed for exp.test", out)

    def test_softfail(self):
        self.assertEqual(self.check("192.0.2.2", "a@soft.test", "h.test").stdout.split("\n")[0],
                         "softfail")

    def test_permerror_two_records(self):
        out = self.check("192.0.2.2", "a@two.test", "h.test").stdout.splitlines()
        self.assertEqual(out[0], "permerror")
        self.assertTrue(any(l.startswith("problem: ") and "2 SPF records" in l for l in out), out)

    def test_helo_identity(self):
        out = self.check("192.0.2.99", "a@nothing.test", "helo.test").stdout
        first, helo = out.split("\n\n")
        self.assertEqual(first.splitlines()[0], "none")
        self.assertEqual(helo.splitlines()[0], "helo: pass")

    def test_json(self):
        out = self.check("192.0.2.99", "", "helo.test", "--json", "--receiver", "mx.example").stdout
        obj = json.loads(out)
        self.assertEqual(obj["mailfrom"]["result"], "pass")
        self.assertEqual(obj["mailfrom"]["sender"], "postmaster@helo.test")
        self.assertEqual(obj["helo"]["result"], "pass")
        self.assertEqual(obj["helo"]["identity"], "helo")
        self.assertTrue(obj["mailfrom"]["header"].startswith("Received-SPF: pass (mx.example: "))
        self.assertTrue(obj["mailfrom"]["header"].endswith("identity=mailfrom\r\n"))

    def test_lookup(self):
        self.assertEqual(mox_spf("lookup", "a.test", "--zone-file", self.zone).stdout, "v=spf1 a -all\n")
        self.assertEqual(mox_spf("lookup", "nothing.test", "--zone-file", self.zone).stdout, "none\n")
        out = mox_spf("lookup", "two.test", "--zone-file", self.zone).stdout
        self.assertTrue(out.startswith("permerror: "), out)

    def test_parse(self):
        out = mox_spf("parse", input="v=spf1 +a MX/24 -ip4:192.0.2.0/24 redirect=x.test\n").stdout
        self.assertEqual(out, "a\nmx/24\n-ip4:192.0.2.0/24\nredirect=x.test\n")
        p = mox_spf("parse", input="v=spf1 a -al\n", expect=1)
        self.assertTrue(p.stderr.startswith("mox-spf: "), p.stderr)
        self.assertIn("-al", p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1)

    def test_user_errors(self):
        p = mox_spf("check", "--ip", "192.0.2", "--mail-from", "a@a.test", "--helo", "h.test",
                    "--zone-file", self.zone, expect=1)
        self.assertIn("not an IP address", p.stderr)
        mox_spf("check", "--ip", "192.0.2.1", "--mail-from", "a@a.test", "--helo", "h.test",
                "--zone-file", os.path.join(self.tmp, "missing.zone"), expect=1)

    def test_usage(self):
        mox_spf("check", "--ip", "192.0.2.1", expect=2)
        mox_spf("frobnicate", expect=2)
        mox_spf(expect=2)
        out = mox_spf("--help").stdout
        for verb in ("check", "lookup", "parse"):
            self.assertIn(verb, out)
        self.assertIn("--mail-from", mox_spf("check", "--help").stdout)

    @unittest.skipIf(spf is None, "pyspf (python3-spf) is not installed")
    def test_pyspf_agrees(self):
        saved = spf.DNSLookup
        spf.DNSLookup = pyspf_lookup
        agreed, differ = [], []
        try:
            for ip, mail_from, helo in CASES:
                want, _ = spf.check2(i=ip, s=mail_from, h=helo)
                got = self.check(ip, mail_from, helo).stdout.split("\n")[0]
                (agreed if got == want else differ).append((ip, mail_from, helo, want, got))
        finally:
            spf.DNSLookup = saved
        for ip, mf, helo, want, got in agreed:
            print("agree: %-18s %-20s %-10s %s" % (ip, mf or "<>", helo, got))
        self.assertEqual(differ, [], "cases where pyspf (want) and mox-spf (got) differ")
        self.assertGreaterEqual(len(agreed), 30)


if __name__ == "__main__":
    unittest.main()
