"""End-to-end tests of the limits that protect the server's reputation and
its resources:

- the per-account send limits of domains.conf (MaxOutgoingMessagesPerDay,
  MaxFirstTimeRecipientsPerDay), enforced by mox-smtpd on submission and
  counted in data/queue/index.db across processes;
- the per-IP connection limits of mox.conf (ConnectionLimits) of mox-smtpd
  and mox-imapd, counted in data/auth.db across the threads of a listening
  server (--listen) and the processes of per-connection servers
  (systemd-socket-activate --accept --inetd), with recovery from killed
  processes.

All clients connect from 127.0.0.1, so the connection tests turn the
loopback exemption off with ConnectionLimits.LimitLoopback.

Run by hand: /usr/bin/python3 tests/e2e/test_limits.py -v
"""

import os
import secrets
import signal
import smtplib
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402
from test_mox_smtpd import EHLO_NAME, SERVER_ENV, Raw, find, make_message, smtp_reply  # noqa: E402

D = moxtest.DOMAIN
ADMIN = moxtest.ADDRESS
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
SMTP_REFUSAL = (421, "4.7.0 too many connections from your address")
IMAP_REFUSAL = b"* BYE too many connections from your address\r\n"


def set_account_limits(env, account, **fields):
    """Adds fields (e.g. MaxOutgoingMessagesPerDay=3) to an account in domains.conf."""
    text = env.domains_text()
    marker = "\t%s:\n\t\tDomain: %s\n" % (account, D)
    assert marker in text, text
    extra = "".join("\t\t%s: %s\n" % kv for kv in fields.items())
    env.write_domains(text.replace(marker, marker + extra))
    env.config("test")


def set_connection_limits(env, **fields):
    """Appends a ConnectionLimits struct to mox.conf."""
    with open(env.config_path, "a") as f:
        f.write("ConnectionLimits:\n")
        for k, v in fields.items():
            f.write("\t%s: %s\n" % (k, v))
    env.config("test")


def serving_pid(server_port, client_sock):
    """The PID of the process that holds the server side of the loopback
    TCP connection `client_sock` to `server_port`."""
    local = "0100007F:%04X" % server_port
    remote = "0100007F:%04X" % client_sock.getsockname()[1]
    inode = None
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                inode = fields[9]
    assert inode, "no server socket for %s" % remote
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fds = os.listdir("/proc/%s/fd" % name)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%s/fd/%s" % (name, fd)) == "socket:[%s]" % inode:
                    return int(name)
            except OSError:
                continue
    raise AssertionError("no process holds socket %s" % inode)


# ---------------------------------------------------------------------------

