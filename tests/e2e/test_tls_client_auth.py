"""End-to-end tests of TLS client-certificate login (mox-tlspubkey(8), with
A.4): mox-imapd and mox-smtpd (submission) with keys registered by
mox-tlspubkey, driven by Python's ssl + imaplib/smtplib, raw protocol
clients and curl --cert. Covers the PREAUTH greeting, AUTHENTICATE/AUTH
EXTERNAL, MAIL without AUTH, the same-account rule, unknown keys (TLS alert
bad_certificate), a removed key with a resumed session (tickets shared
between processes), NoIMAPPreauth, login-disabled accounts, the per-IP
limiter across processes, and login attempts (grouping, cleanup, cap).

Run by hand: /usr/bin/python3 tests/e2e/test_tls_client_auth.py -v
"""

import base64
import imaplib
import json
import os
import secrets
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
ADMIN = moxtest.ADDRESS
ADMIN2 = "admin2@" + D          # a second address of the admin account
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
BANNER = b"* "
OTHER_ACCOUNT = "authentication failed, tls client certificate public key belongs to another account"
MISSING_CERT = "missing client certificate, required for tls client certificate authentication"
TLS_REQUIRED = "tls required for tls client certificate authentication"


def b64(s):
    return base64.b64encode(s.encode()).decode()


class RawImap:
    """A line-based IMAP client over a (TLS) socket, for exact responses."""

    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile("rb")
        self.n = 0

    def line(self):
        l = self.f.readline()
        if not l:
            raise EOFError("connection closed")
        return l.decode().rstrip("\r\n")

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def cmd(self, text):
        """Sends a tagged command; returns (untagged lines, tagged line without tag)."""
        self.n += 1
        tag = "t%d" % self.n
        self.send("%s %s" % (tag, text))
        return self.until(tag)

    def until(self, tag):
        untagged = []
        while True:
            l = self.line()
            if l.startswith(tag + " "):
                return untagged, l[len(tag) + 1:]
            untagged.append(l)

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


