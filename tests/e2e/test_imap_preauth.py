"""End-to-end tests of `mox-imapd --preauth ACCOUNT` (mox-imapd(8)
"PREAUTH"): one IMAP session on standard input and output, already logged in
(RFC 9051 §7.1.4 PREAUTH), as ssh tunnels use it. Driven with raw IMAP over
subprocess pipes, with Python's imaplib.IMAP4_stream, and with a real
mbsync (isync) whose Tunnel is the command, syncing to a local Maildir both
ways. Also who may run it: root (dropping to mox.conf's User), the owner of
the data, and nobody else (one line on standard error, exit 1).

Run by hand: /usr/bin/python3 tests/e2e/test_imap_preauth.py -v
"""

import fcntl
import imaplib
import os
import re
import select
import shlex
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
ALICE = "alice@" + D
# The tests run as root and quickstart makes the current user (root) the
# servers' User; the servers refuse that unless told.
ENV = {"MOX_ALLOW_ROOT": "1"}
OWNER = "moxpreauth"  # an unprivileged owner of a second installation


def message(subject, body="hello\n", frm="sender@remote.example"):
    text = ("From: <%s>\nTo: <%s>\nSubject: %s\nMessage-ID: <%s@remote.example>\n"
            "Date: Mon, 07 Dec 2026 12:00:00 +0000\n\n%s" % (frm, ALICE, subject,
                                                              subject.replace(" ", "."), body))
    return text.replace("\n", "\r\n").encode()


class Pipe:
    """A `mox-imapd --preauth` process driven with raw IMAP over its pipes."""

    def __init__(self, env, account="alice", extra_env=None, prefix=(), stdin=subprocess.PIPE):
        e = dict(ENV)
        e.update(extra_env or {})
        argv = list(prefix) + env.argv("mox-imapd", "--config", env.config_path,
                                       "--preauth", account)
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env.child_env(e), cwd=env.dir)
        env._procs.append(self.proc)
        self.buf = b""
        self.n = 0
        self.zo = self.zi = None  # COMPRESS=DEFLATE (RFC 4978), once started
        self.stdin = self.proc.stdin

    def compress(self):
        """From now on raw deflate both ways (RFC 4978 §3)."""
        self.zo = zlib.compressobj(wbits=-15)
        self.zi = zlib.decompressobj(wbits=-15)

    def readline(self, timeout=20):
        deadline = time.monotonic() + timeout
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no line within %ss, have %r" % (timeout, self.buf))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError("end of output, have %r; stderr %r"
                                         % (self.buf, self.proc.stderr.read()))
                self.buf += self.zi.decompress(chunk) if self.zi else chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.zo:
            data = self.zo.compress(data) + self.zo.flush(zlib.Z_SYNC_FLUSH)
        os.write(self.stdin.fileno(), data)

    def cmd(self, text, literal=None):
        """Sends a tagged command (with a synchronizing literal when given);
        returns (untagged and continuation lines, tagged line)."""
        self.n += 1
        tag = "t%d" % self.n
        lines = []
        if literal is None:
            self.send("%s %s\r\n" % (tag, text))
        else:
            self.send("%s %s {%d}\r\n" % (tag, text, len(literal)))
            line = self.readline()
            assert line.startswith(b"+ "), line
            self.send(literal + b"\r\n")
        while True:
            line = self.readline()
            if line.startswith(tag.encode() + b" "):
                return lines, line
            lines.append(line)

    def finish(self, timeout=20):
        """Closes standard input; what is left of the output, standard error."""
        self.stdin.close()
        rest, err = self.buf + self.proc.stdout.read(), self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        self.proc.wait(timeout)
        return rest, err.decode()


def preauth_command(env, account="alice"):
    """The shell command of a tunnel (mbsync Tunnel, imaplib IMAP4_stream)."""
    return "MOX_ALLOW_ROOT=1 %s --config %s --preauth %s" % (
        shlex.quote(moxtest.bin_path("mox-imapd")), shlex.quote(env.config_path), account)


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        env.config("account", "add", "alice", ALICE)
        env.config("account", "add", "carol", "carol@" + D)
        env.config("account", "disable", "carol", "moved away")

    def stream(self):
        m = imaplib.IMAP4_stream(preauth_command(self.env))
        self.addCleanup(self.logout, m)
        return m

    @staticmethod
    def logout(m):
        try:
            m.logout()
        except Exception:
            pass


