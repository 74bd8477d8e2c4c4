"""CATENATE (RFC 4469), REPLACE (RFC 8508), PREVIEW (RFC 8970), UIDONLY
(RFC 9586) and METADATA (RFC 5464) of mox-imapd, with Python's imaplib as
the client (its extension hooks: xatom, _simple_command, and raw lines over
its connection where a command holds several literals), as mox-imapd(8)
"Capabilities" describes them."""

import imaplib
import re
import secrets
import unittest

import moxtest

SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}

# imaplib knows only the commands of RFC 3501; these are sent with
# _simple_command in the states RFC 5464 and RFC 8508 allow.
imaplib.Commands.setdefault("GETMETADATA", ("AUTH", "SELECTED"))
imaplib.Commands.setdefault("SETMETADATA", ("AUTH", "SELECTED"))


def crlf(s):
    return s.replace("\n", "\r\n").encode()


def close(m):
    try:
        m.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


class CmdsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(cls.env.close)
        cls.srv = moxtest.Server(cls.env, "mox-imapd", [], env=SERVER_ENV, banner=b"* OK").start()

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.srv.port, timeout=20)
        self.addCleanup(close, m)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        self.assertEqual(m.login(moxtest.ADDRESS, self.env.password)[0], "OK")
        return m

    def mailbox(self, m):
        name = "cmds-" + secrets.token_hex(4)
        self.assertEqual(m.create(name)[0], "OK")
        return name

    def raw(self, m, tag, data):
        """Sends `data` as is over imaplib's connection; the lines up to the
        tagged response of `tag`."""
        m.send(data)
        lines = []
        while True:
            line = m.readline()
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                return lines

    def test_capabilities(self):
        m = self.client()
        typ, data = m.capability()
        caps = data[0].decode().split()
        for c in ["CATENATE", "REPLACE", "PREVIEW", "UIDONLY", "METADATA", "METADATA-SERVER"]:
            self.assertIn(c, caps)

    def test_catenate(self):
        m = self.client()
        box = self.mailbox(m)
        base = crlf("From: a@mox.example\nSubject: base\n\nHello world\n")
        self.assertEqual(m.append(box, None, None, base)[0], "OK")
        uidv = re.search(rb"UIDVALIDITY (\d+)", m.status(box, "(UIDVALIDITY)")[1][0]).group(1)
        text = b"new body\r\n"
        lines = self.raw(m, "c1", b'c1 APPEND %s CATENATE (URL "/%s;UIDVALIDITY=%s/;UID=1/;SECTION=HEADER" '
                                  b'TEXT {%d+}\r\n%s)\r\n' % (box.encode(), box.encode(), uidv, len(text), text))
        self.assertRegex(lines[-1], rb"\Ac1 OK \[APPENDUID %s 2\]" % uidv)
        m.select(box)
        typ, data = m.uid("FETCH", "2", "(BODY.PEEK[])")
        self.assertEqual(data[0][1], crlf("From: a@mox.example\nSubject: base\n\n") + text)
        # Relative to the selected mailbox, with a partial; in a MULTIAPPEND.
        lines = self.raw(m, "c2", b'c2 APPEND %s CATENATE (URL ";UID=1/;SECTION=TEXT/;PARTIAL=0.5") '
                                  b'CATENATE (URL ";UID=2")\r\n' % box.encode())
        self.assertRegex(lines[-1], rb"\Ac2 OK \[APPENDUID %s 3:4\]" % uidv)
        typ, data = m.uid("FETCH", "3", "(BODY.PEEK[])")
        self.assertEqual(data[0][1], b"Hello")
        # A URL with a wrong UIDVALIDITY: NO [BADURL], nothing stored.
        lines = self.raw(m, "c3", b'c3 APPEND %s CATENATE (TEXT {1+}\r\nx) CATENATE '
                                  b'(URL "/%s;UIDVALIDITY=1/;UID=1")\r\n' % (box.encode(), box.encode()))
        self.assertEqual(lines[-1], b'c3 NO [BADURL "/%s;UIDVALIDITY=1/;UID=1"] '
                                    b'url does not name a message of this account\r\n' % box.encode())
        self.assertEqual(m.status(box, "(MESSAGES)")[1][0], b"%s (MESSAGES 4)" % box.encode())

    def test_replace(self):
        m = self.client()
        box = self.mailbox(m)
        drafts = self.mailbox(m)
        self.assertEqual(m.append(box, "(\\Draft)", None, crlf("Subject: draft 1\n\nv1\n"))[0], "OK")
        m.select(box)
        new = crlf("Subject: draft 2\n\nv2\n")
        m.literal = new
        typ, data = m.xatom("REPLACE", "1", drafts, "(\\Draft)")
        self.assertEqual(typ, "OK", data)
        ok = [x for x in m.response("OK")[1] if x and b"APPENDUID" in x]
        self.assertTrue(ok and re.match(rb"\[APPENDUID \d+ 1\]", ok[0]), ok)
        self.assertEqual(m.response("EXPUNGE")[1], [b"1"])
        self.assertEqual(m.status(box, "(MESSAGES)")[1][0], b"%s (MESSAGES 0)" % box.encode())
        m.select(drafts)
        typ, data = m.fetch("1", "(FLAGS BODY.PEEK[])")
        self.assertEqual(data[0][1], new)
        self.assertIn(b"\\Draft", data[0][0])
        # UID REPLACE within the mailbox: the old UID goes, a new one comes.
        m.literal = crlf("Subject: draft 3\n\nv3\n")
        typ, data = m.uid("REPLACE", "1", drafts)
        self.assertEqual(typ, "OK", data)
        typ, data = m.uid("SEARCH", "ALL")
        self.assertEqual(data, [b"2"])

    def test_preview(self):
        m = self.client()
        box = self.mailbox(m)
        msg = crlf("Subject: p\nContent-Type: multipart/alternative; boundary=b\n\n"
                   "--b\nContent-Type: text/html; charset=utf-8\n\n<p>html &amp; text</p>\n"
                   "--b\nContent-Type: text/plain; charset=iso-8859-1\n"
                   "Content-Transfer-Encoding: quoted-printable\n\nLe caf=E9   est\n\n  chaud.\n--b--\n")
        self.assertEqual(m.append(box, None, None, msg)[0], "OK")
        m.select(box)
        for att in ["(PREVIEW)", "(PREVIEW (LAZY))"]:
            typ, data = m.fetch("1", att)
            self.assertEqual(typ, "OK")
            # Not UTF-8 enabled: the 8-bit text comes as a literal.
            self.assertEqual(data[0], (b"1 (PREVIEW {19}", "Le caf\u00e9 est chaud.".encode()))

    def test_uidonly(self):
        m = self.client()
        box = self.mailbox(m)
        for i in range(3):
            self.assertEqual(m.append(box, None, None, crlf("Subject: %d\n\nx\n" % i))[0], "OK")
        typ, data = m.enable("UIDONLY")
        self.assertEqual(typ, "OK")
        m.select(box)
        with self.assertRaisesRegex(imaplib.IMAP4.error, "UIDREQUIRED"):
            m.fetch("1", "(FLAGS)")
        typ, data = m.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
        self.assertEqual(typ, "OK")
        # The session selected the mailbox first: its messages are \Recent
        # here (IMAP4rev1, RFC 3501 §2.3.2).
        self.assertEqual(m.response("UIDFETCH")[1], [b"2 (UID 2 FLAGS (\\Recent \\Deleted))"])
        typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.response("UIDFETCH")[1],
                         [b"1 (UID 1 FLAGS (\\Recent))", b"2 (UID 2 FLAGS (\\Recent \\Deleted))",
                          b"3 (UID 3 FLAGS (\\Recent))"])
        typ, data = m.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(m.response("VANISHED")[1], [b"2"])

    def test_metadata(self):
        m = self.client()
        box = self.mailbox(m)
        typ, data = m._simple_command("SETMETADATA", '""', '(/shared/comment "server note")')
        self.assertEqual(typ, "OK", data)
        typ, data = m._simple_command("SETMETADATA", box, '(/private/color "blue" /shared/x "1")')
        self.assertEqual(typ, "OK", data)
        typ, data = m._simple_command("GETMETADATA", "(DEPTH infinity)", box, "/private")
        self.assertEqual(typ, "OK", data)
        self.assertEqual(m.response("METADATA")[1],
                         [b'%s (/private/color "blue" /private NIL)' % box.encode()])
        typ, data = m._simple_command("GETMETADATA", '""', "/shared/comment")
        self.assertEqual(m.response("METADATA")[1], [b'"" (/shared/comment "server note")'])
        # RENAME takes the entries along; DELETE removes them.
        self.assertEqual(m.rename(box, box + "x")[0], "OK")
        m._simple_command("GETMETADATA", box + "x", "/shared/x")
        self.assertEqual(m.response("METADATA")[1], [b'%sx (/shared/x "1")' % box.encode()])
        self.assertEqual(m.delete(box + "x")[0], "OK")
        self.assertEqual(m.create(box + "x")[0], "OK")
        m._simple_command("GETMETADATA", box + "x", "/shared/x")
        self.assertEqual(m.response("METADATA")[1], [b"%sx (/shared/x NIL)" % box.encode()])
        # The entries live in the account's index.db.
        rows = self.env.query(("accounts", "admin", "index.db"),
                              "SELECT Entry, Value FROM Metadata WHERE MailboxID = 0")
        self.assertIn(("/shared/comment", b"server note"), [tuple(r) for r in rows])


if __name__ == "__main__":
    unittest.main()
