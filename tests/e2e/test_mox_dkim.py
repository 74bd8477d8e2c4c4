"""End-to-end tests of mox-dkim: keys, TXT records, signing and
verification through the built program, and interoperability with an
independent DKIM implementation from Debian (dkimpy, package python3-dkim,
with python3-nacl for ed25519): our signatures verify with dkimpy, and
dkimpy's signatures verify with `mox-dkim verify`. DNS answers come from a
zone file (mox-dkim) or a dnsfunc (dkimpy); no test needs the internet.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_dkim.py -v
"""

import base64
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

try:
    import dkim  # dkimpy
    import nacl  # noqa: F401  (dkimpy's ed25519 support)
except ImportError:  # pragma: no cover
    dkim = None

DOMAIN = "example.org"
MESSAGE = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.net>\r\n"
           b"Subject: Interoperability   test\r\n"
           b"Date: Mon, 01 Jan 2024 12:00:00 +0000\r\n"
           b"Message-ID: <interop@example.org>\r\n"
           b"\r\n"
           b"Hello Bob,  \r\n"
           b"\r\n"
           b"this is a test.\r\n"
           b"\r\n")

# RFC 8463 Appendix A.3 and the keys of A.2.
RFC8463_MESSAGE = (
    b"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
    b" d=football.example.com; i=@football.example.com;\r\n"
    b" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
    b" subject : date : message-id : from : subject : date;\r\n"
    b" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    b" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
    b" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
    b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    b" d=football.example.com; i=@football.example.com;\r\n"
    b" q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
    b" date : message-id : from : subject : date;\r\n"
    b" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    b" b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
    b" DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
    b" dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
    b"From: Joe SixPack <joe@football.example.com>\r\n"
    b"To: Suzie Q <suzie@shopping.example.net>\r\n"
    b"Subject: Is dinner ready?\r\n"
    b"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
    b"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
    b"\r\n"
    b"Hi.\r\n"
    b"\r\n"
    b"We lost the game.  Are you hungry yet?\r\n"
    b"\r\n"
    b"Joe.\r\n")
RFC8463_ZONE = """$ORIGIN _domainkey.football.example.com.
brisbane IN TXT ( "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" )
test     IN TXT ( "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
                  "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
                  "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
                  "Ip3G+2kryOTIKT+l/K4w3QIDAQAB" )
"""


def mox_dkim(*args, input=b"", expect=0, env=None):
    """Runs the built mox-dkim in binary mode (CRLF must survive)."""
    e = dict(os.environ)
    e.pop("MOX_CONFIG", None)
    if env:
        e.update(env)
    p = subprocess.run([moxtest.bin_path("mox-dkim")] + [str(a) for a in args], input=input,
                       capture_output=True, env=e, timeout=120)
    if expect is not None and p.returncode != expect:
        raise AssertionError("mox-dkim %s: exit %d, expected %s\nstdout: %r\nstderr: %r" % (
            " ".join(map(str, args)), p.returncode, expect, p.stdout, p.stderr))
    return p


