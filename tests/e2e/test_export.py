"""End-to-end tests of `mox-config export maildir|mbox` (mox-config(8)
"export"): messages delivered by mox-smtpd (smtplib) and appended with
flags, keywords and dates over IMAP (imaplib), exported as Maildirs and
mbox files and compared with what IMAP FETCH says: file names, flags and
keywords, dates (names, mtimes, "From " lines), and bytes (CRLF as LF).
Also: a target with content is refused, --json, chosen mailboxes, and an
export while mox-smtpd keeps delivering writes a consistent set (every
message complete, as many as were there when it began, at least, and no
more than after it ended).

Run by hand: /usr/bin/python3 tests/e2e/test_export.py -v
"""

import calendar
import email.utils
import imaplib
import json
import os
import pty
import re
import smtplib
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
SENDER = "sender@remote.example"

SMTP_MESSAGES = [
    b"From: a@remote.example\r\nTo: <%s>\r\nSubject: one\r\n\r\nhello\r\nFrom the start\r\n"
    % BOB.encode(),
    b"From: a@remote.example\r\nTo: <%s>\r\nSubject: two\r\n\r\n>From quoted\r\n" % BOB.encode(),
]
# (mailbox, flags, unix time, message)
APPENDS = [
    ("INBOX", r"(\Seen \Flagged $Forwarded work)", 1704110400,
     b"Subject: three\r\n\r\nflagged\r\n"),
    ("Archive/2024", r"(\Answered \Draft \Deleted $Junk)", 1717200000,
     b"Subject: four\r\n\r\nold\r\n"),
    ("Archive/2024", "()", 1717200060, b"Subject: five\r\n\r\nno line end"),
]

MAILDIR_NAME = re.compile(r"^(\d+)\.M(\d+)\.mox:2,([A-Za-z]*)$")
LETTERS = {"D": r"\Draft", "F": r"\Flagged", "P": "$Forwarded", "R": r"\Answered",
           "S": r"\Seen", "T": r"\Deleted"}


def read(path):
    with open(path, "rb") as f:
        return f.read()


def split_mbox(data):
    """The messages of an mboxrd file, each from its "From " line to its empty line."""
    return [p for p in re.split(rb"(?<=\n\n)(?=From )", data) if p]


def imap_mailbox(name):
    return "INBOX" if name == "Inbox" else name


class ExportTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        env.add_account("bob", BOB, BOB_PW)
        cls.smtp_port = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"],
                                       env=SERVER_ENV).start().port
        cls.imap_port = moxtest.Server(env, "mox-imapd", [], env=SERVER_ENV,
                                       banner=b"* OK").start().port
        s = smtplib.SMTP("127.0.0.1", cls.smtp_port, local_hostname="client.example", timeout=30)
        for msg in SMTP_MESSAGES:
            s.sendmail(SENDER, [BOB], msg)
        s.quit()
        m = cls.connect()
        m.create("Archive/2024")
        for mailbox, flags, t, msg in APPENDS:
            typ, data = m.append(mailbox, flags, imaplib.Time2Internaldate(t), msg)
            assert typ == "OK", data
        cls.want = {name: cls.fetch_all(m, name) for name in ("Inbox", "Archive/2024")}
        m.logout()

    @classmethod
    def connect(cls):
        m = imaplib.IMAP4("127.0.0.1", cls.imap_port, timeout=30)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        m.login(BOB, BOB_PW)
        return m

    @classmethod
    def fetch_all(cls, m, mailbox):
        """(unix INTERNALDATE, set of flags, bytes) of every message, in UID order."""
        typ, _ = m.select(imap_mailbox(mailbox), readonly=True)
        assert typ == "OK"
        typ, data = m.fetch("1:*", "(INTERNALDATE FLAGS BODY.PEEK[])")
        assert typ == "OK", data
        out = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            head = item[0].decode()
            date = re.search(r'INTERNALDATE "([^"]+)"', head).group(1)
            t = calendar.timegm(time.strptime(date[:20], "%d-%b-%Y %H:%M:%S"))
            sign = -1 if date[21] == "+" else 1
            t += sign * (int(date[22:24]) * 3600 + int(date[24:26]) * 60)
            flags = set(re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()) - {r"\Recent"}
            out.append((t, flags, item[1]))
        return out

    def export(self, fmt, *args, expect=0):
        d = os.path.join(self.env.dir, "export-%s-%d" % (fmt, time.monotonic_ns()))
        r = self.env.config("export", fmt, *args[:1], d, *args[1:], expect=expect)
        return d, r

    def test_maildir(self):
        d, r = self.export("maildir", "bob")
        self.assertRegex(r.stdout, r"^exported 5 messages from 7 mailboxes in [0-9.]+ s "
                                   r"\([0-9]+ msg/s\)\n$")
        for name, want in self.want.items():
            md = os.path.join(d, name)
            self.assertEqual(sorted(os.listdir(os.path.join(md, "new"))), [])
            self.assertEqual(sorted(os.listdir(os.path.join(md, "tmp"))), [])
            keywords = {}
            if os.path.exists(os.path.join(md, "dovecot-keywords")):
                for line in read(os.path.join(md, "dovecot-keywords")).decode().splitlines():
                    n, k = line.split()
                    keywords[chr(ord("a") + int(n))] = k
            got = []
            for fn in os.listdir(os.path.join(md, "cur")):
                m = MAILDIR_NAME.match(fn)
                self.assertIsNotNone(m, fn)
                path = os.path.join(md, "cur", fn)
                self.assertEqual(int(os.stat(path).st_mtime), int(m.group(1)))
                flags = {LETTERS[c] if c.isupper() else keywords[c] for c in m.group(3)}
                got.append((int(m.group(2)), (int(m.group(1)), flags, read(path))))
            got = [x for _, x in sorted(got)]  # message IDs in the order of delivery
            self.assertEqual(got, [(t, f, b.replace(b"\r\n", b"\n")) for t, f, b in want])
        self.assertEqual(sorted(os.listdir(d)), ["Archive", "Drafts", "Inbox", "Junk", "Sent",
                                                 "Trash"])
        self.assertEqual(read(os.path.join(d, "Archive/2024/dovecot-keywords")), b"0 $Junk\n")
        self.assertEqual(read(os.path.join(d, "Inbox/dovecot-keywords")), b"0 work\n")

    def parse_mbox(self, path):
        """(From line, [header fields added], message) of each message of an mboxrd file."""
        data = read(path)
        out = []
        for part in split_mbox(data):
            self.assertTrue(part.endswith(b"\n\n"), part)
            lines = part[:-1].split(b"\n")
            from_line, rest = lines[0], lines[1:]
            added = []
            while rest and re.match(rb"^(Status|X-Status|X-Keywords): ", rest[0]):
                added.append(rest.pop(0).decode())
            body = b"\n".join(re.sub(rb"^>(>*From )", rb"\1", ln) for ln in rest[:-1]) + b"\n"
            out.append((from_line.decode(), added, body))
        return out

    def test_mbox(self):
        d, r = self.export("mbox", "bob", "--json")
        summary = json.loads(r.stdout)
        self.assertEqual((summary["messages"], summary["mailboxes"], summary["expunged"]),
                         (5, 7, 0))
        self.assertEqual(sorted(os.listdir(os.path.join(d, "Archive"))), ["2024.mbox"])
        self.assertEqual(os.path.getsize(os.path.join(d, "Trash.mbox")), 0)
        for name, want in self.want.items():
            got = self.parse_mbox(os.path.join(d, name + ".mbox"))
            self.assertEqual(len(got), len(want))
            for (from_line, added, body), (t, flags, msg) in zip(got, want):
                sender = SENDER if b"Subject: one" in msg or b"Subject: two" in msg else \
                    "MAILER-DAEMON"
                self.assertEqual(from_line, "From %s %s" % (sender, time.asctime(time.gmtime(t))))
                status = "Status: RO" if r"\Seen" in flags else "Status: O"
                self.assertEqual(added[0], status)
                xstatus = "".join(c for c, f in (("A", r"\Answered"), ("F", r"\Flagged"),
                                                  ("T", r"\Draft"), ("D", r"\Deleted"))
                                  if f in flags)
                keywords = {f for f in flags if not f.startswith("\\")}
                want_added = [status] + (["X-Status: " + xstatus] if xstatus else [])
                if keywords:
                    self.assertEqual(set(added[-1][len("X-Keywords: "):].split(",")), keywords)
                    want_added.append(added[-1])
                self.assertEqual(added, want_added)
                lf = msg.replace(b"\r\n", b"\n")
                self.assertEqual(body, lf if lf.endswith(b"\n") else lf + b"\n")

    def test_progress_only_on_a_terminal(self):
        _, r = self.export("mbox", "bob")
        self.assertEqual(r.stderr, "")
        master, slave = pty.openpty()
        d = os.path.join(self.env.dir, "export-tty")
        p = subprocess.run(self.env.argv("mox-config", "export", "mbox", "bob", d),
                           stdout=subprocess.PIPE, stderr=slave, env=self.env.child_env(),
                           cwd=self.env.dir, timeout=120)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"exported 5 of 5 messages", out)
        self.assertIn(b"exported 5 messages from 7 mailboxes", p.stdout)

    def test_refuses_content_and_chooses_mailboxes(self):
        d, r = self.export("mbox", "bob", "Archive/2024", "inbox")
        self.assertEqual(sorted(os.listdir(d)), ["Archive", "Inbox.mbox"])
        self.assertIn("exported 5 messages from 2 mailboxes", r.stdout)
        line = self.env.fail("export", "mbox", "bob", d, "Inbox")
        self.assertIn("Inbox.mbox is not empty", line)
        line = self.env.fail("export", "mbox", "bob", d + "-x", "Nonesuch")
        self.assertIn("Nonesuch", line)
        self.assertFalse(os.path.exists(d + "-x/Inbox.mbox"))
        d, _ = self.export("maildir", "bob", "Inbox")
        line = self.env.fail("export", "maildir", "bob", d)
        self.assertIn("Inbox is not empty", line)
        self.assertEqual(os.listdir(d), ["Inbox"])  # nothing written by the refused export
        self.env.fail("export", "maildir", "nobody", d + "-y")


