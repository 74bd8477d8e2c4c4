"""End-to-end tests of mox-smtpd: the built server is started on a
loopback port (with --listen; under systemd-socket-activate --accept --inetd,
--accept, and without --accept, i.e. LISTEN_FDS) in a temporary quickstart
installation and driven with real clients: Python's smtplib + ssl, swaks,
openssl s_client, and raw sockets for the protocol-level vectors (STARTTLS
injection, SMTP smuggling, pipelining, BDAT). Reply codes are those of
mox-smtpd(8) ("Submission", "Authentication", "Replies"). SCRAM-*-PLUS gets
its tls-exporter channel binding through ctypes (tls_exporter below), as
Python 3.11's ssl module has no exporter API; that test is skipped if this is
not possible.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_smtpd.py -v
"""

import base64
import os
import re
import secrets
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN            # mox.example
HOST = moxtest.HOSTNAME       # mail.mox.example
ADMIN = moxtest.ADDRESS       # admin@mox.example
# Servers run as root in the test containers (quickstart User is the current
# user); failed-auth slow-downs are made fast (1 ms per step).
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
EHLO_NAME = "client.example"
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
CAROL, CAROL_PW = "carol@" + D, "carol-Secret-pw-1"
CAROL_DISABLED = "gone fishing, back monday"
# What the server puts before a message: on the MX the results of its
# checks (Authentication-Results, Received-SPF), then its Received field.
RECEIVED_RE = re.compile(rb"\A(?:Authentication-Results: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*"
                         rb"Received-SPF: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*)?"
                         rb"Received: [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)*\Z")
AUTH_MECHS = ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1",
              "CRAM-MD5", "PLAIN", "LOGIN"]
# Crash points of the delivery path, if the source tree cannot be read.
KNOWN_CRASHPOINTS = ["deliver-after-reserve", "deliver-after-write", "deliver-after-file",
                     "deliver-after-commit"]


def token():
    return secrets.token_hex(6)


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def make_message(tok, frm="sender@remote.example", to=ADMIN, body=None, headers=None,
                 date=True, msgid=True):
    """An RFC 5322 message with CRLF line ends, ending in CRLF."""
    lines = ["From: <%s>" % frm, "To: <%s>" % to, "Subject: test %s" % tok]
    if msgid:
        lines.append("Message-ID: <%s@remote.example>" % tok)
    if date:
        lines.append("Date: Wed, 25 Nov 2026 12:00:00 +0000")
    lines += list(headers or [])
    lines += ["", body if body is not None else "Hello, this is message %s." % tok, ""]
    return "\r\n".join(lines).encode()


# ---------------------------------------------------------------------------
# Raw SMTP client for the protocol-level vectors.

class Reply:
    def __init__(self, code, lines):
        self.code = code
        self.lines = lines  # text after "NNN-" / "NNN "

    @property
    def text(self):
        return self.lines[-1]

    def __repr__(self):
        return "Reply(%d, %r)" % (self.code, self.lines)


