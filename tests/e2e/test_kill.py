"""Crash tests, short form: mox-smtpd and mox-imapd are killed with SIGKILL at
random moments while clients deliver (SMTP) and append (IMAP APPEND), then
started again; at the end every message the server acknowledged (250, OK) is
in the account exactly once, with its file complete, and the database passes
its integrity check. (The queue's kill test is in test_mox_queue.py.)

Run by hand: /usr/bin/python3 tests/e2e/test_kill.py -v
"""

import collections
import imaplib
import os
import random
import re
import smtplib
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

ADMIN = moxtest.ADDRESS
SERVER_ENV = {"MOX_ALLOW_ROOT": "1"}
KILLS = 3
CLIENTS = 4


class KillTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        self.rng = random.Random(os.getpid())
        self.acked = set()
        self.sent = set()
        self.lock = threading.Lock()
        self.port = None
        self.stop = threading.Event()

    def token(self, worker, n):
        return "k%d-%d-%d" % (worker, n, self.rng.randrange(1 << 30))

    def message(self, tok):
        body = "x" * self.rng.choice([10, 2000, 70000])
        return ("From: <sender@remote.example>\r\nTo: <%s>\r\nSubject: %s\r\n"
                "Message-ID: <%s@remote.example>\r\n\r\n%s\r\n" % (ADMIN, tok, tok, body)).encode()

    def run_clients(self, send):
        """CLIENTS threads call send(port, tok, data) in a loop with fresh
        tokens; an acknowledged token goes into self.acked."""
        def worker(w):
            n = 0
            while not self.stop.is_set():
                port = self.port
                n += 1
                tok = self.token(w, n)
                with self.lock:
                    self.sent.add(tok)
                try:
                    if send(port, tok, self.message(tok)):
                        with self.lock:
                            self.acked.add(tok)
                except (OSError, EOFError, smtplib.SMTPException, imaplib.IMAP4.error,
                        imaplib.IMAP4.abort):
                    time.sleep(0.05)  # the server is down: try again
        threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(CLIENTS)]
        for t in threads:
            t.start()
        return threads

    def cycle(self, start_server, threads):
        for k in range(KILLS + 1):
            srv = start_server()
            self.port = srv.port
            time.sleep(self.rng.uniform(1.0, 2.5))
            if k < KILLS:
                os.kill(srv.proc.pid, 9)  # the server itself, mid-delivery
            else:
                self.stop.set()
                for t in threads:
                    t.join(60)
            srv.stop()

    def stored_tokens(self):
        """Token → number of copies in the account (rows not expunged), each
        file checked against its row's size."""
        rows = self.env.query(("accounts", "admin", "index.db"),
                              "SELECT ID, Size FROM Message WHERE Expunged = 0")
        self.assertEqual(self.env.query(("accounts", "admin", "index.db"),
                                        "PRAGMA integrity_check"), [("ok",)])
        count = collections.Counter()
        for msg_id, size in rows:
            path = self.env.message_path("admin", msg_id)
            with open(path, "rb") as f:
                data = f.read()
            self.assertEqual(len(data), size, path)
            m = re.search(rb"^Subject: (k[0-9-]+)\r$", data, re.M)
            self.assertIsNotNone(m, "message %d without a test subject" % msg_id)
            count[m.group(1).decode()] += 1
        return count

    def check(self):
        count = self.stored_tokens()
        self.assertGreater(len(self.acked), 20, "too few deliveries to mean anything")
        missing = [t for t in self.acked if count[t] == 0]
        self.assertEqual(missing, [], "acknowledged and lost")
        dups = {t: n for t, n in count.items() if n > 1}
        self.assertEqual(dups, {}, "stored more than once")
        self.assertTrue(set(count) <= self.sent)

    def test_smtpd_killed_during_deliveries(self):
        def send(port, tok, data):
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
                s.sendmail("sender@remote.example", [ADMIN], data)
            return True  # sendmail raises unless the message got 250
        threads = self.run_clients(send)
        self.cycle(lambda: self.env.server("mox-smtpd", "--mode", "smtp", env=SERVER_ENV), threads)
        self.check()

    def test_imapd_killed_during_appends(self):
        password = self.env.password

        def send(port, tok, data):
            m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
            try:
                m.login(ADMIN, password)
                typ, resp = m.append("INBOX", None, None, data)
                return typ == "OK"
            finally:
                try:
                    m.shutdown()
                except OSError:
                    pass
        text = self.env.static_text()
        with open(self.env.config_path, "w") as f:  # LOGIN without TLS on loopback
            f.write(text.replace("\t\tIMAP:\n", "\t\tIMAP:\n\t\t\tNoRequireSTARTTLS: true\n", 1))
        threads = self.run_clients(send)
        self.cycle(lambda: self.env.server("mox-imapd", banner=b"* OK", env=SERVER_ENV), threads)
        self.check()


if __name__ == "__main__":
    unittest.main()