class RawTest(Base):
    """The protocol over the pipes, line by line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.smtp = moxtest.Server(cls.env, "mox-smtpd", ["--mode", "smtp"], env=ENV).start()

    def test_session(self):
        p = Pipe(self.env)
        greeting = p.readline()
        # RFC 9051 §7.1.4: logged in from the start; nothing to log in with.
        self.assertTrue(greeting.startswith(b"* PREAUTH [CAPABILITY IMAP4rev2 "), greeting)
        self.assertTrue(greeting.endswith(b"] Logged in as alice"), greeting)
        for cap in (b"STARTTLS", b"AUTH=", b"LOGINDISABLED"):
            self.assertNotIn(cap, greeting)
        for cap in (b" IDLE ", b" COMPRESS=DEFLATE ", b" NOTIFY "):
            self.assertIn(cap, greeting)
        _, done = p.cmd("LOGIN alice secret")
        self.assertEqual(done, b"t1 NO not allowed in this connection state")
        _, done = p.cmd("AUTHENTICATE PLAIN")
        self.assertEqual(done, b"t2 NO not allowed in this connection state")
        _, done = p.cmd("STARTTLS")
        self.assertTrue(done.startswith(b"t3 BAD "), done)
        _, done = p.cmd("APPEND INBOX (\\Flagged)", message("raw one"))
        self.assertTrue(done.startswith(b"t4 OK [APPENDUID "), done)
        lines, done = p.cmd("SELECT INBOX")
        self.assertTrue(done.startswith(b"t5 OK [READ-WRITE]"), done)
        exists = [int(l.split()[1]) for l in lines if l.endswith(b" EXISTS")][0]
        self.assertGreaterEqual(exists, 1)
        lines, done = p.cmd("FETCH %d (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])" % exists)
        self.assertTrue(done.startswith(b"t6 OK"), done)
        self.assertIn(b"\\Flagged", lines[0])
        self.assertIn(b"Subject: raw one", b"\r\n".join(lines))
        # IDLE (RFC 2177) woken by a delivery through mox-smtpd, another
        # process: the account's change notification, as over a socket.
        p.n += 1
        tag = "t%d" % p.n
        p.send(tag + " IDLE\r\n")
        self.assertTrue(p.readline().startswith(b"+ "))
        with smtplib.SMTP(*self.smtp.addr, local_hostname="client.example", timeout=30) as s:
            s.sendmail("sender@remote.example", [ALICE], message("raw delivered"))
            delivered = time.monotonic()
        line = p.readline(timeout=10)
        self.assertEqual(line, b"* %d EXISTS" % (exists + 1))
        self.assertLess(time.monotonic() - delivered, 3.0)
        p.send("DONE\r\n")
        while True:  # "* n RECENT" may come first (IMAP4rev1)
            line = p.readline()
            if not line.startswith(b"* "):
                break
        self.assertEqual(line, tag.encode() + b" OK idle done")
        lines, done = p.cmd("UID FETCH %d:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])" % (exists + 1))
        self.assertIn(b"Subject: raw delivered", b"\r\n".join(lines))
        lines, done = p.cmd("LOGOUT")
        self.assertEqual(lines, [b"* BYE thanks"])
        self.assertTrue(done.endswith(b"OK logout done"), done)
        rest, err = p.finish()
        self.assertEqual(rest, b"")
        self.assertEqual(p.proc.returncode, 0)
        # Errors only on standard error by default: nothing here.
        self.assertEqual(err, "")
        # docs/DESIGN.md "Login attempts": recorded as a login's.
        rows = self.env.query("auth.db", "SELECT AccountName, LoginAddress, AuthMech, Result "
                              "FROM LoginAttempt WHERE AuthMech = 'preauth'")
        self.assertIn(("alice", "alice", "preauth", "ok"), rows)

    def test_compress_notify(self):
        # COMPRESS=DEFLATE over the pipes, and NOTIFY (RFC 5465): a delivery
        # through mox-smtpd announced without any command of ours.
        p = Pipe(self.env)
        p.readline()
        lines, done = p.cmd("SELECT INBOX")
        exists = [int(l.split()[1]) for l in lines if l.endswith(b" EXISTS")][0]
        _, done = p.cmd("COMPRESS DEFLATE")
        self.assertEqual(done, b"t2 OK deflate active")
        p.compress()
        _, done = p.cmd("NOTIFY SET (selected (MessageNew (UID) MessageExpunge))")
        self.assertEqual(done, b"t3 OK notify done")
        with smtplib.SMTP(*self.smtp.addr, local_hostname="client.example", timeout=30) as s:
            s.sendmail("sender@remote.example", [ALICE], message("notified"))
        self.assertEqual(p.readline(timeout=10), b"* %d EXISTS" % (exists + 1))
        lines, done = p.cmd("FETCH %d (BODY.PEEK[HEADER.FIELDS (SUBJECT)])" % (exists + 1))
        self.assertIn(b"Subject: notified", b"\r\n".join(lines))
        lines, done = p.cmd("LOGOUT")
        self.assertTrue(done.endswith(b"OK logout done"), done)
        _, err = p.finish()
        self.assertEqual(p.proc.returncode, 0, err)

    def test_stdin_flags_restored(self):
        # Standard input is shared with whoever started the command (a
        # shell, a terminal): it is not left non-blocking.
        r, w = os.pipe()
        try:
            p = Pipe(self.env, stdin=r)
            p.stdin = os.fdopen(w, "wb")
            p.readline()
            p.cmd("NOOP")
            self.assertTrue(fcntl.fcntl(r, fcntl.F_GETFL) & os.O_NONBLOCK)  # the session's
            p.cmd("LOGOUT")
            _, err = p.finish()
            self.assertEqual(p.proc.returncode, 0, err)
            self.assertFalse(fcntl.fcntl(r, fcntl.F_GETFL) & os.O_NONBLOCK)
        finally:
            os.close(r)

    def test_end_of_input_ends_session(self):
        # A script piped in: every command answered, then exit 0 at the end
        # of input.
        p = Pipe(self.env)
        p.send("a SELECT INBOX\r\nb FETCH 1:* (UID)\r\nc NOOP\r\n")
        rest, err = p.finish()
        text = rest.decode()
        self.assertTrue(text.startswith("* PREAUTH "), text)
        for t in ("a OK [READ-WRITE]", "b OK fetch done", "c OK noop done"):
            self.assertIn("\r\n" + t, text)
        self.assertEqual(p.proc.returncode, 0, err)

    def test_log_level_on_stderr(self):
        p = Pipe(self.env)
        p.readline()
        p.cmd("LOGOUT")
        _, err = p.finish()
        self.assertEqual(err, "")
        p = subprocess.run(self.env.argv("mox-imapd", "--config", self.env.config_path,
                                         "--log-level", "info", "--preauth", "alice"),
                           input=b"a LOGOUT\r\n", capture_output=True,
                           env=self.env.child_env(ENV), timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith(b"* PREAUTH "))
        err = p.stderr.decode()
        self.assertIn('msg="connection opened" service=imap-preauth', err)
        self.assertIn("mech=preauth", err)
        self.assertNotIn("PREAUTH", err)  # the protocol only on standard output


class ErrorTest(Base):
    """Refusals before any protocol: one line on standard error, exit 1,
    nothing on standard output."""

    def run_preauth(self, account, argv_prefix=(), extra=None, env=None):
        env = env or self.env
        e = dict(ENV)
        e.update(extra or {})
        p = subprocess.run(list(argv_prefix) + env.argv("mox-imapd", "--config", env.config_path,
                                                        "--preauth", account),
                           input=b"a LOGOUT\r\n", capture_output=True, env=env.child_env(e),
                           timeout=30)
        return p

    def one_line(self, p):
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(p.stdout, b"", p)
        lines = p.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("mox-imapd: "), lines[0])
        return lines[0]

    def test_unknown_account(self):
        self.assertEqual(self.one_line(self.run_preauth("nobody")),
                         'mox-imapd: unknown account "nobody"')
        line = self.one_line(self.run_preauth(ALICE))
        self.assertIn("give the account's name, not an address", line)

    def test_disabled_account(self):
        self.assertEqual(self.one_line(self.run_preauth("carol")),
                         'mox-imapd: login disabled for account "carol": moved away')

    def test_usage(self):
        p = subprocess.run(self.env.argv("mox-imapd", "--preauth", "alice", "--tls"),
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, b"")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run as another user")
    def test_other_user_refused(self):
        # The config readable by all, the data directory as quickstart made it
        # (owned by root, mode 0750): nobody may not open the account.
        env = moxtest.MoxEnv(self)
        env.config("account", "add", "alice", ALICE)
        os.chmod(env.dir, 0o755)
        os.chmod(env.config_dir, 0o755)
        for f in ("mox.conf", "domains.conf"):
            os.chmod(env.config_file(f), 0o644)
        setpriv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
        line = self.one_line(self.run_preauth("alice", setpriv, {"ASAN_OPTIONS": "detect_leaks=0"},
                                              env=env))
        self.assertIn('cannot open account "alice"', line)
        self.assertIn("owner of its data or as root", line)
        self.assertIn("ermission denied", line)
        # The config not readable either: still one line.
        os.chmod(env.config_file("mox.conf"), 0o600)
        line = self.one_line(self.run_preauth("alice", setpriv, {"ASAN_OPTIONS": "detect_leaks=0"},
                                              env=env))
        self.assertIn("mox.conf", line)


@unittest.skipUnless(os.geteuid() == 0, "needs root to start as root and as another user")
class OwnerTest(unittest.TestCase):
    """An installation owned by an unprivileged User: root is dropped to it,
    and the owner may run it."""

    @classmethod
    def setUpClass(cls):
        cls.pw = moxtest.ensure_user(OWNER)
        env = cls.env = moxtest.MoxEnv(None, user=OWNER, fresh=True)
        cls.addClassCleanup(env.close)
        env.config("account", "add", "alice", ALICE)
        env.chown(cls.pw)

    def uids(self, pid):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(x) for x in line.split()[1:]]
        return []

    def check_session(self, p, subject):
        self.assertTrue(p.readline().startswith(b"* PREAUTH "))
        self.assertEqual(self.uids(p.proc.pid), [self.pw.pw_uid] * 4)
        _, done = p.cmd("APPEND INBOX", message(subject))
        self.assertTrue(done.startswith(b"t1 OK [APPENDUID "), done)
        p.cmd("LOGOUT")
        _, err = p.finish()
        self.assertEqual(p.proc.returncode, 0, err)
        rows = self.env.query(("accounts", "alice", "index.db"),
                              "SELECT ID FROM Message ORDER BY ID DESC LIMIT 1")
        path = self.env.message_path("alice", rows[0][0])
        self.assertEqual(os.stat(path).st_uid, self.pw.pw_uid)

    def test_root_drops_to_user(self):
        # Started as root without MOX_ALLOW_ROOT: the servers' User. (A
        # process that changed its user is not dumpable: LeakSanitizer
        # cannot look at it at exit.)
        p = Pipe(self.env, extra_env={"MOX_ALLOW_ROOT": None, "ASAN_OPTIONS": "detect_leaks=0"})
        self.check_session(p, "as root")

    def test_owner_may_run_it(self):
        setpriv = ["setpriv", "--reuid=" + OWNER, "--regid=%d" % self.pw.pw_gid,
                   "--clear-groups", "--"]
        p = Pipe(self.env, extra_env={"MOX_ALLOW_ROOT": None, "ASAN_OPTIONS": "detect_leaks=0"},
                 prefix=setpriv)
        self.check_session(p, "as owner")


class ImaplibStreamTest(Base):
    """Python's imaplib.IMAP4_stream: the client runs the command itself."""

    def test_stream(self):
        m = self.stream()
        self.assertEqual(m.state, "AUTH")  # imaplib read the PREAUTH greeting
        self.assertIn("IMAP4REV2", m.capabilities)
        self.assertEqual(m.create("Stream")[0], "OK")
        typ, data = m.append("Stream", "(\\Seen)", None, message("streamed"))
        self.assertEqual(typ, "OK", data)
        typ, data = m.select("Stream")
        self.assertEqual((typ, data), ("OK", [b"1"]))
        typ, data = m.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertEqual(typ, "OK")
        self.assertIn(b"\\Seen", data[0][0])
        self.assertIn(b"Subject: streamed", data[0][1])
        self.assertEqual(m.store("1", "+FLAGS", "(\\Answered)")[0], "OK")
        typ, data = m.search(None, "ANSWERED")
        self.assertEqual(data, [b"1"])
        typ, data = m.list()
        self.assertTrue(any(b'"Stream"' in l or b" Stream" in l for l in data), data)


