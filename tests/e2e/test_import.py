"""mox-config import maildir|mbox (mox-config(8) "import") with the real
programs: a Maildir and a gzip-compressed mbox are imported into an account
while an IMAP client is in IDLE on the mailbox (it sees EXISTS), then read
back over IMAP: bodies byte-identical to the input (with CRLF line ends),
flags, INTERNALDATE, SEARCH TEXT. Bad input exits 1 with one line naming
the file and position, and the mailbox stays as it was.

Run by hand: /usr/bin/python3 tests/e2e/test_import.py -v
"""

import gzip
import imaplib
import json
import os
import re
import socket
import tempfile
import time
import unittest

import moxtest

SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}


def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def close(m):
    try:
        m.logout()
    except (OSError, imaplib.IMAP4.error):
        m.shutdown()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def message(i, word="plain"):
    return ("From: sender%d@example.org\nTo: mjl@mox.example\nSubject: imported %d\n"
            "Message-ID: <%d@import.example>\n\nbody of message %d, %s\n" %
            (i, i, i, i, word)).encode()


class ImportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(cls.env.close)
        cls.srv = moxtest.Server(cls.env, "mox-imapd", [], env=SERVER_ENV,
                                 banner=b"* OK").start()
        cls.tmp = tempfile.mkdtemp(prefix="mox-import-")

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.srv.port, timeout=20)
        self.addCleanup(close, m)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        self.assertEqual(m.login(moxtest.ADDRESS, self.env.password)[0], "OK")
        return m

    def idle(self, mailbox):
        """An IMAP connection in IDLE on `mailbox` (created if needed)."""
        m = self.client()
        m.create(mailbox)
        self.assertEqual(m.select(mailbox)[0], "OK")
        m.send(b"i1 IDLE\r\n")
        self.assertTrue(m.readline().startswith(b"+ "))
        return m

    def wait_exists(self, m, n, timeout=20):
        m.sock.settimeout(timeout)
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = m.readline()
            mm = re.match(rb"\* (\d+) EXISTS", line)
            if mm and int(mm.group(1)) >= n:
                m.send(b"DONE\r\n")
                return int(mm.group(1))
        self.fail("no EXISTS %d in IDLE" % n)

    def fetch_all(self, m, mailbox):
        self.assertEqual(m.select(mailbox)[0], "OK")
        typ, data = m.fetch("1:*", "(UID FLAGS INTERNALDATE BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        out = []
        for item in data:
            if isinstance(item, tuple):
                flags = imaplib.ParseFlags(item[0])
                date = imaplib.Internaldate2tuple(item[0])
                out.append((set(f.decode() for f in flags), time.mktime(date), item[1]))
        return out

    def test_maildir(self):
        md = os.path.join(self.tmp, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, sub))
        write(os.path.join(md, "dovecot-keywords"), b"0 $Junk\n1 project\n")
        files = [
            ("cur/1700000001.M1.host:2,S", message(1), {"\\Seen"}),
            ("cur/1700000002.M2.host:2,FRab", message(2, "zebrafish"),
             {"\\Flagged", "\\Answered", "$Junk", "project"}),
            ("new/1700000003.M3.host", message(3), set()),
        ]
        for name, data, _ in files:
            write(os.path.join(md, name), data)
        write(os.path.join(md, ".Sent/cur/1700000004.M4.host:2,S"), message(4))
        os.makedirs(os.path.join(md, ".Sent/new"), exist_ok=True)

        watcher = self.idle("Imported")
        r = self.env.config("import", "maildir", "--recursive", "--json", self.env.account,
                            "Imported", md)
        summary = json.loads(r.stdout)
        self.assertEqual(summary["messages"], 4)
        self.assertEqual(summary["mailboxes"], 2)
        self.assertEqual(summary["mailboxNames"], ["Imported", "Imported/Sent"])
        self.assertEqual(self.wait_exists(watcher, 3), 3)

        m = self.client()
        got = self.fetch_all(m, "Imported")
        self.assertEqual(len(got), 3)
        for (name, data, flags), (gflags, gdate, gbody) in zip(files, got):
            self.assertEqual(gbody, crlf(data), name)
            self.assertEqual(gflags - {"\\Recent"}, flags, name)
            self.assertEqual(gdate, int(name.split("/")[1].split(".")[0]), name)
        typ, data = m.search(None, "TEXT", "zebrafish")
        self.assertEqual(data[0], b"2")
        self.assertEqual(len(self.fetch_all(m, "Imported/Sent")), 1)

        # Run again (as after a crash): what is there already is skipped.
        r = self.env.config("import", "maildir", "--recursive", self.env.account, "Imported", md)
        self.assertRegex(r.stdout, r"^imported 0 messages into 0 mailboxes in .*, skipped 4 "
                                   r"already there\n$")
        self.assertEqual(len(self.fetch_all(m, "Imported")), 3)

    def test_mbox_gz_and_bad_input(self):
        msgs = [message(10), message(11, "quokka"), b"Subject: from\n\n>From quoted\nx\n"]
        mbox = (b"From a@example.org Mon Jan  1 12:00:00 2024\nStatus: RO\n" + msgs[0] +
                b"\nFrom b@example.org Tue Jan  2 12:00:00 2024\nX-Status: F\n"
                b"X-Keywords: todo\n" + msgs[1] +
                b"\nFrom c@example.org Wed Jan  3 12:00:00 2024\n" + msgs[2] + b"\n")
        path = os.path.join(self.tmp, "lists.mbox.gz")
        write(path, gzip.compress(mbox))

        watcher = self.idle("Lists/mox")
        r = self.env.config("import", "mbox", self.env.account, "Lists/mox", path)
        self.assertRegex(r.stdout, r"^imported 3 messages into 1 mailboxes in [0-9.]+ s "
                                   r"\(\d+ msg/s\)\n$")
        self.assertEqual(self.wait_exists(watcher, 3), 3)
        m = self.client()
        got = self.fetch_all(m, "Lists/mox")
        self.assertEqual([g[2] for g in got],
                         [crlf(msgs[0]), crlf(msgs[1]), b"Subject: from\r\n\r\nFrom quoted\r\nx\r\n"])
        self.assertEqual([g[0] - {"\\Recent"} for g in got], [{"\\Seen"}, {"\\Flagged", "todo"}, set()])
        self.assertEqual(got[0][1], 1704110400)
        typ, data = m.search(None, "TEXT", "quokka")
        self.assertEqual(data[0], b"2")

        # Bad input: the mailbox is left as it was.
        bad = os.path.join(self.tmp, "bad.mbox")
        write(bad, mbox + b"From d Thu Jan  4 12:00:00 2024\nContent-Length: 999\n\nshort\n")
        line = self.env.fail("import", "mbox", self.env.account, "Lists/mox", bad)
        self.assertIn(bad + ": line ", line)
        self.assertIn("truncated", line)
        cut = os.path.join(self.tmp, "cut.mbox.gz")
        write(cut, gzip.compress(mbox * 50)[:200])
        line = self.env.fail("import", "mbox", self.env.account, "Lists/mox", cut)
        self.assertIn(cut + ": ", line)
        notmbox = os.path.join(self.tmp, "not.mbox")
        write(notmbox, b"Subject: x\n\nbody\n")
        line = self.env.fail("import", "mbox", self.env.account, "Lists/mox", notmbox)
        self.assertIn(notmbox + ": line 1 (offset 0): not an mbox file", line)
        self.assertEqual(len(self.fetch_all(m, "Lists/mox")), 3)

        line = self.env.fail("import", "mbox", "nosuchaccount", "Inbox", path)
        self.assertIn("nosuchaccount", line)

    def test_crash_then_rerun(self):
        """Killed after its first batch (256 messages) is committed, the
        import leaves that batch; run again, it adds the rest and skips
        what is there."""
        md = os.path.join(self.tmp, "Crash")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, sub))
        for i in range(300):
            write(os.path.join(md, "cur", "%d.M%d.host:2,S" % (1700000000 + i, i)),
                  message(1000 + i))
        self.env.config("import", "maildir", self.env.account, "Crashed", md,
                        env={"MOX_CRASHPOINT": "import-after-commit"}, expect=-9)
        m = self.client()
        self.assertEqual(len(self.fetch_all(m, "Crashed")), 256)
        r = self.env.config("import", "maildir", self.env.account, "Crashed", md)
        self.assertRegex(r.stdout, r"^imported 44 messages .*, skipped 256 already there\n$")
        got = self.fetch_all(m, "Crashed")
        self.assertEqual(len(got), 300)
        self.assertEqual(len(set(g[2] for g in got)), 300)


