"""End-to-end tests of the outgoing queue: a real client submits
through the built mox-smtpd (submission, STARTTLS + AUTH) into the queue;
`mox-queue run` / `serve` delivers to a second mox-smtpd acting as the
recipient domain's MX, found through the zone-file resolver (mox.conf DNS
ZoneFile) on the port of mox.conf Queue.Port. The delivered message must
carry a DKIM signature that verifies with mox-dkim and with dkimpy.
Failure paths: MX down and MX answering 450 (retries on the schedule of
mox-queue(8) "Delivery", seen by moving the queue's clock with
MOX_TEST_TIME_OFFSET), a
delayed DSN after the 5th attempt, a failure DSN after the 8th, permanent
5xx → DSN read over IMAP and the address suppressed, null MX, a disabled
sender domain, two concurrent runners, a crash right after the remote
server's reply, a runner killed (kill -9) again and again while it
delivers 200 messages to a counting MX, and the CLI verbs with good and
bad input.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_queue.py -v
"""

import email
import glob
import imaplib
import collections
import json
import os
import random
import re
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
import unittest

import dkim

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402
from test_mox_dkim import txt_strings  # noqa: E402

SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
ADMIN = moxtest.ADDRESS
RCPT = "rcpt@remote.example"


def message(tok, to=RCPT, frm=ADMIN, extra=""):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: queue test %s\r\n%s\r\n"
            "Hello from the queue test %s.\r\n" % (frm, to, tok, extra, tok)).encode()


