"""End-to-end tests of mox-sendmail: the built program submits to the built
mox-smtpd (submission with STARTTLS, and submissions with implicit TLS) in a
temporary quickstart installation, authenticating with a password (SCRAM
with channel binding by default, other mechanisms by AuthMethod); the
messages are then read back over IMAP from the built mox-imapd with Python's
imaplib. Also: -t with To/Cc/Bcc, -f, -F, bare local names, errors (bad
config, wrong password: the message saved under ~/moxsubmit.failures).

The TLS client-certificate cases are in test_mox_sendmail_cert.py.
Run by hand: /usr/bin/python3 tests/e2e/test_mox_sendmail.py -v
"""

import imaplib
import os
import re
import secrets
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN            # mox.example
ADMIN = moxtest.ADDRESS       # admin@mox.example
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
CAROL, CAROL_PW = "carol@" + D, "carol-Secret-pw-1"


def token():
    return secrets.token_hex(6)


class SendmailBase(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        env.config("account", "add", "bob", BOB)
        env.config("account", "password", "bob", input=BOB_PW + "\n")
        env.config("account", "add", "carol", CAROL)
        env.config("account", "password", "carol", input=CAROL_PW + "\n")
        env.config("address", "add", "postbox@" + D, "admin")
        cls.passwords = {ADMIN: env.password, BOB: BOB_PW, CAROL: CAROL_PW}
        cls.sub = moxtest.Server(env, "mox-smtpd", ["--mode", "submission"], env=SERVER_ENV).start()
        cls.subs = moxtest.Server(env, "mox-smtpd", ["--mode", "submissions"], env=SERVER_ENV,
                                  tls=True).start()
        cls.imaps = moxtest.Server(env, "mox-imapd", ["--tls"], env=SERVER_ENV, tls=True,
                                   banner=b"* OK").start()

    def setUp(self):
        self.env.query("auth.db", "DELETE FROM AuthFailure")
        self.home = tempfile.mkdtemp(prefix="mox-sendmail-home-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.home])

    # -- helpers --

    def write_config(self, starttls=True, **fields):
        """A moxsubmit.conf (sconf) for the test servers; returns its path."""
        conf = {
            "LocalHostname": "client.example",
            "Host": "127.0.0.1",
            "Port": self.sub.port if starttls else self.subs.port,
            "TLS": "false" if starttls else "true",
            "STARTTLS": "true" if starttls else "false",
            "TLSInsecureSkipVerify": "true",  # the quickstart certificate is self-signed
            "Username": ADMIN,
            "Password": self.env.password,
            "From": ADMIN,
            "DefaultDestination": BOB,
        }
        for k, v in fields.items():
            if v is None:
                conf.pop(k, None)
            else:
                conf[k] = v
        fd, path = tempfile.mkstemp(prefix="moxsubmit-", suffix=".conf", dir=self.home)
        with os.fdopen(fd, "w") as f:
            f.write("# test config\n")
            for k, v in conf.items():
                f.write("%s: %s\n" % (k, v))
        return path

    def sendmail(self, args, message, config=None, expect=0):
        if config is None:
            config = self.write_config()
        if isinstance(message, str):
            message = message.encode()
        argv = [moxtest.bin_path("mox-sendmail"), "--config", config] + list(args)
        env = dict(os.environ, HOME=self.home)
        p = subprocess.run(argv, input=message, capture_output=True, env=env, timeout=120)
        if expect is not None and p.returncode != expect:
            self.fail("mox-sendmail %r: exit %d, expected %d\nstdout: %r\nstderr: %r" %
                      (args, p.returncode, expect, p.stdout, p.stderr))
        return p

    def one_error_line(self, p):
        lines = p.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("mox-sendmail: "), lines[0])
        return lines[0]

    def inbox(self, address, tok):
        """The messages in address's Inbox that contain `tok`, read with imaplib over IMAPS."""
        m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps.port, ssl_context=moxtest.insecure_tls_context(),
                              timeout=20)
        try:
            self.assertEqual(m.login(address, self.passwords[address])[0], "OK")
            self.assertEqual(m.select("INBOX")[0], "OK")
            typ, data = m.search(None, "ALL")
            self.assertEqual(typ, "OK")
            out = []
            for num in data[0].split():
                typ, parts = m.fetch(num, "(BODY.PEEK[])")
                self.assertEqual(typ, "OK")
                body = parts[0][1]
                if tok.encode() in body:
                    out.append(body)
            m.logout()
            return out
        finally:
            try:
                m.shutdown()
            except OSError:
                pass

    def header(self, msg):
        return msg.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")

    def failures(self):
        d = os.path.join(self.home, "moxsubmit.failures")
        if not os.path.isdir(d):
            return []
        return [os.path.join(d, n) for n in sorted(os.listdir(d))]


