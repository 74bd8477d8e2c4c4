"""The servers' log lines (logfmt on stderr) answer "did alice's mail
arrive?": a delivery, a submission with a login, their connections, and no
password anywhere in the log.

Run by hand: /usr/bin/python3 tests/e2e/test_logging.py -v
"""

import os
import re
import smtplib
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

ADMIN = moxtest.ADDRESS
SERVER_ENV = {"MOX_ALLOW_ROOT": "1"}


def fields(line):
    """A logfmt line as a dict (quoted values unescaped enough for tests)."""
    out = {}
    for m in re.finditer(r'(\w+)=("((?:[^"\\]|\\.)*)"|\S*)', line):
        out[m.group(1)] = m.group(3) if m.group(3) is not None else m.group(2)
    return out


class LoggingTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)

    def lines(self, srv, msg):
        return [fields(l) for l in srv.log_text().splitlines() if 'msg="%s"' % msg in l or "msg=%s " % msg in l]

    def test_delivery_submission_and_login_logged(self):
        mx = self.env.server("mox-smtpd", "--mode", "smtp", env=SERVER_ENV)
        sub = self.env.server("mox-smtpd", "--mode", "submission", env=SERVER_ENV)
        with smtplib.SMTP(*mx.addr) as s:
            s.sendmail("bob@remote.example", [ADMIN],
                       b"From: <bob@remote.example>\r\nMessage-ID: <log1@remote.example>\r\nSubject: x\r\n\r\nhi\r\n")
        with smtplib.SMTP(*sub.addr) as s:
            s.starttls(context=moxtest.insecure_tls_context())
            s.login(ADMIN, self.env.password)
            s.sendmail(ADMIN, ["carol@remote.example"],
                       ("From: <%s>\r\nSubject: out\r\n\r\nhi\r\n" % ADMIN).encode())
        mx.stop()
        sub.stop()
        d = self.lines(mx, "message delivered")
        self.assertEqual(len(d), 1, mx.log_text())
        self.assertEqual((d[0]["rcpt"], d[0]["msgid"], d[0]["from"], d[0]["account"], d[0]["prog"]),
                         (ADMIN, "<log1@remote.example>", "bob@remote.example", "admin", "mox-smtpd"))
        closed = self.lines(mx, "connection closed")
        self.assertEqual(closed[-1]["service"], "smtp")
        q = self.lines(sub, "message queued")
        self.assertEqual((q[0]["rcpt"], q[0]["auth"]), ("carol@remote.example", "admin"))
        self.assertTrue(q[0]["tls"].startswith("version=tls1."), q[0])
        login = self.lines(sub, "login attempt")
        self.assertEqual((login[0]["result"], login[0]["username"]), ("ok", ADMIN))
        closed = self.lines(sub, "connection closed")  # the first is the readiness probe
        self.assertEqual(closed[-1]["account"], "admin")
        self.assertNotIn(self.env.password, sub.log_text())
        for line in (mx.log_text() + sub.log_text()).splitlines():
            self.assertTrue(line.startswith("t=") and " level=" in line, line)

    def test_log_level_error_is_quiet(self):
        mx = self.env.server("mox-smtpd", "--mode", "smtp", "--log-level", "error", env=SERVER_ENV)
        with smtplib.SMTP(*mx.addr) as s:
            s.sendmail("bob@remote.example", [ADMIN],
                       b"From: <bob@remote.example>\r\nSubject: x\r\n\r\nhi\r\n")
        mx.stop()
        self.assertEqual(mx.log_text(), "")


if __name__ == "__main__":
    unittest.main()
