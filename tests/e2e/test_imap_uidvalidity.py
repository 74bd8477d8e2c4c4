#!/usr/bin/python3
"""UIDVALIDITY of an account removed and made again (mox-imapd(8)).

RFC 9051 §2.3.1.1: a client that cached the messages of INBOX by UID must
see a new UIDVALIDITY when the mailbox of that name is not the same any
more. `mox-config account rm` and `account add` of the same name make a new
INBOX whose UIDs start at 1 again; the store takes UIDVALIDITY from the
time (lib/store/mailbox.h take_uidvalidity), so it differs. Driven with
Python's imaplib, over STARTTLS.
"""
import imaplib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
DAVE, DAVE_PW = "dave@" + D, "dave-Secret-pw-1"
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}


class UidValidityTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        self.srv = self.env.server("mox-imapd", env=SERVER_ENV, banner=b"* OK")

    def make_account(self):
        self.env.config("account", "add", "dave", DAVE)
        self.env.config("account", "password", "dave", input=DAVE_PW + "\n")

    def inbox(self, append=False):
        """(UIDVALIDITY, UIDs) of dave's INBOX, after APPENDing one message if asked."""
        m = imaplib.IMAP4("127.0.0.1", self.srv.port, timeout=20)
        try:
            m.starttls(ssl_context=moxtest.insecure_tls_context())
            self.assertEqual(m.login(DAVE, DAVE_PW)[0], "OK")
            if append:
                self.assertEqual(m.append("INBOX", None, None,
                                          b"Subject: cached\r\n\r\nby uid\r\n")[0], "OK")
            self.assertEqual(m.select("INBOX")[0], "OK")
            (uidvalidity,) = m.response("UIDVALIDITY")[1]
            typ, data = m.uid("SEARCH", "ALL")
            self.assertEqual(typ, "OK")
            m.logout()
            return int(uidvalidity), [int(u) for u in data[0].split()]
        finally:
            try:
                m.shutdown()
            except OSError:
                pass

    def test_uidvalidity_differs_after_account_rm_and_add(self):
        self.make_account()
        before, uids = self.inbox(append=True)
        self.assertEqual(uids, [1])
        self.env.config("account", "rm", "dave")
        # UIDVALIDITY counts seconds: the new account is made in a later one.
        time.sleep(1.1)
        self.make_account()
        after, uids = self.inbox(append=True)
        self.assertEqual(uids, [1])  # the same UID for another message
        self.assertNotEqual(after, before)
        self.assertGreater(after, before)


if __name__ == "__main__":
    unittest.main()
