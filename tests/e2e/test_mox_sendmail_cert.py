"""End-to-end tests of mox-sendmail with a TLS client certificate instead of
a password (mox-smtpd(8) "Authentication", mox-sendmail(8)): a PEM file
with a PKCS#8 key and its
certificate (ClientAuthCertPrivateKeyPEMFile) and a bare ed25519 seed
(ClientAuthEd25519PrivateKey, for which mox-sendmail makes a minimal
certificate on the fly), over STARTTLS and implicit TLS, with and without
AuthMethod EXTERNAL; an unregistered key; local errors.

Keys are registered with mox-tlspubkey; keys and certificates are made with
the openssl command.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_sendmail_cert.py -v
"""

import base64
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402
from test_mox_sendmail import ADMIN, BOB, SendmailBase, token  # noqa: E402



def openssl(*args, input=None):
    p = subprocess.run(["openssl"] + list(args), input=input, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout


class CertTest(SendmailBase):

    def make_key_cert(self, name, algo="ec"):
        """A private key (PKCS#8 PEM) and a self-signed certificate; returns (key, cert) paths."""
        key = os.path.join(self.home, name + ".key.pem")
        cert = os.path.join(self.home, name + ".cert.pem")
        if algo == "ec":
            openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        else:
            openssl("genpkey", "-algorithm", "ed25519", "-out", key)
        openssl("req", "-x509", "-new", "-key", key, "-subj", "/CN=" + name, "-days", "30", "-out", cert)
        return key, cert

    def register(self, cert_path, address=ADMIN):
        with open(cert_path) as f:
            self.env.run("mox-tlspubkey", "add", address, input=f.read())

    def pem_file(self, key, cert):
        path = os.path.join(self.home, "combined.pem")
        with open(path, "w") as out:
            for p in (key, cert):
                with open(p) as f:
                    out.write(f.read())
        os.chmod(path, 0o600)
        return path

    def seed(self, key):
        """The raw 32-byte ed25519 seed of a PKCS#8 key, base64url without padding."""
        der = openssl("pkey", "-in", key, "-outform", "DER")
        return base64.urlsafe_b64encode(der[-32:]).decode().rstrip("=")

    # -- with mox-smtpd --

    def test_pem_file_starttls_and_tls(self):
        key, cert = self.make_key_cert("pemtest")
        self.register(cert)
        pem = self.pem_file(key, cert)
        for starttls in (True, False):
            with self.subTest(starttls=starttls):
                tok = token()
                conf = self.write_config(starttls=starttls, Password=None, Username=None,
                                         ClientAuthCertPrivateKeyPEMFile=pem)
                p = self.sendmail(["-v", BOB], "Subject: cert %s\n\nx\n" % tok, config=conf)
                self.assertIn("tls", p.stderr.decode())
                self.assertEqual(len(self.inbox(BOB, tok)), 1)

    def test_ed25519_seed_with_external(self):
        key, cert = self.make_key_cert("seedtest", algo="ed25519")
        self.register(cert)
        tok = token()
        conf = self.write_config(starttls=False, Password=None, Username=None,
                                 ClientAuthEd25519PrivateKey=self.seed(key), AuthMethod="EXTERNAL")
        p = self.sendmail(["-v", BOB], "Subject: seed %s\n\nx\n" % tok, config=conf)
        self.assertIn("authenticated with EXTERNAL", p.stderr.decode())
        self.assertEqual(len(self.inbox(BOB, tok)), 1)

    def test_unregistered_key_fails_and_saves(self):
        key, cert = self.make_key_cert("unknown", algo="ed25519")
        conf = self.write_config(starttls=False, Password=None, Username=None,
                                 ClientAuthEd25519PrivateKey=self.seed(key))
        p = self.sendmail([BOB], "Subject: nope\n\nx\n", config=conf, expect=1)
        self.assertIn("submit failed", self.one_error_line(p))
        self.assertEqual(len(self.failures()), 1)

    # -- local errors (no server needed) --

    def test_key_does_not_match_certificate(self):
        key, _ = self.make_key_cert("one")
        _, cert = self.make_key_cert("two")
        pem = self.pem_file(key, cert)
        conf = self.write_config(Password=None, ClientAuthCertPrivateKeyPEMFile=pem)
        p = self.sendmail([BOB], "Subject: x\n\nx\n", config=conf, expect=1)
        line = self.one_error_line(p)
        self.assertIn(pem, line)
        self.assertNotIn("PRIVATE", line)
        self.assertEqual(self.failures(), [])

    def test_pem_file_without_certificate(self):
        key, _ = self.make_key_cert("lonely")
        conf = self.write_config(Password=None, ClientAuthCertPrivateKeyPEMFile=key)
        p = self.sendmail([BOB], "Subject: x\n\nx\n", config=conf, expect=1)
        self.assertIn("CERTIFICATE", self.one_error_line(p))

    def test_bad_seed(self):
        conf = self.write_config(Password=None, ClientAuthEd25519PrivateKey="c2hvcnQ")
        p = self.sendmail([BOB], "Subject: x\n\nx\n", config=conf, expect=1)
        self.assertIn("ClientAuthEd25519PrivateKey", self.one_error_line(p))
        self.assertEqual(self.failures(), [])


if __name__ == "__main__":
    unittest.main()