class SendmailTest(SendmailBase):

    def test_starttls_password_scram_plus(self):
        tok = token()
        msg = "From: someone@else.example\nSubject: hello %s\n\nLine one.\n.\n..two dots\nend\n" % tok
        p = self.sendmail(["-v", BOB], msg)
        log = p.stderr.decode()
        # The strongest mechanism both sides support, with tls-exporter binding.
        self.assertIn("authenticated with SCRAM-SHA-256-PLUS", log)
        self.assertIn("tls: version=tls1.3", log)
        self.assertNotIn(self.env.password, log)
        got = self.inbox(BOB, tok)
        self.assertEqual(len(got), 1)
        head = self.header(got[0])
        # mox-sendmail(8): the From header is the configured From.
        self.assertRegex(head, r"(?m)^From: <admin@mox\.example>\r?$")
        self.assertNotIn("someone@else.example", head)
        self.assertRegex(head, r"(?m)^To: <bob@mox\.example>\r?$")  # added: there was none
        self.assertIn(b"\r\n\r\nLine one.\r\n.\r\n..two dots\r\nend\r\n", got[0])
        self.assertEqual(self.failures(), [])

    def test_implicit_tls_each_mechanism(self):
        for mech in ["SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN"]:
            with self.subTest(mech=mech):
                tok = token()
                conf = self.write_config(starttls=False, AuthMethod=mech)
                p = self.sendmail(["-v", "-i", BOB], "Subject: %s %s\n\nbody\n" % (mech, tok), config=conf)
                self.assertIn("authenticated with " + mech, p.stderr.decode())
                self.assertEqual(len(self.inbox(BOB, tok)), 1)

    def test_t_flag_to_cc_bcc(self):
        tok = token()
        msg = ("To: Bob <%s>\nCc: %s, root\nBcc: \"Carol C.\" <%s>\nSubject: t %s\n\nhi\n"
               % (BOB, ADMIN, CAROL, tok))
        self.sendmail(["-t", "-oi"], msg)
        # root has no @: DefaultDestination (bob), who gets one copy.
        got_bob = self.inbox(BOB, tok)
        got_admin = self.inbox(ADMIN, tok)
        got_carol = self.inbox(CAROL, tok)
        self.assertEqual((len(got_bob), len(got_admin), len(got_carol)), (1, 1, 1))
        for m in (got_bob[0], got_admin[0], got_carol[0]):
            head = self.header(m)
            self.assertNotRegex(head, r"(?mi)^Bcc:")  # RFC 5322 §3.6.3
            self.assertNotIn("Carol C.", head)
            self.assertIn("To: Bob <%s>" % BOB, head)

    def test_f_and_F_flags(self):
        tok = token()
        self.sendmail(["-f", "postbox@" + D, "-F", "Cron Daemon", BOB], "Subject: f %s\n\nx\n")
        # The message is there with the display name; MAIL FROM was accepted
        # as another address of the admin account.
        self.sendmail(["-fpostbox@" + D, "-FJörg", BOB], "Subject: f2 %s\n\nx\n" % tok)
        got = self.inbox(BOB, tok)
        self.assertEqual(len(got), 1)
        self.assertIn("From: =?utf-8?b?SsO2cmc=?= <admin@mox.example>", self.header(got[0]))
        # An envelope sender of another account is refused by the server
        # (550 5.7.1): proof that -f is the MAIL FROM.
        tok2 = token()
        p = self.sendmail(["-f", CAROL, BOB], "Subject: f3 %s\n\nx\n" % tok2, expect=1)
        line = self.one_error_line(p)
        self.assertIn("mail: 550 5.7.1", line)
        self.assertEqual(self.inbox(BOB, tok2), [])

    def test_bare_local_name_and_8bit(self):
        tok = token()
        body = "Grüße aus Köln, %s\n" % tok
        self.sendmail(["--", "root"], "Subject: local\n\n" + body)
        got = self.inbox(BOB, tok)
        self.assertEqual(len(got), 1)
        self.assertIn(body.replace("\n", "\r\n").encode(), got[0])

    def test_no_default_destination(self):
        conf = self.write_config(DefaultDestination=None)
        p = self.sendmail(["root"], "Subject: x\n\nx\n", config=conf, expect=1)
        self.assertIn("no DefaultDestination", self.one_error_line(p))

    def test_usage(self):
        p = self.sendmail([], "Subject: x\n\nx\n", expect=2)
        self.assertIn("exactly one recipient", p.stderr.decode())
        p = self.sendmail([BOB, CAROL], "Subject: x\n\nx\n", expect=2)
        p = self.sendmail(["-t", BOB], "Subject: x\n\nx\n", expect=2)
        p = self.sendmail(["-f"], "", expect=2)
        h = subprocess.run([moxtest.bin_path("mox-sendmail"), "--help"], capture_output=True, text=True)
        self.assertEqual(h.returncode, 0)
        self.assertIn("-t", h.stdout)
        v = subprocess.run([moxtest.bin_path("mox"), "sendmail", "--version"], capture_output=True,
                           text=True)
        self.assertEqual(v.returncode, 0, v.stderr)
        self.assertIn("mox-sendmail", v.stdout)

    def test_bad_config(self):
        cases = [
            ({"Host": None}, "Host is required"),
            ({"Bogus": "1"}, 'unknown field "Bogus"'),
            ({"TLS": "true"}, "exactly one of TLS and STARTTLS"),
            ({"ClientAuthEd25519PrivateKey": "x" * 43}, "exactly one of Password"),
            ({"Password": None}, "exactly one of Password"),
            ({"ClientAuthCertPrivateKeyPEMFile": "relative.pem", "Password": None}, "absolute path"),
            ({"RequireTLS": "maybe"}, "RequireTLS must be"),
            ({"From": "not an address"}, "From is not a valid address"),
            ({"Port": "70000"}, "Port must be"),
        ]
        for fields, want in cases:
            with self.subTest(fields=fields):
                conf = self.write_config(**fields)
                p = self.sendmail([BOB], "Subject: x\n\nx\n", config=conf, expect=1)
                line = self.one_error_line(p)
                self.assertIn(want, line)
                self.assertIn(conf, line)  # FILE[:LINE]: ...
        p = self.sendmail([BOB], "x", config=os.path.join(self.home, "missing.conf"), expect=1)
        self.one_error_line(p)
        self.assertEqual(self.failures(), [])  # nothing was attempted

    def test_wrong_password_saves_message(self):
        tok = token()
        conf = self.write_config(Password="wrong password")
        msg = "Subject: lost %s\n\nplease keep me\n" % tok
        p = self.sendmail([BOB], msg, config=conf, expect=1)
        line = self.one_error_line(p)
        self.assertIn("auth SCRAM-SHA-256-PLUS: 535 5.7.8", line)
        self.assertNotIn("wrong password", line)
        saved = self.failures()
        self.assertEqual(len(saved), 1)
        self.assertIn(saved[0], line)
        d = os.path.dirname(saved[0])
        self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(saved[0]).st_mode), 0o600)
        with open(saved[0], "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"From: <admin@mox.example>\r\n"), data)
        self.assertIn(("Subject: lost %s\r\n" % tok).encode(), data)
        self.assertTrue(data.endswith(b"\r\n\r\nplease keep me\r\n"), data)
        self.assertEqual(self.inbox(BOB, tok), [])

    def test_server_down_saves_message(self):
        conf = self.write_config(Port=moxtest.free_port())
        p = self.sendmail([BOB], "Subject: x\n\nx\n", config=conf, expect=1)
        line = self.one_error_line(p)
        self.assertIn("connect", line)
        self.assertEqual(len(self.failures()), 1)

    def test_starttls_verification_fails(self):
        # Verification on: the quickstart certificate is not trusted.
        conf = self.write_config(TLSInsecureSkipVerify="false")
        p = self.sendmail([BOB], "Subject: x\n\nx\n", config=conf, expect=1)
        line = self.one_error_line(p)
        self.assertIn("starttls: tls handshake", line)
        self.assertIn("certificate verify failed", line)

    def test_requiretls_no_header(self):
        tok = token()
        conf = self.write_config(RequireTLS="no")
        self.sendmail([BOB], "Subject: r %s\n\nx\n" % tok, config=conf)
        got = self.inbox(BOB, tok)
        self.assertEqual(len(got), 1)
        self.assertRegex(self.header(got[0]), r"(?m)^TLS-Required: No\r?$")

    def test_malformed_message(self):
        p = self.sendmail([BOB], "just a body without header\n", expect=1)
        self.assertIn("invalid message", self.one_error_line(p))


if __name__ == "__main__":
    unittest.main()
