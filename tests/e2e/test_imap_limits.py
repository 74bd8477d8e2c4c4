"""IMAP APPEND is bounded by the listener's SMTPMaxMessageSize
(literals bounded by config), announced as APPENDLIMIT (RFC 7889)."""

import socket
import ssl
import unittest

import moxtest


class AppendLimitTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)
        text = self.env.static_text()
        text = text.replace("\tpublic:\n", "\tpublic:\n\t\tSMTPMaxMessageSize: 10000\n", 1)
        with open(self.env.config_path, "w") as f:
            f.write(text)
        self.srv = self.env.server("mox-imapd", "--tls", tls=True, banner=b"* OK",
                                   env={"MOX_ALLOW_ROOT": "1"})

    def test_appendlimit(self):
        ctx = moxtest.insecure_tls_context()
        with socket.create_connection(self.srv.addr, timeout=10) as raw:
            s = ctx.wrap_socket(raw)
            f = s.makefile("rb")
            greeting = f.readline()
            self.assertIn(b"APPENDLIMIT=10000", greeting)
            s.sendall(b"a LOGIN admin@mox.example {%d+}\r\n%s\r\n" % (
                len(self.env.password.encode()), self.env.password.encode()))
            line = f.readline()
            self.assertTrue(line.startswith(b"a OK"), line)
            # Within the limit: stored.
            msg = b"Subject: small\r\n\r\n" + b"x" * 5000 + b"\r\n"
            s.sendall(b"b APPEND INBOX {%d+}\r\n%s\r\n" % (len(msg), msg))
            line = f.readline()
            self.assertTrue(line.startswith(b"b OK [APPENDUID"), line)
            # Over the limit: refused before the continuation (RFC 7889 TOOBIG).
            s.sendall(b"c APPEND INBOX {20000}\r\n")
            line = f.readline()
            self.assertTrue(line.startswith(b"c NO [TOOBIG]"), line)
            s.sendall(b"d NOOP\r\n")
            self.assertEqual(f.readline(), b"d OK noop done\r\n")


if __name__ == "__main__":
    unittest.main()
