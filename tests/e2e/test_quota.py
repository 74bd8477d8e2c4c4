"""End-to-end tests of account quotas: QuotaMessageSize in domains.conf (per
account, -1 for no limit) and in mox.conf (the default), enforced by
mox-smtpd (452 4.2.2 mailbox full, RFC 3463; 552 5.2.2 for a message larger
than the whole quota) and mox-imapd (NO [OVERQUOTA], RFC 9208 §4.3 and
RFC 5530 §3), and reported by IMAP GETQUOTAROOT / GETQUOTA (RFC 9208). Real
clients: Python's smtplib and imaplib, against the built servers in a
temporary quickstart installation.

Run by hand: /usr/bin/python3 tests/e2e/test_quota.py -v
"""

import imaplib
import os
import re
import secrets
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
ADMIN = moxtest.ADDRESS
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
EHLO_NAME = "client.example"
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
DAVE, DAVE_PW = "dave@" + D, "dave-Secret-pw-1"
CAROL = "carol@" + D
BOB_QUOTA = 20000      # bytes, Accounts.bob.QuotaMessageSize
DEFAULT_QUOTA = 12000  # bytes, mox.conf QuotaMessageSize: dave's, not carol's (-1)
BODY_SIZE = 3000


def message(to, body_size=BODY_SIZE):
    tok = secrets.token_hex(6)
    lines = ["From: <sender@remote.example>", "To: <%s>" % to, "Subject: quota %s" % tok,
             "Message-ID: <%s@remote.example>" % tok, "Date: Wed, 25 Nov 2026 12:00:00 +0000",
             ""]
    body = "\r\n".join(["q" * 98] * (body_size // 100))
    return tok, ("\r\n".join(lines) + "\r\n" + body + "\r\n").encode()


def set_account_quota(text, account, value):
    """domains.conf text with Accounts.ACCOUNT.QuotaMessageSize: VALUE."""
    accounts = text.index("\nAccounts:\n")
    i = text.index("\n\t%s:\n" % account, accounts) + len("\n\t%s:\n" % account)
    return text[:i] + "\t\tQuotaMessageSize: %d\n" % value + text[i:]


def usage(env, account):
    """Bytes counted against the account's quota (DiskUsage, index.db)."""
    return env.query(("accounts", account, "index.db"),
                     "SELECT MessageSize FROM DiskUsage")[0][0]


def stored_sizes(env, account):
    return env.query(("accounts", account, "index.db"),
                     "SELECT COALESCE(SUM(Size), 0), COUNT(*) FROM Message WHERE Expunged = 0")[0]


class QuotaTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        for acc, addr, pw in (("bob", BOB, BOB_PW), ("dave", DAVE, DAVE_PW), ("carol", CAROL, None)):
            env.config("account", "add", acc, addr)
            if pw:
                env.config("account", "password", acc, input=pw + "\n")
        text = set_account_quota(env.domains_text(), "bob", BOB_QUOTA)
        env.write_domains(set_account_quota(text, "carol", -1))
        with open(env.config_path, "a") as f:
            f.write("QuotaMessageSize: %d\n" % DEFAULT_QUOTA)
        env.config("test")
        cls.smtp_port = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"], env=SERVER_ENV).start().port
        cls.imap_port = moxtest.Server(env, "mox-imapd", [], env=SERVER_ENV, banner=b"* OK").start().port

    # -- clients --

    def smtp(self):
        s = smtplib.SMTP("127.0.0.1", self.smtp_port, local_hostname=EHLO_NAME, timeout=30)
        self.addCleanup(s.close)
        s.ehlo()
        return s

    def send(self, s, rcpts, msg):
        """One transaction; returns the DATA reply (code, text)."""
        self.assertEqual(s.mail("sender@remote.example")[0], 250)
        for r in rcpts:
            self.assertEqual(s.rcpt(r)[0], 250, r)
        try:
            code, text = s.data(msg)
        except smtplib.SMTPDataError as e:
            code, text = e.smtp_code, e.smtp_error
        return code, text.decode()

    def imap(self, user, password):
        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=30)
        self.addCleanup(self._close_imap, m)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        m.login(user, password)
        return m

    @staticmethod
    def _close_imap(m):
        try:
            m.logout()
        except Exception:
            pass

    def quotaroot(self, m, mailbox="INBOX"):
        """GETQUOTAROOT: (roots line, quota line) as imaplib gives them."""
        typ, data = m.getquotaroot(mailbox)
        self.assertEqual(typ, "OK", data)
        return data

    def storage(self, m):
        """(used, limit) of STORAGE in KiB, from GETQUOTAROOT INBOX."""
        roots, quotas = self.quotaroot(m)
        self.assertEqual(roots, [b'INBOX ""'])
        mt = re.fullmatch(rb'"" \(STORAGE (\d+) (\d+)\)', quotas[0])
        self.assertTrue(mt, quotas)
        return int(mt.group(1)), int(mt.group(2))

    def append_until_full(self, m, mailbox):
        """APPENDs until NO [OVERQUOTA]; returns how many were stored."""
        for appended in range(20):
            _, msg = message(BOB)
            typ, data = m.append(mailbox, None, None, msg)
            if typ != "OK":
                self.assertEqual(typ, "NO", data)
                self.assertTrue(data[0].startswith(b"[OVERQUOTA] account quota exceeded"), data)
                return appended
        self.fail("never refused")

    def fill(self, account, address):
        """Delivers until 452 4.2.2; returns the tokens delivered."""
        s = self.smtp()
        delivered = []
        for _ in range(20):
            tok, msg = message(address)
            code, text = self.send(s, [address], msg)
            if code != 250:
                self.assertEqual((code, text), (452, "4.2.2 mailbox full"))
                return delivered
            delivered.append(tok)
        self.fail("never refused")

    # -- tests --

    def test_1_smtp_until_full_then_imap_frees(self):
        delivered = self.fill("bob", BOB)
        used, count = stored_sizes(self.env, "bob")
        self.assertEqual(count, len(delivered))
        self.assertEqual(usage(self.env, "bob"), used)
        self.assertLessEqual(used, BOB_QUOTA)
        self.assertGreater(used + BODY_SIZE, BOB_QUOTA - 1000)  # the next one would not fit
        self.assertGreaterEqual(len(delivered), 5)

        # All or none (delivery.cc LocalCopies): admin does not get the
        # message that bob cannot take (the client retries it later).
        tok, msg = message(ADMIN)
        s = self.smtp()
        self.assertEqual(self.send(s, [ADMIN, BOB], msg), (452, "4.2.2 mailbox full"))
        self.assertEqual(self.env.query(("accounts", "admin", "index.db"),
                                        "SELECT COUNT(*) FROM Message WHERE Expunged = 0")[0][0], 0)

        # IMAP shows the usage, APPENDs until NO [OVERQUOTA] (a message
        # without the Received header of SMTP may still fit), refuses COPY,
        # and EXPUNGE frees.
        m = self.imap(BOB, BOB_PW)
        self.assertEqual(self.storage(m), ((used + 1023) // 1024, (BOB_QUOTA + 1023) // 1024))
        self.assertLessEqual(self.append_until_full(m, "INBOX"), 1)
        used = usage(self.env, "bob")
        self.assertEqual(self.storage(m)[0], (used + 1023) // 1024)
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK", data)
        typ, data = m.copy("1", "Archive")
        self.assertEqual(typ, "NO", data)
        self.assertTrue(data[0].startswith(b"[OVERQUOTA]"), data)
        typ, data = m._simple_command("MOVE", "1", "Archive")  # adds nothing: allowed
        self.assertEqual(typ, "OK", data)
        typ, data = m.store("1:2", "+FLAGS.SILENT", "(\\Deleted)")
        self.assertEqual(typ, "OK", data)
        typ, data = m.expunge()
        self.assertEqual(typ, "OK", data)
        freed_used, _ = stored_sizes(self.env, "bob")
        self.assertLess(freed_used, used)
        self.assertEqual(usage(self.env, "bob"), freed_used)
        self.assertEqual(self.storage(m)[0], (freed_used + 1023) // 1024)

        # Room again: APPEND until NO [OVERQUOTA], then SMTP is refused again.
        self.assertGreaterEqual(self.append_until_full(m, "Archive"), 1)
        self.assertLessEqual(usage(self.env, "bob"), BOB_QUOTA)
        self.assertEqual(self.fill("bob", BOB), [])

        # Users cannot set their own quota.
        typ, data = m.setquota('""', "(STORAGE 100000)")
        self.assertEqual(typ, "NO", data)

    def test_2_larger_than_the_quota_is_permanent(self):
        tok, msg = message(BOB, body_size=BOB_QUOTA + 1000)
        code, text = self.send(self.smtp(), [BOB], msg)
        self.assertEqual((code, text), (552, "5.2.2 message larger than mailbox quota"))

    def test_3_default_from_mox_conf_and_no_limit(self):
        # dave sets no quota: mox.conf's QuotaMessageSize applies.
        delivered = self.fill("dave", DAVE)
        self.assertGreaterEqual(len(delivered), 2)
        self.assertLessEqual(usage(self.env, "dave"), DEFAULT_QUOTA)
        m = self.imap(DAVE, DAVE_PW)
        self.assertEqual(self.storage(m)[1], (DEFAULT_QUOTA + 1023) // 1024)
        # carol has -1: no limit, whatever the default.
        s = self.smtp()
        for _ in range(6):
            _, msg = message(CAROL)
            self.assertEqual(self.send(s, [CAROL], msg)[0], 250)
        self.assertGreater(usage(self.env, "carol"), DEFAULT_QUOTA)

    def test_4_capabilities_and_quota_roots(self):
        m = self.imap(BOB, BOB_PW)
        typ, data = m.capability()
        caps = data[0].split()
        self.assertIn(b"QUOTA", caps)
        self.assertIn(b"QUOTA=RES-STORAGE", caps)
        self.assertNotIn(b"QUOTASET", caps)
        roots, quotas = self.quotaroot(m, "Archive")
        self.assertEqual(roots, [b'Archive ""'])
        typ, data = m.getquota('""')
        self.assertEqual(typ, "OK", data)
        self.assertRegex(data[0], rb'\A"" \(STORAGE \d+ %d\)\Z' % ((BOB_QUOTA + 1023) // 1024))
        typ, data = m.getquota("other")
        self.assertEqual(typ, "NO", data)
        typ, data = m.getquotaroot("Nonexistent")
        self.assertEqual(typ, "NO", data)
        # Without a limit (carol: -1) there is no quota root (RFC 9208 §4.3.2).
        self.env.config("account", "password", "carol", input=BOB_PW + "\n")
        c = self.imap(CAROL, BOB_PW)
        roots, quotas = self.quotaroot(c)
        self.assertEqual(roots, [b"INBOX"])
        self.assertEqual(quotas, [None])
        typ, data = c.getquota('""')
        self.assertEqual(typ, "NO", data)

if __name__ == "__main__":
    unittest.main()
