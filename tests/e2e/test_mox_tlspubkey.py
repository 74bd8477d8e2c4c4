"""End-to-end tests of mox-tlspubkey: TLS client-certificate public
keys added, listed, read and removed with the built program, with keys and
certificates made by openssl at test time (ed25519, ECDSA P-256/P-384,
RSA-2048, and a refused RSA-1024), and `gen` checked with openssl.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_tlspubkey.py -v
"""

import json
import os
import re
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
ADMIN = moxtest.ADDRESS
BOB = "bob@" + D
FP_RE = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")


FP_DASH_SEED = "9bbf8980effd3bba5053ce1c57d932be9704a61009a37bb7a8e37a1e0a193249"


class TLSPubKeyTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        self.env.config("account", "add", "bob", BOB)
        self.certdir = os.path.join(self.env.dir, "certs")
        os.mkdir(self.certdir)

    def tp(self, *args, **kw):
        return self.env.run("mox-tlspubkey", *args, **kw)

    def tp_fail(self, *args, **kw):
        """Runs mox-tlspubkey expecting exit 1 and one stderr line; returns it."""
        kw.setdefault("expect", 1)
        p = self.tp(*args, **kw)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, moxtest.describe(p))
        self.assertTrue(lines[0].startswith("mox-tlspubkey: "), lines[0])
        self.assertEqual(p.stdout, "")
        return lines[0]

    def cert(self, kind="ed25519", cn="laptop"):
        return moxtest.ClientCert(self.certdir, kind, cn=cn)

    def keys(self, account=None):
        args = ["list", "--json"] + ([account] if account else [])
        return [json.loads(l) for l in self.tp(*args).stdout.splitlines()]

    def test_add_key_types(self):
        for kind, typ in [("ed25519", "ed25519"), ("p256", "ecdsa-p256"), ("p384", "ecdsa-p384"),
                          ("rsa2048", "rsa-2048")]:
            with self.subTest(kind=kind):
                c = self.cert(kind, cn="dev-" + kind)
                fp = self.tp("add", ADMIN, input=c.pem()).stdout.strip()
                self.assertRegex(fp, FP_RE)
                self.assertEqual(fp, c.fingerprint)
                k = [k for k in self.keys() if k["fingerprint"] == fp][0]
                self.assertEqual((k["type"], k["name"], k["account"], k["loginAddress"],
                                  k["noIMAPPreauth"]), (typ, "dev-" + kind, "admin", ADMIN, False))
        self.assertEqual(len(self.keys()), 4)

    def test_refused(self):
        c = self.cert("rsa1024")
        self.assertIn("rsa", self.tp_fail("add", ADMIN, input=c.pem()).lower())
        self.assertIn("PEM", self.tp_fail("add", ADMIN, input="not a certificate\n"))
        broken = c.pem().replace("\n", "\n", 1)[:200] + "\n-----END CERTIFICATE-----\n"
        self.tp_fail("add", ADMIN, input=broken)
        self.tp_fail("add", ADMIN, input="")
        # Only a private key, no certificate.
        with open(c.key) as f:
            self.tp_fail("add", ADMIN, input=f.read())
        ok = self.cert()
        # Not an address of any account; a catchall-only address; the account
        # name; not in canonical form.
        for addr in ["nobody@" + D, "nobody@other.example", "bob", "Bob@MOX.example", "x"]:
            with self.subTest(addr=addr):
                self.assertIn(addr, self.tp_fail("add", addr, input=ok.pem()))
        self.assertEqual(self.keys(), [])
        fp = self.tp("add", BOB, input=ok.pem()).stdout.strip()
        # The same public key again, also under another account or name.
        self.assertIn(fp, self.tp_fail("add", ADMIN, "other", input=ok.pem()))
        self.assertEqual(len(self.keys()), 1)

    def test_names_and_flags(self):
        c = self.cert("p256", cn=None)
        fp = self.tp("add", "--no-imap-preauth", BOB, input=c.pem()).stdout.strip()
        k = self.keys("bob")[0]
        self.assertEqual(k["name"], "serial 1234")  # -set_serial 4660
        self.assertTrue(k["noIMAPPreauth"])
        c2 = self.cert("ed25519", cn="ignored")
        fp2 = self.tp("add", BOB, "my phone", input=c2.pem()).stdout.strip()
        self.assertEqual(self.tp("get", "--json", fp2).stdout and
                         json.loads(self.tp("get", "--json", fp2).stdout)["name"], "my phone")
        # Text list: header, then tab-separated rows with the quoted name.
        lines = self.tp("list", "bob").stdout.splitlines()
        self.assertEqual(lines[0].split("\t")[0], "fingerprint")
        rows = {l.split("\t")[0]: l.split("\t") for l in lines[1:]}
        self.assertEqual(rows[fp], [fp, "ecdsa-p256", '"serial 1234"', "bob", BOB, "true"])
        self.assertEqual(rows[fp2], [fp2, "ed25519", '"my phone"', "bob", BOB, "false"])
        self.assertEqual(self.keys("admin"), [])
        self.tp_fail("list", "nosuchaccount")

    def test_get_rm(self):
        c = self.cert("rsa2048", cn="desk")
        fp = self.tp("add", ADMIN, input=c.pem()).stdout.strip()
        out = self.tp("get", fp).stdout
        self.assertIn("type: rsa-2048\n", out)
        self.assertIn("name: desk\n", out)
        self.assertIn("login address: %s\n" % ADMIN, out)
        pem = out[out.index("-----BEGIN CERTIFICATE-----"):]
        self.assertEqual(pem.strip(), c.pem().strip())
        self.tp("rm", fp)
        self.assertIn(fp, self.tp_fail("get", fp))
        self.assertIn(fp, self.tp_fail("rm", fp))
        self.tp_fail("rm", "unknown-fingerprint")
        self.assertEqual(self.keys(), [])

    def test_address_in_use(self):
        # docs/DESIGN.md "Account removal": an address used by a key cannot be
        # removed.
        self.env.config("address", "add", "bob2@" + D, "bob")
        fp = self.tp("add", "bob2@" + D, input=self.cert().pem()).stdout.strip()
        self.env.fail("address", "rm", "bob2@" + D)
        self.tp("rm", fp)
        self.env.config("address", "rm", "bob2@" + D)

    def test_gen(self):
        stem = os.path.join(self.certdir, "client")
        out = self.tp("gen", stem).stdout
        fp = re.search(r"^fingerprint: (\S+)$", out, re.M).group(1)
        files = sorted(f for f in os.listdir(self.certdir) if f.startswith("client."))
        self.assertEqual(len(files), 3, files)
        for f in files:
            self.assertRegex(f, r"\Aclient\.\d{12}\.(ed25519privatekey\.pkcs8|certificate|"
                                r"ed25519privatekey-certificate)\.pem\Z")
            mode = stat.S_IMODE(os.stat(os.path.join(self.certdir, f)).st_mode)
            self.assertEqual(mode, 0o600, f)
        combined = [f for f in files if "privatekey-certificate" in f][0]
        path = os.path.join(self.certdir, combined)
        # openssl reads both parts; the key matches the certificate.
        text = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-text"],
                              capture_output=True, text=True, check=True).stdout
        self.assertIn("ED25519", text)
        pub1 = subprocess.run(["openssl", "pkey", "-in", path, "-pubout"], capture_output=True,
                              check=True).stdout
        pub2 = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-pubkey"],
                              capture_output=True, check=True).stdout
        self.assertEqual(pub1, pub2)
        # The combined file is accepted by add (its CERTIFICATE block counts).
        with open(path) as f:
            self.assertEqual(self.tp("add", ADMIN, input=f.read()).stdout.strip(), fp)
        self.assertEqual(self.keys()[0]["name"][:7], "serial ")
        seed = re.search(r"ClientAuthEd25519PrivateKey\): (\S+)$", out, re.M).group(1)
        self.assertRegex(seed, r"\A[A-Za-z0-9_-]{43}\Z")
        # Never overwrites: the same stem within the same minute fails. (If
        # the minute turns between two calls the names differ; try again.)
        again = os.path.join(self.certdir, "again")
        for _ in range(3):
            first = self.tp("gen", again).stdout
            p = self.tp("gen", again, expect=None)
            if p.returncode != 0:
                self.assertEqual(p.returncode, 1, p)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                break
            self.assertNotEqual(first.splitlines()[0], p.stdout.splitlines()[0])
        else:
            self.fail("gen overwrote its files three times")

    def test_openssl_help_and_forwarding(self):
        out = self.tp("openssl").stdout
        for cmd in ("openssl genpkey", "openssl req", "openssl pkcs12 -export", "mox-tlspubkey add"):
            self.assertIn(cmd, out)
        fp = self.tp("add", ADMIN, input=self.cert().pem()).stdout.strip()
        # mox-config tlspubkey … and mox tlspubkey … run mox-tlspubkey.
        self.assertIn(fp, self.env.config("tlspubkey", "list").stdout)
        self.assertIn(fp, self.env.run("mox", "tlspubkey", "list", "admin").stdout)
        self.env.config("tlspubkey", "rm", fp)
        self.assertEqual(self.keys(), [])
        # A fingerprint starting with "-" is not taken for an option (a fixed key whose
        # fingerprint is "-25O20NfwD5PEpEzJ6aJ_ZOjohG2u8SstcDI1W15jfU").
        c = moxtest.ClientCert(self.certdir, ed25519_seed=FP_DASH_SEED)
        self.assertEqual(c.fingerprint, "-25O20NfwD5PEpEzJ6aJ_ZOjohG2u8SstcDI1W15jfU")
        fp = self.tp("add", ADMIN, input=c.pem()).stdout.strip()
        self.assertTrue(fp.startswith("-"))
        self.assertIn(fp, self.tp("get", fp, "--json").stdout)
        self.tp("rm", "--", fp)
        self.tp_fail("rm", fp)

    def test_usage(self):
        self.assertEqual(self.tp(expect=2).returncode, 2)
        self.tp("add", expect=2)
        self.assertIn("gen", self.tp("--help").stdout)


if __name__ == "__main__":
    unittest.main()