class Raw:
    """A plain socket speaking SMTP by hand."""

    def __init__(self, port, tls=False, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            self.sock = moxtest.insecure_tls_context().wrap_socket(self.sock)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def readline(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                line, self.buf = self.buf, b""
                return line
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"

    def reply(self):
        lines = []
        while True:
            raw = self.readline()
            if not raw:
                raise EOFError("connection closed, reply so far %r" % lines)
            s = raw.decode("utf-8", "replace").rstrip("\r\n")
            if len(s) < 3 or not s[:3].isdigit() or s[3:4] not in ("", " ", "-"):
                raise AssertionError("malformed reply line %r" % raw)
            lines.append(s[4:])
            if s[3:4] != "-":
                return Reply(int(s[:3]), lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self, timeout=10):
        """Waits for the peer to close; returns (closed, bytes received meanwhile)."""
        self.sock.settimeout(timeout)
        got = self.buf
        self.buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True, got
                got += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True, got
        except (socket.timeout, TimeoutError):
            return False, got

    def starttls(self):
        r = self.cmd("STARTTLS")
        if r.code != 220:
            raise AssertionError("STARTTLS: %r" % r)
        assert self.buf == b"", self.buf
        self.sock = moxtest.insecure_tls_context().wrap_socket(self.sock)
        return r

from scramclient import ScramClient, ScramError, tls_exporter  # noqa: E402


class Stored:
    def __init__(self, msg_id, mailbox, size, data):
        self.id, self.mailbox, self.size, self.data = msg_id, mailbox, size, data

    def __repr__(self):
        return "Stored(%d, %r, %d, %r)" % (self.id, self.mailbox, self.size,
                                           None if self.data is None else self.data[:200])


def stored(env, account):
    """Every Message row of the account with its file's content (None if missing)."""
    if not os.path.exists(env.data("accounts", account, "index.db")):
        return []
    rows = env.query(("accounts", account, "index.db"),
                     "SELECT m.ID, b.Name, m.Size FROM Message m JOIN Mailbox b ON b.ID = m.MailboxID "
                     "ORDER BY m.ID")
    out = []
    for msg_id, mailbox, size in rows:
        path = env.message_path(account, msg_id)
        data = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                data = f.read()
        out.append(Stored(msg_id, mailbox, size, data))
    return out


def find(env, account, tok):
    return [m for m in stored(env, account) if m.data is not None and tok.encode() in m.data]


def smtp_reply(code_msg):
    code, msg = code_msg
    return code, msg.decode("utf-8", "replace") if isinstance(msg, bytes) else msg


# ---------------------------------------------------------------------------

class Base(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def make_env(cls):
        env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        return env

    @classmethod
    def start(cls, env, mode, how="listen", extra=None, tls=False):
        e = dict(SERVER_ENV)
        e.update(extra or {})
        return moxtest.Server(env, "mox-smtpd", ["--mode", mode], how=how, env=e, tls=tls).start()

    def assertReply(self, r, code, enhanced=None, text=None):
        if isinstance(r, tuple):
            r = Reply(r[0], smtp_reply(r)[1].split("\n"))
        self.assertEqual(r.code, code, r)
        if enhanced is not None:
            self.assertTrue(r.text == enhanced or r.text.startswith(enhanced + " "),
                            "expected enhanced code %s: %r" % (enhanced, r))
        if text is not None:
            self.assertIn(text, r.text, r)

    def assertDelivered(self, env, account, tok, msg, mailbox="Inbox", count=1):
        """The message with token `tok` is stored `count` times in account's
        mailbox, as a Received header followed by exactly `msg`; returns the
        stored messages."""
        got = find(env, account, tok)
        self.assertEqual(len(got), count, "copies of message %s in %s: %r" % (tok, account, got))
        for m in got:
            self.assertEqual(m.mailbox, mailbox, m)
            self.assertTrue(m.data.endswith(msg), "stored message differs:\n%r\nsent:\n%r" % (m.data, msg))
            self.assertRegex(m.data[:len(m.data) - len(msg)], RECEIVED_RE)
            self.assertEqual(m.size, len(m.data), m)
        return got

    def assertNotDelivered(self, env, tok, accounts=("admin",)):
        for acc in accounts:
            self.assertEqual(find(env, acc, tok), [], "message %s was delivered to %s" % (tok, acc))

    def raw(self, port, ehlo=True, tls=False):
        c = Raw(port, tls=tls)
        self.addCleanup(c.close)
        self.assertReply(c.reply(), 220)
        if ehlo:
            self.assertReply(c.cmd("EHLO " + EHLO_NAME), 250)
        return c

    def smtp(self, port, starttls=False, ssl_port=False, login=None):
        if ssl_port:
            s = smtplib.SMTP_SSL("127.0.0.1", port, local_hostname=EHLO_NAME, timeout=30,
                                 context=moxtest.insecure_tls_context())
        else:
            s = smtplib.SMTP("127.0.0.1", port, local_hostname=EHLO_NAME, timeout=30)
        self.addCleanup(self._close_smtp, s)
        s.ehlo()
        if starttls:
            s.starttls(context=moxtest.insecure_tls_context())
            s.ehlo()
        if login:
            s.login(*login)
        return s

    @staticmethod
    def _close_smtp(s):
        try:
            s.quit()
        except Exception:
            s.close()

    def transaction(self, s, frm, rcpts, msg, mail_options=()):
        """MAIL, RCPTs and (if all were accepted) DATA over smtplib; returns the replies."""
        out = [smtp_reply(s.mail(frm, list(mail_options)))]
        if out[0][0] != 250:
            return out
        for r in rcpts:
            out.append(smtp_reply(s.rcpt(r)))
        if all(c == 250 for c, _ in out):
            try:
                out.append(smtp_reply(s.data(msg)))
            except smtplib.SMTPDataError as e:
                out.append(smtp_reply((e.smtp_code, e.smtp_error)))
        else:
            s.rset()
        return out


# ---------------------------------------------------------------------------

class SCRAMVectorsTest(unittest.TestCase):
    """The Python SCRAM client used below, against the RFC examples."""

    def test_rfc5802_sha1(self):
        c = ScramClient("sha1", "user", "pencil", nonce="fyko+d2lbbFgONRv9qkxdawL")
        self.assertEqual(c.first(), b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        final = c.final(b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        self.assertEqual(final, b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
                                b"p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        c.verify(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        with self.assertRaises(ScramError):
            c.verify(b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")

    def test_rfc7677_sha256(self):
        c = ScramClient("sha256", "user", "pencil", nonce="rOprNGfwEbeRWgbNEkqO")
        self.assertEqual(c.first(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        final = c.final(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        b"s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        self.assertEqual(final, b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                                b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        c.verify(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")

    def test_channel_binding_header(self):
        c = ScramClient("sha256", "a=b,c", "x", cbind=b"\x01\x02", nonce="abc")
        self.assertEqual(c.first(), b"p=tls-exporter,,n=a=3Db=2Cc,r=abc")
        final = c.final(b"r=abcdef,s=c2FsdA==,i=1")
        self.assertTrue(final.startswith(b"c=" + b64(b"p=tls-exporter,,\x01\x02").encode() + b",r=abcdef,p="))


# ---------------------------------------------------------------------------

class MXTest(Base):
    """mox-smtpd --mode smtp (port 25 role) with --listen."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        env.config("account", "add", "bob", BOB)
        env.config("account", "add", "carol", CAROL)
        env.config("account", "disable", "carol", CAROL_DISABLED)
        # A disabled domain with an address of admin.
        env.config("domain", "add", "off.example", "admin")
        env.config("address", "add", "admin@off.example", "admin")
        env.config("domain", "disable", "off.example")
        # domains.conf(5) LocalpartCatchallSeparators: a domain with separators
        # "+" and "-" and a catchall account.
        env.config("domain", "add", "sep.example", "admin")
        env.config("address", "add", "bob@sep.example", "bob")
        env.config("account", "add", "catchall", "catchall@sep.example")
        env.config("address", "add", "@sep.example", "catchall")
        text = env.domains_text()
        i = text.index("\tsep.example:\n")
        j = text.index("\t\tLocalpartCatchallSeparator: +\n", i)
        text = text[:j] + "\t\tLocalpartCatchallSeparators:\n\t\t\t- +\n\t\t\t- -\n" + \
            text[j + len("\t\tLocalpartCatchallSeparator: +\n"):]
        env.write_domains(text)
        # A domain disabled while the server runs.
        env.config("domain", "add", "reload.example", "admin")
        env.config("address", "add", "admin@reload.example", "admin")
        env.config("test")
        cls.srv = cls.start(env, "smtp")
        cls.port = cls.srv.port

    def deliver(self, rcpts, msg=None, tok=None, frm="sender@remote.example", **kw):
        tok = tok or token()
        msg = msg or make_message(tok, to=rcpts[0], **kw)
        s = self.smtp(self.port)
        replies = self.transaction(s, frm, rcpts, msg)
        return tok, msg, replies

    # -- greeting, EHLO --

    def test_banner_ehlo_helo(self):
        c = Raw(self.port)
        self.addCleanup(c.close)
        r = c.reply()
        self.assertEqual((r.code, r.lines), (220, [HOST + " ESMTP mox"]))
        r = c.cmd("EHLO " + EHLO_NAME)
        self.assertEqual(r.code, 250)
        self.assertEqual(r.lines[0], HOST)
        self.assertEqual(sorted(r.lines[1:]), sorted([
            "PIPELINING", "SIZE 104857600", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME",
            "CHUNKING", "SMTPUTF8", "LIMITS RCPTMAX=1000"]))
        self.assertFalse([k for k in r.lines if k.split(" ")[0] == "AUTH"], r)
        r = c.cmd("HELO " + EHLO_NAME)
        self.assertEqual((r.code, r.lines), (250, [HOST]))
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0")
        self.assertReply(c.cmd("QUIT"), 221, "2.0.0")
        self.assertTrue(c.closed()[0])

    def test_auth_refused_on_mx(self):
        c = self.raw(self.port)
        r = c.cmd("AUTH PLAIN " + b64("\0%s\0x" % ADMIN))
        self.assertEqual(r.code // 100, 5, r)

    # -- delivery and address lookup --

    def test_deliver(self):
        tok, msg, replies = self.deliver([ADMIN])
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        self.assertTrue(replies[-1][1].startswith("2.0.0"), replies)
        m = self.assertDelivered(self.env, "admin", tok, msg)[0]
        hdr = m.data[:len(m.data) - len(msg)].decode()
        self.assertIn("from " + EHLO_NAME, hdr)
        self.assertIn("by " + HOST, hdr)
        self.assertIn("with ESMTP", hdr)
        self.assertIn("for <%s>" % ADMIN, hdr)

    def test_large_message_forms(self):
        # Over the 1 MiB kept in memory: spooled to a file, parsed once from
        # its mapping; the stored ENVELOPE and BODYSTRUCTURE are those of the
        # message (message/parsed.h), with the server's fields in front.
        line = "x" * 998
        body = "\r\n".join([line] * 1200)
        tok, msg, replies = self.deliver([ADMIN], body=body)
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        m = self.assertDelivered(self.env, "admin", tok, msg)[0]
        env, bs = self.env.query(("accounts", "admin", "index.db"),
                                 "SELECT ImapEnvelope, ImapBodyStructure FROM Message WHERE ID = ?",
                                 (m.id,))[0]
        env = env.decode() if isinstance(env, bytes) else env
        bs = bs.decode() if isinstance(bs, bytes) else bs
        self.assertIn('"test %s"' % tok, env)
        self.assertIn('"<%s@remote.example>"' % tok, env)
        octets = len(body) + 2
        self.assertIn('"7BIT" %d 1200 ' % octets, bs)

    def test_dot_stuffing(self):
        tok = token()
        body = "first\r\n.hidden\r\n..two dots\r\n.\r\n.x\r\nlast"
        msg = make_message(tok, body=body)
        # smtplib stuffs the dots; the store has them removed again.
        _, _, replies = self.deliver([ADMIN], msg=msg, tok=tok)
        self.assertEqual(replies[-1][0], 250, replies)
        self.assertDelivered(self.env, "admin", tok, msg)
        # The same by hand: "..hidden" on the wire is ".hidden" in the store.
        tok = token()
        c = self.raw(self.port)
        c.send("MAIL FROM:<s@remote.example>\r\nRCPT TO:<%s>\r\nDATA\r\n" % ADMIN)
        for code in (250, 250, 354):
            self.assertReply(c.reply(), code)
        wire = make_message(tok, body="a\r\n..hidden\r\n...\r\nb")
        c.send(wire + b".\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, make_message(tok, body="a\r\n.hidden\r\n..\r\nb"))

    def test_catchall_separator_and_case(self):
        for rcpt in ("admin+tag@" + D, "ADMIN@MOX.EXAMPLE", "Admin+Tag@Mox.Example", "admin+@" + D):
            with self.subTest(rcpt=rcpt):
                tok, msg, replies = self.deliver([rcpt])
                self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
                self.assertDelivered(self.env, "admin", tok, msg)
        # mox.example has only "+": "-" is part of the localpart.
        _, _, replies = self.deliver(["admin-tag@" + D])
        self.assertReply(replies[1], 550, "5.1.1")

    def test_catchall_separators_list_and_catchall_account(self):
        # domains.conf(5) LocalpartCatchallSeparators: separators "+" and "-";
        # unknown localparts go to @domain.
        for rcpt, account in (("bob@sep.example", "bob"), ("bob-test@sep.example", "bob"),
                              ("bob-test+test@sep.example", "bob"), ("bob+test-test@sep.example", "bob"),
                              ("BOB+X@SEP.EXAMPLE", "bob"), ("nobody@sep.example", "catchall"),
                              ("catchall@sep.example", "catchall")):
            with self.subTest(rcpt=rcpt):
                tok, msg, replies = self.deliver([rcpt])
                self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
                self.assertDelivered(self.env, account, tok, msg)

    def test_postmaster_and_reporting_addresses(self):
        for rcpt, mailbox in (("postmaster@" + D, "Postmaster"), ("dmarcreports@" + D, "DMARC"),
                              ("tlsreports@" + D, "TLSRPT")):
            with self.subTest(rcpt=rcpt):
                tok, msg, replies = self.deliver([rcpt])
                self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
                self.assertDelivered(self.env, "admin", tok, msg, mailbox=mailbox)

    def test_unknown_user(self):
        tok, _, replies = self.deliver(["nobody@" + D])
        self.assertReply(replies[1], 550, "5.1.1")
        self.assertNotDelivered(self.env, tok)

    def test_relaying_denied(self):
        _, _, replies = self.deliver(["someone@remote.example"])
        self.assertReply(replies[1], 550, "5.7.1", "relaying not allowed")

    def test_domain_disabled(self):
        tok, _, replies = self.deliver(["admin@off.example"])
        self.assertReply(replies[1], 450, "4.2.1")
        self.assertNotDelivered(self.env, tok)

    def test_domain_disabled_while_running(self):
        # docs/DESIGN.md "Shared state between processes": domains.conf is
        # re-read when it changes; a server that is already running sees `domain
        # disable` for new transactions.
        tok, msg, replies = self.deliver(["admin@reload.example"])
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        self.env.config("domain", "disable", "reload.example")
        try:
            time.sleep(1.1)  # a coarse mtime must differ
            _, _, replies = self.deliver(["admin@reload.example"])
            self.assertReply(replies[1], 450, "4.2.1")
        finally:
            self.env.config("domain", "enable", "reload.example")

    def test_two_recipients_one_copy(self):
        tok = token()
        msg = make_message(tok)
        _, _, replies = self.deliver([ADMIN, "admin+x@" + D, "Admin@" + D, BOB], msg=msg, tok=tok)
        self.assertEqual([c for c, _ in replies], [250] * 6, replies)
        self.assertDelivered(self.env, "admin", tok, msg)
        self.assertDelivered(self.env, "bob", tok, msg)

    def test_store_error_for_one_account_delivers_to_none(self):
        # A store error for the second account (bob's Inbox has no UIDs left,
        # RFC 9051 §2.3.1.1) after the first (admin) was committed: 451, and
        # admin's copy is taken back, so that the retry gives each one copy.
        env = self.env
        admin_db, bob_db = ("accounts", "admin", "index.db"), ("accounts", "bob", "index.db")
        self.deliver([BOB])  # bob's account exists
        (uidnext,) = env.query(bob_db, "SELECT UIDNext FROM Mailbox WHERE Name = 'Inbox'")[0]
        env.query(bob_db, "UPDATE Mailbox SET UIDNext = 4294967295 WHERE Name = 'Inbox'")
        tok = token()
        msg = make_message(tok)
        try:
            _, _, replies = self.deliver([ADMIN, BOB], msg=msg, tok=tok)
            self.assertEqual([c for c, _ in replies[:3]], [250, 250, 250], replies)
            self.assertReply(replies[3], 451, "4.3.0", "error storing message")
            self.assertNotDelivered(env, tok, ("admin", "bob"))
            # admin had it for a moment: its row and file are gone, its UID
            # is kept as expunged at the newest modseq, for QRESYNC clients.
            self.assertEqual([m for m in stored(env, "admin") if m.data is None], [])
            (first, last, modseq), = env.query(admin_db, "SELECT e.FirstUID, e.LastUID, e.ModSeq "
                                               "FROM ExpungedUID e JOIN Mailbox b "
                                               "ON b.ID = e.MailboxID WHERE b.Name = 'Inbox' "
                                               "ORDER BY e.ModSeq DESC LIMIT 1")
            self.assertEqual(first, last)
            self.assertEqual(env.query(admin_db, "SELECT ModSeq FROM Account")[0][0], modseq)
        finally:
            env.query(bob_db, "UPDATE Mailbox SET UIDNext = ? WHERE Name = 'Inbox'", (uidnext,))
        _, _, replies = self.deliver([ADMIN, BOB], msg=msg, tok=tok)
        self.assertEqual([c for c, _ in replies], [250, 250, 250, 250], replies)
        self.assertDelivered(env, "admin", tok, msg)
        self.assertDelivered(env, "bob", tok, msg)

    def test_removed_account_receives_nothing(self):
        env = self.env
        env.config("account", "add", "dave", "dave@" + D)
        tok, msg, replies = self.deliver(["dave@" + D])
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        self.assertDelivered(env, "dave", tok, msg)
        env.config("account", "rm", "dave")
        tok, _, replies = self.deliver(["dave@" + D])
        self.assertReply(replies[1], 550, "5.1.1")
        self.assertFalse(os.path.exists(env.account_dir("dave")), "removed account's directory is back")

    def test_helo_no_parameters(self):
        # RFC 5321 §4.1.1.11: MAIL parameters only after EHLO.
        c = self.raw(self.port, ehlo=False)
        self.assertReply(c.cmd("HELO " + EHLO_NAME), 250)
        self.assertReply(c.cmd("MAIL FROM:<h@remote.example> BODY=8BITMIME"), 555, "5.5.4")
        self.assertReply(c.cmd("MAIL FROM:<h@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 250)
        tok = token()
        msg = make_message(tok)
        self.assertReply(c.cmd("DATA"), 354)
        c.send(msg + b".\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        m = self.assertDelivered(self.env, "admin", tok, msg)[0]
        self.assertIn(b" with SMTP id ", m.data)

    def test_login_disabled_account_receives(self):
        tok, msg, replies = self.deliver([CAROL])
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        self.assertDelivered(self.env, "carol", tok, msg)

    def test_swaks_delivery(self):
        tok = token()
        p = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(self.port),
                            "--helo", EHLO_NAME, "--from", "swaks@remote.example", "--to", ADMIN,
                            "--header", "Subject: swaks " + tok, "--body", "swaks body " + tok,
                            "--timeout", "20"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"<-  250 2\.0\.0 ")
        got = find(self.env, "admin", tok)
        self.assertEqual(len(got), 1, got)
        self.assertIn(b"\r\n\r\nswaks body " + tok.encode(), got[0].data)

    # -- STARTTLS --

    def test_starttls(self):
        s = smtplib.SMTP("127.0.0.1", self.port, local_hostname=EHLO_NAME, timeout=30)
        self.addCleanup(self._close_smtp, s)
        s.ehlo()
        self.assertTrue(s.has_extn("starttls"))
        code, _ = s.starttls(context=moxtest.insecure_tls_context())
        self.assertEqual(code, 220)
        with open(self.env.config_file("tls/%s.cert.pem" % HOST)) as f:
            cert = ssl.PEM_cert_to_DER_cert(f.read())
        self.assertEqual(s.sock.getpeercert(binary_form=True), cert)
        self.assertIn(s.sock.version(), ("TLSv1.2", "TLSv1.3"))
        code, _ = s.ehlo()
        self.assertEqual(code, 250)
        self.assertFalse(s.has_extn("starttls"))
        for k in ("pipelining", "size", "enhancedstatuscodes", "8bitmime", "chunking", "smtputf8"):
            self.assertTrue(s.has_extn(k), k)
        self.assertFalse(s.has_extn("auth"))
        self.assertEqual(smtp_reply(s.docmd("STARTTLS"))[0], 503)
        tok = token()
        msg = make_message(tok)
        replies = self.transaction(s, "tls@remote.example", [ADMIN], msg)
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        m = self.assertDelivered(self.env, "admin", tok, msg)[0]
        self.assertIn(b"with ESMTPS", m.data)

    def test_starttls_swaks(self):
        tok = token()
        p = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(self.port), "--tls",
                            "--helo", EHLO_NAME, "--from", "swaks@remote.example", "--to", ADMIN,
                            "--header", "Subject: swaks " + tok, "--timeout", "20"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("<~  250 2.0.0 ", p.stdout)
        self.assertEqual(len(find(self.env, "admin", tok)), 1)

    def test_starttls_session_reset(self):
        # RFC 3207 §4.2: after TLS the client must EHLO again.
        c = self.raw(self.port)
        c.starttls()
        self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 503, "5.5.1")
        r = c.cmd("EHLO " + EHLO_NAME)
        self.assertEqual(r.code, 250)
        self.assertNotIn("STARTTLS", r.lines)
        self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 250)

    def test_starttls_injection(self):
        # CVE-2011-0411: commands pipelined after STARTTLS in the same packet.
        c = self.raw(self.port)
        c.send(b"STARTTLS\r\nRSET\r\n")
        r = c.reply()
        self.assertEqual(r.code, 554, r)
        closed, extra = c.closed()
        self.assertTrue(closed, "connection still open after 554")
        self.assertEqual(extra, b"")

    # -- SMTP smuggling and content checks --

    def data_vector(self, wire_data, rcpt=ADMIN):
        """Sends a transaction with DATA content `wire_data` (sent as is, must
        contain the final CRLF.CRLF); returns the reply after the data and
        checks the session is still in order (NOOP)."""
        c = self.raw(self.port)
        c.send("MAIL FROM:<s@remote.example>\r\nRCPT TO:<%s>\r\nDATA\r\n" % rcpt)
        for code in (250, 250, 354):
            self.assertReply(c.reply(), code)
        c.send(wire_data)
        r = c.reply()
        # The next reply is NOOP's: nothing after the data was run as a command.
        self.assertReply(c.cmd("NOOP"), 250, "2.0.0")
        return r

    def test_smuggling(self):
        # CVE-2023-51764 class: only <CRLF>.<CRLF> ends DATA; the bare CR/LF
        # variants are refused at the real end, and the "smuggled" commands
        # after them are content, never run.
        for name, sep in (("LF.LF", b"\n.\n"), ("CRLF.LF", b"\r\n.\n"), ("LF.CRLF", b"\n.\r\n"),
                          ("CR.CR", b"\r.\r"), ("CRLF.CR", b"\r\n.\r"), ("bare CR", b"\rX\r\n"),
                          ("bare LF", b"\nX\r\n")):
            with self.subTest(vector=name):
                tok, smuggled = token(), token()
                wire = (b"Subject: smuggle " + tok.encode() + b"\r\n\r\nbody" + sep +
                        b"MAIL FROM:<evil@remote.example>\r\nRCPT TO:<" + ADMIN.encode() +
                        b">\r\nDATA\r\nSubject: smuggled " + smuggled.encode() + b"\r\n\r\nsmuggled\r\n"
                        b".\r\n")
                c = self.raw(self.port)
                c.send("MAIL FROM:<s@remote.example>\r\nRCPT TO:<%s>\r\nDATA\r\n" % ADMIN)
                for code in (250, 250, 354):
                    self.assertReply(c.reply(), code)
                c.send(wire)
                r = c.reply()
                # Everything up to NOOP's reply: nothing more than NOOP's.
                c.send("NOOP\r\n")
                extra = []
                for _ in range(6):
                    n = c.reply()
                    if (n.code, n.text) == (250, "2.0.0 ok"):
                        break
                    extra.append(n)
                self.assertNotDelivered(self.env, smuggled)
                self.assertNotDelivered(self.env, tok)
                self.assertEqual(extra, [], "smuggled commands were run (data reply %r)" % r)
                self.assertReply(r, 500, "5.5.2")

    def test_line_length(self):
        tok = token()
        ok = make_message(tok, body="x" * 998)
        self.assertReply(self.data_vector(ok + b".\r\n"), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, ok)
        for n in (999, 1001, 70000):
            with self.subTest(length=n):
                tok = token()
                r = self.data_vector(make_message(tok, body="x" * n) + b".\r\n")
                self.assertReply(r, 500, "5.5.2")
                self.assertNotDelivered(self.env, tok)

    def test_command_line_too_long(self):
        c = self.raw(self.port)
        self.assertReply(c.cmd("NOOP " + "x" * 5000), 500, "5.5.2")
        self.assertReply(c.cmd("NOOP"), 250)

    def test_nul_byte(self):
        tok = token()
        r = self.data_vector(make_message(tok, body="nul \0 here") + b".\r\n")
        self.assertReply(r, 554, "5.6.0")
        self.assertNotDelivered(self.env, tok)

    def test_8bit_message(self):
        tok = token()
        msg = make_message(tok, body="caf\u00e9 \u2603 \xff")  # UTF-8 bytes
        c = self.raw(self.port)
        for line, code in (("MAIL FROM:<s@remote.example> BODY=8BITMIME", 250),
                           ("RCPT TO:<%s>" % ADMIN, 250), ("DATA", 354)):
            self.assertReply(c.cmd(line), code)
        c.send(msg + b".\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, msg)

    def test_size_parameter(self):
        c = self.raw(self.port)
        self.assertReply(c.cmd("MAIL FROM:<s@remote.example> SIZE=104857601"), 552, "5.3.4")
        self.assertReply(c.cmd("MAIL FROM:<s@remote.example> SIZE=104857600"), 250)

    # -- pipelining, BDAT, command sequencing --

    def test_pipelining(self):
        tok = token()
        msg = make_message(tok)
        c = self.raw(self.port)
        c.send("MAIL FROM:<p@remote.example>\r\nRCPT TO:<%s>\r\nRCPT TO:<nobody@%s>\r\n"
               "RCPT TO:<admin+pipe@%s>\r\nDATA\r\n" % (ADMIN, D, D))
        self.assertReply(c.reply(), 250, "2.1.0")
        self.assertReply(c.reply(), 250, "2.1.5")
        self.assertReply(c.reply(), 550, "5.1.1")
        self.assertReply(c.reply(), 250, "2.1.5")
        self.assertReply(c.reply(), 354)
        c.send(msg + b".\r\nQUIT\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertReply(c.reply(), 221)
        self.assertTrue(c.closed()[0])
        self.assertDelivered(self.env, "admin", tok, msg)

    def test_bdat(self):
        tok = token()
        # No dot-stuffing with BDAT: ".\r\n" and "..x" are content.
        msg = make_message(tok, body="one\r\n.\r\n..two\r\nthree")
        parts = [msg[:10], msg[10:50], msg[50:]]
        c = self.raw(self.port)
        self.assertReply(c.cmd("MAIL FROM:<b@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 250)
        c.send(b"BDAT %d\r\n" % len(parts[0]) + parts[0])
        self.assertReply(c.reply(), 250)
        c.send(b"BDAT %d\r\n" % len(parts[1]) + parts[1])
        self.assertReply(c.reply(), 250)
        c.send(b"BDAT %d LAST\r\n" % len(parts[2]) + parts[2])
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, msg)
        # Chunks pipelined in one write, then the next transaction.
        tok = token()
        msg = make_message(tok)
        a, b = msg[:33], msg[33:]
        c.send(b"MAIL FROM:<b@remote.example>\r\nRCPT TO:<" + ADMIN.encode() + b">\r\n" +
               b"BDAT %d\r\n" % len(a) + a + b"BDAT %d LAST\r\n" % len(b) + b + b"NOOP\r\n")
        for code in (250, 250, 250, 250, 250):
            self.assertReply(c.reply(), code)
        self.assertDelivered(self.env, "admin", tok, msg)

    def test_bdat_zero_last(self):
        tok = token()
        msg = make_message(tok)
        c = self.raw(self.port)
        self.assertReply(c.cmd("MAIL FROM:<b@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 250)
        c.send(b"BDAT %d\r\n" % len(msg) + msg)
        self.assertReply(c.reply(), 250)
        self.assertReply(c.cmd("BDAT 0 LAST"), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, msg)

    def test_rset_mid_transaction(self):
        tok = token()
        c = self.raw(self.port)
        self.assertReply(c.cmd("MAIL FROM:<r@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 250)
        self.assertReply(c.cmd("RSET"), 250, "2.0.0")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 503, "5.5.1")
        msg = make_message(tok)
        for line, code in (("MAIL FROM:<r@remote.example>", 250), ("RCPT TO:<%s>" % ADMIN, 250),
                           ("DATA", 354)):
            self.assertReply(c.cmd(line), code)
        c.send(msg + b".\r\n")
        self.assertReply(c.reply(), 250)
        self.assertDelivered(self.env, "admin", tok, msg)

    def test_sequence_errors(self):
        c = Raw(self.port)
        self.addCleanup(c.close)
        self.assertReply(c.reply(), 220)
        self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 503, "5.5.1")
        self.assertReply(c.cmd("EHLO " + EHLO_NAME), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 503, "5.5.1")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 250)
        self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 503, "5.5.1")
        self.assertReply(c.cmd("DATA"), 503, "5.5.1")
        self.assertReply(c.cmd("MAIL FROM:<>"), 503, "5.5.1")  # still in a transaction
        self.assertReply(c.cmd("RSET"), 250)
        self.assertReply(c.cmd("MAIL FROM:<>"), 250)  # null reverse-path (bounces)

    def test_vrfy_help_unknown(self):
        c = self.raw(self.port)
        self.assertReply(c.cmd("VRFY admin"), 252)
        r = c.cmd("HELP")
        self.assertEqual(r.code, 214, r)
        self.assertReply(c.cmd("FOOBAR"), 500, "5.5.1")
        self.assertReply(c.cmd("NOOP"), 250)

    def test_too_many_errors(self):
        c = self.raw(self.port)
        for i in range(10):
            c.send("BOGUS%d\r\n" % i)
            self.assertReply(c.reply(), 500, "5.5.1")
        r = c.reply()
        self.assertEqual(r.code, 421, r)
        self.assertTrue(c.closed()[0], "connection open after 421")

    def test_smtputf8(self):
        c = self.raw(self.port)
        self.assertReply(c.cmd("MAIL FROM:<ren\u00e9@remote.example>"), 553, "5.6.7")
        self.assertReply(c.cmd("MAIL FROM:<ascii@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<b\u00f6b@%s>" % D), 553, "5.6.7")
        self.assertReply(c.cmd("RSET"), 250)
        tok = token()
        msg = ("From: Ren\u00e9 <ren\u00e9@remote.example>\r\nTo: <%s>\r\nSubject: \u00e9t\u00e9 %s\r\n"
               "\r\nUnicode body \u2603 %s\r\n" % (ADMIN, tok, tok)).encode()
        for line, code in (("MAIL FROM:<ren\u00e9@remote.example> SMTPUTF8", 250),
                           ("RCPT TO:<%s>" % ADMIN, 250), ("DATA", 354)):
            self.assertReply(c.cmd(line), code)
        c.send(msg + b".\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, msg)


class MXSizeLimitTest(Base):
    """SMTPMaxMessageSize: 10000 in mox.conf."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        conf = env.static_text()
        conf = conf.replace("\tpublic:\n", "\tpublic:\n\t\tSMTPMaxMessageSize: 10000\n", 1)
        with open(env.config_path, "w") as f:
            f.write(conf)
        env.config("test")
        cls.port = cls.start(env, "smtp").port

    def test_size(self):
        c = self.raw(self.port, ehlo=False)
        r = c.cmd("EHLO " + EHLO_NAME)
        self.assertIn("SIZE 10000", r.lines)
        self.assertReply(c.cmd("MAIL FROM:<s@remote.example> SIZE=10001"), 552, "5.3.4")
        self.assertReply(c.cmd("MAIL FROM:<s@remote.example> SIZE=9000"), 250)
        self.assertReply(c.cmd("RSET"), 250)
        tok = token()
        small = make_message(tok, body="\r\n".join(["y" * 900] * 10))
        self.assertLess(len(small), 10000)
        for line, code in (("MAIL FROM:<s@remote.example>", 250), ("RCPT TO:<%s>" % ADMIN, 250),
                           ("DATA", 354)):
            self.assertReply(c.cmd(line), code)
        c.send(small + b".\r\n")
        self.assertReply(c.reply(), 250, "2.0.0")
        self.assertDelivered(self.env, "admin", tok, small)

    def test_data_too_large(self):
        tok = token()
        big = make_message(tok, body="\r\n".join(["z" * 900] * 25))
        c = self.raw(self.port)
        for line, code in (("MAIL FROM:<s@remote.example>", 250), ("RCPT TO:<%s>" % ADMIN, 250),
                           ("DATA", 354)):
            self.assertReply(c.cmd(line), code)
        c.send(big + b".\r\n")
        self.assertReply(c.reply(), 552, "5.3.4")
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertNotDelivered(self.env, tok)

    def test_bdat_too_large(self):
        tok = token()
        big = make_message(tok, body="\r\n".join(["z" * 900] * 25))
        c = self.raw(self.port)
        self.assertReply(c.cmd("MAIL FROM:<s@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<%s>" % ADMIN), 250)
        c.send(b"BDAT %d LAST\r\n" % len(big) + big)
        self.assertReply(c.reply(), 552, "5.3.4")
        self.assertReply(c.cmd("NOOP"), 250)
        self.assertNotDelivered(self.env, tok)


# ---------------------------------------------------------------------------

class SubmissionTest(Base):
    """mox-smtpd --mode submission (587, STARTTLS) and --mode submissions (465)."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        env.config("account", "add", "bob", BOB)
        env.config("account", "password", "bob", input=BOB_PW + "\n")
        env.config("account", "add", "carol", CAROL)
        env.config("account", "password", "carol", input=CAROL_PW + "\n")
        env.config("account", "disable", "carol", CAROL_DISABLED)
        # admin owns an address at a second domain, which is disabled.
        env.config("domain", "add", "second.example", "admin")
        env.config("address", "add", "admin@second.example", "admin")
        env.config("domain", "disable", "second.example")
        env.config("test")
        cls.admin = (ADMIN, env.password)
        cls.sub = cls.start(env, "submission")
        cls.subs = cls.start(env, "submissions", tls=True)

    def tearDown(self):
        # The failed-auth limiter is shared state in auth.db (docs/DESIGN.md
        # "Shared state between processes").
        self.env.query("auth.db", "DELETE FROM AuthFailure")

    def tls_smtp(self, login=None):
        return self.smtp(self.sub.port, starttls=True, login=login)

    def auth(self, s, mech, user, password, initial=True):
        """AUTH with smtplib's PLAIN/LOGIN/CRAM-MD5; returns (code, text)."""
        s.user, s.password = user, password
        obj = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login, "CRAM-MD5": s.auth_cram_md5}[mech]
        try:
            return smtp_reply(s.auth(mech, obj, initial_response_ok=initial))
        except smtplib.SMTPAuthenticationError as e:
            return smtp_reply((e.smtp_code, e.smtp_error))

    def scram(self, s, mech, user, password, cbind=None, wrong_cbind=False):
        """SCRAM-SHA-1/256[-PLUS] over an smtplib connection; returns (code, text)."""
        hashname = "sha256" if "256" in mech else "sha1"
        if mech.endswith("-PLUS") and cbind is None:
            cbind = tls_exporter(s.sock)
        c = ScramClient(hashname, user, password,
                        cbind=(b"\x00" * 32 if wrong_cbind else cbind) if mech.endswith("-PLUS") else None)
        code, resp = smtp_reply(s.docmd("AUTH", "%s %s" % (mech, b64(c.first()))))
        if code != 334:
            return code, resp
        code, resp = smtp_reply(s.docmd(b64(c.final(base64.b64decode(resp)))))
        if code != 334:
            return code, resp
        c.verify(base64.b64decode(resp))
        return smtp_reply(s.docmd(""))

    def any_auth(self, s, mech, user, password):
        if mech.startswith("SCRAM"):
            return self.scram(s, mech, user, password)
        return self.auth(s, mech, user, password)

    # -- EHLO, TLS requirements --

    def test_ehlo_before_and_after_tls(self):
        c = Raw(self.sub.port)
        self.addCleanup(c.close)
        r = c.reply()
        self.assertEqual((r.code, r.lines), (220, [HOST + " ESMTP mox"]))
        r = c.cmd("EHLO " + EHLO_NAME)
        self.assertIn("STARTTLS", r.lines)
        self.assertEqual([k for k in r.lines if k.split(" ")[0] == "AUTH"], [],
                         "AUTH announced before TLS: %r" % r)
        c.starttls()
        r = c.cmd("EHLO " + EHLO_NAME)
        self.assertNotIn("STARTTLS", r.lines)
        auth = [k for k in r.lines if k.startswith("AUTH ")]
        self.assertEqual(len(auth), 1, r)
        self.assertEqual(auth[0].split()[1:], AUTH_MECHS)
        for k in ("PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "CHUNKING", "SMTPUTF8",
                  "LIMITS RCPTMAX=1000", "SIZE 104857600"):
            self.assertIn(k, r.lines)

    def test_auth_before_tls(self):
        c = self.raw(self.sub.port)
        self.assertReply(c.cmd("AUTH PLAIN " + b64("\0%s\0%s" % self.admin)), 538, "5.7.11")
        self.assertReply(c.cmd("AUTH SCRAM-SHA-256 " + b64(ScramClient("sha256", ADMIN, "x").first())),
                         538, "5.7.11")
        self.assertReply(c.cmd("MAIL FROM:<%s>" % ADMIN), 530, "5.7.0")

    def test_mail_before_auth(self):
        s = self.tls_smtp()
        self.assertReply(s.mail(ADMIN), 530, "5.7.0")
        self.assertReply(s.rcpt(BOB), 503)

    # -- SASL mechanisms --

    def test_plain_login_crammd5(self):
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
            for initial in (True, False):
                with self.subTest(mech=mech, initial_response=initial):
                    s = self.tls_smtp()
                    self.assertReply(self.auth(s, mech, ADMIN, "wrong" + self.env.password, initial),
                                     535, "5.7.8")
                    self.assertReply(self.auth(s, mech, ADMIN, self.env.password, initial), 235, "2.7.0")
                    # Authenticated: the transaction may start.
                    self.assertReply(s.mail(ADMIN), 250)

    def test_smtplib_login(self):
        s = self.tls_smtp(login=self.admin)
        self.assertReply(s.mail(ADMIN), 250)

    def test_login_address_variants(self):
        # mox-smtpd(8) "Authentication": any address of the account, catchall
        # variants included.
        for user in ("admin+tag@" + D, "Admin@MOX.example"):
            with self.subTest(user=user):
                s = self.tls_smtp()
                self.assertReply(self.auth(s, "PLAIN", user, self.env.password), 235, "2.7.0")
        s = self.tls_smtp()
        self.assertReply(self.auth(s, "PLAIN", "admin", self.env.password), 535, "5.7.8")

    def test_swaks_auth(self):
        # As bob: swaks cannot take a password starting with "-" (its option
        # parser reads it as an option), which the generated one may.
        tok = token()
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5"):
            for pw, ok, expect in ((BOB_PW, True, "235 2.7.0"), ("bad-" + BOB_PW, False, "535 5.7.8")):
                with self.subTest(mech=mech, ok=ok):
                    argv = ["swaks", "--server", "127.0.0.1", "--port", str(self.sub.port), "--tls",
                            "--helo", EHLO_NAME, "--auth", mech, "--auth-user", BOB,
                            "--auth-password", pw, "--timeout", "20", "--from", BOB, "--to", ADMIN]
                    if ok and mech == "CRAM-MD5":
                        # A whole submission (swaks' From header is --from).
                        argv += ["--header", "Subject: swaks " + tok]
                    else:
                        argv += ["--quit-after", "AUTH"]
                    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                    # swaks marks error replies "<~*".
                    self.assertRegex(p.stdout, r"(?m)^<~\*? +" + re.escape(expect) + " ", p.stderr)
                    if ok:
                        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                    else:
                        self.assertNotEqual(p.returncode, 0, p.stdout)
        got = find(self.env, "admin", tok)
        self.assertEqual(len(got), 1, got)
        self.assertIn(b"ESMTPSA", got[0].data)

    def test_scram(self):
        for mech in ("SCRAM-SHA-1", "SCRAM-SHA-256"):
            with self.subTest(mech=mech):
                s = self.tls_smtp()
                self.assertReply(self.scram(s, mech, ADMIN, "wrong-password"), 535, "5.7.8")
                self.assertReply(self.scram(s, mech, ADMIN, self.env.password), 235, "2.7.0")
                self.assertReply(s.mail(ADMIN), 250)
                s = self.tls_smtp()
                self.assertReply(self.scram(s, mech, BOB, BOB_PW), 235, "2.7.0")

    def test_scram_plus(self):
        s = self.tls_smtp()
        cb = tls_exporter(s.sock)
        if cb is None:
            self.skipTest("no tls-exporter: Python 3.11's ssl has no API and the ctypes fallback failed")
        for mech in ("SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"):
            with self.subTest(mech=mech):
                s = self.tls_smtp()
                self.assertReply(self.scram(s, mech, ADMIN, "wrong-password"), 535, "5.7.8")
                self.assertReply(self.scram(s, mech, ADMIN, self.env.password, wrong_cbind=True),
                                 535, "5.7.8")
                self.assertReply(self.scram(s, mech, ADMIN, self.env.password), 235, "2.7.0")
                self.assertReply(s.mail(ADMIN), 250)
        # Channel binding data of another connection does not match.
        s = self.tls_smtp()
        self.assertReply(self.scram(s, "SCRAM-SHA-256-PLUS", ADMIN, self.env.password, cbind=cb),
                         535, "5.7.8")
        rows = self.env.query("auth.db", "SELECT AuthMech, Result FROM LoginAttempt WHERE AccountName = ? "
                              "AND AuthMech LIKE '%-plus'", ("admin",))
        self.assertIn(("scram-sha-256-plus", "ok"), rows)
        self.assertIn(("scram-sha-256-plus", "badchanbind"), rows)
        self.assertIn(("scram-sha-1-plus", "badcreds"), rows)

    def test_unknown_mechanism(self):
        s = self.tls_smtp()
        self.assertReply(s.docmd("AUTH", "FOO-BAR"), 504, "5.5.4")
        self.assertReply(s.docmd("AUTH", "X-UNKNOWN " + b64("x")), 504, "5.5.4")

    def test_auth_abort(self):
        s = self.tls_smtp()
        self.assertReply(s.docmd("AUTH", "LOGIN"), 334)
        self.assertReply(s.docmd("*"), 501)
        self.assertReply(self.auth(s, "PLAIN", ADMIN, self.env.password), 235, "2.7.0")
        self.assertReply(s.docmd("AUTH", "PLAIN " + b64("\0%s\0%s" % self.admin)), 503, "5.5.1")

    def test_plain_other_role(self):
        s = self.tls_smtp()
        r = s.docmd("AUTH", "PLAIN " + b64("%s\0%s\0%s" % (BOB, ADMIN, self.env.password)))
        self.assertReply(r, 535, "5.7.8")
        # authzid equal to authcid is fine.
        r = s.docmd("AUTH", "PLAIN " + b64("%s\0%s\0%s" % (ADMIN, ADMIN, self.env.password)))
        self.assertReply(r, 235, "2.7.0")

    def test_login_disabled(self):
        for mech in ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"):
            with self.subTest(mech=mech):
                s = self.tls_smtp()
                r = self.any_auth(s, mech, CAROL, CAROL_PW)
                self.assertReply(r, 525, "5.7.13")
                self.assertEqual(r[1], "5.7.13 login disabled for account: " + CAROL_DISABLED)
                self.assertReply(self.any_auth(s, mech, CAROL, "wrong-" + CAROL_PW), 535, "5.7.8")
                self.assertReply(s.mail(CAROL), 530, "5.7.0")

    # -- sender checks (mox-smtpd(8) "Submission") --

    def test_mail_from_other_account(self):
        s = self.tls_smtp(login=self.admin)
        self.assertReply(s.mail(BOB), 550, "5.7.1")
        self.assertReply(s.mail("someone@remote.example"), 550, "5.7.1")
        self.assertReply(s.mail(ADMIN), 250)

    def test_mail_from_disabled_domain(self):
        s = self.tls_smtp(login=self.admin)
        self.assertReply(s.mail("admin@second.example"), 451, "4.3.0",
                         "domain of smtp mail from is temporarily disabled")

    def test_from_header_disabled_domain(self):
        tok = token()
        s = self.tls_smtp(login=self.admin)
        replies = self.transaction(s, ADMIN, [BOB], make_message(tok, frm="admin@second.example", to=BOB))
        self.assertReply(replies[-1], 451, "4.3.0", "domain of message from header is temporarily disabled")
        self.assertNotDelivered(self.env, tok, ("bob",))

    def test_from_header_other_account(self):
        tok = token()
        s = self.tls_smtp(login=self.admin)
        replies = self.transaction(s, ADMIN, [BOB], make_message(tok, frm=BOB, to=BOB))
        self.assertReply(replies[-1], 550, "5.7.1")
        self.assertNotDelivered(self.env, tok, ("bob",))

    # -- delivery and queueing --

    def test_local_delivery(self):
        tok = token()
        msg = make_message(tok, frm=ADMIN, to=BOB)
        s = self.tls_smtp(login=self.admin)
        replies = self.transaction(s, ADMIN, [BOB, "admin+self@" + D], msg)
        self.assertEqual([c for c, _ in replies], [250, 250, 250, 250], replies)
        m = self.assertDelivered(self.env, "bob", tok, msg)[0]
        self.assertIn(b"with ESMTPSA", m.data)
        self.assertDelivered(self.env, "admin", tok, msg)

    def test_missing_date_and_message_id_added(self):
        # RFC 6409 §8.2, §8.3: a submission server may add them.
        tok = token()
        msg = make_message(tok, frm=ADMIN, to=BOB, date=False, msgid=False)
        s = self.tls_smtp(login=self.admin)
        replies = self.transaction(s, ADMIN, [BOB], msg)
        self.assertEqual(replies[-1][0], 250, replies)
        got = find(self.env, "bob", tok)
        self.assertEqual(len(got), 1)
        head = got[0].data.split(b"\r\n\r\n", 1)[0]
        self.assertRegex(head, rb"(?im)^Message-ID: <[^>]+>\r?$")
        self.assertRegex(head, rb"(?im)^Date: ")

    def test_remote_queued(self):
        tok = token()
        msg = make_message(tok, frm=ADMIN, to="someone@remote.example")
        s = self.tls_smtp(login=self.admin)
        replies = self.transaction(s, ADMIN, ["someone@remote.example", "other@elsewhere.example"], msg)
        self.assertEqual([c for c, _ in replies], [250, 250, 250, 250], replies)
        rows = self.env.query(("queue", "index.db"),
                              "SELECT ID, SenderAccount, SenderLocalpart, SenderDomain, RecipientLocalpart, "
                              "RecipientDomain FROM Msg ORDER BY ID")
        mine = []
        for row in rows:
            path = self.env.queue_message_path(row[0])
            self.assertTrue(os.path.exists(path), "queue row %r without file %s" % (row, path))
            with open(path, "rb") as f:
                data = f.read()
            if tok.encode() in data:
                mine.append(row[1:])
                self.assertTrue(data.endswith(msg), data)
                self.assertRegex(data[:len(data) - len(msg)], RECEIVED_RE)
        self.assertEqual(sorted(mine), [("admin", "admin", D, "other", "elsewhere.example"),
                                        ("admin", "admin", D, "someone", "remote.example")])
        self.assertNotDelivered(self.env, tok)

    # -- login attempts and the limiter --

    def attempts(self):
        rows = self.env.query("auth.db", "SELECT Key, AccountName, LoginAddress, RemoteIP, LocalIP, TLS, "
                              "Protocol, AuthMech, Result, Count FROM LoginAttempt")
        return {r[0]: r[1:] for r in rows}

    def test_login_attempts(self):
        before = self.attempts()
        pw = self.env.password
        mechs = ("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256")
        for mech in mechs:
            s = self.tls_smtp()
            self.assertReply(self.any_auth(s, mech, ADMIN, "bad-" + pw), 535, "5.7.8")
            self.assertReply(self.any_auth(s, mech, ADMIN, pw), 235, "2.7.0")
        s = self.tls_smtp()  # an identical failure, on another connection
        self.assertReply(self.any_auth(s, "PLAIN", ADMIN, "bad-" + pw), 535, "5.7.8")
        s = self.tls_smtp()
        self.assertReply(self.any_auth(s, "PLAIN", CAROL, CAROL_PW), 525, "5.7.13")
        after = self.attempts()
        delta = {}
        for key, row in after.items():
            n = row[-1] - (before[key][-1] if key in before else 0)
            if n:
                delta[(row[0], row[1], row[6], row[7])] = delta.get((row[0], row[1], row[6], row[7]), 0) + n
            self.assertEqual(row[2:6], ("127.0.0.1", "127.0.0.1", row[4], "submission"), row)
            self.assertIn("version=", row[4], row)
        expect = {}
        for mech in mechs:
            m = mech.lower()
            expect[("admin", ADMIN, m, "badcreds")] = 2 if mech == "PLAIN" else 1
            expect[("admin", ADMIN, m, "ok")] = 1
        expect[("carol", CAROL, "plain", "logindisabled")] = 1
        self.assertEqual(delta, expect)
        # Identical attempts are one row with a count.
        keys = [k for k, r in after.items() if r[:2] == ("admin", ADMIN) and r[6:8] == ("plain", "badcreds")]
        self.assertEqual(len(keys), 1)

    def test_auth_failure_limiter(self):
        self.env.query("auth.db", "DELETE FROM AuthFailure")
        s = self.tls_smtp()
        for _ in range(9):
            self.assertReply(self.auth(s, "PLAIN", ADMIN, "wrong"), 535, "5.7.8")
        s.close()
        c = self.raw(self.sub.port, ehlo=False)  # 9 failures: still welcome
        c.close()
        s = self.tls_smtp()
        self.assertReply(self.auth(s, "PLAIN", BOB, "wrong"), 535, "5.7.8")
        # 10 failures within a minute: this IP is refused (mox-smtpd(8)
        # "Authentication").
        self.assertReply(s.docmd("AUTH", "PLAIN " + b64("\0%s\0%s" % self.admin)), 421, "4.7.0")
        for port, tls in ((self.sub.port, False), (self.subs.port, True)):
            c = Raw(port, tls=tls)
            self.addCleanup(c.close)
            r = c.reply()
            self.assertEqual((r.code, r.text), (421, "4.7.0 too many auth failures"))
            self.assertTrue(c.closed()[0])
        # Once the failures are gone (tearDown does this too), logins work again.
        self.env.query("auth.db", "DELETE FROM AuthFailure")
        s = self.tls_smtp(login=self.admin)
        self.assertReply(s.mail(ADMIN), 250)

    # -- submissions (implicit TLS, 465) --

    def test_submissions_smtplib(self):
        tok = token()
        msg = make_message(tok, frm=ADMIN, to=BOB)
        s = self.smtp(self.subs.port, ssl_port=True)
        self.assertFalse(s.has_extn("starttls"))
        self.assertEqual(s.esmtp_features["auth"].split(), AUTH_MECHS)
        s.login(*self.admin)
        refused = s.sendmail(ADMIN, [BOB], msg)
        self.assertEqual(refused, {})
        m = self.assertDelivered(self.env, "bob", tok, msg)[0]
        self.assertIn(b"with ESMTPSA", m.data)

    def test_submissions_openssl_banner(self):
        p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.subs.port,
                            "-servername", HOST, "-quiet", "-crlf"],
                           input=b"EHLO client.example\nQUIT\n", capture_output=True, timeout=30)
        out = p.stdout.decode(errors="replace")
        self.assertIn("220 %s ESMTP mox\r\n" % HOST, out, p.stderr.decode())
        self.assertIn("250-AUTH " + " ".join(AUTH_MECHS) + "\r\n", out)
        self.assertIn("221 2.0.0", out)

    def test_submission_openssl_starttls(self):
        p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % self.sub.port,
                            "-starttls", "smtp", "-quiet", "-crlf"],
                           input=b"EHLO client.example\nQUIT\n", capture_output=True, timeout=30)
        out = p.stdout.decode(errors="replace")
        self.assertIn("250-AUTH " + " ".join(AUTH_MECHS) + "\r\n", out, p.stderr.decode())
        self.assertNotIn("STARTTLS", out)
        self.assertIn("221 2.0.0", out)


# ---------------------------------------------------------------------------

def crash_points():
    # mox-smtpd delivers through store/shared.cc (store/deliver.cc has the
    # same points for IMAP APPEND; tests/store_deliver_test.cc covers those).
    names = []
    for rel in ("lib/store/shared.cc", "lib/store/msgfile.cc"):
        try:
            with open(os.path.join(moxtest.MOX_SRC, rel)) as f:
                names += re.findall(r'crashpoint\("([^"]+)"\)', f.read())
        except OSError:
            pass
    return list(dict.fromkeys(names)) or list(KNOWN_CRASHPOINTS)


class CrashTest(Base):
    """kill -9 at each crash point of delivery, one process per connection
    (systemd-socket-activate --accept --inetd): nothing acknowledged is lost
    and no row lacks its file."""

    @classmethod
    def setUpClass(cls):
        cls.env = cls.make_env()
        cls.srv = cls.start(cls.env, "smtp", how="inetd")

    def deliver_ok(self, port, acked):
        tok = token()
        msg = make_message(tok)
        s = self.smtp(port)
        replies = self.transaction(s, "crash@remote.example", [ADMIN], msg)
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        acked[tok] = msg

    def check_store(self, acked, crashed=()):
        rows = stored(self.env, "admin")
        for m in rows:
            self.assertIsNotNone(m.data, "Message row %d without file %s" %
                                 (m.id, self.env.message_path("admin", m.id)))
            self.assertEqual(m.size, len(m.data), m)
            self.assertTrue(any(m.data.endswith(msg) for msg in list(acked.values()) + list(crashed)),
                            "stored message is not one that was sent: %r" % m)
        for tok, msg in acked.items():
            self.assertEqual(len([m for m in rows if m.data.endswith(msg)]), 1,
                             "acknowledged message %s missing or doubled" % tok)
        for msg in crashed:
            self.assertLessEqual(len([m for m in rows if m.data.endswith(msg)]), 1)
        ic = self.env.query(("accounts", "admin", "index.db"), "PRAGMA integrity_check")
        self.assertEqual(ic, [("ok",)])

    def test_crash_points(self):
        points = crash_points()
        for p in ("deliver-after-write", "deliver-after-file"):
            self.assertIn(p, points)
        acked = {}
        for _ in range(5):
            self.deliver_ok(self.srv.port, acked)
        self.check_store(acked)
        crashed = []
        for point in points:
            with self.subTest(crashpoint=point):
                srv = self.start(self.env, "smtp", how="inetd", extra={"MOX_CRASHPOINT": point})
                try:
                    tok = token()
                    msg = make_message(tok)
                    crashed.append(msg)
                    c = self.raw(srv.port)
                    c.send("MAIL FROM:<crash@remote.example>\r\nRCPT TO:<%s>\r\nDATA\r\n" % ADMIN)
                    for code in (250, 250, 354):
                        self.assertReply(c.reply(), code)
                    c.send(msg + b".\r\n")
                    closed, got = c.closed(timeout=20)
                    self.assertTrue(closed, "connection not dropped at crash point %s" % point)
                    self.assertEqual(got, b"", "reply despite crash at %s" % point)
                finally:
                    srv.stop()
                self.check_store(acked, crashed)
                # The crash happened where its name says: before the commit
                # the message is not there, after it, it is (once).
                copies = len([m for m in stored(self.env, "admin") if m.data.endswith(msg)])
                self.assertEqual(copies, 1 if point.endswith("after-commit") else 0,
                                 "copies of the message after crash point %s" % point)
                # The store still works after the crash.
                self.deliver_ok(self.srv.port, acked)
                self.check_store(acked, crashed)

    def test_queue_crash_point(self):
        env = self.env
        ok = self.start(env, "submission", how="inetd")
        acked = []
        for _ in range(2):
            tok = token()
            s = self.smtp(ok.port, starttls=True, login=(ADMIN, env.password))
            self.assertEqual(s.sendmail(ADMIN, ["x@remote.example"], make_message(tok, frm=ADMIN)), {})
            acked.append(tok)
        srv = self.start(env, "submission", how="inetd", extra={"MOX_CRASHPOINT": "queue-add-before-commit"})
        tok = token()
        s = self.smtp(srv.port, starttls=True, login=(ADMIN, env.password))
        with self.assertRaises((smtplib.SMTPServerDisconnected, ConnectionError)):
            s.sendmail(ADMIN, ["x@remote.example", "y@remote.example"], make_message(tok, frm=ADMIN))
        srv.stop()
        rows = env.query(("queue", "index.db"), "SELECT ID FROM Msg")
        found = []
        for (qid,) in rows:
            path = env.queue_message_path(qid)
            self.assertTrue(os.path.exists(path), "queue row %d without file" % qid)
            with open(path, "rb") as f:
                data = f.read()
            found += [t for t in acked + [tok] if t.encode() in data]
        self.assertEqual(sorted(found), sorted(acked))


# ---------------------------------------------------------------------------

class RunModesTest(Base):
    """The same delivery with --listen, inetd (fd 0/1), systemd Accept=yes (the
    connection in LISTEN_FDS) and Accept=no (the listening socket in LISTEN_FDS)."""

    @classmethod
    def setUpClass(cls):
        cls.env = cls.make_env()

    def deliver(self, port, rcpt=ADMIN, starttls=False):
        tok = token()
        msg = make_message(tok, to=rcpt)
        s = self.smtp(port, starttls=starttls)
        replies = self.transaction(s, "modes@remote.example", [rcpt], msg)
        self.assertEqual([c for c, _ in replies], [250, 250, 250], replies)
        return tok, msg

    def test_each_mode(self):
        for how in ("listen", "inetd", "accept", "listenfds"):
            with self.subTest(how=how):
                srv = self.start(self.env, "smtp", how=how)
                try:
                    for starttls in (False, True):
                        tok, msg = self.deliver(srv.port, starttls=starttls)
                        self.assertDelivered(self.env, "admin", tok, msg)
                    # Several connections, one after the other, on the same server.
                    for _ in range(3):
                        c = self.raw(srv.port)
                        self.assertReply(c.cmd("QUIT"), 221)
                finally:
                    srv.stop()

    def concurrent(self, port, clients, per_client):
        results, errors = [], []

        def client():
            try:
                with smtplib.SMTP("127.0.0.1", port, local_hostname=EHLO_NAME, timeout=60) as s:
                    for _ in range(per_client):
                        tok = token()
                        msg = make_message(tok)
                        self.assertEqual(s.sendmail("conc@remote.example", [ADMIN], msg), {})
                        results.append((tok, msg))
            except Exception as e:  # reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(len(results), clients * per_client)
        for tok, msg in results:
            self.assertDelivered(self.env, "admin", tok, msg)

    def test_listenfds_concurrent(self):
        srv = self.start(self.env, "smtp", how="listenfds")
        self.addCleanup(srv.stop)
        before = len(stored(self.env, "admin"))
        self.concurrent(srv.port, 8, 5)
        self.assertEqual(len(stored(self.env, "admin")), before + 40)

    def test_inetd_concurrent(self):
        srv = self.start(self.env, "smtp", how="inetd")
        self.addCleanup(srv.stop)
        self.concurrent(srv.port, 8, 3)

    def test_tls_resumption_across_processes(self):
        # docs/DESIGN.md "Shared state between processes": session tickets work
        # across processes (inetd: one process per connection).
        srv = self.start(self.env, "submissions", how="inetd", tls=True)
        self.addCleanup(srv.stop)
        ctx = moxtest.insecure_tls_context()
        session = None
        for i in range(2):
            with socket.create_connection(srv.addr, timeout=20) as raw:
                with ctx.wrap_socket(raw, session=session) as s:
                    f = s.makefile("rb")
                    self.assertTrue(f.readline().startswith(b"220 "))
                    if i == 1:
                        self.assertTrue(s.session_reused, "TLS session not resumed in a new process")
                    s.sendall(b"QUIT\r\n")
                    self.assertTrue(f.readline().startswith(b"221 "))
                    session = s.session
                    self.assertTrue(session is not None and session.has_ticket)


if __name__ == "__main__":
    unittest.main()