class ExportUnderLoadTest(unittest.TestCase):
    def test_consistent_while_delivering(self):
        env = moxtest.MoxEnv(self)
        env.add_account("bob", BOB)
        port = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"], env=SERVER_ENV).start().port
        stop = threading.Event()
        sent = [0]
        errors = []

        def load():
            try:
                s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=30)
                while not stop.is_set():
                    n = sent[0]
                    body = ("line %d\r\n" % n) * 200
                    s.sendmail(SENDER, [BOB], ("From: <%s>\r\nSubject: load %d\r\n\r\n%sEND %d\r\n"
                                               % (SENDER, n, body, n)).encode())
                    sent[0] += 1
                s.quit()
            except Exception as e:  # noqa: BLE001 -- reported by the test
                errors.append(e)

        def count():
            return env.query(("accounts", "bob", "index.db"), "SELECT COUNT(*) FROM Message")[0][0]

        t = threading.Thread(target=load)
        t.start()
        try:
            while sent[0] < 100 and t.is_alive():
                time.sleep(0.05)
            self.assertEqual(errors, [])
            results = []
            for fmt in ("maildir", "mbox"):
                before = count()
                d = os.path.join(env.dir, "load-" + fmt)
                r = env.config("export", fmt, "--json", "bob", d, "Inbox")
                after = count()
                results.append((fmt, d, before, json.loads(r.stdout)["messages"], after))
        finally:
            stop.set()
            t.join()
        self.assertEqual(errors, [])
        for fmt, d, before, n, after in results:
            sys.stderr.write("%s: %d before, %d exported, %d after\n" % (fmt, before, n, after))
            self.assertLessEqual(before, n, fmt)
            self.assertLessEqual(n, after, fmt)
            if fmt == "maildir":
                files = os.listdir(os.path.join(d, "Inbox", "cur"))
                self.assertEqual(len(files), n)
                bodies = [read(os.path.join(d, "Inbox", "cur", f)) for f in files]
            else:
                data = read(os.path.join(d, "Inbox.mbox"))
                bodies = split_mbox(data)
                self.assertEqual(len(bodies), n)
                for b in bodies:
                    self.assertRegex(b, rb"^From sender@remote.example .*\nStatus: O\n")
            for b in bodies:
                m = re.search(rb"\nSubject: load (\d+)\n", b)
                self.assertIsNotNone(m, b[:500])
                k = int(m.group(1))
                want = ("line %d\n" % k) * 200 + "END %d\n" % k
                self.assertEqual(b[b.index(b"\n\n") + 2:].rstrip(b"\n") + b"\n", want.encode())