def txt_strings(value):
    """A TXT value as zone-file character-strings of at most 255 octets."""
    parts = [value[i:i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"%s"' % p.replace("\\", "\\\\").replace('"', '\\"') for p in parts)


class Keys:
    """An RSA and an ed25519 key made by mox-dkim, with their records."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.pem = {}
        self.record = {}
        for sel, verb in (("rsa", "genrsa"), ("ed", "gened25519")):
            pem = mox_dkim(verb).stdout
            path = os.path.join(tmp, sel + ".pem")
            with open(path, "wb") as f:
                f.write(pem)
            self.pem[sel] = path
            self.record[sel] = mox_dkim("txt", input=pem).stdout.decode().strip()
        self.zone = os.path.join(tmp, "keys.zone")
        self.write_zone(self.record)

    def write_zone(self, records, path=None):
        with open(path or self.zone, "w") as f:
            for sel, rec in records.items():
                f.write("%s._domainkey.%s. IN TXT %s\n" % (sel, DOMAIN, txt_strings(rec)))

    def dkimpy_verifies(self, msg, idx=0):
        """dkimpy's verdict; it raises on some failures instead of saying False."""
        try:
            return dkim.DKIM(msg).verify(idx=idx, dnsfunc=self.dnsfunc)
        except dkim.ValidationError:
            return False

    def dnsfunc(self, name, timeout=5):
        """dkimpy's DNS hook: our published records."""
        name = name.decode() if isinstance(name, bytes) else name
        for sel, rec in self.record.items():
            if name.rstrip(".") == "%s._domainkey.%s" % (sel, DOMAIN):
                return rec.encode()
        return None

    def dkimpy_key(self, sel):
        """The key in dkimpy's form: PKCS#1 PEM for RSA, the base64 32-octet
        seed for ed25519 (what dknewkey writes)."""
        if sel == "rsa":
            return subprocess.run(["openssl", "pkey", "-in", self.pem[sel], "-traditional"],
                                  capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-in", self.pem[sel], "-outform", "DER"],
                             capture_output=True, check=True).stdout
        return base64.b64encode(der[-32:])


class MoxDkimTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmpdir = tempfile.TemporaryDirectory(prefix="mox-dkim-e2e-")
        cls.keys = Keys(cls.tmpdir.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmpdir.cleanup()

    def verify_lines(self, msg, expect=0, zone=None, *extra):
        p = mox_dkim("verify", "--zone-file", zone or self.keys.zone, *extra, input=msg, expect=expect)
        return p.stdout.decode().splitlines()

    # -- keys and records --

    def test_keys_are_pkcs8_and_records_match(self):
        for sel in ("rsa", "ed"):
            with open(self.keys.pem[sel], "rb") as f:
                self.assertIn(b"-----BEGIN PRIVATE KEY-----", f.read())
            pub = subprocess.run(["openssl", "pkey", "-in", self.keys.pem[sel], "-pubout", "-outform", "DER"],
                                 capture_output=True, check=True).stdout
            rec = self.keys.record[sel]
            if sel == "rsa":
                self.assertTrue(rec.startswith("v=DKIM1; h=sha256; p="), rec)
                self.assertEqual(base64.b64decode(rec.split("p=")[1]), pub)
                bits = subprocess.run(["openssl", "pkey", "-in", self.keys.pem[sel], "-text", "-noout"],
                                      capture_output=True, check=True, text=True).stdout
                self.assertIn("2048 bit", bits)
            else:
                self.assertTrue(rec.startswith("v=DKIM1; h=sha256; k=ed25519; p="), rec)
                self.assertEqual(base64.b64decode(rec.split("p=")[1]), pub[-32:])

    def test_lookup(self):
        p = mox_dkim("lookup", "ed", DOMAIN, "--zone-file", self.keys.zone)
        self.assertEqual(p.stdout.decode().strip(), self.keys.record["ed"])
        p = mox_dkim("lookup", "missing", DOMAIN, "--zone-file", self.keys.zone, expect=1)
        self.assertIn(b"NXDOMAIN", p.stderr)
        p = mox_dkim("lookup", "bad_selector", DOMAIN, "--zone-file", self.keys.zone, expect=1)
        self.assertIn(b"selector", p.stderr)

    # -- our signatures, dkimpy verifies --

    @unittest.skipIf(dkim is None, "python3-dkim/python3-nacl not installed")
    def test_dkimpy_verifies_our_signatures(self):
        for sel in ("rsa", "ed"):
            for relaxed in (False, True):
                args = ["sign", "--domain", DOMAIN, "--selector", sel, "--key", self.keys.pem[sel],
                        "--expiration", "72h"] + (["--relaxed"] if relaxed else [])
                signed = mox_dkim(*args, input=MESSAGE).stdout
                self.assertTrue(signed.endswith(MESSAGE))
                self.assertTrue(signed.startswith(b"DKIM-Signature: "))
                self.assertTrue(self.keys.dkimpy_verifies(signed), (sel, relaxed, signed[:600]))
                # dkimpy also sees a changed body, and a From added (sealed).
                self.assertFalse(self.keys.dkimpy_verifies(signed.replace(b"a test", b"a jest")))
                sig_end = signed.index(b"From: Alice")
                added = signed[:sig_end] + b"From: Mallory <m@example.com>\r\n" + signed[sig_end:]
                self.assertFalse(self.keys.dkimpy_verifies(added))
                # And ours agrees.
                self.assertEqual(self.verify_lines(signed), ["pass %s %s" % (DOMAIN, sel)])

    # -- dkimpy's signatures, we verify --

    @unittest.skipIf(dkim is None, "python3-dkim/python3-nacl not installed")
    def test_we_verify_dkimpy_signatures(self):
        algs = {"rsa": b"rsa-sha256", "ed": b"ed25519-sha256"}
        for sel in ("rsa", "ed"):
            for canon in ((b"simple", b"simple"), (b"relaxed", b"simple"), (b"simple", b"relaxed"),
                          (b"relaxed", b"relaxed")):
                sig = dkim.sign(MESSAGE, sel.encode(), DOMAIN.encode(), self.keys.dkimpy_key(sel),
                                canonicalize=canon, signature_algorithm=algs[sel],
                                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
                signed = sig + MESSAGE
                self.assertEqual(self.verify_lines(signed), ["pass %s %s" % (DOMAIN, sel)], (sel, canon))
                lines = self.verify_lines(signed.replace(b"Hello Bob", b"Hello Eve"), expect=1)
                self.assertEqual(len(lines), 1)
                self.assertTrue(lines[0].startswith("fail %s %s body hash" % (DOMAIN, sel)), lines)
                lines = self.verify_lines(signed.replace(b"Subject: Inter", b"Subject: Extra"), expect=1)
                self.assertTrue(lines[0].startswith("fail %s %s signature" % (DOMAIN, sel)), lines)

    @unittest.skipIf(dkim is None, "python3-dkim/python3-nacl not installed")
    def test_both_signatures_on_one_message(self):
        ours = mox_dkim("sign", "--domain", DOMAIN, "--selector", "ed", "--key", self.keys.pem["ed"],
                        input=MESSAGE).stdout
        theirs = dkim.sign(ours, b"rsa", DOMAIN.encode(), self.keys.dkimpy_key("rsa"))
        both = theirs + ours
        self.assertEqual(self.verify_lines(both), ["pass %s rsa" % DOMAIN, "pass %s ed" % DOMAIN])
        self.assertTrue(self.keys.dkimpy_verifies(both, idx=0))
        self.assertTrue(self.keys.dkimpy_verifies(both, idx=1))

    # -- the RFC's example through the program --

    def test_rfc8463_example(self):
        zone = os.path.join(self.tmpdir.name, "rfc8463.zone")
        with open(zone, "w") as f:
            f.write(RFC8463_ZONE)
        self.assertEqual(self.verify_lines(RFC8463_MESSAGE, zone=zone),
                         ["pass football.example.com brisbane", "pass football.example.com test"])
        lines = self.verify_lines(RFC8463_MESSAGE.replace(b"hungry", b"angry"), expect=1, zone=zone)
        self.assertEqual([l.split()[0] for l in lines], ["fail", "fail"])
        # The same message with bare LF line ends, as a file from disk.
        lf = RFC8463_MESSAGE.replace(b"\r\n", b"\n")
        self.assertEqual(len(self.verify_lines(lf, zone=zone)), 2)

    # -- options and statuses --

    def test_expiration_and_statuses(self):
        t = 1700000000
        signed = mox_dkim("sign", "--domain", DOMAIN, "--selector", "rsa", "--key", self.keys.pem["rsa"],
                          "--expiration", "1h", "--now", t, "--identity", "alice", input=MESSAGE).stdout
        self.assertIn(b"t=%d;" % t, signed)
        self.assertIn(b"x=%d;" % (t + 3600), signed)
        self.assertIn(b"i=alice@example.org;", signed)
        self.verify_lines(signed, 0, None, "--now", t + 60)
        lines = self.verify_lines(signed, 1, None, "--now", t + 7200)
        self.assertTrue(lines[0].startswith("permerror %s rsa signature expired" % DOMAIN), lines)
        # A revoked key.
        revoked = os.path.join(self.tmpdir.name, "revoked.zone")
        self.keys.write_zone({"rsa": "v=DKIM1; p="}, revoked)
        lines = self.verify_lines(signed, 1, revoked, "--now", t)
        self.assertTrue(lines[0].startswith("permerror") and "revoked" in lines[0], lines)
        # No key at all.
        empty = os.path.join(self.tmpdir.name, "empty.zone")
        self.keys.write_zone({}, empty)
        lines = self.verify_lines(signed, 1, empty, "--now", t)
        self.assertIn("no key for signature", lines[0])
        # Unsigned.
        self.assertEqual(self.verify_lines(MESSAGE, 1), ["none - - message has no DKIM-Signature"])
        # Malformed.
        lines = self.verify_lines(b"DKIM-Signature: v=1; a=x\r\n" + MESSAGE, 1)
        self.assertTrue(lines[0].startswith("permerror - - bad DKIM-Signature"), lines)

    def test_headers_and_no_seal(self):
        signed = mox_dkim("sign", "--domain", DOMAIN, "--selector", "ed", "--key", self.keys.pem["ed"],
                          "--headers", "From,Subject", "--no-seal", input=MESSAGE).stdout
        self.assertIn(b"h=From:Subject;", signed)
        self.assertEqual(self.verify_lines(signed), ["pass %s ed" % DOMAIN])
        self.assertEqual(self.verify_lines(signed.replace(b"To: Bob", b"To: Eve")), ["pass %s ed" % DOMAIN])

    def test_lf_input_keeps_lf(self):
        lf = MESSAGE.replace(b"\r\n", b"\n")
        signed = mox_dkim("sign", "--domain", DOMAIN, "--selector", "rsa", "--key", self.keys.pem["rsa"],
                          input=lf).stdout
        self.assertNotIn(b"\r", signed)
        self.assertTrue(signed.endswith(lf))
        self.assertEqual(self.verify_lines(signed), ["pass %s rsa" % DOMAIN])
        if dkim is not None:
            self.assertTrue(self.keys.dkimpy_verifies(signed.replace(b"\n", b"\r\n")))

    def test_errors(self):
        p = mox_dkim("sign", input=MESSAGE, expect=2)
        self.assertIn(b"--domain", p.stderr)
        mox_dkim("frobnicate", expect=2)
        mox_dkim("lookup", "onlyone", expect=2)
        p = mox_dkim("sign", "--domain", DOMAIN, "--selector", "s", "--key", "/nonexistent.pem",
                     input=MESSAGE, expect=1)
        self.assertIn(b"/nonexistent.pem", p.stderr)
        p = mox_dkim("sign", "--domain", DOMAIN, "--selector", "rsa", "--key", self.keys.pem["rsa"],
                     input=b"To: x@example.org\r\n\r\nno from\r\n", expect=1)
        self.assertIn(b"From", p.stderr)
        p = mox_dkim("sign", "--domain", DOMAIN, "--selector", "rsa", "--key", self.keys.pem["rsa"],
                     "--expiration", "soon", input=MESSAGE, expect=1)
        self.assertIn(b"--expiration", p.stderr)
        p = mox_dkim("txt", input=b"not a key", expect=1)
        self.assertTrue(p.stderr.startswith(b"mox-dkim: "), p.stderr)
        bad_zone = os.path.join(self.tmpdir.name, "bad.zone")
        with open(bad_zone, "w") as f:
            f.write("x.example. A not-an-ip\n")
        p = mox_dkim("verify", "--zone-file", bad_zone, input=MESSAGE, expect=1)
        self.assertIn(b"line 1", p.stderr)
        self.assertIn(b"--help", mox_dkim("--help").stdout)
        self.assertIn(b"mox-cpp", mox_dkim("--version").stdout)


class FromConfigTest(unittest.TestCase):
    """`sign --from-config`: the domain's Sign selectors from domains.conf
    (domains.conf(5) "Domains.*.DKIM": one RSA signature for a new domain),
    refused when the domain is disabled (mox-smtpd(8) "Submission")."""

    def setUp(self):
        self.env = moxtest.MoxEnv(self)

    def test_sign_from_config(self):
        env = self.env
        dom = env.domain
        dkim_conf = env.domains()[dom]["DKIM"]
        sign = dkim_conf["Sign"]
        sign = sign if isinstance(sign, list) else [sign]
        self.assertEqual(len(sign), 1)
        zone = os.path.join(env.dir, "dkim.zone")
        with open(zone, "w") as f:
            for sel in dkim_conf["Selectors"]:
                with open(env.dkim_key_file(dom, sel), "rb") as k:
                    rec = mox_dkim("txt", input=k.read()).stdout.decode().strip()
                f.write("%s._domainkey.%s. TXT %s\n" % (sel, dom, txt_strings(rec)))
        msg = MESSAGE.replace(b"alice@example.org", b"admin@" + dom.encode())
        cfg = {"MOX_CONFIG": env.config_path}
        signed = mox_dkim("sign", "--from-config", dom, input=msg, env=cfg).stdout
        self.assertEqual(signed.count(b"DKIM-Signature:"), 1)
        self.assertIn(b"a=rsa-sha256;", signed)
        self.assertIn(b"c=simple/simple;", signed)
        self.assertIn(b"s=%s;" % sign[0].encode(), signed)
        self.assertRegex(signed, rb"x=\d+;")  # Expiration: 72h
        p = mox_dkim("verify", "--zone-file", zone, input=signed)
        self.assertEqual(p.stdout.decode(), "pass %s %s\n" % (dom, sign[0]))
        # --config works as well as $MOX_CONFIG.
        mox_dkim("--config", env.config_path, "sign", "--from-config", dom, input=msg)

        mox_dkim("sign", "--from-config", "unknown.example", input=msg, env=cfg, expect=1)
        env.config("domain", "disable", dom)
        p = mox_dkim("sign", "--from-config", dom, input=msg, env=cfg, expect=1)
        self.assertIn(b"disabled", p.stderr)


if __name__ == "__main__":
    unittest.main()