class SendLimitTest(unittest.TestCase):
    """MaxOutgoingMessagesPerDay and MaxFirstTimeRecipientsPerDay on submission."""

    def setUp(self):
        env = self.env = moxtest.MoxEnv(self)
        env.config("account", "add", "bob", BOB)
        env.config("account", "password", "bob", input=BOB_PW + "\n")

    def start(self, how):
        e = dict(SERVER_ENV)
        return moxtest.Server(self.env, "mox-smtpd", ["--mode", "submission"], how=how, env=e).start()

    def submit(self, srv, rcpts):
        """One message from admin to `rcpts` on a new connection; returns
        (token, final reply (code, text))."""
        tok = secrets.token_hex(6)
        s = smtplib.SMTP("127.0.0.1", srv.port, local_hostname=EHLO_NAME, timeout=30)
        try:
            s.starttls(context=moxtest.insecure_tls_context())
            s.login(ADMIN, self.env.password)
            self.assertEqual(s.mail(ADMIN)[0], 250)
            for r in rcpts:
                self.assertEqual(s.rcpt(r)[0], 250, r)
            try:
                reply = smtp_reply(s.data(make_message(tok, frm=ADMIN, to=rcpts[0])))
            except smtplib.SMTPDataError as e:
                reply = smtp_reply((e.smtp_code, e.smtp_error))
            s.quit()
        finally:
            s.close()
        return tok, reply

    def queued(self):
        return self.env.query(("queue", "index.db"),
                              "SELECT COUNT(*) FROM Msg WHERE SenderAccount = 'admin'")[0][0]

    def check_messages_per_day(self, how):
        set_account_limits(self.env, "admin", MaxOutgoingMessagesPerDay=3)
        srv = self.start(how)
        self.assertEqual(self.submit(srv, ["r1@remote.example", "r2@remote.example"])[1][0], 250)
        self.assertEqual(self.submit(srv, [BOB])[1][0], 250)  # local: not counted
        self.assertEqual(self.submit(srv, ["r3@remote.example"])[1][0], 250)  # 3 of 3
        tok, reply = self.submit(srv, ["r4@remote.example", BOB])
        self.assertEqual(reply[0], 451, reply)
        self.assertTrue(reply[1].startswith("4.7.1 max number of messages (3) over past 24h reached"),
                        reply)
        self.assertIn("MaxOutgoingMessagesPerDay", reply[1])
        # Refused as a whole: the local recipient did not get it either.
        self.assertEqual(find(self.env, "bob", tok), [])
        self.assertEqual(self.queued(), 3)
        self.assertEqual(self.submit(srv, [BOB])[1][0], 250)
        self.assertEqual(self.submit(srv, ["r1@remote.example"])[1][0], 451)
        log = srv.log_text()
        self.assertIn('msg="submission refused" remote=127.0.0.1 account=admin '
                      'limit=MaxOutgoingMessagesPerDay max=3', log)

    def test_messages_per_day_threads(self):
        self.check_messages_per_day("listen")

    def test_messages_per_day_processes(self):
        # Every connection is its own process: the count is in the database.
        self.check_messages_per_day("inetd")

    def test_first_time_recipients(self):
        set_account_limits(self.env, "admin", MaxFirstTimeRecipientsPerDay=2)
        srv = self.start("inetd")
        self.assertEqual(self.submit(srv, ["a@remote.example", "b@remote.example"])[1][0], 250)
        for _ in range(3):  # known recipients: as often as wanted
            self.assertEqual(self.submit(srv, ["a@remote.example", "b@remote.example"])[1][0], 250)
        tok, reply = self.submit(srv, ["c@remote.example"])
        self.assertEqual(reply[0], 451, reply)
        self.assertTrue(reply[1].startswith(
            "4.7.1 max number of first-time recipients (2) over past 24h reached"), reply)
        self.assertIn("MaxFirstTimeRecipientsPerDay", reply[1])
        self.assertEqual(self.queued(), 8)
        self.assertIn('msg="submission refused" remote=127.0.0.1 account=admin '
                      'limit=MaxFirstTimeRecipientsPerDay max=2', srv.log_text())
        # Only the two addresses ever sent to are known.
        rows = self.env.query(("queue", "index.db"),
                              "SELECT Recipient FROM OutgoingRecipient WHERE Account = 'admin' "
                              "ORDER BY Recipient")
        self.assertEqual(rows, [("a@remote.example",), ("b@remote.example",)])


# ---------------------------------------------------------------------------