class ExportMemoryTest(unittest.TestCase):
    """Memory is bounded: exporting many messages takes hardly more than
    exporting none (the rows are read 1,000 at a time, a message a chunk at
    a time). The messages are made directly as rows and files, which is much
    faster than delivering them."""

    N = 20000

    def fill(self, env, n):
        acc = env.account_dir(moxtest.ACCOUNT)
        db = env.account_db(moxtest.ACCOUNT)
        inbox = db.execute("SELECT ID FROM Mailbox WHERE Name = 'Inbox'").fetchone()[0]
        start = db.execute("SELECT NextMessageID FROM Account").fetchone()[0]
        rows = []
        for i in range(n):
            mid = start + i
            msg = b"Subject: message %d\r\n\r\n%s\r\n" % (mid, b"x" * 60)
            path = os.path.join(acc, "msg", moxtest.message_rel_path(mid))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(msg)
            rows.append((mid, inbox, i + 1, 1700000000 + i, len(msg), i % 32))
        db.execute("BEGIN")
        db.execute("UPDATE Account SET NextMessageID = ?", (start + n,))
        db.executemany("INSERT INTO Message (ID, MailboxID, UID, ModSeq, CreateModSeq, Received, "
                       "SaveDate, Size, Flags) VALUES (?1, ?2, ?3, 1, 1, ?4, ?4, ?5, ?6)", rows)
        db.execute("UPDATE Mailbox SET UIDNext = ? WHERE ID = ?", (n + 1, inbox))
        db.execute("COMMIT")
        db.close()

    def max_rss_kb(self, env, *args):
        # No quarantine of freed memory in sanitized builds: it would count.
        e = env.child_env({"ASAN_OPTIONS": "detect_leaks=0:quarantine_size_mb=0:"
                                           "thread_local_quarantine_size_kb=0"})
        p = subprocess.Popen(env.argv("mox-config", *args), env=e, cwd=env.dir,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        self.assertEqual(p.returncode, 0, args)
        return usage.ru_maxrss

    def test_bounded(self):
        env = moxtest.MoxEnv(self)
        self.fill(env, self.N)
        base = self.max_rss_kb(env, "export", "mbox", moxtest.ACCOUNT, env.data("x0"), "Sent")
        for fmt in ("mbox", "maildir"):
            rss = self.max_rss_kb(env, "export", fmt, moxtest.ACCOUNT, env.data("x-" + fmt))
            sys.stderr.write("%s: max RSS %d KB, %d KB for none\n" % (fmt, rss, base))
            self.assertLess(rss - base, 20 * 1024, fmt)
        self.assertEqual(len(os.listdir(env.data("x-maildir", "Inbox", "cur"))), self.N)


if __name__ == "__main__":
    unittest.main()
