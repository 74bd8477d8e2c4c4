"""End-to-end tests of `mox-config backup DESTDIR`, the restore of a backup
(mox-config(8) "BACKUP AND RESTORE") and `mox-config verifydata [--fix]`
(mox-config(8) "VERIFYDATA"), with the built programs and real clients:
several smtplib clients deliver in threads while the backup runs; the
backup is copied into a fresh directory, mox-smtpd and mox-imapd start on
it, and every message of the backup is read over IMAP (imaplib) with its
flags; verifydata is clean on the restored copy and names each damage done
to another copy.

Run by hand: /usr/bin/python3 tests/e2e/test_backup.py -v
"""

import imaplib
import json
import os
import re
import secrets
import shutil
import smtplib
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
ADMIN = moxtest.ADDRESS
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
LOAD_THREADS = 4


def message(to, tag=""):
    tok = secrets.token_hex(6)
    lines = ["From: <sender@remote.example>", "To: <%s>" % to, "Subject: backup %s %s" % (tag, tok),
             "Message-ID: <%s@remote.example>" % tok, "Date: Wed, 25 Nov 2026 12:00:00 +0000", ""]
    body = "\r\n".join(["line %d of %s" % (i, tok) for i in range(40)])
    return ("\r\n".join(lines) + "\r\n" + body + "\r\n").encode()


def deliver(port, rcpt, msg):
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=30) as s:
        s.sendmail("sender@remote.example", [rcpt], msg)


def imap_login(port, user, password):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    m.starttls(ssl_context=moxtest.insecure_tls_context())
    m.login(user, password)
    return m


def rows(db_path):
    """{mailbox: {uid: (message id, size, flags bits, keywords)}} of an index.db."""
    conn = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    try:
        out = {}
        for name, uid, mid, size, flags, kw in conn.execute(
                "SELECT b.Name, m.UID, m.ID, m.Size, m.Flags, m.Keywords FROM Message m "
                "JOIN Mailbox b ON b.ID = m.MailboxID"):
            out.setdefault(name, {})[uid] = (mid, size, flags, kw)
        return out
    finally:
        conn.close()


def restore(backup_dir, env):
    """The documented restore: config/ and data/ copied back (hard links kept)."""
    for part in ("config", "data"):
        subprocess.run(["cp", "-a", os.path.join(backup_dir, part), env.dir], check=True)


def fetch_all(m, mailbox):
    """{uid: (flags, body)} of a mailbox over IMAP."""
    typ, _ = m.select('"%s"' % mailbox, readonly=True)
    assert typ == "OK", mailbox
    typ, data = m.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
    assert typ == "OK", data
    # imaplib gives (text before the literal, literal) tuples, each followed
    # by the text after the literal.
    out = {}
    for i, item in enumerate(data):
        if not isinstance(item, tuple):
            continue
        after = data[i + 1] if i + 1 < len(data) and isinstance(data[i + 1], bytes) else b""
        text = (item[0] + b" " + after).decode()
        uid = int(re.search(r"UID (\d+)", text).group(1))
        flags = re.search(r"FLAGS \(([^)]*)\)", text).group(1).split()
        out[uid] = (set(flags), item[1])
    return out


class BackupTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        env.add_account("bob", BOB, BOB_PW)
        cls.smtp = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"], env=SERVER_ENV).start()
        cls.imap = moxtest.Server(env, "mox-imapd", [], env=SERVER_ENV, banner=b"* OK").start()
        for i in range(6):
            deliver(cls.smtp.port, ADMIN, message(ADMIN, "before %d" % i))
            deliver(cls.smtp.port, BOB, message(BOB, "before %d" % i))
        m = imap_login(cls.imap.port, ADMIN, env.password)
        m.create("Archive/Sub")
        m.select("INBOX")
        m.uid("STORE", "1", "+FLAGS", r"(\Flagged \Seen)")
        m.uid("STORE", "2", "+FLAGS", r"($Label1 \Answered)")
        m.uid("STORE", "3", "+FLAGS", r"(\Deleted)")
        m.expunge()
        m.uid("COPY", "4", "Archive/Sub")  # a hard link of the same file
        m.logout()

    def tempdir(self):
        d = tempfile.mkdtemp(prefix="mox-backup-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def fresh_env(self):
        """An empty installation directory, to restore into."""
        return moxtest.MoxEnv(self, quickstart=False)

    def backup(self, dest, *args, expect=0):
        return self.env.config("backup", "--json", dest, *args, expect=expect)

    def load(self, stop, sent, errors):
        """Threads delivering over SMTP, and one IMAP session of bob's that
        moves and expunges messages meanwhile, until `stop` is set."""
        def run(i):
            rcpt = ADMIN if i % 2 == 0 else BOB
            n = 0
            while not stop.is_set():
                try:
                    deliver(self.smtp.port, rcpt, message(rcpt, "load %d-%d" % (i, n)))
                    sent[i] += 1
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))
                n += 1

        def shuffle():
            try:
                m = imap_login(self.imap.port, BOB, BOB_PW)
                m.select("INBOX")
                while not stop.is_set():
                    typ, data = m.uid("SEARCH", "SUBJECT", "load")
                    uids = data[0].split()
                    if len(uids) >= 2:
                        m.uid("MOVE", uids[0], "Archive")
                        m.uid("STORE", uids[1], "+FLAGS", r"(\Deleted)")
                        m.uid("EXPUNGE", uids[1])
                    time.sleep(0.01)
                m.logout()
            except Exception as e:  # noqa: BLE001
                errors.append("imap: " + repr(e))

        threads = [threading.Thread(target=run, args=(i,)) for i in range(LOAD_THREADS)]
        threads.append(threading.Thread(target=shuffle))
        for t in threads:
            t.start()
        return threads

    def test_backup_under_load_restore_and_read(self):
        stop, sent, errors = threading.Event(), [0] * LOAD_THREADS, []
        threads = self.load(stop, sent, errors)
        time.sleep(1)
        dests = []
        try:
            for _ in range(2):
                dest = os.path.join(self.tempdir(), "backup")
                out = json.loads(self.backup(dest).stdout)
                if os.environ.get("MOX_BACKUP_VERBOSE"):
                    sys.stderr.write("backup: %s, delivered so far %d\n" % (out, sum(sent)))
                self.assertGreaterEqual(out["databases"], 3)  # auth.db, admin, bob, (queue)
                self.assertGreater(out["filesLinked"], 10)
                self.assertEqual(out["warnings"], [])
                dests.append(dest)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(errors, [])
        self.assertGreater(sum(sent), 0)
        # The live data, with the servers still running, is clean too (the
        # empty files mox-smtpd makes in advance are no findings).
        v = self.env.config("verifydata")
        self.assertTrue(v.stdout.startswith("data OK"), v.stdout)

        for dest in dests:
            self.check_restored(dest)

    def check_restored(self, dest):
        # What the backup holds, read from its databases.
        backed = {acc: rows(os.path.join(dest, "data", "accounts", acc, "index.db"))
                  for acc in ("admin", "bob")}
        self.assertGreaterEqual(len(backed["admin"]["Inbox"]), 5)
        self.assertEqual(len(backed["admin"]["Archive/Sub"]), 1)

        r = self.fresh_env()
        restore(dest, r)
        v = r.config("verifydata")
        self.assertRegex(v.stdout, r"^data OK: \d+ databases, 2 accounts")
        smtp = moxtest.Server(r, "mox-smtpd", ["--mode", "smtp"], env=SERVER_ENV).start()
        imap = moxtest.Server(r, "mox-imapd", [], env=SERVER_ENV, banner=b"* OK").start()

        for acc, user, pw in (("admin", ADMIN, self.env.password), ("bob", BOB, BOB_PW)):
            m = imap_login(imap.port, user, pw)
            for mailbox, msgs in backed[acc].items():
                got = fetch_all(m, mailbox)
                self.assertEqual(sorted(got), sorted(msgs), "%s %s" % (acc, mailbox))
                for uid, (mid, size, _, _) in msgs.items():
                    path = moxtest.message_rel_path(mid)
                    with open(os.path.join(dest, "data", "accounts", acc, "msg", path), "rb") as f:
                        self.assertEqual(got[uid][1], f.read())
                    self.assertEqual(len(got[uid][1]), size)
            if acc == "admin":
                inbox = fetch_all(m, "INBOX")
                self.assertTrue({r"\Flagged", r"\Seen"} <= inbox[1][0], inbox[1][0])
                # Keywords are case-insensitive (RFC 9051 §2.3.2); kept lower-case.
                flags2 = {f.lower() for f in inbox[2][0]}
                self.assertTrue({"$label1", r"\answered"} <= flags2, inbox[2][0])
                self.assertNotIn(3, inbox)
            m.logout()

        # The restored installation takes new mail and stays consistent.
        deliver(smtp.port, ADMIN, message(ADMIN, "after restore"))
        r.config("verifydata")

    def test_other_file_system_copies_and_keeps_links(self):
        if os.stat("/dev/shm").st_dev == os.stat(self.env.data_dir).st_dev:
            self.skipTest("/dev/shm is on the data's file system")
        tmp = tempfile.mkdtemp(prefix="mox-backup-", dir="/dev/shm")
        self.addCleanup(shutil.rmtree, tmp, True)
        dest = os.path.join(tmp, "backup")
        out = json.loads(self.backup(dest).stdout)
        self.assertEqual(out["filesLinked"], 0)
        self.assertGreater(out["filesCopied"], 10)
        # The COPY into Archive/Sub shares its file with the Inbox message
        # in the source; so it does in the copy.
        admin = rows(os.path.join(dest, "data", "accounts", "admin", "index.db"))
        (copy_id, _, _, _), = admin["Archive/Sub"].values()
        orig_id = admin["Inbox"][4][0]
        path = lambda mid: os.path.join(dest, "data", "accounts", "admin", "msg",  # noqa: E731
                                        moxtest.message_rel_path(mid))
        self.assertEqual(os.stat(path(copy_id)).st_ino, os.stat(path(orig_id)).st_ino)
        self.assertNotEqual(os.stat(path(orig_id)).st_ino,
                            os.stat(self.env.message_path("admin", orig_id)).st_ino)
        r = self.fresh_env()
        restore(dest, r)
        v = r.config("verifydata")
        self.assertRegex(v.stdout, r"^data OK: \d+ databases, 2 accounts")

    def test_refuses_nonempty_destdir(self):
        dest = self.tempdir()
        with open(os.path.join(dest, "x"), "w") as f:
            f.write("x")
        p = self.env.config("backup", dest, expect=1)
        self.assertIn("not empty", p.stderr)
        p = self.env.config("backup", os.path.join(self.env.data_dir, "b"), expect=1)
        self.assertIn("is inside", p.stderr)

    def test_verifydata_names_damage_and_fix_removes_orphan(self):
        dest = os.path.join(self.tempdir(), "backup")
        self.backup(dest)
        r = self.fresh_env()
        restore(dest, r)
        r.config("verifydata")
        ids = sorted(mid for msgs in rows(r.data("accounts", "bob", "index.db")).values()
                     for (mid, _, _, _) in msgs.values())
        removed, truncated = ids[0], ids[1]
        os.unlink(r.message_path("bob", removed))
        with open(r.message_path("bob", truncated), "r+b") as f:
            f.truncate(10)
        orphan = ids[-1] + 100
        orphan_path = r.message_path("bob", orphan)
        os.makedirs(os.path.dirname(orphan_path), exist_ok=True)
        with open(orphan_path, "wb") as f:
            f.write(b"Subject: stray\r\n\r\nno row\r\n")
        orphan_name = moxtest.message_rel_path(orphan)

        p = r.config("verifydata", expect=1)
        self.assertIn("account bob: message %d: file missing\n" % removed, p.stdout)
        self.assertRegex(p.stdout, r"account bob: message %d: file has 10 bytes, its row says \d+\n"
                         % truncated)
        self.assertIn("account bob: file msg/%s: no message row (orphan)\n" % orphan_name, p.stdout)
        self.assertIn("3 problems, 0 fixed", p.stdout)
        self.assertIn("verifydata: 3 problems found", p.stderr)

        js = [json.loads(line) for line in r.config("verifydata", "--json", expect=1).stdout.split("\n")
              if line]
        kinds = {(j["kind"], j.get("message")) for j in js}
        self.assertEqual(kinds, {("file-missing", removed), ("file-size", truncated),
                                 ("orphan-file", orphan)})

        p = r.config("verifydata", "--fix", expect=1)  # two cannot be fixed
        self.assertIn("account bob: file msg/%s: no message row (orphan) (fixed)\n" % orphan_name,
                      p.stdout)
        self.assertIn("3 problems, 1 fixed", p.stdout)
        self.assertFalse(os.path.exists(orphan_path))

    def test_verifydata_fix_exit_zero_when_all_fixed(self):
        dest = os.path.join(self.tempdir(), "backup")
        self.backup(dest)
        r = self.fresh_env()
        restore(dest, r)
        orphan_path = r.message_path("admin", 999999)
        os.makedirs(os.path.dirname(orphan_path), exist_ok=True)
        with open(orphan_path, "wb") as f:
            f.write(b"stray")
        conn = sqlite3.connect(r.data("accounts", "admin", "index.db"))
        conn.execute("UPDATE DiskUsage SET MessageSize = MessageSize + 5")
        conn.commit()
        conn.close()
        spool = r.data("tmp", "spool-left-by-a-crash")
        os.makedirs(os.path.dirname(spool), exist_ok=True)
        with open(spool, "wb") as f:
            f.write(b"half a message")
        os.utime(spool, (time.time() - 2 * 86400,) * 2)
        p = r.config("verifydata", expect=1)
        self.assertIn("account admin: account: disk usage", p.stdout)
        self.assertIn("data: file tmp/spool-left-by-a-crash: stale temp file\n", p.stdout)
        p = r.config("verifydata", "--fix")
        self.assertIn("3 problems, 3 fixed", p.stdout)
        self.assertFalse(os.path.exists(spool))
        self.assertTrue(p.stdout.startswith("data OK") or "(fixed)" in p.stdout)
        r.config("verifydata")


if __name__ == "__main__":
    unittest.main()
