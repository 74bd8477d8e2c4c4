"""End-to-end tests of mox-dmarc: `lookup` through the built program with
DNS answers from a zone file (no test needs the internet): the record at
the From domain, the fallback to the organizational domain (RFC 7489
§6.6.3), no record, two records, and usage errors.

Run by hand: MOX_BIN=build /usr/bin/python3 tests/e2e/test_mox_dmarc.py -v
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

ZONE = """$ORIGIN example.com.
_dmarc        TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
_dmarc        TXT "not a DMARC record"
_dmarc.own    TXT ( "v=DMARC1; " "p=quarantine; pct=50" )
_dmarc.two    TXT "v=DMARC1; p=none"
_dmarc.two    TXT "v=DMARC1; p=reject"
_dmarc.bad    TXT "v=DMARC1; p=reject; adkim=x"
"""

PSL = "com\nco.uk\n"


class MoxDmarcTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.zone = os.path.join(self.tmp.name, "test.zone")
        with open(self.zone, "w") as f:
            f.write(ZONE)
        self.psl = os.path.join(self.tmp.name, "psl.dat")
        with open(self.psl, "w") as f:
            f.write(PSL)

    def tearDown(self):
        self.tmp.cleanup()

    def run_dmarc(self, *args, expect=0):
        env = dict(os.environ)
        env.pop("MOX_CONFIG", None)
        p = subprocess.run([moxtest.bin_path("mox-dmarc")] + list(args), capture_output=True,
                           text=True, env=env, cwd=self.tmp.name, timeout=60)
        self.assertEqual(p.returncode, expect, "stdout: %r stderr: %r" % (p.stdout, p.stderr))
        return p

    def lookup(self, domain, *extra, expect=0):
        return self.run_dmarc("lookup", domain, "--zone-file", self.zone, "--psl", self.psl, *extra,
                              expect=expect)

    def test_record_at_from_domain(self):
        p = self.lookup("example.com")
        self.assertEqual(p.stdout, "example.com\nv=DMARC1; p=reject; rua=mailto:dmarc@example.com\n")
        p = self.lookup("Own.Example.COM.")
        self.assertEqual(p.stdout, "own.example.com\nv=DMARC1; p=quarantine; pct=50\n")

    def test_fallback_to_organizational_domain(self):
        p = self.lookup("mail.sub.example.com")
        self.assertEqual(p.stdout, "example.com\nv=DMARC1; p=reject; rua=mailto:dmarc@example.com\n")

    def test_none(self):
        self.assertEqual(self.lookup("example.net").stdout, "none\n")
        self.assertEqual(self.lookup("a.example.co.uk").stdout, "none\n")

    def test_errors(self):
        p = self.lookup("two.example.com")
        self.assertTrue(p.stdout.startswith("permerror: 2 DMARC records at _dmarc.two.example.com"), p.stdout)
        p = self.lookup("bad.example.com")
        self.assertTrue(p.stdout.startswith("permerror: "), p.stdout)
        self.assertIn("adkim", p.stdout)

    def test_installed_public_suffix_list(self):
        if not os.path.exists("/usr/share/publicsuffix/public_suffix_list.dat"):
            self.skipTest("publicsuffix not installed")
        p = self.run_dmarc("lookup", "mail.example.com", "--zone-file", self.zone)
        self.assertEqual(p.stdout.splitlines()[0], "example.com")

    def test_user_errors(self):
        p = self.lookup("a..b", expect=1)
        self.assertTrue(p.stderr.startswith("mox-dmarc: "), p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        p = self.run_dmarc("lookup", "example.com", "--zone-file", self.zone, "--psl",
                           os.path.join(self.tmp.name, "missing.dat"), expect=1)
        self.assertIn("missing.dat", p.stderr)
        p = self.run_dmarc("--config", os.path.join(self.tmp.name, "nope.conf"), "lookup", "example.com",
                           expect=1)
        self.assertTrue(p.stderr.startswith("mox-dmarc: "), p.stderr)

    def test_usage(self):
        self.run_dmarc(expect=2)
        self.run_dmarc("lookup", expect=2)
        self.run_dmarc("frobnicate", expect=2)
        self.run_dmarc("lookup", "a.example", "b.example", expect=2)
        self.run_dmarc("lookup", "example.com", "--bogus", expect=2)
        self.assertIn("lookup", self.run_dmarc("--help").stdout)


if __name__ == "__main__":
    unittest.main()