def maildir_files(root):
    """{mailbox: {Subject: flags}} of the Maildir tree mbsync made."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        base = os.path.basename(dirpath)
        if base not in ("cur", "new"):
            continue
        box = os.path.relpath(os.path.dirname(dirpath), root)
        for name in filenames:
            with open(os.path.join(dirpath, name), "rb") as f:
                m = re.search(rb"^Subject: (.*?)\r?$", f.read(), re.M)
            flags = name.split(":2,", 1)[1] if ":2," in name else ""
            out.setdefault(box, {})[m.group(1).decode()] = flags
    return out


def file_names(root):
    names = set()
    for dirpath, _, filenames in os.walk(root):
        if os.path.basename(dirpath) in ("cur", "new"):
            names |= {os.path.join(os.path.relpath(dirpath, root), n) for n in filenames}
    return names


@unittest.skipUnless(shutil.which("mbsync"), "mbsync (isync) not installed")
class MbsyncTest(Base):
    """A real mbsync run with Tunnel "mox-imapd --preauth alice": the
    account pulled into a local Maildir, a flag pushed back, and a second run
    that changes nothing."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mox-mbsync-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.maildir = os.path.join(self.dir, "Mail")
        os.mkdir(self.maildir)
        self.rc = os.path.join(self.dir, "mbsyncrc")
        with open(self.rc, "w") as f:
            f.write("IMAPStore mox\n"
                    "Tunnel \"%s\"\n"
                    "\n"
                    "MaildirStore local\n"
                    "Path %s/\n"
                    "Inbox %s/INBOX\n"
                    "SubFolders Verbatim\n"
                    "\n"
                    "Channel mox\n"
                    "Far :mox:\n"
                    "Near :local:\n"
                    "Patterns INBOX Archive Lists Lists/*\n"
                    "Create Near\n"
                    "SyncState *\n"
                    "Sync All\n"
                    "Expunge None\n" % (preauth_command(self.env, "dave").replace('"', '\\"'),
                                        self.maildir, self.maildir))
        # A fresh account of its own, so the other tests' messages do not count.
        self.env.config("account", "add", "dave", "dave@" + D)
        m = imaplib.IMAP4_stream(preauth_command(self.env, "dave"))
        try:
            self.assertEqual(m.create("Lists/Tech")[0], "OK")
            for box, subject, flags in (("INBOX", "one", "(\\Seen)"),
                                        ("INBOX", "two", "(\\Flagged)"),
                                        ("INBOX", "three", "()"),
                                        ("Archive", "old", "(\\Seen \\Answered)"),
                                        ("Lists/Tech", "list mail", "(\\Seen)")):
                typ, data = m.append(box, flags, None, message(subject))
                self.assertEqual(typ, "OK", data)
        finally:
            m.logout()

    def mbsync(self):
        p = subprocess.run(["mbsync", "-c", self.rc, "-a"], capture_output=True, text=True,
                           timeout=120, cwd=self.dir)
        self.assertEqual(p.returncode, 0, "stdout:\n%s\nstderr:\n%s" % (p.stdout, p.stderr))
        return p

    def server_state(self):
        m = imaplib.IMAP4_stream(preauth_command(self.env, "dave"))
        try:
            state = {}
            for box in ("INBOX", "Archive", "Lists/Tech"):
                typ, data = m.status(box, "(HIGHESTMODSEQ MESSAGES)")
                self.assertEqual(typ, "OK", data)
                state[box] = data[0].decode()
            typ, _ = m.select("INBOX")
            typ, data = m.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            flags = {}
            for item in data:
                if isinstance(item, tuple):
                    subj = re.search(rb"Subject: (.*?)\r\n", item[1]).group(1).decode()
                    flags[subj] = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1)
                                      .decode().split())
            return state, flags
        finally:
            m.logout()

    def test_pull_push_noop(self):
        self.mbsync()
        got = maildir_files(self.maildir)
        # Maildir info letters: S seen, F flagged, R replied (\Answered).
        self.assertEqual(got.get("INBOX"), {"one": "S", "two": "F", "three": ""}, got)
        self.assertEqual(got.get("Archive"), {"old": "RS"}, got)
        self.assertEqual(got.get("Lists/Tech"), {"list mail": "S"}, got)

        # A flag changed locally: "three" marked seen and flagged, pushed back.
        cur = os.path.join(self.maildir, "INBOX", "cur")
        new = os.path.join(self.maildir, "INBOX", "new")
        for d in (cur, new):
            for name in os.listdir(d):
                path = os.path.join(d, name)
                with open(path, "rb") as f:
                    if b"Subject: three" not in f.read():
                        continue
                base = name.split(":2,", 1)[0]
                os.rename(path, os.path.join(cur, base + ":2,FS"))
        self.mbsync()
        _, flags = self.server_state()
        self.assertEqual(flags["three"], {"\\Seen", "\\Flagged"})
        self.assertEqual(flags["one"], {"\\Seen"})

        # Nothing changed on either side: a second run changes nothing.
        before_state, before_flags = self.server_state()
        before_files = file_names(self.maildir)
        self.mbsync()
        after_state, after_flags = self.server_state()
        self.assertEqual(after_state, before_state)  # HIGHESTMODSEQ unchanged too
        self.assertEqual(after_flags, before_flags)
        self.assertEqual(file_names(self.maildir), before_files)


if __name__ == "__main__":
    unittest.main()
