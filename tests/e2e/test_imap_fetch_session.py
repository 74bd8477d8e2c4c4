"""Two IMAP sessions on one account, through imaplib, with mox-imapd under
inetd (one process per connection, so every change crosses processes):
a FETCH of a message another session expunged answers NIL and
NO [EXPUNGEISSUED] (never an empty body), and \\Recent is given to exactly
one session (RFC 3501 §2.3.2)."""

import imaplib
import unittest

import moxtest


def body(msg):
    return msg.replace(b"\n", b"\r\n")


class TwoSessionsTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        text = self.env.static_text()
        with open(self.env.config_path, "w") as f:
            f.write(text.replace("\t\tIMAP:\n", "\t\tIMAP:\n\t\t\tNoRequireSTARTTLS: true\n", 1))
        self.srv = self.env.server("mox-imapd", how="inetd", banner=b"* OK",
                                   env={"MOX_ALLOW_ROOT": "1", "ASAN_OPTIONS": "detect_leaks=0"})

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.srv.port, timeout=20)
        self.addCleanup(m.shutdown)
        self.assertEqual(m.login(self.env.address, self.env.password)[0], "OK")
        return m

    def test_fetch_of_message_expunged_elsewhere(self):
        a, b = self.client(), self.client()
        for text in (b"Subject: one\n\nfirst\n", b"Subject: two\n\nsecond\n"):
            self.assertEqual(a.append("INBOX", None, None, body(text))[0], "OK")
        self.assertEqual(a.select("INBOX")[0], "OK")
        self.assertEqual(b.select("INBOX")[0], "OK")
        self.assertEqual(b.store("1", "+FLAGS.SILENT", "(\\Deleted)")[0], "OK")
        self.assertEqual(b.expunge()[0], "OK")
        # a has not been told of the expunge yet: message 1 is still there
        # for it, its data gone.
        typ, data = a.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(typ, "NO", data)
        self.assertIn(b"[EXPUNGEISSUED]", data[0])
        # imaplib keeps the untagged FETCH of a command that failed.
        fetched = a.untagged_responses.pop("FETCH", [])
        self.assertEqual(len(fetched), 1, fetched)
        self.assertIsInstance(fetched[0], bytes, fetched)  # no literal
        self.assertRegex(fetched[0], rb"^1 \(RFC822\.SIZE \d+ BODY\[\] NIL\)$")
        typ, data = a.noop()
        self.assertEqual(typ, "OK")
        typ, data = a.fetch("1", "(BODY.PEEK[])")
        self.assertEqual(typ, "OK", data)
        self.assertEqual(data[0][1], body(b"Subject: two\n\nsecond\n"))

    def test_recent_in_one_session(self):
        a, b = self.client(), self.client()
        self.assertEqual(a.append("INBOX", None, None, body(b"Subject: r\n\nx\n"))[0], "OK")
        typ, data = a.status("INBOX", "(RECENT)")
        self.assertIn(b"RECENT 1", data[0])
        self.assertEqual(a.select("INBOX")[0], "OK")
        self.assertEqual(a.response("RECENT")[1], [b"1"])
        self.assertEqual(b.select("INBOX")[0], "OK")
        self.assertEqual(b.response("RECENT")[1], [b"0"])
        self.assertEqual(a.search(None, "RECENT"), ("OK", [b"1"]))
        self.assertEqual(b.search(None, "RECENT"), ("OK", [b""]))
        # New mail while both have INBOX selected: recent for the one that
        # learns of it first.
        c = self.client()
        self.assertEqual(c.append("INBOX", None, None, body(b"Subject: r2\n\ny\n"))[0], "OK")
        self.assertEqual(b.noop()[0], "OK")
        self.assertEqual(b.search(None, "RECENT"), ("OK", [b"2"]))
        self.assertEqual(a.noop()[0], "OK")
        self.assertEqual(a.search(None, "RECENT"), ("OK", [b"1"]))
        typ, data = b.fetch("2", "(FLAGS)")
        self.assertIn(b"\\Recent", data[0])


if __name__ == "__main__":
    unittest.main()