class Base(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        cls.env = env
        env.config("address", "add", ADMIN2, "admin")
        env.config("account", "add", "bob", BOB)
        env.config("account", "password", "bob", input=BOB_PW + "\n")
        cls.certdir = os.path.join(env.dir, "certs")
        os.mkdir(cls.certdir)
        cls.servers = {}

    def server(self, name, *args, how="listen", prog="mox-imapd", extra=None, tls=False):
        key = (name, how)
        if key not in self.servers:
            e = dict(SERVER_ENV)
            e.update(extra or {})
            banner = BANNER if prog == "mox-imapd" else b"220 "
            srv = moxtest.Server(self.env, prog, list(args), how=how, env=e, banner=banner, tls=tls)
            srv.start()
            self.servers[key] = srv
            self.addClassCleanup(srv.stop)
        return self.servers[key].port

    def imaps(self, how="listen"):
        return self.server("imaps", "--tls", how=how, tls=True)

    def imap(self):
        return self.server("imap")

    def submissions(self, how="listen"):
        return self.server("submissions", "--mode", "submissions", how=how, prog="mox-smtpd",
                           tls=True)

    def submission(self):
        return self.server("submission", "--mode", "submission", prog="mox-smtpd")

    def cert(self, kind="ed25519", address=ADMIN, no_preauth=False, cn="laptop"):
        c = moxtest.ClientCert(self.certdir, kind, cn=cn)
        if address:
            args = ["add"] + (["--no-imap-preauth"] if no_preauth else []) + [address]
            fp = self.env.run("mox-tlspubkey", *args, input=c.pem()).stdout.strip()
            self.assertEqual(fp, c.fingerprint)
        return c

    def tls_sock(self, port, ctx, session=None):
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        return ctx.wrap_socket(s, server_hostname=moxtest.HOSTNAME, session=session)

    def raw_imaps(self, port, ctx, session=None):
        c = RawImap(self.tls_sock(port, ctx, session))
        self.addCleanup(c.close)
        return c

    def attempts(self, *args):
        out = self.env.config("loginattempts", "--json", *args).stdout
        return [json.loads(l) for l in out.splitlines()]

    def assertAlert(self, fn):
        """The server refuses the certificate: TLS alert bad_certificate (42)."""
        with self.assertRaises((ssl.SSLError, ConnectionError, EOFError,
                                smtplib.SMTPServerDisconnected)) as cm:
            fn()
        self.assertIn("BAD_CERTIFICATE", str(cm.exception).upper().replace(" ", "_"))


class ImapTest(Base):
    def test_preauth_greeting(self):
        for kind in ("ed25519", "p256", "rsa2048"):
            with self.subTest(kind=kind):
                c = self.cert(kind)
                m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps(), ssl_context=c.tls_context())
                self.assertEqual(m.state, "AUTH")
                self.assertRegex(m.welcome.decode(), r"\A\* PREAUTH \[CAPABILITY IMAP4rev2 .*\] "
                                                     r"mox imap welcomes admin@mox\.example\Z")
                self.assertNotIn("AUTH=", m.welcome.decode())
                typ, data = m.select("INBOX")
                self.assertEqual(typ, "OK", data)
                m.logout()
        # Authenticating again is refused in this state (mox-imapd(8) "TLS
        # client certificates").
        c = self.cert()
        r = self.raw_imaps(self.imaps(), c.tls_context())
        self.assertTrue(r.line().startswith("* PREAUTH "))
        self.assertEqual(r.cmd("AUTHENTICATE EXTERNAL =")[1], "NO not allowed in this connection state")
        self.assertEqual(r.cmd("LOGIN %s x" % ADMIN)[1], "NO not allowed in this connection state")
        a = [x for x in self.attempts("admin") if x["tlsPubKeyFingerprint"] == c.fingerprint]
        self.assertEqual([(x["authMech"], x["result"], x["protocol"], x["loginAddress"]) for x in a],
                         [("tlsclientauth", "ok", "imap", ADMIN)])

    def test_no_preauth_external(self):
        c = self.cert(no_preauth=True)
        ctx = c.tls_context()
        # SASL-IR with an empty identity: the key's login address.
        r = self.raw_imaps(self.imaps(), ctx)
        greeting = r.line()
        self.assertTrue(greeting.startswith("* OK [CAPABILITY "), greeting)
        self.assertIn(" AUTH=EXTERNAL ", greeting)
        tagged = r.cmd("AUTHENTICATE EXTERNAL =")[1]
        self.assertRegex(tagged, r"\AOK \[CAPABILITY IMAP4rev2 .*\] authenticate done\Z")
        self.assertEqual(r.cmd("SELECT INBOX")[1][:2], "OK")
        # Explicit identity: another address of the same account.
        r = self.raw_imaps(self.imaps(), ctx)
        r.line()
        self.assertTrue(r.cmd("AUTHENTICATE EXTERNAL " + b64(ADMIN2))[1].startswith("OK "))
        # Another account's address: refused.
        r = self.raw_imaps(self.imaps(), ctx)
        r.line()
        self.assertEqual(r.cmd("AUTHENTICATE EXTERNAL " + b64(BOB))[1],
                         "NO [AUTHENTICATIONFAILED] " + OTHER_ACCOUNT)
        # Other mechanisms: the same account only (mox-imapd(8) "TLS client
        # certificates").
        self.assertEqual(r.cmd("LOGIN %s %s" % (BOB, BOB_PW))[1],
                         "NO [AUTHENTICATIONFAILED] " + OTHER_ACCOUNT)
        self.assertTrue(r.cmd('LOGIN %s "%s"' % (ADMIN2, self.env.password))[1].startswith("OK "))
        r.cmd("LOGOUT")  # writes the pending LOGIN attempt
        # imaplib: AUTHENTICATE by continuation with an empty response.
        m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps(), ssl_context=ctx)
        self.assertEqual(m.state, "NONAUTH")
        typ, data = m.authenticate("EXTERNAL", lambda challenge: b"")
        self.assertEqual(typ, "OK", data)
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()
        # Every attempt of these connections carries the key's fingerprint;
        # the refused identity is recorded under the account it named.
        want = {("admin", "tlsclientauth", "ok"), ("admin", "external", "ok"),
                ("bob", "external", "badcreds"), ("bob", "login", "badcreds"),
                ("admin", "login", "ok")}
        for _ in range(50):
            got = {(x["account"], x["authMech"], x["result"]) for x in self.attempts("--all")
                   if x["tlsPubKeyFingerprint"] == c.fingerprint}
            if want <= got:
                break
            time.sleep(0.1)
        self.assertTrue(want <= got, got)

    def test_without_certificate(self):
        ctx = moxtest.insecure_tls_context()
        r = self.raw_imaps(self.imaps(), ctx)
        greeting = r.line()
        self.assertTrue(greeting.startswith("* OK "), greeting)
        self.assertNotIn("AUTH=EXTERNAL", greeting)
        self.assertEqual(r.cmd("AUTHENTICATE EXTERNAL =")[1], "NO [AUTHENTICATIONFAILED] " + MISSING_CERT)
        # Without TLS (port 143 before STARTTLS).
        s = socket.create_connection(("127.0.0.1", self.imap()), timeout=15)
        r = RawImap(s)
        self.addCleanup(r.close)
        r.line()
        self.assertEqual(r.cmd("AUTHENTICATE EXTERNAL =")[1], "NO [AUTHENTICATIONFAILED] " + TLS_REQUIRED)

    def test_starttls_never_preauth(self):
        c = self.cert()  # a key with IMAP preauth
        s = socket.create_connection(("127.0.0.1", self.imap()), timeout=15)
        r = RawImap(s)
        self.assertTrue(r.line().startswith("* OK "))
        self.assertTrue(r.cmd("STARTTLS")[1].startswith("OK"))
        r = RawImap(c.tls_context().wrap_socket(s, server_hostname=moxtest.HOSTNAME))
        self.addCleanup(r.close)
        untagged, tagged = r.cmd("CAPABILITY")
        self.assertIn(" AUTH=EXTERNAL", untagged[0])
        self.assertEqual(r.cmd("SELECT INBOX")[1], "BAD not allowed in this connection state")
        self.assertTrue(r.cmd("AUTHENTICATE EXTERNAL =")[1].startswith("OK [CAPABILITY "))

    def test_unknown_key(self):
        c = self.cert(address=None)
        r = self.raw_imaps(self.imaps(), c.tls_context())
        self.assertAlert(r.line)
        self.assertTrue(any(x["tlsPubKeyFingerprint"] == c.fingerprint and x["result"] == "badcreds"
                            and x["authMech"] == "tlsclientauth" for x in self.attempts("--all")))
        # curl sees the handshake fail too.
        p = subprocess.run(["curl", "-sS", "-k", "--cert", c.combined, "--max-time", "10",
                            "imaps://127.0.0.1:%d/" % self.imaps()], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)

    def test_resumed_session_rechecked(self):
        # One process per connection: the session ticket made by one process
        # resumes in another through the shared ticket key file.
        port = self.imaps(how="inetd")
        c = self.cert("p256", address=BOB)
        ctx = c.tls_context()
        r = self.raw_imaps(port, ctx)
        self.assertTrue(r.line().startswith("* PREAUTH "))
        r.cmd("NOOP")
        session = r.sock.session
        self.assertIsNotNone(session)
        r.close()
        r = self.raw_imaps(port, ctx, session=session)
        self.assertTrue(r.sock.session_reused)
        self.assertEqual(r.line()[:10], "* PREAUTH ")
        self.assertTrue(r.cmd("SELECT INBOX")[1].startswith("OK"))
        r.close()
        self.env.run("mox-tlspubkey", "rm", "--", c.fingerprint)
        r = self.raw_imaps(port, ctx, session=session)
        self.assertTrue(r.sock.session_reused)
        self.assertEqual(r.line(), "* BYE [ALERT] Error verifying client certificate after TLS "
                                   "session resumption: unknown or removed tls public key")
        # A full handshake now fails with the alert.
        r = self.raw_imaps(port, ctx)
        self.assertAlert(r.line)

    def test_curl_preauth(self):
        self.cert("p256", address=BOB, cn="curl")
        c = moxtest.ClientCert(self.certdir, "p256")
        self.env.run("mox-tlspubkey", "add", BOB, input=c.pem())
        p = subprocess.run(["curl", "-sS", "-k", "--cert", c.cert, "--key", c.key, "--max-time", "20",
                            "imaps://127.0.0.1:%d/" % self.imaps()], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("INBOX", p.stdout)


class LoginDisabledTest(Base):
    def test_login_disabled(self):
        self.env.config("account", "add", "carol", "carol@" + D)
        preauth = self.cert(address="carol@" + D)
        nopre = self.cert(address="carol@" + D, no_preauth=True)
        self.env.config("account", "disable", "carol", "gone fishing")
        # IMAPS PREAUTH: the message, not a failed handshake (docs/DESIGN.md
        # "Differences from mox").
        r = self.raw_imaps(self.imaps(), preauth.tls_context())
        self.assertEqual(r.line(), "* BYE login disabled for account: gone fishing")
        r = self.raw_imaps(self.imaps(), nopre.tls_context())
        self.assertTrue(r.line().startswith("* OK "))
        self.assertEqual(r.cmd("AUTHENTICATE EXTERNAL =")[1], "NO login disabled for account: gone fishing")
        # Submission: MAIL and AUTH EXTERNAL say why.
        s = smtplib.SMTP_SSL("127.0.0.1", self.submissions(), context=preauth.tls_context())
        s.ehlo("client.example")
        self.assertEqual(s.docmd("MAIL FROM:<carol@%s>" % D),
                         (525, b"5.7.13 login disabled for account: gone fishing"))
        self.assertEqual(s.docmd("AUTH EXTERNAL ="),
                         (525, b"5.7.13 login disabled for account: gone fishing"))
        s.close()
        results = {x["result"] for x in self.attempts("carol", "--all")}
        self.assertIn("logindisabled", results)
        self.env.config("account", "enable", "carol")
        r = self.raw_imaps(self.imaps(), preauth.tls_context())
        self.assertTrue(r.line().startswith("* PREAUTH "))


class SubmissionTest(Base):
    def message(self, tok, frm=ADMIN, to=None):
        to = to or BOB
        return ("From: <%s>\r\nTo: <%s>\r\nSubject: cert %s\r\nMessage-ID: <%s@mox.example>\r\n"
                "Date: Wed, 25 Nov 2026 12:00:00 +0000\r\n\r\nHello %s.\r\n" % (frm, to, tok, tok, tok))

    def delivered(self, account, tok, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(self.env.data("accounts", account, "index.db")):
                for (mid,) in self.env.query(("accounts", account, "index.db"), "SELECT ID FROM Message"):
                    path = self.env.message_path(account, mid)
                    if os.path.exists(path):
                        with open(path, "rb") as f:
                            if tok.encode() in f.read():
                                return True
            time.sleep(0.1)
        return False

    def test_submissions_mail_without_auth(self):
        c = self.cert("rsa2048")
        s = smtplib.SMTP_SSL("127.0.0.1", self.submissions(), context=c.tls_context())
        code, msg = s.ehlo("client.example")
        auth = [l for l in msg.decode().split("\n") if l.startswith("AUTH ")][0]
        self.assertTrue(auth.startswith("AUTH EXTERNAL SCRAM-SHA-256-PLUS "), auth)
        tok = secrets.token_hex(6)
        s.sendmail(ADMIN, [BOB], self.message(tok))
        # RSET keeps the certificate identity (mox-smtpd(8) "Authentication").
        self.assertEqual(s.rset()[0], 250)
        tok2 = secrets.token_hex(6)
        s.sendmail(ADMIN2, [BOB], self.message(tok2, frm=ADMIN2))
        # Not an address of the certificate's account.
        self.assertEqual(s.docmd("MAIL FROM:<%s>" % BOB)[0], 550)
        s.quit()
        self.assertTrue(self.delivered("bob", tok))
        self.assertTrue(self.delivered("bob", tok2))

    def test_auth_external(self):
        c = self.cert()
        ctx = c.tls_context()
        for arg, ok in [("=", True), (b64(ADMIN), True), (b64(ADMIN2), True), (b64(BOB), False)]:
            with self.subTest(arg=arg):
                s = smtplib.SMTP_SSL("127.0.0.1", self.submissions(), context=ctx)
                s.ehlo("client.example")
                r = s.docmd("AUTH EXTERNAL " + arg)
                if ok:
                    self.assertEqual(r, (235, b"2.7.0 nice"))
                    self.assertEqual(s.docmd("AUTH EXTERNAL =")[0:2], (503, b"5.5.1 already authenticated"))
                else:
                    self.assertEqual(r, (535, ("5.7.8 " + OTHER_ACCOUNT).encode()))
                s.close()
        # Continuation: "334 " then an empty line.
        s = smtplib.SMTP_SSL("127.0.0.1", self.submissions(), context=ctx)
        s.ehlo("client.example")
        self.assertEqual(s.docmd("AUTH EXTERNAL"), (334, b""))
        self.assertEqual(s.docmd(""), (235, b"2.7.0 nice"))
        s.close()
        # Password mechanisms on a certificate connection: same account only.
        s = smtplib.SMTP_SSL("127.0.0.1", self.submissions(), context=ctx)
        s.ehlo("client.example")
        with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
            s.login(BOB, BOB_PW)
        self.assertEqual(cm.exception.smtp_code, 535)
        self.assertIn(OTHER_ACCOUNT, cm.exception.smtp_error.decode())
        s.login(ADMIN2, self.env.password)
        s.close()

    def test_without_certificate(self):
        s = smtplib.SMTP_SSL("127.0.0.1", self.submissions(), context=moxtest.insecure_tls_context())
        code, msg = s.ehlo("client.example")
        self.assertNotIn("EXTERNAL", msg.decode())
        self.assertEqual(s.docmd("MAIL FROM:<%s>" % ADMIN), (530, b"5.7.0 authentication required"))
        self.assertEqual(s.docmd("AUTH EXTERNAL ="), (535, ("5.7.8 " + MISSING_CERT).encode()))
        s.close()

    def test_starttls_with_certificate(self):
        c = self.cert("p256")
        s = smtplib.SMTP("127.0.0.1", self.submission(), timeout=15)
        s.ehlo("client.example")
        s.starttls(context=c.tls_context())
        code, msg = s.ehlo("client.example")
        self.assertIn("AUTH EXTERNAL ", msg.decode())
        tok = secrets.token_hex(6)
        s.sendmail(ADMIN, [BOB], self.message(tok))
        s.quit()
        self.assertTrue(self.delivered("bob", tok))

    def test_unknown_key(self):
        c = self.cert(address=None)
        self.assertAlert(lambda: smtplib.SMTP_SSL("127.0.0.1", self.submissions(),
                                                  context=c.tls_context()))

    def test_resumed_session_rechecked(self):
        port = self.submissions(how="inetd")
        c = self.cert("ed25519")
        ctx = c.tls_context()
        s = self.tls_sock(port, ctx)
        f = s.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220 "))
        session = s.session
        s.close()
        s = self.tls_sock(port, ctx, session=session)
        self.assertTrue(s.session_reused)
        f = s.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220 "))
        s.sendall(b"EHLO client.example\r\n")
        while not f.readline().startswith(b"250 "):
            pass
        s.sendall(b"MAIL FROM:<%s>\r\n" % ADMIN.encode())
        self.assertTrue(f.readline().startswith(b"250 "))
        s.close()
        self.env.run("mox-tlspubkey", "rm", "--", c.fingerprint)
        s = self.tls_sock(port, ctx, session=session)
        self.assertTrue(s.session_reused)
        # mox-smtpd(8) "Authentication": SMTP just closes.
        self.assertEqual(s.makefile("rb").readline(), b"")
        s.close()

    def test_curl(self):
        c = self.cert("p256")
        tok = secrets.token_hex(6)
        msgfile = os.path.join(self.certdir, "msg-%s.eml" % tok)
        with open(msgfile, "w") as f:
            f.write(self.message(tok))
        p = subprocess.run(["curl", "-sS", "-k", "--cert", c.cert, "--key", c.key, "--max-time", "20",
                            "--mail-from", ADMIN, "--mail-rcpt", BOB, "-T", msgfile,
                            "smtps://127.0.0.1:%d" % self.submissions()], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(self.delivered("bob", tok))


class LimiterTest(Base):
    """The per-IP failed-auth limiter lives in auth.db, so separate processes
    (one per connection, inetd style) share it (docs/DESIGN.md "Shared state
    between processes")."""

    def unknown(self, port, ctx):
        r = self.raw_imaps(port, ctx)
        self.assertAlert(r.line)
        r.close()

    def test_limiter_across_processes(self):
        port = self.imaps(how="inetd")
        sub_tls, sub = self.submissions(how="inetd"), self.submission()  # started while allowed
        bad = self.cert(address=None).tls_context()
        good = self.cert().tls_context()
        for _ in range(9):
            self.unknown(port, bad)
        # A success clears only the address's failures against its own
        # account: these named none (an unknown key), so they still count.
        r = self.raw_imaps(port, good)
        self.assertTrue(r.line().startswith("* PREAUTH "))
        r.close()
        self.unknown(port, bad)
        # The limit (10 per minute) is reached: refused, also with a good key,
        # also by the other program.
        r = self.raw_imaps(port, good)
        self.assertEqual(r.line(), "* BYE too many auth failures")
        r = self.raw_imaps(port, bad)  # the certificate is no longer even looked at
        self.assertEqual(r.line(), "* BYE too many auth failures")
        s = self.tls_sock(sub_tls, good)
        self.assertEqual(s.makefile("rb").readline(), b"421 4.7.0 too many auth failures\r\n")
        s.close()
        s = socket.create_connection(("127.0.0.1", sub), timeout=15)
        self.assertEqual(s.makefile("rb").readline(), b"421 4.7.0 too many auth failures\r\n")
        s.close()
        self.assertEqual(self.env.query("auth.db", "SELECT COUNT(*) FROM AuthFailure")[0][0], 10)


class AttemptsTest(Base):
    def insert(self, account, last, result, n=1, address=None):
        conn = self.env.auth_db()
        try:
            for _ in range(n):
                conn.execute(
                    "INSERT INTO LoginAttempt (Key, Last, First, Count, AccountName, LoginAddress, "
                    "RemoteIP, LocalIP, TLS, TLSPubKeyFingerprint, Protocol, UserAgent, AuthMech, "
                    "Result) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (os.urandom(32), last, last, 1, account, address or account + "@" + D,
                     "10.0.0.1", "127.0.0.1", "", "", "imap", "", "plain", result))
                last += 1
        finally:
            conn.close()

    def test_grouping_and_counts(self):
        c = self.cert()
        for _ in range(3):
            m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps(), ssl_context=c.tls_context())
            self.assertEqual(m.state, "AUTH")
            m.logout()
        rows = [x for x in self.attempts("admin") if x["tlsPubKeyFingerprint"] == c.fingerprint]
        self.assertEqual(len(rows), 1, rows)
        r = rows[0]
        self.assertEqual((r["count"], r["account"], r["loginAddress"], r["protocol"], r["authMech"],
                          r["remoteIP"], r["result"]), (3, "admin", ADMIN, "imap", "tlsclientauth",
                                                         "127.0.0.1", "ok"))
        # imaplib sends no server_name for an IP address (RFC 6066 §3).
        self.assertRegex(r["tls"], r"\Aversion=tls1\.3 ciphersuite=tls_\S+ sni= resumed=false alpn=\Z")
        # Text: header, then time, count, account, address, protocol, mechanism, …
        lines = self.env.config("loginattempts", "admin").stdout.splitlines()
        self.assertEqual(lines[0].split("\t")[:6],
                         ["time", "count", "account", "address", "protocol", "mechanism"])
        self.assertIn(["3", "admin", ADMIN, "imap", "tlsclientauth", "127.0.0.1"],
                      [l.split("\t")[1:7] for l in lines[1:]])
        # The 10 most recent by default, all with --all; ACCOUNT filters.
        total, bob = len(self.attempts("--all")), len(self.attempts("bob", "--all"))
        self.insert("bob", int(time.time()) - 100, "badcreds", n=12)
        self.assertEqual(len(self.attempts()), 10)
        self.assertEqual(len(self.attempts("--all")), total + 12)
        self.assertEqual(len(self.attempts("bob", "--all")), bob + 12)
        self.assertEqual(len(self.env.config("loginattempts").stdout.splitlines()), 11)

    def test_cleanup_and_cap(self):
        now = int(time.time())
        self.insert("carl", now - 31 * 86400, "ok", n=2)
        self.insert("carl", now - 31 * 86400, "badcreds", n=2)
        self.insert("carl", now - 100, "ok", n=2)
        self.insert("carl", now - 50, "badcreds", n=6)
        self.env.auth_db().execute("INSERT OR REPLACE INTO LoginAttemptState VALUES ('carl', 8)")
        out = self.env.config("cleanup", env={"MOX_TEST_LOGIN_ATTEMPTS_MAX_FAILED": "4"}).stdout
        self.assertIn("removed 6 login attempts", out)
        rows = self.env.query("auth.db", "SELECT Result, Last FROM LoginAttempt WHERE AccountName='carl' "
                              "ORDER BY Last")
        self.assertEqual([r[0] for r in rows], ["ok", "ok"] + ["badcreds"] * 4)
        self.assertEqual([r[1] for r in rows[2:]], [now - 48, now - 47, now - 46, now - 45])
        self.assertEqual(self.env.query("auth.db", "SELECT RecordsFailed FROM LoginAttemptState "
                                        "WHERE AccountName='carl'"), [(4,)])
        # The default cap is 10,000: nothing more goes.
        self.assertIn("removed 0 login attempts", self.env.config("cleanup").stdout)

    def test_cap_when_recording(self):
        # A server with a lowered cap keeps only the newest failed rows.
        for i in range(4):
            self.env.config("address", "add", "bob%d@%s" % (i, D), "bob")
        port = self.server("imaps-cap", "--tls", tls=True,
                           extra={"MOX_TEST_LOGIN_ATTEMPTS_MAX_FAILED": "2"})
        for i in range(4):
            r = self.raw_imaps(port, moxtest.insecure_tls_context())
            r.line()
            self.assertTrue(r.cmd("LOGIN bob%d@%s wrong" % (i, D))[1].startswith("NO [AUTHENTICATIONFAILED]"))
            r.close()
        rows = [x["loginAddress"] for x in self.attempts("bob", "--all") if x["result"] == "badcreds"]
        self.assertEqual(rows, ["bob3@" + D, "bob2@" + D])


if __name__ == "__main__":
    unittest.main()
