"""mox-imapd's memory does not grow with the mailbox: a FETCH of every
message's body goes out in parts of a bounded size, written before the next
part is made. A 100 MB mailbox is fetched whole while the server's RSS is
sampled; it may grow by the parts and one message, not by the mailbox.
(With MOX_FETCH_MESSAGES=1024 the same test fetches 1 GB: bench/README.md.)

Run by hand: /usr/bin/python3 tests/e2e/test_imap_memory.py -v
"""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

# MOX_FETCH_MESSAGES=1024 makes it the 1 GB run of bench/README.md.
MESSAGES = int(os.environ.get("MOX_FETCH_MESSAGES", "100"))
LINE = b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01\r\n"
BODY = LINE * (1024 * 1024 // len(LINE))  # ~1 MB
# AddressSanitizer keeps freed memory in quarantine (256 MB by default):
# a small one so that RSS shows what the server holds.
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "ASAN_OPTIONS": "quarantine_size_mb=8:detect_leaks=0"}


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class FetchMemoryTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        text = self.env.static_text()
        with open(self.env.config_path, "w") as f:
            f.write(text.replace("\t\tIMAP:\n", "\t\tIMAP:\n\t\t\tNoRequireSTARTTLS: true\n", 1))
        self.srv = self.env.server("mox-imapd", banner=b"* OK", env=SERVER_ENV)

    def connect(self):
        s = socket.create_connection(self.srv.addr, timeout=60)
        self.addCleanup(s.close)
        f = s.makefile("rb")
        f.readline()
        pw = self.env.password.encode()
        s.sendall(b"l LOGIN admin@mox.example {%d+}\r\n%s\r\n" % (len(pw), pw))
        while not f.readline().startswith(b"l "):
            pass
        return s, f

    def test_fetch_all_bodies_bounded_rss(self):
        s, f = self.connect()
        for i in range(MESSAGES):
            msg = b"Subject: m%d\r\n\r\n" % i + BODY
            s.sendall(b"a%d APPEND INBOX {%d+}\r\n%s\r\n" % (i, len(msg), msg))
        while not f.readline().startswith(b"a%d " % (MESSAGES - 1)):
            pass
        s.sendall(b"s SELECT INBOX\r\n")
        while not f.readline().startswith(b"s "):
            pass
        pid = self.srv.proc.pid
        base = rss_kb(pid)
        peak = [base]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(pid))
                time.sleep(0.01)
        t = threading.Thread(target=sample)
        t.start()
        s.sendall(b"f UID FETCH 1:* BODY.PEEK[]\r\n")
        got = 0
        while True:
            line = f.readline()
            self.assertTrue(line, "connection closed")
            if line.startswith(b"f "):
                self.assertTrue(line.startswith(b"f OK"), line)
                break
            if line.endswith(b"}\r\n"):
                n = int(line[line.rindex(b"{") + 1:-3])
                got += len(f.read(n))
                time.sleep(0.001)  # a client slower than the server
        done.set()
        t.join()
        self.assertGreaterEqual(got, MESSAGES * len(BODY))
        growth_mb = (peak[0] - base) / 1024
        sys.stderr.write("mox-imapd RSS %d MB before, growth %.1f MB while sending %d MB\n"
                         % (base // 1024, growth_mb, got // (1024 * 1024)))
        self.assertLess(growth_mb, 64)


if __name__ == "__main__":
    unittest.main()