class CountingMx:
    """A bare SMTP receiver (RFC 5321 §4.1; no TLS, so the queue's
    opportunistic STARTTLS is not used) on a loopback port, a thread per
    connection, counting the messages it accepts by the token in their
    Subject. on_accept(total), when set, is called once a message's data is
    in, before the 250 reply."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tokens = collections.Counter()
        self.on_accept = None
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes accept()
        self.sock.close()

    def total(self):
        with self.lock:
            return sum(self.tokens.values())

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        with conn, conn.makefile("rb") as f:
            try:
                conn.sendall(b"220 mx.remote.example ESMTP\r\n")
                for line in f:
                    verb = line[:4].upper()
                    reply = b"250 2.0.0 ok"
                    if verb == b"EHLO":
                        reply = b"250-mx.remote.example\r\n250-PIPELINING\r\n250 8BITMIME"
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        data = []
                        while (line := f.readline()) != b".\r\n":
                            if not line:
                                return  # the runner died while sending: not accepted
                            data.append(line)
                        tok = re.search(rb"^Subject: queue test (\S+)", b"".join(data), re.M).group(1)
                        with self.lock:
                            self.tokens[tok.decode()] += 1
                            total = sum(self.tokens.values())
                        if self.on_accept:
                            self.on_accept(total)
                    elif verb == b"QUIT":
                        conn.sendall(b"221 2.0.0 bye\r\n")
                        return
                    elif verb not in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        reply = b"500 5.5.2 unknown command"
                    conn.sendall(reply + b"\r\n")
            except OSError:
                pass  # the runner was killed


class QueueTest(unittest.TestCase):

    def setUp(self):
        self.sender = moxtest.MoxEnv(self)
        self.receiver = moxtest.MoxEnv(self, address=RCPT, hostname="mx.remote.example")
        self.receiver.config("address", "add", "other@remote.example", "rcpt")
        self.mx = self.receiver.server("mox-smtpd", "--mode", "smtp", env=SERVER_ENV)
        s = self.sender
        self.records = {}
        dkim_conf = s.domains()[s.domain]["DKIM"]
        zone = ["remote.example. IN MX 10 mx.remote.example.",
                "mx.remote.example. IN A 127.0.0.1",
                "down.example. IN MX 10 mx.down.example.",
                "mx.down.example. IN A 127.0.0.2",
                "nullmx.example. IN MX 0 ."]
        for sel in dkim_conf["Selectors"]:
            with open(s.dkim_key_file(s.domain, sel), "rb") as k:
                rec = subprocess.run([moxtest.bin_path("mox-dkim"), "txt"], input=k.read(),
                                     capture_output=True, check=True).stdout.decode().strip()
            self.records["%s._domainkey.%s" % (sel, s.domain)] = rec
            zone.append("%s._domainkey.%s. IN TXT %s" % (sel, s.domain, txt_strings(rec)))
        self.zone = os.path.join(s.config_dir, "test.zone")
        with open(self.zone, "w") as f:
            f.write("\n".join(zone) + "\n")
        # quickstart --local's DNS section (its own zone file) is replaced by
        # this test's.
        self.static = re.sub(r"^DNS:\n(\t.*\n)*", "", s.static_text(), flags=re.M)
        self.set_queue_config()
        # Keep retired messages, so that tests can look at them.
        d = s.domains_text().replace("\tadmin:\n", "\tadmin:\n\t\tKeepRetiredMessagePeriod: 24h\n", 1)
        s.write_domains(d)
        self.sub = s.server("mox-smtpd", "--mode", "submission", env=SERVER_ENV)

    # -- helpers --

    def set_queue_config(self, extra="", port=None):
        with open(self.sender.config_path, "w") as f:
            f.write(self.static + "DNS:\n\tZoneFile: test.zone\nQueue:\n\tPort: %d\n%s" % (
                port or self.mx.port, extra))

    def submit(self, msg, to=(RCPT,), frm=ADMIN):
        with smtplib.SMTP("127.0.0.1", self.sub.port, local_hostname="client.example", timeout=30) as c:
            c.starttls(context=moxtest.insecure_tls_context())
            c.login(ADMIN, self.sender.password)
            c.sendmail(frm, list(to), msg)

    def submit_many(self, msgs, connections=4):
        """Submits (message, recipient) pairs over a few connections at once."""
        errors = []

        def worker(part):
            try:
                with smtplib.SMTP("127.0.0.1", self.sub.port, local_hostname="client.example",
                                  timeout=60) as c:
                    c.starttls(context=moxtest.insecure_tls_context())
                    c.login(ADMIN, self.sender.password)
                    for msg, to in part:
                        c.sendmail(ADMIN, [to], msg)
            except (smtplib.SMTPException, OSError) as e:
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(msgs[i::connections],))
                   for i in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    def queue(self, *args, expect=0, offset=0, env=None):
        e = dict(SERVER_ENV)
        if offset:
            e["MOX_TEST_TIME_OFFSET"] = str(offset)
        e.update(env or {})
        return self.sender.run("mox-queue", *args, expect=expect, env=e)

    def listed(self, *args):
        out = self.queue("list", "--json", *args).stdout
        return [json.loads(line) for line in out.splitlines()]

    def retired(self, *args):
        out = self.queue("retired", "list", "--json", *args).stdout
        return [json.loads(line) for line in out.splitlines()]

    def received(self, account="rcpt"):
        """The messages in the account's store at the MX (by index row: the
        MX makes message files in advance)."""
        path = self.receiver.data("accounts", account, "index.db")
        if not os.path.exists(path):
            return []
        rows = self.receiver.query(("accounts", account, "index.db"),
                                   "SELECT ID FROM Message WHERE Expunged=0 ORDER BY ID")
        out = []
        for (msg_id,) in rows:
            with open(self.receiver.message_path(account, msg_id), "rb") as f:
                out.append(f.read())
        return out

    def wait_received(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= n:
                return got
            time.sleep(0.1)
        self.fail("expected %d messages at the MX, have %d" % (n, len(self.received())))

    def sender_inbox(self):
        """(Subject, full message) of each message in admin's Inbox, over IMAPS."""
        srv = self.sender.server("mox-imapd", "--tls", tls=True, banner=b"* OK", env=SERVER_ENV)
        m = imaplib.IMAP4_SSL("127.0.0.1", srv.port, ssl_context=moxtest.insecure_tls_context())
        try:
            m.login(ADMIN, self.sender.password)
            m.select("Inbox")
            typ, data = m.search(None, "ALL")
            out = []
            for num in data[0].split():
                typ, d = m.fetch(num, "(BODY.PEEK[])")
                msg = email.message_from_bytes(d[0][1])
                out.append((msg["Subject"], msg))
            m.logout()
            return out
        finally:
            srv.stop()

    def dsn_status(self, msg):
        """The per-recipient fields of a DSN's delivery-status part."""
        self.assertEqual(msg.get_content_type(), "multipart/report")
        self.assertEqual(msg.get_param("report-type"), "delivery-status")
        parts = msg.get_payload()
        self.assertEqual(parts[1].get_content_type(), "message/delivery-status")
        self.assertEqual(parts[2].get_content_type(), "text/rfc822-headers")
        blocks = parts[1].get_payload()
        return blocks[1] if len(blocks) > 1 else blocks[0]

    # -- delivery --

    def test_delivered_with_dkim_signature(self):
        self.submit(message("signed"))
        q = self.listed()
        self.assertEqual(len(q), 1)
        self.assertTrue(q[0]["DKIMSigned"])
        self.assertEqual(q[0]["Recipient"], RCPT)
        self.assertEqual(q[0]["Subject"], "queue test signed")
        r = self.queue("run")
        self.assertIn("delivered 1, failed 0, to retry 0", r.stdout)
        got = self.received()
        self.assertEqual(len(got), 1)
        msg = got[0]
        self.assertIn(b"Hello from the queue test signed.", msg)
        # The MX saw STARTTLS (opportunistic TLS) in its Received header.
        self.assertRegex(msg.split(b"\r\n\r\n")[0], rb"with ESMTPS")
        self.assertEqual(msg.count(b"DKIM-Signature:"), 1)
        # The MX's Received header comes first; verify what the queue sent.
        p = subprocess.run([moxtest.bin_path("mox-dkim"), "verify", "--zone-file", self.zone],
                           input=msg, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout.decode(), r"^pass mox\.example \S+\n$")

        def dnsfunc(name, timeout=5):
            name = name.decode() if isinstance(name, bytes) else name
            rec = self.records.get(name.rstrip("."))
            return rec.encode() if rec else None
        self.assertTrue(dkim.DKIM(msg).verify(dnsfunc=dnsfunc))
        self.assertEqual(self.listed(), [])
        ret = self.retired()
        self.assertEqual(len(ret), 1)
        self.assertTrue(ret[0]["Success"])
        self.assertEqual(ret[0]["Results"][-1]["Code"], 250)
        self.assertIn("mx.remote.example", ret[0]["Results"][-1]["Host"])
        printed = json.loads(self.queue("retired", "print", str(ret[0]["ID"])).stdout)
        self.assertEqual(printed["ID"], ret[0]["ID"])

    def test_two_recipients_one_transaction(self):
        self.submit(message("two", to="rcpt@remote.example, other@remote.example"),
                    to=(RCPT, "other@remote.example"))
        q = self.listed()
        self.assertEqual(len(q), 2)
        self.assertEqual(q[0]["BaseID"], q[1]["BaseID"])
        self.queue("run")
        # One transaction with two RCPTs: the MX stores one copy for the
        # account, without "for <...>" since it names two recipients.
        got = self.received()
        self.assertEqual(len(got), 1)
        self.assertNotIn(b"for <", got[0].split(b"\r\n\r\n")[0].split(b"DKIM-Signature")[0])
        self.assertEqual(self.listed(), [])

    def test_serve_woken_by_submission(self):
        e = self.sender.child_env(SERVER_ENV)
        p = subprocess.Popen([moxtest.bin_path("mox-queue"), "serve"], env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            time.sleep(0.5)  # serve is sleeping: nothing is queued
            t0 = time.monotonic()
            self.submit(message("served"))
            self.wait_received(1, timeout=10)
            self.assertLess(time.monotonic() - t0, 5)
            self.submit(message("served2"))
            self.wait_received(2, timeout=10)
        finally:
            p.terminate()
            out = p.communicate(timeout=10)[0].decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("delivered", out)

    # -- temporary failures and the retry schedule --

    def test_mx_down_retries_on_schedule_then_dsns(self):
        self.submit(message("down", to="user@down.example"), to=("user@down.example",))
        offset = 0
        expected_gaps = [450, 900, 1800, 3600, 7200, 14400, 28800]
        for attempt in range(1, 8):
            now = int(time.time()) + offset
            r = self.queue("run", offset=offset)
            self.assertIn("to retry 1", r.stdout)
            q = self.listed()
            self.assertEqual(len(q), 1)
            self.assertEqual(q[0]["Attempts"], attempt)
            gap = q[0]["NextAttempt"] - now
            self.assertGreaterEqual(gap, expected_gaps[attempt - 1] - 2)
            self.assertLessEqual(gap, expected_gaps[attempt - 1] + 8)
            self.assertIn("mx.down.example", q[0]["Results"][-1]["Host"] + q[0]["Results"][-1]["Error"])
            # Not due yet: a run now does nothing.
            self.assertEqual(self.queue("run", offset=offset).stdout, "")
            offset = q[0]["NextAttempt"] - int(time.time()) + 1
        # The 8th attempt fails for good: failure DSN, retired as failed.
        r = self.queue("run", offset=offset)
        self.assertIn("failed 1", r.stdout)
        self.assertEqual(self.listed(), [])
        ret = self.retired("--result", "failure")
        self.assertEqual(len(ret), 1)
        self.assertEqual(ret[0]["Attempts"], 8)
        inbox = self.sender_inbox()
        subjects = [s for s, _ in inbox]
        self.assertEqual(subjects, ["mail delivery delayed", "mail delivery failed"])
        delayed = self.dsn_status(inbox[0][1])
        self.assertEqual(delayed["Action"], "delayed")
        self.assertEqual(delayed["Final-Recipient"], "rfc822; user@down.example")
        self.assertIn("Will-Retry-Until", delayed)
        failed = self.dsn_status(inbox[1][1])
        self.assertEqual(failed["Action"], "failed")
        self.assertTrue(failed["Status"].startswith("4."), failed["Status"])
        headers = inbox[1][1].get_payload()[2].get_payload()
        self.assertIn("queue test down", str(headers))

    def test_mx_answers_450_then_accepts(self):
        self.receiver.config("domain", "disable", "remote.example")
        self.submit(message("later"))
        self.queue("run")
        q = self.listed()
        self.assertEqual(q[0]["Attempts"], 1)
        last = q[0]["Results"][-1]
        self.assertEqual(last["Code"], 450)
        self.assertEqual(last["Secode"], "4.2.1")
        self.receiver.config("domain", "enable", "remote.example")
        self.assertEqual(self.received(), [])
        self.queue("run", offset=460)
        self.assertEqual(len(self.received()), 1)
        ret = self.retired()
        self.assertEqual([r["Success"] for r in ret], [True])
        self.assertEqual(ret[0]["Attempts"], 2)

    def test_verify_tls(self):
        # VerifyTLS without a CA that trusts the MX's self-signed certificate:
        # a temporary failure that says why.
        self.set_queue_config("\tVerifyTLS: true\n")
        self.submit(message("verify"))
        self.queue("run")
        q = self.listed()
        self.assertEqual(q[0]["Attempts"], 1)
        self.assertIn("certificate", q[0]["Results"][-1]["Error"])
        self.assertEqual(self.received(), [])
        cert = os.path.join(self.receiver.config_dir, self.receiver.static_conf()["Listeners"]["public"]
                            ["TLS"]["KeyCerts"][0]["CertFile"])
        self.set_queue_config("\tVerifyTLS: true\n\tCAFile: %s\n" % cert)
        self.queue("run", offset=460)
        self.assertEqual(len(self.received()), 1)

    def test_sender_domain_disabled_is_temporary(self):
        self.submit(message("disabled"))
        self.sender.config("domain", "disable", "mox.example")
        self.queue("run")
        q = self.listed()
        self.assertEqual(q[0]["Attempts"], 1)
        self.assertEqual(q[0]["Results"][-1]["Error"], "domain of sender temporarily disabled")
        self.assertEqual(self.received(), [])
        self.sender.config("domain", "enable", "mox.example")
        self.queue("run", offset=460)
        self.assertEqual(len(self.received()), 1)

    # -- permanent failures --

    def test_permanent_failure_dsn_and_suppression(self):
        self.submit(message("nouser", to="nosuchuser@remote.example"), to=("nosuchuser@remote.example",))
        r = self.queue("run")
        self.assertIn("failed 1", r.stdout)
        inbox = self.sender_inbox()
        self.assertEqual(len(inbox), 1)
        subject, msg = inbox[0]
        self.assertEqual(subject, "mail delivery failed")
        self.assertIn("Mail Delivery Subsystem", msg["From"])
        self.assertEqual(msg["Auto-Submitted"], "auto-replied")
        st = self.dsn_status(msg)
        self.assertEqual(st["Action"], "failed")
        self.assertEqual(st["Status"], "5.1.1")
        self.assertEqual(st["Final-Recipient"], "rfc822; nosuchuser@remote.example")
        self.assertIn("550 5.1.1", st["Diagnostic-Code"])
        self.assertIn("mx.remote.example", st["Remote-MTA"])
        # Suppressed now: a new submission to it is refused at RCPT.
        sup = [json.loads(x) for x in self.queue("suppress", "list", "--json").stdout.splitlines()]
        self.assertEqual([(s["Account"], s["BaseAddress"], s["Manual"]) for s in sup],
                         [("admin", "nosuchuser@remote.example", False)])
        with self.assertRaises(smtplib.SMTPRecipientsRefused) as cm:
            self.submit(message("again", to="NoSuchUser+tag@remote.example"),
                        to=("NoSuchUser+tag@remote.example",))
        code, text = list(cm.exception.recipients.values())[0]
        self.assertEqual(code, 550)
        self.assertIn(b"suppression list", text)
        self.queue("suppress", "lookup", "nosuchuser@remote.example")
        self.queue("suppress", "rm", "admin", "nosuchuser@remote.example")
        self.queue("suppress", "lookup", "nosuchuser@remote.example", expect=1)

    def test_null_mx(self):
        self.submit(message("null", to="user@nullmx.example"), to=("user@nullmx.example",))
        self.queue("run")
        ret = self.retired()
        self.assertEqual(ret[0]["Success"], False)
        self.assertEqual(ret[0]["Results"][-1]["Secode"], "5.1.10")
        (subject, msg), = self.sender_inbox()
        self.assertEqual(self.dsn_status(msg)["Status"], "5.1.10")

    def test_unknown_domain_fails(self):
        self.submit(message("nx", to="user@nonexistent.example"), to=("user@nonexistent.example",))
        self.queue("run")
        ret = self.retired()
        self.assertEqual(ret[0]["Results"][-1]["Secode"], "5.1.2")
        self.assertIn("NXDOMAIN", ret[0]["Results"][-1]["Error"])

    # -- concurrency and crashes --

    def test_two_concurrent_runs_deliver_each_message_once(self):
        n = 12
        for i in range(n):
            self.submit(message("c%d" % i))
        e = self.sender.child_env(SERVER_ENV)
        procs = [subprocess.Popen([moxtest.bin_path("mox-queue"), "run"], env=e, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
        got = self.received()
        self.assertEqual(len(got), n)
        tokens = sorted(m.split(b"queue test ")[1].split(b"\r\n")[0] for m in got)
        self.assertEqual(tokens, sorted(b"c%d" % i for i in range(n)))
        self.assertEqual(self.listed(), [])

    def test_crash_after_remote_reply_is_retried_not_lost(self):
        self.submit(message("crash"))
        r = self.queue("run", expect=None, env={"MOX_CRASHPOINT": "queue-after-remote-reply"})
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(self.listed()), 1)  # still queued
        # The dead runner's lease is taken back at once; delivered (again).
        r = self.queue("run")
        self.assertIn("delivered 1", r.stdout)
        self.assertGreaterEqual(len(self.received()), 1)
        self.assertEqual(self.listed(), [])

    def test_killed_runner_repeats_only_deliveries_in_flight(self):
        # 200 messages to two domains (one batch; 4 connections per domain,
        # 8 at most in all). The runner is killed with SIGKILL at a random
        # moment while the MX receives, 3 times, each time restarted; then
        # a last run finishes. Each outcome is committed before the next
        # message goes out on its connection, so a kill repeats at most the
        # messages in flight: one per connection.
        n, kills, in_flight = 200, 3, 8
        mx = CountingMx()
        self.addCleanup(mx.close)
        with open(self.zone, "a") as f:
            f.write("second.example. IN MX 10 mx.remote.example.\n")
        self.set_queue_config(port=mx.port)
        rcpts = (RCPT, "rcpt@second.example")
        self.submit_many([(message("k%d" % i, to=rcpts[i % 2]), rcpts[i % 2]) for i in range(n)])
        seed = random.randrange(1 << 30)
        rnd = random.Random(seed)
        argv = [moxtest.bin_path("mox-queue"), "run"]
        e = self.sender.child_env(SERVER_ENV)
        for _ in range(kills):
            # At most 3 x 50 messages are recorded before the last kill: each
            # runner has more than its threshold left to deliver.
            at = mx.total() + rnd.randint(20, 50)
            p = subprocess.Popen(argv, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            killed = threading.Event()

            def kill(total, p=p, at=at, killed=killed):
                if total >= at and not killed.is_set():
                    killed.set()
                    os.kill(p.pid, signal.SIGKILL)
            mx.on_accept = kill
            _, err = p.communicate(timeout=60)
            mx.on_accept = None
            self.assertEqual(p.returncode, -signal.SIGKILL, err)
        self.queue("run")
        self.assertEqual(self.listed(), [])
        missing = [i for i in range(n) if mx.tokens["k%d" % i] == 0]
        self.assertEqual(missing, [], "seed %d" % seed)
        dups = mx.total() - n
        self.assertLessEqual(dups, kills * in_flight,
                             "seed %d: %d duplicates after %d kills, up to %d copies of one message"
                             % (seed, dups, kills, max(mx.tokens.values())))

    def test_crash_before_queue_commit_leaves_no_mail_and_orphan_is_removed(self):
        env = dict(SERVER_ENV, MOX_CRASHPOINT="queue-add-before-commit")
        crashing = self.sender.server("mox-smtpd", "--mode", "submission", how="inetd", env=env)
        with self.assertRaises((smtplib.SMTPException, OSError)):
            with smtplib.SMTP("127.0.0.1", crashing.port, local_hostname="client.example", timeout=30) as c:
                c.starttls(context=moxtest.insecure_tls_context())
                c.login(ADMIN, self.sender.password)
                c.sendmail(ADMIN, [RCPT], message("crash"))
        files = glob.glob(self.sender.data("queue", "msg", "*", "*"))
        self.assertEqual(len(files), 1)  # the file, without its row: never acknowledged
        self.assertEqual(self.listed(), [])
        self.queue("run")
        self.assertEqual(len(glob.glob(self.sender.data("queue", "msg", "*", "*"))), 1)  # too new
        self.queue("run", offset=3700)
        self.assertEqual(glob.glob(self.sender.data("queue", "msg", "*", "*")), [])
        self.assertEqual(self.received(), [])

    # -- administration --

    def test_hold_schedule_fail_drop_dump(self):
        self.submit(message("a"))
        self.submit(message("b"))
        q = self.listed()
        ids = [m["ID"] for m in q]
        self.assertIn("2 messages held", self.queue("hold").stdout)
        self.assertEqual(len(self.listed("--hold", "true")), 2)
        self.assertEqual(self.queue("run").stdout, "")
        self.assertEqual(self.received(), [])
        dump = self.queue("dump", str(ids[0])).stdout
        self.assertIn("DKIM-Signature:", dump)
        self.assertIn("Subject: queue test", dump)
        self.assertIn("1 message released", self.queue("unhold", "--ids", str(ids[0])).stdout)
        self.queue("schedule", "--ids", str(ids[0]), "1h")
        self.assertEqual(self.queue("run").stdout, "")
        self.queue("schedule", "--ids", str(ids[0]), "--now", "0")
        self.assertIn("delivered 1", self.queue("run").stdout)
        self.assertIn("1 message failed", self.queue("fail", "--ids", str(ids[1])).stdout)
        (subject, msg), = self.sender_inbox()
        st = self.dsn_status(msg)
        self.assertIn("canceled", st.get("Diagnostic-Code", "") + msg.get_payload()[0].get_payload())
        self.submit(message("c"))
        self.assertIn("1 message dropped", self.queue("drop", "--to", "@remote.example").stdout)
        self.assertEqual(self.listed(), [])
        self.assertEqual(len(self.sender_inbox()), 1)  # no DSN for drop
        self.assertEqual(len(self.retired("--result", "failure")), 2)
        text = self.queue("list").stdout
        self.assertTrue(text.startswith("id\t"))

    def test_holdrules(self):
        out = self.queue("holdrules", "add", "--recipientdom", "remote.example").stdout
        self.assertIn("hold rule 1 added", out)
        self.submit(message("held"))
        q = self.listed()
        self.assertTrue(q[0]["Hold"])
        self.queue("run")
        self.assertEqual(self.received(), [])
        rules = [json.loads(x) for x in self.queue("holdrules", "list", "--json").stdout.splitlines()]
        self.assertEqual(rules, [{"ID": 1, "Account": "", "SenderDomain": "", "RecipientDomain": "remote.example"}])
        self.queue("holdrules", "rm", "1")
        self.queue("unhold")
        self.queue("run")
        self.assertEqual(len(self.received()), 1)

    def test_bad_input(self):
        cases = [
            (("schedule", "soon"), "bad duration"),
            (("list", "--ids", "1,x"), "bad message id"),
            (("list", "--submitted", "5m"), "bad duration filter"),
            (("list", "--hold", "maybe"), "bad --hold"),
            (("list", "--from", "nodomain"), "bad from address"),
            (("dump", "999"), "no queued message with id 999"),
            (("dump", "abc"), "bad message id"),
            (("retired", "print", "5"), "no retired message with id 5"),
            (("suppress", "add", "nosuchaccount", "x@example.org"), "no account"),
            (("suppress", "add", "admin", "not an address"), "bad address"),
            (("suppress", "rm", "admin", "x@example.org"), "not on the suppression list"),
            (("holdrules", "rm", "99"), "no hold rule with id 99"),
            (("holdrules", "add", "--senderdom", "bad domain!"), "bad domain"),
        ]
        for args, text in cases:
            r = self.queue(*args, expect=1)
            lines = r.stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, (args, r.stderr))
            self.assertIn(text, lines[0], args)
            self.assertTrue(lines[0].startswith("mox-queue: "), lines[0])
        self.queue("nosuchverb", expect=2)
        self.assertIn("Usage: mox-queue", self.queue("--help").stdout)
        self.assertIn("--nextattempt", self.queue("list", "--help").stdout)
        self.assertIn("Usage: mox-queue", subprocess.run(
            [moxtest.bin_path("mox"), "queue", "--help"], capture_output=True, text=True).stdout)
        self.queue("suppress", "add", "admin", "x@example.org")
        r = self.queue("suppress", "add", "admin", "X@Example.org", expect=1)
        self.assertIn("already suppressed", r.stderr)


if __name__ == "__main__":
    unittest.main()
