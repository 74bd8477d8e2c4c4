"""End-to-end tests of COMPRESS=DEFLATE (RFC 4978) and NOTIFY (RFC 5465) in
mox-imapd, with a raw IMAP client over a socket (Python's imaplib has
neither): raw deflate both ways with zlib (wbits=-15), on a plain
connection, after STARTTLS and on the implicit-TLS listener; IDLE and a
large FETCH while compressed; a decompression bomb that must end in the
line limit, not in memory; NOTIFY's unsolicited responses without a command.

Run by hand: /usr/bin/python3 tests/e2e/test_imap_compress_notify.py -v
"""

import os
import re
import socket
import sys
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402
from test_mox_imapd import Imap, SERVER_ENV, BANNER  # noqa: E402


class Deflated:
    """A socket whose bytes are raw deflate both ways (RFC 4978 §4), each
    write ending in a sync flush. Counts the bytes on the wire."""

    def __init__(self, sock):
        self.sock = sock
        self.zo = zlib.compressobj(wbits=-15)
        self.zi = zlib.decompressobj(wbits=-15)
        self.wire_in = self.wire_out = 0

    def sendall(self, data):
        z = self.zo.compress(data) + self.zo.flush(zlib.Z_SYNC_FLUSH)
        self.wire_out += len(z)
        self.sock.sendall(z)

    def recv(self, n):
        while True:
            raw = self.sock.recv(65536)
            if not raw:
                return b""
            self.wire_in += len(raw)
            out = self.zi.decompress(raw)
            if out:
                return out

    def settimeout(self, t):
        self.sock.settimeout(t)

    def close(self):
        self.sock.close()


def plain_login_env(cls):
    """A quickstart installation whose IMAP listener allows login without
    TLS (IMAP.NoRequireSTARTTLS), removed after the class."""
    env = moxtest.MoxEnv(None)
    cls.addClassCleanup(env.close)
    text = env.static_text()
    with open(env.config_path, "w") as f:
        f.write(text.replace("\t\tIMAP:\n", "\t\tIMAP:\n\t\t\tNoRequireSTARTTLS: true\n", 1))
    return env


