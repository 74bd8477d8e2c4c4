"""End-to-end tests of SORT, ESORT and THREAD in mox-imapd (RFC 5256, RFC
5267 §3, RFC 5957): messages delivered by mox-smtpd and appended over IMAP,
then sorted and threaded with Python's imaplib (sort(), thread(), uid()) as
a mail client does. Also: the keys are read from the rows (the message
files can be gone), and rows stored without keys get theirs on the first
SORT. mox-imapd(8) "Sorting and threading".

Run by hand: /usr/bin/python3 tests/e2e/test_imap_sort.py -v
"""

import imaplib
import os
import shutil
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"


def message(frm, subject, date, msgid, refs=None, body="hello"):
    lines = ["From: %s" % frm, "To: <%s>" % BOB, "Subject: %s" % subject,
             "Message-ID: <%s>" % msgid]
    if date:
        lines.append("Date: %s" % date)
    if refs:
        lines.append("References: %s" % " ".join("<%s>" % r for r in refs))
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


# Delivered in this order: sequence numbers 1 to 5.
MESSAGES = [
    message("Zoe <zoe@remote.example>", "plans", "Mon, 02 Feb 2026 10:00:00 +0000", "p1@r"),
    message("adam@remote.example", "Re: plans", "Mon, 02 Feb 2026 11:00:00 +0000", "p2@r",
            ["p1@r"], body="a longer body than the others"),
    message("=?utf-8?q?Bj=C3=B6rn?= <b@remote.example>", "[list] lunch",
            "Mon, 02 Feb 2026 09:00:00 +0100", "l1@r"),
    message("carl@remote.example", "Re: Re: plans", "Mon, 02 Feb 2026 12:00:00 +0000", "p3@r",
            ["p1@r", "p2@r"]),
    message("dora@remote.example", "Fwd: lunch", "Mon, 02 Feb 2026 07:00:00 +0000", "l2@r"),
]


class SortTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        env.config("account", "add", "bob", BOB)
        env.config("account", "password", "bob", input=BOB_PW + "\n")
        smtp_port = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"], env=SERVER_ENV).start().port
        cls.imap_port = moxtest.Server(env, "mox-imapd", [], env=SERVER_ENV, banner=b"* OK").start().port
        # Three by SMTP (the parse of mox-smtpd), two by APPEND.
        s = smtplib.SMTP("127.0.0.1", smtp_port, local_hostname="client.example", timeout=30)
        for msg in MESSAGES[:3]:
            s.sendmail("sender@remote.example", [BOB], msg)
        s.quit()
        m = cls.connect()
        for msg in MESSAGES[3:]:
            typ, data = m.append("INBOX", None, None, msg)
            assert typ == "OK", data
        m.logout()

    @classmethod
    def connect(cls):
        m = imaplib.IMAP4("127.0.0.1", cls.imap_port, timeout=30)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        m.login(BOB, BOB_PW)
        return m

    def setUp(self):
        self.m = self.connect()
        self.addCleanup(self.m.logout)
        typ, data = self.m.select("INBOX")
        self.assertEqual((typ, data), ("OK", [b"5"]))

    def sort(self, criteria, *search, uid=False):
        if uid:
            typ, data = self.m.uid("SORT", "(%s)" % criteria, "UTF-8", *(search or ("ALL",)))
        else:
            typ, data = self.m.sort("(%s)" % criteria, "UTF-8", *(search or ("ALL",)))
        self.assertEqual(typ, "OK", data)
        return data[0].decode()

    def thread(self, algorithm, *search):
        typ, data = self.m.thread(algorithm, "UTF-8", *(search or ("ALL",)))
        self.assertEqual(typ, "OK", data)
        return data[0].decode()

    def test_capabilities(self):
        caps = self.m.capabilities
        for cap in ("SORT", "SORT=DISPLAY", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"):
            self.assertIn(cap, caps)

    def test_sort_keys(self):
        self.assertEqual(self.sort("DATE"), "5 3 1 2 4")  # 3 is 08:00 UTC
        self.assertEqual(self.sort("REVERSE DATE"), "4 2 1 3 5")
        self.assertEqual(self.sort("SUBJECT"), "3 5 1 2 4")  # base subjects: lunch, plans
        self.assertEqual(self.sort("SUBJECT REVERSE DATE"), "3 5 4 2 1")
        self.assertEqual(self.sort("FROM"), "2 3 4 5 1")  # adam b carl dora zoe
        # Display names, else addresses: adam@, Björn, carl@, dora@, Zoe.
        self.assertEqual(self.sort("DISPLAYFROM"), "2 3 4 5 1")
        typ, data = self.m.fetch("1:5", "(RFC822.SIZE)")
        sizes = [int(line.split()[-1].rstrip(b")")) for line in data]
        plans = sorted((1, 2, 4), key=lambda n: (-sizes[n - 1], n))
        self.assertEqual(self.sort("REVERSE SIZE", "SUBJECT", "plans"), " ".join(map(str, plans)))
        self.assertEqual(self.sort("ARRIVAL"), "1 2 3 4 5")
        self.assertEqual(self.sort("TO"), "1 2 3 4 5")  # all equal: sequence order

    def test_uid_sort_and_esort(self):
        typ, data = self.m.uid("SEARCH", "ALL")
        uids = [int(u) for u in data[0].split()]
        want = " ".join(str(uids[i - 1]) for i in (5, 3, 1, 2, 4))
        self.assertEqual(self.sort("DATE", uid=True), want)
        typ, data = self.m._simple_command("SORT", "RETURN", "(MIN MAX COUNT ALL)", "(DATE)",
                                           "UTF-8", "ALL")
        self.assertEqual(typ, "OK", data)
        typ, data = self.m._untagged_response(typ, data, "ESEARCH")
        self.assertRegex(data[0].decode(), r'^\(TAG "[A-Z0-9]+"\) MIN 5 MAX 4 ALL 5,3,1:2,4 COUNT 5$')

    def test_badcharset(self):
        typ, data = self.m._simple_command("SORT", "(DATE)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertTrue(data[0].startswith(b"[BADCHARSET"), data)

    def test_thread(self):
        # REFERENCES: 2 and 4 under 1 by their References; the lunch threads
        # gathered by subject, "Fwd: lunch" a forward of "[list] lunch".
        self.assertEqual(self.thread("REFERENCES"), "(3 5)(1 2 4)")
        self.assertEqual(self.thread("ORDEREDSUBJECT"), "(5 3)(1 (2)(4))")
        self.assertEqual(self.thread("REFERENCES", "NOT", "SUBJECT", "lunch"), "(1 2 4)")
        typ, data = self.m.uid("THREAD", "REFERENCES", "UTF-8", "ALL")
        self.assertEqual(typ, "OK", data)

    def test_keys_from_rows_not_files(self):
        # SORT and THREAD read no message file: with the files moved away,
        # the answers are the same.
        msg = self.env.account_dir("bob") + "/msg"
        shutil.move(msg, msg + ".away")
        try:
            self.assertEqual(self.sort("SUBJECT"), "3 5 1 2 4")
            self.assertEqual(self.thread("REFERENCES"), "(3 5)(1 2 4)")
        finally:
            shutil.move(msg + ".away", msg)

    def test_rows_without_keys_get_them(self):
        # Rows from before the keys existed (SortVersion 0) get them from
        # their files at the first SORT, and keep them.
        db = ("accounts", "bob", "index.db")
        self.env.query(db, "UPDATE Message SET SortVersion = 0, SortSubject = '', SentDate = NULL")
        self.assertEqual(self.sort("SUBJECT"), "3 5 1 2 4")
        self.assertEqual(self.env.query(db, "SELECT COUNT(*) FROM Message WHERE SortVersion = 0"),
                         [(0,)])
        self.assertEqual(self.sort("DATE"), "5 3 1 2 4")


if __name__ == "__main__":
    unittest.main()