@unittest.skipUnless(os.geteuid() == 0, "needs root to import as root")
class ImportAsRootTest(unittest.TestCase):
    """Run as root, the import makes the account's files as User of
    mox.conf, so the servers (running as that user) can use them; the input
    may be readable by root only."""

    def test_files_belong_to_user(self):
        pw = moxtest.ensure_user("moxpriv")
        env = moxtest.MoxEnv(self, user="moxpriv", fresh=True)
        env.chown(pw)
        tmp = tempfile.mkdtemp(prefix="mox-import-root-")
        self.addCleanup(lambda: __import__("shutil").rmtree(tmp, ignore_errors=True))
        os.chmod(tmp, 0o700)
        mbox = os.path.join(tmp, "root-only.mbox")
        write(mbox, b"From a Mon Jan  1 12:00:00 2024\n" + message(1) + b"\n")
        os.chmod(mbox, 0o600)
        env.config("import", "mbox", env.account, "Private/Mail", mbox)
        acc = env.account_dir(env.account)
        for root, dirs, files in os.walk(acc):
            for n in dirs + files:
                st = os.stat(os.path.join(root, n))
                self.assertEqual(st.st_uid, pw.pw_uid, os.path.join(root, n))
        rows = env.query(("accounts", env.account, "index.db"), "SELECT ID FROM Message")
        self.assertEqual(len(rows), 1)


if __name__ == "__main__":
    unittest.main()
