"""A full disk never leaves a message stored cut short, and never gets a 250:
the data directory is put on a small tmpfs that the test fills up, and SMTP
DATA, BDAT, submission into the queue and IMAP APPEND are each refused with
the reply for a full disk (452 4.3.1, NO [UNAVAILABLE]) while nothing partial
is kept; after space is freed, the same messages are accepted whole.

Needs root (mount); skipped otherwise.

Run by hand: /usr/bin/python3 tests/e2e/test_disk_full.py -v
"""

import imaplib
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

ADMIN = moxtest.ADDRESS
SERVER_ENV = {"MOX_ALLOW_ROOT": "1"}


def message(size, subject):
    line = b"y" * 76 + b"\r\n"
    body = line * (size // len(line) + 1)
    return (b"From: <sender@remote.example>\r\nTo: <%s>\r\nSubject: %s\r\n\r\n" % (ADMIN.encode(), subject)
            + body)


@unittest.skipUnless(os.geteuid() == 0, "mounting a tmpfs needs root")
class DiskFullTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        self.mnt = os.path.join(self.env.dir, "disk")
        os.mkdir(self.mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", self.mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest("cannot mount tmpfs: " + r.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.mnt])
        data = os.path.join(self.mnt, "data")
        shutil.copytree(self.env.data_dir, data, symlinks=True)
        self.env.data_dir = data
        text = self.env.static_text().replace("DataDir: ../data", "DataDir: " + data)
        text = text.replace("\t\tIMAP:\n", "\t\tIMAP:\n\t\t\tNoRequireSTARTTLS: true\n", 1)
        with open(self.env.config_path, "w") as f:
            f.write(text)
        self.filler = os.path.join(self.mnt, "filler")
        self.smtp = self.env.server("mox-smtpd", "--mode", "smtp", env=SERVER_ENV)
        self.imap = self.env.server("mox-imapd", banner=b"* OK", env=SERVER_ENV)

    def fill(self, leave):
        """Fills the file system up to `leave` free bytes."""
        self.free()
        st = os.statvfs(self.mnt)
        size = st.f_bavail * st.f_frsize - leave
        with open(self.filler, "wb") as f:
            f.write(b"\0" * max(size, 0))
            f.flush()
            os.fsync(f.fileno())

    def free(self):
        if os.path.exists(self.filler):
            os.unlink(self.filler)

    def stored(self):
        """Rows and files of the account's messages: equal counts, every file
        as large as its row says."""
        rows = self.env.query(("accounts", "admin", "index.db"),
                              "SELECT ID, Size FROM Message WHERE Expunged = 0")
        for msg_id, size in rows:
            self.assertEqual(os.path.getsize(self.env.message_path("admin", msg_id)), size)
        self.assertEqual(self.env.query(("accounts", "admin", "index.db"), "PRAGMA integrity_check"),
                         [("ok",)])
        return len(rows)

    def smtp_data(self, msg):
        with smtplib.SMTP("127.0.0.1", self.smtp.port, timeout=30) as s:
            s.ehlo("client.example")
            s.mail("sender@remote.example")
            s.rcpt(ADMIN)
            return s.data(msg)

    def smtp_bdat(self, msg):
        c = socket.create_connection(self.smtp.addr, timeout=30)
        self.addCleanup(c.close)
        f = c.makefile("rb")
        f.readline()
        c.sendall(b"EHLO client.example\r\n")
        while not f.readline().startswith(b"250 "):
            pass
        half = len(msg) // 2
        c.sendall(b"MAIL FROM:<a@remote.example>\r\nRCPT TO:<%s>\r\n" % ADMIN.encode())
        f.readline(), f.readline()
        c.sendall(b"BDAT %d\r\n%s" % (half, msg[:half]))
        first = f.readline()
        c.sendall(b"BDAT %d LAST\r\n%s" % (len(msg) - half, msg[half:]))
        return first, f.readline()

    def test_smtp_data_and_bdat(self):
        before = self.stored()
        for size in (3 * 1024 * 1024, 200 * 1024):  # spooled to a file, and in memory
            self.fill(64 * 1024)
            code, text = self.smtp_data(message(size, b"data"))
            self.assertEqual((code, text[:5]), (452, b"4.3.1"), text)
            first, last = self.smtp_bdat(message(size, b"bdat"))
            self.assertTrue(last.startswith(b"452 4.3.1") or first.startswith(b"452 4.3.1")
                            or last.startswith(b"554 5.0.0"), (first, last))
            self.assertEqual(self.stored(), before)
        self.assertIn("No space left on device", self.smtp.log_text())
        self.free()
        code, text = self.smtp_data(message(3 * 1024 * 1024, b"data"))
        self.assertEqual(code, 250, text)
        first, last = self.smtp_bdat(message(200 * 1024, b"bdat"))
        self.assertTrue(last.startswith(b"250 "), last)
        self.assertEqual(self.stored(), before + 2)

    def queued(self):
        """Messages in the queue (none while the full disk kept the queue
        database from being made)."""
        q = ("queue", "index.db")
        if not self.env.query(q, "SELECT 1 FROM sqlite_master WHERE name = 'Msg'"):
            return 0
        return self.env.query(q, "SELECT COUNT(*) FROM Msg")[0][0]

    def test_submission_into_queue(self):
        sub = self.env.server("mox-smtpd", "--mode", "submission", env=SERVER_ENV)
        self.fill(32 * 1024)
        msg = message(400 * 1024, b"out").replace(b"<sender@remote.example>", ADMIN.encode())
        ctx = moxtest.insecure_tls_context()
        with smtplib.SMTP("127.0.0.1", sub.port, timeout=30) as s:
            s.starttls(context=ctx)
            s.login(ADMIN, self.env.password)
            s.mail(ADMIN)
            s.rcpt("someone@remote.example")
            code, text = s.data(msg)
        self.assertEqual((code, text[:5]), (452, b"4.3.1"), text)
        self.free()  # (reading the database needs space for its -shm file)
        self.assertEqual(self.queued(), 0)
        with smtplib.SMTP("127.0.0.1", sub.port, timeout=30) as s:
            s.starttls(context=ctx)
            s.login(ADMIN, self.env.password)
            s.sendmail(ADMIN, ["someone@remote.example"], msg)
        self.assertEqual(self.queued(), 1)

    def test_imap_append(self):
        before = self.stored()
        m = imaplib.IMAP4("127.0.0.1", self.imap.port, timeout=30)
        self.addCleanup(m.logout)
        m.login(ADMIN, self.env.password)
        self.fill(32 * 1024)
        typ, data = m.append("INBOX", None, None, message(2 * 1024 * 1024, b"append"))
        self.assertEqual(typ, "NO")
        self.assertTrue(data[0].startswith(b"[UNAVAILABLE] insufficient storage"), data)
        self.assertEqual(self.stored(), before)
        self.free()
        typ, data = m.append("INBOX", None, None, message(2 * 1024 * 1024, b"append"))
        self.assertEqual(typ, "OK", data)
        self.assertEqual(self.stored(), before + 1)


if __name__ == "__main__":
    unittest.main()