class ConnLimitTest(unittest.TestCase):
    """ConnectionLimits of mox.conf, for mox-smtpd and mox-imapd."""

    def setUp(self):
        self.env = moxtest.MoxEnv(self)

    def smtpd(self, how="listen", mode="smtp", tls=False):
        return moxtest.Server(self.env, "mox-smtpd", ["--mode", mode], how=how,
                              env=dict(SERVER_ENV), tls=tls).start()

    def imapd(self, how="listen"):
        return moxtest.Server(self.env, "mox-imapd", [], how=how, env=dict(SERVER_ENV),
                              banner=b"* OK").start()

    def open_rows(self, service):
        if not os.path.exists(self.env.data("auth.db")):
            return 0
        try:
            return self.env.query("auth.db", "SELECT COUNT(*) FROM Connection WHERE Service = ? "
                                  "AND Pid != 0", (service,))[0][0]
        except Exception:  # no auth.db or table yet
            return 0

    def wait_open_rows(self, service, n, timeout=10):
        """Waits until `service` has `n` open connections recorded (the
        readiness probe of Server.start has closed)."""
        deadline = time.monotonic() + timeout
        while self.open_rows(service) != n:
            if time.monotonic() > deadline:
                self.fail("%s: %d open connections recorded, expected %d"
                          % (service, self.open_rows(service), n))
            time.sleep(0.05)

    def smtp_conn(self, srv, tls=False):
        c = Raw(srv.port, tls=tls)
        self.addCleanup(c.close)
        r = c.reply()
        return c, (r.code, r.text)

    def imap_conn(self, srv):
        s = socket.create_connection(srv.addr, timeout=20)
        self.addCleanup(s.close)
        line = s.makefile("rb").readline()
        return s, line

    def open_smtp(self, srv, n, tls=False):
        """`n` connections that get the greeting, once `srv` has no open
        connection recorded."""
        self.wait_open_rows("smtp", 0)
        conns = []
        for _ in range(n):
            c, r = self.smtp_conn(srv, tls=tls)
            self.assertEqual(r[0], 220, r)
            conns.append(c)
        self.wait_open_rows("smtp", n)
        return conns

    def assert_smtp_refused(self, srv, tls=False):
        c, r = self.smtp_conn(srv, tls=tls)
        self.assertEqual(r, SMTP_REFUSAL)
        self.assertTrue(c.closed()[0])

    def check_smtp_concurrent(self, how):
        set_connection_limits(self.env, Concurrent=3, LimitLoopback="true")
        srv = self.smtpd(how)
        conns = self.open_smtp(srv, 3)
        self.assert_smtp_refused(srv)
        self.assert_smtp_refused(srv)
        # A closed connection frees its place.
        conns[0].cmd("QUIT")
        conns[0].close()
        self.wait_open_rows("smtp", 2)
        c, r = self.smtp_conn(srv)
        self.assertEqual(r[0], 220, r)
        self.assert_smtp_refused(srv)
        log = srv.log_text()
        self.assertIn('prog=mox-smtpd msg="connection refused" remote=127.0.0.1 '
                      'cause="too many open connections" count=3 limit=3 class="IPv4 /32"', log)

    def test_smtp_concurrent_threads(self):
        self.check_smtp_concurrent("listen")

    def test_smtp_concurrent_processes(self):
        self.check_smtp_concurrent("inetd")

    def test_submissions_refused_after_tls(self):
        set_connection_limits(self.env, Concurrent=1, LimitLoopback="true")
        srv = self.smtpd("inetd", mode="submissions", tls=True)
        self.open_smtp(srv, 1, tls=True)
        self.assert_smtp_refused(srv, tls=True)

    def test_smtp_rate_per_minute(self):
        set_connection_limits(self.env, RatePerMinute=6, Concurrent=-1, LimitLoopback="true")
        srv = self.smtpd("listen")
        self.wait_open_rows("smtp", 0)
        # The readiness probe(s) of Server.start count too.
        probes = self.env.query("auth.db", "SELECT COUNT(*) FROM Connection WHERE Service = 'smtp'")[0][0]
        self.assertGreaterEqual(probes, 1)
        for i in range(6 - probes):
            c, r = self.smtp_conn(srv)
            self.assertEqual(r[0], 220, (i, r))
            c.close()
        self.assert_smtp_refused(srv)
        self.assertIn('cause="too many new connections in the last minute" count=6 limit=6 '
                      'class="IPv4 /32"', srv.log_text())

    def test_loopback_exempt_by_default(self):
        set_connection_limits(self.env, Concurrent=1)
        srv = self.smtpd("inetd")
        for _ in range(4):
            c, r = self.smtp_conn(srv)
            self.assertEqual(r[0], 220, r)
        self.assertEqual(self.open_rows("smtp"), 0)

    def check_imap_concurrent(self, how):
        set_connection_limits(self.env, Concurrent=2, LimitLoopback="true")
        srv = self.imapd(how)
        smtp = self.smtpd(how)
        self.wait_open_rows("imap", 0)
        for _ in range(2):
            s, line = self.imap_conn(srv)
            self.assertTrue(line.startswith(b"* OK"), line)
        self.wait_open_rows("imap", 2)
        s, line = self.imap_conn(srv)
        self.assertEqual(line, IMAP_REFUSAL)
        self.assertEqual(s.recv(100), b"")  # closed
        # SMTP connections are counted apart.
        c, r = self.smtp_conn(smtp)
        self.assertEqual(r[0], 220, r)
        self.assertIn('prog=mox-imapd msg="connection refused" remote=127.0.0.1', srv.log_text())

    def test_imap_concurrent_threads(self):
        self.check_imap_concurrent("listen")

    def test_imap_concurrent_processes(self):
        self.check_imap_concurrent("inetd")

    def test_killed_connection_process(self):
        # A per-connection process killed with its connection open leaves
        # its row; it gives way when it would refuse a connection.
        set_connection_limits(self.env, Concurrent=2, LimitLoopback="true")
        srv = self.smtpd("inetd")
        conns = self.open_smtp(srv, 2)
        self.assert_smtp_refused(srv)
        pid = serving_pid(srv.port, conns[0].sock)
        self.assertNotEqual(pid, srv.proc.pid)
        os.kill(pid, signal.SIGKILL)
        self.assertTrue(conns[0].closed()[0])
        self.assertEqual(self.open_rows("smtp"), 2)  # the dead process's row is still there
        c, r = self.smtp_conn(srv)
        self.assertEqual(r[0], 220, r)
        self.assertEqual(self.open_rows("smtp"), 2)
        self.assert_smtp_refused(srv)

    def test_killed_listening_server(self):
        # A listening server killed with connections open: a new server
        # does not inherit its count.
        set_connection_limits(self.env, Concurrent=2, LimitLoopback="true")
        srv = self.smtpd("listen")
        self.open_smtp(srv, 2)
        srv.stop()  # SIGKILL
        srv = self.smtpd("listen")
        self.open_smtp(srv, 2)
        self.assert_smtp_refused(srv)


if __name__ == "__main__":
    unittest.main()