def peak_kb(pid):
    """The process's peak resident memory (VmHWM), in KB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def message(size, subject="big"):
    line = b"x" * 70 + b" compressible text line\r\n"
    body = line * (size // len(line) + 1)
    return b"Subject: " + subject.encode() + b"\r\nFrom: a@example.org\r\n\r\n" + body[:size]


class CompressNotifyTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        # Login without TLS on the plain listener, so that compression alone
        # is tested there too.
        env = cls.env = plain_login_env(cls)
        cls.login = (moxtest.ADDRESS, env.password)
        cls.srv = moxtest.Server(env, "mox-imapd", [], env=SERVER_ENV, banner=BANNER).start()
        cls.imaps = moxtest.Server(env, "mox-imapd", ["--tls"], env=SERVER_ENV, tls=True,
                                   banner=BANNER).start()

    def client(self, tls=False, starttls=False):
        c = Imap(self.imaps.port if tls else self.srv.port, tls=tls)
        self.addCleanup(c.close)
        self.assertTrue(c.response().startswith(b"* OK "))
        if starttls:
            c.starttls()
        self.assertEqual(c.login(*self.login).status, "OK")
        return c

    def compress(self, c):
        r = c.cmd("COMPRESS DEFLATE")
        self.assertEqual(r.tagged, "OK deflate active")
        self.assertEqual(c.buf, b"")
        c.sock = Deflated(c.sock)
        return c.sock

    def check_session(self, c):
        """Commands, a second COMPRESS, a large APPEND and FETCH, and IDLE
        woken by another connection, all through the compressed stream."""
        z = self.compress(c)
        caps = c.cmd("CAPABILITY").lines[0].split()
        self.assertIn("COMPRESS=DEFLATE", caps)
        self.assertIn("NOTIFY", caps)
        r = c.cmd("COMPRESS DEFLATE")
        self.assertEqual(r.tagged, "NO [COMPRESSIONACTIVE] compression already active")
        box = "Box%d" % int(time.time() * 1000000)
        self.assertEqual(c.cmd("CREATE " + box).status, "OK")
        big = message(3 << 20)
        self.assertEqual(c.cmd("APPEND %s " % box, big).status, "OK")
        self.assertEqual(c.cmd("SELECT " + box).status, "OK")
        before = z.wire_in
        r = c.cmd("FETCH 1 BODY.PEEK[]")
        self.assertEqual(r.status, "OK", r)
        self.assertTrue(r.untagged[0].endswith(big + b")"), r.untagged[0][:200])
        self.assertLess(z.wire_in - before, len(big) // 4)  # it was compressed
        # IDLE: the EXISTS of another connection's APPEND arrives at once,
        # so the server flushed its compressor (RFC 4978 §6).
        c.send("i1 IDLE\r\n")
        self.assertTrue(c.readline().startswith(b"+ "))
        other = self.client()
        self.assertEqual(other.cmd("APPEND %s " % box, message(100, "small")).status, "OK")
        c.sock.settimeout(5)
        self.assertEqual(c.readline(), b"* 2 EXISTS\r\n")
        self.assertEqual(c.readline(), b"* 2 RECENT\r\n")  # IMAP4rev1: \Recent here
        c.send("DONE\r\n")
        self.assertEqual(c.response(), b"i1 OK idle done")
        self.assertEqual(c.cmd("LOGOUT").status, "OK")

    def test_plain(self):
        self.check_session(self.client())

    def test_starttls(self):
        self.check_session(self.client(starttls=True))

    def test_implicit_tls(self):
        self.check_session(self.client(tls=True))

    def test_bomb_hits_line_limit(self):
        # 256 MB of "a" without a line end, about 256 KB compressed: the
        # server must judge the inflated bytes by its line limit (64 KB)
        # and end the session, never holding the whole line.
        peak_before = peak_kb(self.srv.proc.pid)
        c = self.client()
        z = self.compress(c)
        zo = z.zo
        chunk = b"a" * (1 << 20)
        c.sock.settimeout(20)
        try:
            z.sock.sendall(zo.compress(b"b1 NOOP ") + zo.flush(zlib.Z_SYNC_FLUSH))
            for _ in range(256):
                z.sock.sendall(zo.compress(chunk) + zo.flush(zlib.Z_SYNC_FLUSH))
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed early: fine
        try:
            line = c.readline()
        except (ConnectionResetError, OSError):
            line = b""
        self.assertEqual(line, b"b1 BAD line too long (max 65536 octets)\r\n")
        # The server inflates and skips the rest, up to the line's end.
        c.sock.settimeout(60)
        c.send("\r\n")
        self.assertEqual(c.cmd("NOOP").status, "OK")
        # The server is still there for others, and its peak memory did not
        # grow by anything near the 256 MB it inflated.
        self.assertEqual(self.client().cmd("NOOP").status, "OK")
        self.assertLess(peak_kb(self.srv.proc.pid) - peak_before, 64 * 1024)

    def test_notify_unsolicited(self):
        c = self.client()
        self.compress(c)
        name = "N%d" % int(time.time() * 1000000)
        self.assertEqual(c.cmd("CREATE %s" % name).status, "OK")
        self.assertEqual(c.cmd("SELECT INBOX").status, "OK")
        r = c.cmd("NOTIFY SET STATUS (selected (MessageNew (UID) MessageExpunge)) "
                  "(personal (MessageNew MessageExpunge MailboxName SubscriptionChange))")
        self.assertEqual(r.status, "OK", r)
        self.assertTrue(any(l.startswith("* STATUS %s (MESSAGES 0 UIDNEXT 1 " % name)
                            for l in r.lines), r)
        other = self.client()
        self.assertEqual(other.cmd("APPEND INBOX ", message(100, "n1")).status, "OK")
        self.assertEqual(other.cmd("APPEND %s " % name, message(100, "n2")).status, "OK")
        self.assertEqual(other.cmd("CREATE %s/sub" % name).status, "OK")
        # No command of ours: the responses come by themselves.
        c.sock.settimeout(10)
        want = [re.compile(rb"\* \d+ EXISTS"), re.compile(rb"\* \d+ FETCH \(UID \d+\)"),
                re.compile(rb"\* STATUS %s \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \d+\)" % name.encode()),
                re.compile(rb'\* LIST \(\) "/" %s/sub' % name.encode())]
        got = []
        deadline = time.monotonic() + 10
        while want and time.monotonic() < deadline:
            line = c.response()
            got.append(line)
            want = [w for w in want if not w.fullmatch(line)]
        self.assertEqual(want, [], got)
        self.assertEqual(c.cmd("NOTIFY NONE").status, "OK")
        r = c.cmd("NOTIFY SET (personal (AnnotationChange))")
        self.assertTrue(r.tagged.startswith("NO [BADEVENT ("), r)


class AutologoutTest(unittest.TestCase):
    """RFC 9051 §5.4: the autologout timer runs from the client's last input
    in IDLE and under NOTIFY too (MOX_TEST_AUTOLOGOUT_MS shortens it), and
    responses the server sends meanwhile do not reset it."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = plain_login_env(cls)
        e = dict(SERVER_ENV)
        e["MOX_TEST_AUTOLOGOUT_MS"] = "1500"
        cls.srv = moxtest.Server(env, "mox-imapd", [], env=e, banner=BANNER).start()
        cls.login = (moxtest.ADDRESS, env.password)

    def client(self):
        c = Imap(self.srv.port)
        self.addCleanup(c.close)
        c.response()
        self.assertEqual(c.login(*self.login).status, "OK")
        return c

    def assertLoggedOut(self, c, within):
        start = time.monotonic()
        c.sock.settimeout(within + 5)
        line = c.readline()
        while line.startswith(b"* ") and not line.startswith(b"* BYE"):
            line = c.readline()  # notifications meanwhile
        self.assertEqual(line, b"* BYE autologout, idle too long\r\n")
        self.assertLess(time.monotonic() - start, within)
        self.assertEqual(c.readline(), b"")

    def test_idle(self):
        c = self.client()
        self.assertEqual(c.cmd("SELECT INBOX").status, "OK")
        c.send("i IDLE\r\n")
        self.assertTrue(c.readline().startswith(b"+ "))
        self.assertLoggedOut(c, 5)

    def test_notify(self):
        c = self.client()
        self.assertEqual(c.cmd("NOTIFY SET (personal (MailboxName))").status, "OK")
        other = self.client()
        self.assertEqual(other.cmd("CREATE Auto%d" % int(time.time() * 1000)).status, "OK")
        self.assertLoggedOut(c, 5)

    def test_input_resets_it(self):
        c = self.client()
        for _ in range(6):
            time.sleep(0.5)
            self.assertEqual(c.cmd("NOOP").status, "OK")


if __name__ == "__main__":
    unittest.main()
