"""End-to-end tests of mox-imapd: the built server is started on a
loopback port (with --listen; under systemd-socket-activate --accept --inetd,
--accept, and without --accept, i.e. LISTEN_FDS) in a temporary quickstart
installation and driven with real clients: Python's imaplib + ssl, curl's
IMAP, and a small raw IMAP client below for exact responses. Response codes
and texts are those of mox-imapd(8) ("Authentication", "Capabilities") and
the RFCs cited beside each check.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_imapd.py -v
"""

import base64
import email.header
import hmac
import imaplib
import os
import re
import secrets
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN            # mox.example
ADMIN = moxtest.ADDRESS       # admin@mox.example
# Servers run as root in the test containers (quickstart User is the current
# user); failed-auth slow-downs are made fast (1 ms per step).
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
BANNER = b"* OK"
BOB, BOB_PW = "bob@" + D, "bob-Secret-pw-1"
CAROL, CAROL_PW = "carol@" + D, "carol-Secret-pw-1"
CAROL_DISABLED = "gone fishing, back monday"
# Extensions mox-imapd must implement (each announced once implemented).
REQUIRED_CAPS = ["IMAP4rev2", "IMAP4rev1", "ENABLE", "LITERAL+", "IDLE", "SASL-IR", "BINARY",
                 "UNSELECT", "UIDPLUS", "ESEARCH", "SEARCHRES", "MOVE", "UTF8=ACCEPT",
                 "LIST-EXTENDED", "SPECIAL-USE", "CREATE-SPECIAL-USE", "LIST-STATUS", "ID",
                 "CONDSTORE", "QRESYNC", "STATUS=SIZE", "WITHIN", "NAMESPACE", "MULTIAPPEND"]
DEFAULT_MAILBOXES = {"INBOX": "", "Sent": "\\Sent", "Drafts": "\\Drafts", "Archive": "\\Archive",
                     "Trash": "\\Trash", "Junk": "\\Junk"}
IDLE_MAX_DELAY = 1.0  # seconds: IDLE reports a delivery "within one second"


def token():
    return secrets.token_hex(6)


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def quote(s):
    """An IMAP quoted string (RFC 9051 §4.3)."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def crlf(s):
    if isinstance(s, str):
        s = s.encode("utf-8")
    return s.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def simple_message(tok, subject=None, body=None, frm="sender@remote.example"):
    return crlf("From: <%s>\nTo: <%s>\nSubject: %s\nMessage-ID: <%s@remote.example>\n"
                "Date: Wed, 25 Nov 2026 12:00:00 +0000\n\n%s\n"
                % (frm, ADMIN, subject or "test " + tok, tok, body or "Hello, this is " + tok + "."))


# ---------------------------------------------------------------------------
# The message corpus: varied real-world shapes, with the ENVELOPE and
# BODYSTRUCTURE (RFC 9051 §7.5.2) worked out by hand. Sizes are octets of the
# part's body (from after the blank line to before the CRLF that precedes the
# next boundary), lines are its CRLFs.

ATTACH_DATA = bytes(range(10))
UTF8_SUBJECT = "Grüße aus München ☃"
UTF8_BODY = "Schöne Grüße\r\n"

CORPUS = [
    # 1: plain, no MIME headers: text/plain; charset=us-ascii by default
    # (RFC 2045 §5.2); Sender and Reply-To present.
    ("plain", crlf("""Date: Wed, 25 Nov 2026 12:00:00 +0000
From: Alice Example <alice@example.org>
Sender: secretary@example.org
Reply-To: replies@example.org
To: Bob <bob@mox.example>, carol@example.net
Cc: "Dave, Jr." <dave@example.com>
Subject: plain hello
Message-ID: <m1@example.org>
In-Reply-To: <m0@example.org>

Hello world, this is the plain body.
It mentions a zebra.
""")),
    # 2: multipart/alternative with a preamble, quoted-printable UTF-8 part.
    ("alternative", crlf("""From: Alice <alice@example.org>
To: bob@mox.example
Subject: alternative parts
Date: Thu, 26 Nov 2026 08:30:00 +0100
Message-ID: <m2@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-b"

This is a multi-part message in MIME format.
--alt-b
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 plain part

--alt-b
Content-Type: text/html; charset=utf-8

<p>Caf&eacute; html part</p>

--alt-b--
""")),
    # 3: multipart/mixed with a base64 attachment holding a NUL byte.
    ("mixed", crlf("""From: Alice <alice@example.org>
To: bob@mox.example
Subject: with attachment
Date: Fri, 27 Nov 2026 10:00:00 +0000
Message-ID: <m3@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=mix

--mix
Content-Type: text/plain; charset=us-ascii

See the attachment.

--mix
Content-Type: application/octet-stream; name="data.bin"
Content-Disposition: attachment; filename="data.bin"
Content-Transfer-Encoding: base64

%s

--mix--
""" % b64(ATTACH_DATA))),
    # 4: 8-bit latin-1 body, RFC 2047 encoded display name.
    ("latin1", crlf("""From: =?iso-8859-1?q?J=F6rg?= <joerg@example.de>
To: bob@mox.example
Subject: latin1 body
Date: Sat, 28 Nov 2026 09:00:00 +0000
Message-ID: <m4@example.de>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit

""".encode() + "Grüße aus Köln\n".encode("latin-1"))),
    # 5: UTF-8 encoded-word subject, base64 UTF-8 body.
    ("utf8", crlf("""From: Mia <mia@example.com>
To: bob@mox.example
Subject: =?UTF-8?B?%s?=
Date: Sun, 29 Nov 2026 09:00:00 +0000
Message-ID: <m5@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

%s
""" % (b64(UTF8_SUBJECT), b64(UTF8_BODY)))),
    # 6: a forward: multipart/mixed holding a message/rfc822.
    ("forward", crlf("""From: Bob <bob@mox.example>
To: alice@example.org
Subject: Fwd: inner message
Date: Mon, 30 Nov 2026 09:00:00 +0000
Message-ID: <m6@mox.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd"

--fwd
Content-Type: text/plain

Forwarded message below.

--fwd
Content-Type: message/rfc822

From: Inner Person <inner@example.com>
To: outer@example.org
Subject: inner message
Date: Tue, 24 Nov 2026 07:00:00 +0000
Message-ID: <inner@example.com>

Inner body.

--fwd--
""")),
    # 7: malformed: multipart without boundary parameter.
    ("noboundary", crlf("""From: broken@example.net
To: bob@mox.example
Subject: no boundary
Date: Tue, 01 Dec 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed

--x
Content-Type: text/plain

lost part
--x--
""")),
    # 8: malformed: the closing boundary is missing.
    ("truncated", crlf("""From: broken@example.net
To: bob@mox.example
Subject: truncated multipart
Date: Tue, 01 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=cut

--cut
Content-Type: text/plain

first part

--cut
Content-Type: text/plain

second part, never closed
""")),
]
# Flags given at APPEND, and the internal dates: 02-Dec-2026 ... 09-Dec-2026,
# deliberately not the Date: header's day, so that SINCE (internal date) and
# SENTSINCE (Date: header) can be told apart.
CORPUS_FLAGS = ["(\\Seen)", "(\\Seen \\Flagged)", "()", "(\\Answered $Label1)", "()", "(\\Flagged)",
                "()", "(\\Seen)"]
CORPUS_DATES = ["%02d-Dec-2026 12:00:00 +0000" % (2 + i) for i in range(len(CORPUS))]


def _env(date, subject, frm, sender, reply_to, to, cc, bcc, in_reply_to, msgid):
    return "(%s %s %s %s %s %s %s %s %s %s)" % (date, subject, frm, sender or frm, reply_to or frm, to, cc,
                                                bcc, in_reply_to, msgid)


ALICE = '(("Alice" NIL "alice" "example.org"))'
TO_BOB = '((NIL NIL "bob" "mox.example"))'
BROKEN = '((NIL NIL "broken" "example.net"))'
INNER_ENVELOPE = _env('"Tue, 24 Nov 2026 07:00:00 +0000"', '"inner message"',
                      '(("Inner Person" NIL "inner" "example.com"))', None, None,
                      '((NIL NIL "outer" "example.org"))', "NIL", "NIL", "NIL", '"<inner@example.com>"')
EXPECTED_ENVELOPE = {
    "plain": _env('"Wed, 25 Nov 2026 12:00:00 +0000"', '"plain hello"',
                  '(("Alice Example" NIL "alice" "example.org"))',
                  '((NIL NIL "secretary" "example.org"))', '((NIL NIL "replies" "example.org"))',
                  '(("Bob" NIL "bob" "mox.example")(NIL NIL "carol" "example.net"))',
                  '(("Dave, Jr." NIL "dave" "example.com"))', "NIL", '"<m0@example.org>"',
                  '"<m1@example.org>"'),
    "alternative": _env('"Thu, 26 Nov 2026 08:30:00 +0100"', '"alternative parts"', ALICE, None, None,
                        TO_BOB, "NIL", "NIL", "NIL", '"<m2@example.org>"'),
    "mixed": _env('"Fri, 27 Nov 2026 10:00:00 +0000"', '"with attachment"', ALICE, None, None, TO_BOB,
                  "NIL", "NIL", "NIL", '"<m3@example.org>"'),
    # RFC 9051 §7.5.2: Sender and Reply-To default to From. The display name
    # may be passed on as sent or re-encoded; compared decoded (see below).
    "latin1": _env('"Sat, 28 Nov 2026 09:00:00 +0000"', '"latin1 body"',
                   '(("=?iso-8859-1?q?J=F6rg?=" NIL "joerg" "example.de"))', None, None, TO_BOB, "NIL",
                   "NIL", "NIL", '"<m4@example.de>"'),
    "utf8": _env('"Sun, 29 Nov 2026 09:00:00 +0000"', '"=?UTF-8?B?%s?="' % b64(UTF8_SUBJECT),
                 '(("Mia" NIL "mia" "example.com"))', None, None, TO_BOB, "NIL", "NIL", "NIL",
                 '"<m5@example.com>"'),
    "forward": _env('"Mon, 30 Nov 2026 09:00:00 +0000"', '"Fwd: inner message"',
                    '(("Bob" NIL "bob" "mox.example"))', None, None, '((NIL NIL "alice" "example.org"))',
                    "NIL", "NIL", "NIL", '"<m6@mox.example>"'),
    "noboundary": _env('"Tue, 01 Dec 2026 09:00:00 +0000"', '"no boundary"', BROKEN, None, None, TO_BOB,
                       "NIL", "NIL", "NIL", "NIL"),
    "truncated": _env('"Tue, 01 Dec 2026 10:00:00 +0000"', '"truncated multipart"', BROKEN, None, None,
                      TO_BOB, "NIL", "NIL", "NIL", "NIL"),
}


def _text(subtype, charset, enc, size, lines):
    # body-type-text with body-ext-1part: md5 dsp lang loc.
    return '("TEXT" "%s" ("CHARSET" "%s") NIL NIL "%s" %d %d NIL NIL NIL NIL)' % (subtype, charset, enc,
                                                                                   size, lines)


EXPECTED_BODYSTRUCTURE = {
    "plain": _text("PLAIN", "us-ascii", "7BIT", 60, 2),
    "alternative": "(%s%s \"ALTERNATIVE\" (\"BOUNDARY\" \"alt-b\") NIL NIL NIL)" % (
        _text("PLAIN", "utf-8", "QUOTED-PRINTABLE", 22, 1), _text("HTML", "utf-8", "7BIT", 30, 1)),
    "mixed": "(%s%s \"MIXED\" (\"BOUNDARY\" \"mix\") NIL NIL NIL)" % (
        _text("PLAIN", "us-ascii", "7BIT", 21, 1),
        '("APPLICATION" "OCTET-STREAM" ("NAME" "data.bin") NIL NIL "BASE64" 18 NIL '
        '("ATTACHMENT" ("FILENAME" "data.bin")) NIL NIL)'),
    "latin1": _text("PLAIN", "iso-8859-1", "8BIT", 16, 1),
    "utf8": _text("PLAIN", "utf-8", "BASE64", 26, 1),
    "forward": "(%s%s \"MIXED\" (\"BOUNDARY\" \"fwd\") NIL NIL NIL)" % (
        _text("PLAIN", "us-ascii", "7BIT", 26, 1),
        '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 174 %s %s 7 NIL NIL NIL NIL)' % (
            INNER_ENVELOPE, _text("PLAIN", "us-ascii", "7BIT", 13, 1))),
    # 7 is checked loosely: a multipart without boundary cannot be split; it
    # must come out as one leaf part of 51 octets (the whole body).
    "truncated": "(%s%s \"MIXED\" (\"BOUNDARY\" \"cut\") NIL NIL NIL)" % (
        _text("PLAIN", "us-ascii", "7BIT", 12, 1), _text("PLAIN", "us-ascii", "7BIT", 27, 1)),
}
NOBOUNDARY_BODYSTRUCTURE_RE = re.compile(
    r'\("(TEXT" "PLAIN" \("CHARSET" "us-ascii"\)|APPLICATION" "OCTET-STREAM" (NIL|\(\))) NIL NIL "7BIT" 51'
    r'( 5)?( NIL)*\)\Z', re.I)


def decode_words(data):
    """The quoted strings of an ENVELOPE with RFC 2047 encoded words decoded,
    so that a re-encoded display name compares equal to the original."""
    def dec(m):
        s = m.group(1)
        if "=?" not in s:
            return m.group(0)
        return '"%s"' % str(email.header.make_header(email.header.decode_header(s)))
    return re.sub(r'"((?:[^"\\]|\\.)*)"', dec, data)


# ---------------------------------------------------------------------------
# Raw IMAP client: exact lines, literals inlined.

class Response:
    def __init__(self, tag, untagged, tagged):
        self.tag = tag
        self.untagged = untagged   # bytes of each untagged response, literals inline, no CRLF
        self.tagged = tagged       # the tagged line without tag and CRLF, e.g. "OK done"

    @property
    def status(self):
        return self.tagged.split(" ", 1)[0]

    @property
    def lines(self):
        return [u.decode("utf-8", "replace") for u in self.untagged]

    def __repr__(self):
        return "Response(%r, %r)" % (self.lines, self.tagged)


class Imap:
    """A socket speaking IMAP by hand."""

    def __init__(self, port, tls=False, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            self.sock = moxtest.insecure_tls_context().wrap_socket(self.sock)
        self.buf = b""
        self.n = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def readline(self):
        """One line with its CRLF, b"" at EOF."""
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                line, self.buf = self.buf, b""
                return line
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def _read_n(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a literal")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """One response with its literals inline, without the final CRLF."""
        line = self.readline()
        if not line:
            raise EOFError("connection closed")
        while True:
            m = re.search(rb"\{(\d+)\+?\}\r\n\Z", line)
            if not m:
                return line[:-2] if line.endswith(b"\r\n") else line
            line += self._read_n(int(m.group(1)))
            more = self.readline()
            if not more:
                return line
            line += more

    def next_tag(self):
        self.n += 1
        return "t%d" % self.n

    def cmd(self, *parts, sync=False, tag=None):
        """Sends a command made of str parts (joined as they are) and bytes
        parts (sent as literals: non-synchronizing unless sync=True, then
        each waits for the "+" continuation); returns the Response."""
        tag = tag or self.next_tag()
        out = (tag + " ").encode()
        for p in parts:
            if isinstance(p, str):
                out += p.encode()
                continue
            if sync:
                self.send(out + b"{%d}\r\n" % len(p))
                cont = self.readline()
                if not cont.startswith(b"+"):
                    return self._finish(tag, [cont])
                out = p
            else:
                out += b"{%d+}\r\n" % len(p) + p
        self.send(out + b"\r\n")
        return self._finish(tag, [])

    def _finish(self, tag, early):
        untagged = []
        for line in early:
            if line.startswith(tag.encode() + b" "):
                return Response(tag, untagged, line[len(tag) + 1:].decode("utf-8", "replace").rstrip("\r\n"))
            untagged.append(line.rstrip(b"\r\n"))
        while True:
            r = self.response()
            if r.startswith(tag.encode() + b" "):
                return Response(tag, untagged, r[len(tag) + 1:].decode("utf-8", "replace"))
            untagged.append(r)

    def closed(self, timeout=10):
        """Waits for the peer to close; returns (closed, bytes received meanwhile)."""
        self.sock.settimeout(timeout)
        got, self.buf = self.buf, b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True, got
                got += chunk
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            return True, got
        except (socket.timeout, TimeoutError):
            return False, got

    def starttls(self):
        r = self.cmd("STARTTLS")
        if r.status != "OK":
            raise AssertionError("STARTTLS: %r" % r)
        assert self.buf == b"", self.buf
        self.sock = moxtest.insecure_tls_context().wrap_socket(self.sock)
        return r

    def login(self, user, password):
        return self.cmd("LOGIN %s %s" % (quote(user), quote(password)))


def parse_fetch(resp):
    """(sequence number, {item name: value bytes}) of an untagged FETCH
    response. Quoted strings are unquoted, literals are their content, other
    values (atoms, lists) are their raw text."""
    m = re.match(rb"\* (\d+) FETCH \(", resp)
    if not m:
        raise AssertionError("not a FETCH response: %r" % resp[:200])
    i = m.end()
    items = {}
    name_re = re.compile(rb"[A-Za-z0-9.]+(\[[^\]]*\])?(<\d+>)?")
    while resp[i:i + 1] != b")":
        nm = name_re.match(resp, i)
        if not nm or resp[nm.end():nm.end() + 1] != b" ":
            raise AssertionError("bad FETCH item at %d: %r" % (i, resp[i:i + 80]))
        j = nm.end() + 1
        end, value = _value(resp, j)
        items[nm.group(0).decode()] = value
        i = end
        if resp[i:i + 1] == b" ":
            i += 1
    if i != len(resp) - 1:
        raise AssertionError("text after FETCH response: %r" % resp[i:])
    return int(m.group(1)), items


def _value(data, i):
    """(end, value) of the IMAP value at data[i]."""
    c = data[i:i + 1]
    if c == b'"':
        j, out = i + 1, b""
        while data[j:j + 1] != b'"':
            if data[j:j + 1] == b"\\":
                j += 1
            if j >= len(data):
                raise AssertionError("unterminated string: %r" % data[i:i + 80])
            out += data[j:j + 1]
            j += 1
        return j + 1, out
    m = re.compile(rb"~?\{(\d+)\}\r\n").match(data, i)
    if m:
        n = int(m.group(1))
        return m.end() + n, data[m.end():m.end() + n]
    if c == b"(":
        j = i + 1
        while data[j:j + 1] != b")":
            if j >= len(data):
                raise AssertionError("unterminated list: %r" % data[i:i + 80])
            if data[j:j + 1] == b" ":
                j += 1
                continue
            j, _ = _value(data, j)
        return j + 1, data[i:j + 1]
    m = re.compile(rb"[^ ()\r\n]+").match(data, i)
    if not m:
        raise AssertionError("bad value at %d: %r" % (i, data[i:i + 80]))
    return m.end(), m.group(0)


def fetches(resp):
    """{seq: items} of all FETCH responses of a Response (merged per seq)."""
    out = {}
    for u in resp.untagged:
        if re.match(rb"\* \d+ FETCH ", u):
            seq, items = parse_fetch(u)
            out.setdefault(seq, {}).update(items)
    return out


def flag_set(value):
    """The flags of a FLAGS value as a set, keywords lower-cased (they are
    case-insensitive, RFC 9051 §2.3.2), without \\Recent, which the first
    session to select a mailbox sees (tested in test_imap_fetch_session.py)."""
    v = value.decode()
    assert v.startswith("(") and v.endswith(")"), v
    return {f if f.startswith("\\") else f.lower() for f in v[1:-1].split() if f != "\\Recent"}


def search_numbers(resp):
    nums = None
    for u in resp.lines:
        if u == "* SEARCH" or u.startswith("* SEARCH "):
            assert nums is None, resp
            nums = [int(x) for x in u.split()[2:] if x.isdigit()]
    if nums is None:
        raise AssertionError("no SEARCH response: %r" % resp)
    return nums


def esearch(resp):
    """The items of the one ESEARCH response as a dict (values as str), with
    "UID": True for UID results."""
    lines = [u for u in resp.lines if u.startswith("* ESEARCH")]
    if len(lines) != 1:
        raise AssertionError("expected one ESEARCH response: %r" % resp)
    m = re.match(r'\* ESEARCH \(TAG "([^"]*)"\)( UID)?((?: \S+ \S+)*)\Z', lines[0])
    if not m:
        raise AssertionError("malformed ESEARCH: %r" % lines[0])
    words = m.group(3).split()
    out = dict(zip(words[0::2], words[1::2]))
    out["TAG"] = m.group(1)
    if m.group(2):
        out["UID"] = True
    return out


def close_imaplib(m):
    try:
        m.shutdown()
    except OSError:
        pass


def seqset(nums):
    """The numbers of an IMAP sequence set like "1:3,5"."""
    out = []
    for part in nums.split(","):
        a, _, b = part.partition(":")
        out += list(range(int(a), int(b or a) + 1))
    return out

from scramclient import ScramClient, tls_exporter  # noqa: E402


# ---------------------------------------------------------------------------

class Base(unittest.TestCase):
    maxDiff = 6000

    @classmethod
    def make_env(cls):
        env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        return env

    @classmethod
    def start(cls, env, *args, how="listen", tls=False, extra=None):
        e = dict(SERVER_ENV)
        e.update(extra or {})
        return moxtest.Server(env, "mox-imapd", list(args), how=how, env=e, tls=tls, banner=BANNER).start()

    def imap(self, port, tls=False, starttls=True, login=None):
        """A connected raw client, after the greeting (self.greeting), with
        STARTTLS done unless tls or starttls=False, logged in if login."""
        c = Imap(port, tls=tls)
        self.addCleanup(c.close)
        self.greeting = c.response()
        self.assertTrue(self.greeting.startswith(b"* OK "), self.greeting)
        if starttls and not tls:
            c.starttls()
        if login:
            self.assertOK(c.login(*login))
        return c

    def assertOK(self, r, code=None):
        self.assertEqual(r.status, "OK", r)
        if code is not None:
            self.assertTrue(r.tagged.startswith("OK [%s" % code), r)
        return r

    def assertNO(self, r, code=None, text=None):
        self.assertEqual(r.status, "NO", r)
        if code is not None:
            self.assertTrue(r.tagged.startswith("NO [%s]" % code), "expected [%s]: %r" % (code, r))
        if text is not None:
            self.assertIn(text, r.tagged)
        return r

    def assertBAD(self, r):
        self.assertEqual(r.status, "BAD", r)
        return r

    def append(self, c, mailbox, msg, flags="", date=None):
        """APPEND one message; returns its UID from APPENDUID (RFC 4315)."""
        args = "APPEND %s " % quote(mailbox)
        if flags:
            args += flags + " "
        if date:
            args += '"%s" ' % date
        r = self.assertOK(c.cmd(args, msg))
        m = re.match(r"OK \[APPENDUID (\d+) (\d+)\] ", r.tagged)
        self.assertTrue(m, r)
        return int(m.group(2))

    def caps(self, line):
        m = re.search(r"\[CAPABILITY ([^\]]*)\]", line if isinstance(line, str) else line.decode())
        self.assertTrue(m, line)
        return m.group(1).split()

    def capability(self, c):
        r = self.assertOK(c.cmd("CAPABILITY"))
        lines = [u for u in r.lines if u.startswith("* CAPABILITY ")]
        self.assertEqual(len(lines), 1, r)
        return lines[0].split()[2:]


# ---------------------------------------------------------------------------

class AuthTest(Base):
    """Greeting, capabilities, LOGIN, AUTHENTICATE, login attempts, IMAPS."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        env.config("account", "add", "bob", BOB)
        env.config("account", "password", "bob", input=BOB_PW + "\n")
        env.config("account", "add", "carol", CAROL)
        env.config("account", "password", "carol", input=CAROL_PW + "\n")
        env.config("account", "disable", "carol", CAROL_DISABLED)
        cls.admin = (ADMIN, env.password)
        cls.srv = cls.start(env)
        cls.port = cls.srv.port
        cls.imaps = cls.start(env, "--tls", tls=True)

    def setUp(self):
        # The failed-auth limiter is shared state in auth.db (docs/DESIGN.md
        # "Shared state between processes").
        self.env.query("auth.db", "DELETE FROM AuthFailure")

    def tearDown(self):
        self.env.query("auth.db", "DELETE FROM AuthFailure")

    # -- greeting and capabilities --

    def test_greeting_and_capabilities(self):
        c = self.imap(self.port, starttls=False)
        # mox-imapd(8) "Capabilities": "* OK [CAPABILITY ...] mox imap".
        self.assertRegex(self.greeting, rb"\A\* OK \[CAPABILITY [^\]]+\] mox imap\Z")
        caps = self.caps(self.greeting)
        self.assertEqual(caps[:2], ["IMAP4rev2", "IMAP4rev1"])
        self.assertIn("STARTTLS", caps)
        self.assertIn("LOGINDISABLED", caps)  # RFC 9051 §6.2.3, mox-imapd(8) "Authentication"
        self.assertNotIn("AUTH=PLAIN", caps)
        self.assertEqual(self.capability(c), caps)
        for cap in ("AUTH=SCRAM-SHA-256", "AUTH=SCRAM-SHA-1", "AUTH=CRAM-MD5", "LITERAL+", "SASL-IR",
                    "IDLE", "ID", "ENABLE", "UIDPLUS", "MOVE", "CONDSTORE"):
            self.assertIn(cap, caps)
        self.assertTrue([x for x in caps if x.startswith("APPENDLIMIT=")], caps)
        c.starttls()
        caps = self.capability(c)
        self.assertIn("AUTH=PLAIN", caps)
        self.assertNotIn("STARTTLS", caps)
        self.assertNotIn("LOGINDISABLED", caps)
        # After login, the OK carries the capabilities, without AUTH=.
        r = self.assertOK(c.login(*self.admin), "CAPABILITY")
        after = self.caps(r.tagged)
        self.assertEqual([x for x in after if x.startswith("AUTH=")], [])
        self.assertIn("IDLE", after)

    def test_capabilities_required_by_issue(self):
        # The extensions the server must implement and announce.
        c = self.imap(self.port, login=self.admin)
        caps = self.capability(c)
        missing = [x for x in REQUIRED_CAPS if x not in caps]
        self.assertEqual(missing, [], "capabilities not announced: %s" % missing)

    def test_noop_logout_before_login(self):
        c = self.imap(self.port, starttls=False)
        self.assertOK(c.cmd("NOOP"))
        r = self.assertBAD(c.cmd("SELECT INBOX"))
        r = self.assertOK(c.cmd("LOGOUT"))
        self.assertTrue(r.lines and r.lines[0].startswith("* BYE"), r)
        self.assertTrue(c.closed()[0])

    # -- LOGIN --

    def test_login_before_tls(self):
        c = self.imap(self.port, starttls=False)
        r = c.login(*self.admin)
        self.assertEqual(r.tagged, "NO [PRIVACYREQUIRED] tls required for login")  # mox-imapd(8)
        r = c.cmd("AUTHENTICATE PLAIN " + b64("\0%s\0%s" % self.admin))
        self.assertNO(r, "PRIVACYREQUIRED")
        self.assertBAD(c.cmd("SELECT INBOX"))

    def test_starttls_login(self):
        c = self.imap(self.port)
        self.assertNO(c.login(ADMIN, "wrong" + self.env.password), "AUTHENTICATIONFAILED")
        self.assertBAD(c.cmd("SELECT INBOX"))
        self.assertOK(c.login(*self.admin), "CAPABILITY")
        self.assertOK(c.cmd("SELECT INBOX"), "READ-WRITE")
        # No second login (RFC 9051 §6.2.3: only in the not authenticated state).
        self.assertNotEqual(c.login(*self.admin).status, "OK")

    def test_login_unknown_user_and_account_name(self):
        c = self.imap(self.port)
        self.assertNO(c.login("nobody@" + D, self.env.password), "AUTHENTICATIONFAILED")
        # mox-imapd(8) "Authentication": the user name is an address; the
        # account name is not one.
        self.assertNO(c.login("admin", self.env.password), "AUTHENTICATIONFAILED")
        self.assertOK(c.login("Admin@MOX.example", self.env.password))

    def test_login_literal_password(self):
        # Passwords with any octets arrive as (synchronizing) literals.
        c = self.imap(self.port)
        r = c.cmd("LOGIN ", BOB.encode(), " ", BOB_PW.encode(), sync=True)
        self.assertOK(r)

    def test_login_disabled(self):
        # domains.conf(5) LoginDisabled: right password → NO without response
        # code; wrong → the normal AUTHENTICATIONFAILED.
        c = self.imap(self.port)
        r = c.login(CAROL, CAROL_PW)
        self.assertEqual(r.tagged, "NO login disabled for account: " + CAROL_DISABLED)
        r = c.login(CAROL, "wrong-" + CAROL_PW)
        self.assertNO(r, "AUTHENTICATIONFAILED")
        r = c.cmd("AUTHENTICATE PLAIN " + b64("\0%s\0%s" % (CAROL, CAROL_PW)))
        self.assertEqual(r.tagged, "NO login disabled for account: " + CAROL_DISABLED)
        r = self.scram(c, "SCRAM-SHA-256", CAROL, CAROL_PW)
        self.assertEqual(r, "NO login disabled for account: " + CAROL_DISABLED)
        r = self.crammd5(c, CAROL, CAROL_PW)
        self.assertEqual(r, "NO login disabled for account: " + CAROL_DISABLED)
        self.assertBAD(c.cmd("SELECT INBOX"))

    def test_capabilities_disabled_per_account(self):
        # mox-imapd(8) "Capabilities": per-account IMAPCapabilitiesDisabled
        # removes the listed capabilities after authentication; ENABLE of one is
        # ignored.
        env = self.env
        dave, dave_pw = "dave@" + D, "dave-Secret-pw-1"
        env.config("account", "add", "dave", dave)
        env.config("account", "password", "dave", input=dave_pw + "\n")
        text = env.domains_text()
        marker = "\tdave:\n\t\tDomain: %s\n" % D
        self.assertIn(marker, text)
        env.write_domains(text.replace(marker, marker + "\t\tIMAPCapabilitiesDisabled:\n"
                                       "\t\t\t- qresync\n\t\t\t- APPENDLIMIT\n\t\t\t- UTF8=ACCEPT\n"
                                       "\t\t\t- CONDSTORE\n"))
        env.config("test")
        c = self.imap(self.port)
        before = self.capability(c)  # not yet logged in: everything
        for cap in ("QRESYNC", "CONDSTORE", "UTF8=ACCEPT"):
            self.assertIn(cap, before)
        self.assertTrue(any(x.startswith("APPENDLIMIT=") for x in before))
        r = self.assertOK(c.login(dave, dave_pw))
        after = self.caps(r.tagged)
        self.assertEqual(after, self.capability(c))
        for cap in ("QRESYNC", "CONDSTORE", "UTF8=ACCEPT"):
            self.assertNotIn(cap, after)
        self.assertFalse(any(x.startswith("APPENDLIMIT") for x in after), after)
        self.assertIn("MOVE", after)
        self.assertIn("ENABLE", after)
        r = self.assertOK(c.cmd("ENABLE QRESYNC CONDSTORE UTF8=ACCEPT"))
        self.assertEqual(r.lines, ["* ENABLED"])  # RFC 5161: nothing enabled
        r = self.assertBAD(c.cmd("SELECT INBOX (CONDSTORE)"))
        r = self.assertOK(c.cmd("SELECT INBOX"))
        self.assertFalse(any("HIGHESTMODSEQ" in x for x in r.lines), r)
        # Another account is not affected.
        o = self.imap(self.port, login=self.admin)
        self.assertIn("QRESYNC", self.capability(o))
        r = self.assertOK(o.cmd("ENABLE QRESYNC"))
        self.assertEqual(r.lines, ["* ENABLED QRESYNC"])
        # The list takes effect without restarting the server, also on removal.
        env.write_domains(text)
        self.assertIn("QRESYNC", self.capability(c))

    # -- AUTHENTICATE --

    def test_authenticate_plain_sasl_ir(self):
        c = self.imap(self.port)
        r = c.cmd("AUTHENTICATE PLAIN " + b64("\0%s\0%s" % (ADMIN, "wrong")))
        self.assertNO(r, "AUTHENTICATIONFAILED")
        r = c.cmd("AUTHENTICATE PLAIN " + b64("\0%s\0%s" % self.admin))
        self.assertOK(r, "CAPABILITY")
        self.assertTrue(r.tagged.endswith("] authenticate done"), r)
        self.assertOK(c.cmd("SELECT INBOX"))

    def test_authenticate_plain_continuation(self):
        c = self.imap(self.port)
        c.send("a1 AUTHENTICATE PLAIN\r\n")
        self.assertEqual(c.readline(), b"+ \r\n")  # empty challenge (RFC 4616)
        c.send(b64("\0%s\0%s" % self.admin) + "\r\n")
        line = c.readline()
        self.assertTrue(line.startswith(b"a1 OK [CAPABILITY "), line)

    def test_authenticate_plain_other_role(self):
        c = self.imap(self.port)
        r = c.cmd("AUTHENTICATE PLAIN " + b64("%s\0%s\0%s" % (BOB, ADMIN, self.env.password)))
        self.assertNO(r, "AUTHORIZATIONFAILED")  # mox-imapd(8) "Authentication"
        r = c.cmd("AUTHENTICATE PLAIN " + b64("%s\0%s\0%s" % (ADMIN, ADMIN, self.env.password)))
        self.assertOK(r)

    def test_authenticate_abort_and_unknown(self):
        c = self.imap(self.port)
        c.send("a1 AUTHENTICATE PLAIN\r\n")
        self.assertEqual(c.readline(), b"+ \r\n")
        c.send("*\r\n")
        line = c.readline()
        self.assertTrue(line.startswith(b"a1 BAD "), line)  # mox-imapd(8) "TLS client certificates"
        r = c.cmd("AUTHENTICATE X-UNKNOWN")
        self.assertEqual(r.tagged, "NO method not supported")  # mox-imapd(8) "Authentication"
        self.assertOK(c.login(*self.admin))

    def crammd5(self, c, user, password):
        """AUTHENTICATE CRAM-MD5 (RFC 2195); returns the tagged line's text."""
        tag = c.next_tag()
        c.send(tag + " AUTHENTICATE CRAM-MD5\r\n")
        line = c.readline()
        self.assertTrue(line.startswith(b"+ "), line)
        challenge = base64.b64decode(line[2:].strip())
        self.assertRegex(challenge, rb"\A<[^>]+@[^>]+>\Z")
        digest = hmac.new(password.encode(), challenge, "md5").hexdigest()
        c.send(b64("%s %s" % (user, digest)) + "\r\n")
        r = self.sasl_line(c, tag, "after the CRAM-MD5 response")
        self.assertIsInstance(r, str, "a further challenge after the CRAM-MD5 response")
        return r

    def sasl_line(self, c, tag, what):
        """The next line of a SASL exchange: a continuation (returned as
        bytes), or the tagged result (returned as str). Anything else fails
        the test at once, instead of waiting for a tagged line that will not
        come."""
        c.sock.settimeout(5)
        try:
            line = c.readline()
        except (socket.timeout, TimeoutError):
            self.fail("%s: no response within 5s" % what)
        finally:
            c.sock.settimeout(20)
        if line.startswith(b"+ "):
            return base64.b64decode(line[2:].strip())
        if line.startswith(tag.encode() + b" "):
            return line[len(tag) + 1:].decode().rstrip("\r\n")
        self.fail("%s: expected a continuation or the tagged result, got %r" % (what, line))

    def scram(self, c, mech, user, password, cbind=None, ir=True):
        """AUTHENTICATE SCRAM-* (RFC 5802, RFC 7677), with SASL-IR or a
        continuation; returns the tagged line's text."""
        hashname = "sha256" if "256" in mech else "sha1"
        sc = ScramClient(hashname, user, password, cbind=cbind)
        tag = c.next_tag()
        if ir:
            c.send("%s AUTHENTICATE %s %s\r\n" % (tag, mech, b64(sc.first())))
        else:
            c.send("%s AUTHENTICATE %s\r\n" % (tag, mech))
            self.assertEqual(c.readline(), b"+ \r\n")
            c.send(b64(sc.first()) + "\r\n")
        r = self.sasl_line(c, tag, "after client-first-message")
        if isinstance(r, str):
            return r
        c.send(b64(sc.final(r)) + "\r\n")
        r = self.sasl_line(c, tag, "after client-final-message")
        if isinstance(r, str):
            return r
        sc.verify(r)
        # RFC 9051 §6.2.2: the server-final-message is a challenge, answered
        # with an empty response.
        c.send("\r\n")
        r = self.sasl_line(c, tag, "after the empty response to server-final-message")
        self.assertIsInstance(r, str, "a further challenge after server-final-message")
        return r

    def test_authenticate_crammd5(self):
        c = self.imap(self.port)
        self.assertTrue(self.crammd5(c, ADMIN, "wrong").startswith("NO [AUTHENTICATIONFAILED]"))
        r = self.crammd5(c, ADMIN, self.env.password)
        self.assertTrue(r.startswith("OK [CAPABILITY "), r)

    def test_authenticate_crammd5_before_tls(self):
        # CRAM-MD5 sends no password: allowed before TLS (it is announced).
        c = self.imap(self.port, starttls=False)
        r = self.crammd5(c, BOB, BOB_PW)
        self.assertTrue(r.startswith("OK "), r)

    def test_authenticate_scram(self):
        for mech in ("SCRAM-SHA-256", "SCRAM-SHA-1"):
            for ir in (True, False):
                with self.subTest(mech=mech, sasl_ir=ir):
                    c = self.imap(self.port)
                    r = self.scram(c, mech, ADMIN, "wrong-password", ir=ir)
                    self.assertTrue(r.startswith("NO [AUTHENTICATIONFAILED]"), r)
                    r = self.scram(c, mech, ADMIN, self.env.password, ir=ir)
                    self.assertTrue(r.startswith("OK [CAPABILITY "), r)
                    self.assertOK(c.cmd("SELECT INBOX"))
                    self.logout(c)
                    rows = self.env.query("auth.db", "SELECT Result FROM LoginAttempt WHERE "
                                          "Protocol = 'imap' AND AuthMech = ? AND AccountName = 'admin'",
                                          (mech.lower(),))
                    self.assertEqual({r[0] for r in rows}, {"ok", "badcreds"})

    def test_authenticate_scram_plus(self):
        c = self.imap(self.port)
        cb = tls_exporter(c.sock)
        if cb is None:
            self.skipTest("no tls-exporter: Python's ssl has no API and the ctypes fallback failed")
        self.assertIn("AUTH=SCRAM-SHA-256-PLUS", self.capability(c))
        r = self.scram(c, "SCRAM-SHA-256-PLUS", ADMIN, self.env.password, cbind=b"\0" * 32)
        self.assertTrue(r.startswith("NO [AUTHENTICATIONFAILED]"), r)
        r = self.scram(c, "SCRAM-SHA-256-PLUS", ADMIN, self.env.password, cbind=cb)
        self.assertTrue(r.startswith("OK [CAPABILITY "), r)

    # -- login attempts (docs/DESIGN.md "Login attempts") --

    def attempts(self):
        rows = self.env.query("auth.db", "SELECT Key, AccountName, LoginAddress, RemoteIP, LocalIP, TLS, "
                              "Protocol, AuthMech, Result, Count, UserAgent FROM LoginAttempt "
                              "WHERE Protocol = 'imap'")
        return {r[0]: r[1:] for r in rows}

    def logout(self, c):
        """LOGOUT and wait for the close: pending login attempts are written
        by then (docs/DESIGN.md "Login attempts")."""
        self.assertOK(c.cmd("LOGOUT"))
        self.assertTrue(c.closed()[0])

    def test_login_attempts(self):
        before = self.attempts()
        pw = self.env.password
        c = self.imap(self.port)
        self.assertNO(c.login(ADMIN, "bad-" + pw))
        self.assertOK(c.login(ADMIN, pw))
        self.logout(c)
        c = self.imap(self.port)
        self.assertNO(c.cmd("AUTHENTICATE PLAIN " + b64("\0%s\0bad" % ADMIN)))
        self.assertOK(c.cmd("AUTHENTICATE PLAIN " + b64("\0%s\0%s" % (ADMIN, pw))))
        self.logout(c)
        c = self.imap(self.port)
        self.assertTrue(self.crammd5(c, ADMIN, "bad").startswith("NO "))
        self.assertTrue(self.crammd5(c, ADMIN, pw).startswith("OK "))
        self.logout(c)
        c = self.imap(self.port)
        self.assertNO(c.login(CAROL, CAROL_PW))
        self.assertNO(c.login("nobody@" + D, "x"))
        self.logout(c)
        after = self.attempts()
        delta = {}
        for key, row in after.items():
            n = row[8] - (before[key][8] if key in before else 0)
            if not n:
                continue
            k = (row[0], row[1], row[6], row[7])
            delta[k] = delta.get(k, 0) + n
            self.assertEqual(row[2:6], ("127.0.0.1", "127.0.0.1", row[4], "imap"), row)
            self.assertIn("version=", row[4], row)  # TLS description
        expect = {
            ("admin", ADMIN, "login", "badcreds"): 1, ("admin", ADMIN, "login", "ok"): 1,
            ("admin", ADMIN, "plain", "badcreds"): 1, ("admin", ADMIN, "plain", "ok"): 1,
            ("admin", ADMIN, "cram-md5", "badcreds"): 1, ("admin", ADMIN, "cram-md5", "ok"): 1,
            ("carol", CAROL, "login", "logindisabled"): 1,
            ("-", "nobody@" + D, "login", "badcreds"): 1,
        }
        self.assertEqual(delta, expect)

    def test_login_attempt_user_agent_from_id(self):
        # docs/DESIGN.md "Login attempts": the attempt waits for an ID command
        # right after the login, whose parameters become the UserAgent.
        c = self.imap(self.port)
        self.assertOK(c.login(BOB, BOB_PW))
        r = self.assertOK(c.cmd('ID ("name" "e2e-client" "version" "1.2")'))
        self.assertIn('* ID ("name" "mox")', r.lines)
        self.assertOK(c.cmd("LOGOUT"))
        c.closed()
        rows = self.env.query("auth.db", "SELECT UserAgent FROM LoginAttempt WHERE Protocol = 'imap' AND "
                              "AccountName = 'bob' AND Result = 'ok'")
        self.assertIn(('name="e2e-client" version="1.2"',), rows)

    def test_auth_failure_limiter(self):
        # mox-imapd(8) "Authentication": 10 failures per minute from an address
        # → "* BYE too many auth failures" at the greeting.
        for _ in range(3):
            c = self.imap(self.port)
            for _ in range(3):
                self.assertNO(c.login(ADMIN, "wrong"), "AUTHENTICATIONFAILED")
            self.logout(c)
        c = self.imap(self.port)  # 9 failures: still welcome
        self.assertNO(c.login(ADMIN, "wrong"))
        c.cmd("NOOP")  # the failure is counted at the latest now (docs/DESIGN.md "Login attempts")
        for port, tls in ((self.port, False), (self.imaps.port, True)):
            c = Imap(port, tls=tls)
            self.addCleanup(c.close)
            self.assertEqual(c.response(), b"* BYE too many auth failures")
            self.assertTrue(c.closed()[0])
        self.env.query("auth.db", "DELETE FROM AuthFailure")
        c = self.imap(self.port, login=self.admin)

    # -- TLS --

    def test_starttls_pipelined_injection(self):
        # CVE-2011-0411: a command sent with STARTTLS in one packet must not
        # be executed inside the TLS session, nor in plaintext.
        c = self.imap(self.port, starttls=False)
        c.send("a1 STARTTLS\r\na2 CAPABILITY\r\n")
        closed, got = c.closed()
        self.assertNotIn(b"a2 OK", got)
        self.assertNotIn(b"* CAPABILITY", got)
        self.assertTrue(closed or b"* BYE" in got, got)

    def test_starttls_twice_and_after_tls(self):
        c = self.imap(self.port)
        self.assertNotEqual(c.cmd("STARTTLS").status, "OK")
        c = self.imap(self.imaps.port, tls=True)
        self.assertNotEqual(c.cmd("STARTTLS").status, "OK")

    def test_imaps(self):
        c = self.imap(self.imaps.port, tls=True)
        caps = self.caps(self.greeting)
        self.assertIn("AUTH=PLAIN", caps)
        self.assertNotIn("STARTTLS", caps)
        self.assertNotIn("LOGINDISABLED", caps)
        self.assertOK(c.login(*self.admin))
        self.assertOK(c.cmd("SELECT INBOX"))

    def test_imaplib_imaps(self):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps.port, ssl_context=moxtest.insecure_tls_context(),
                              timeout=20)
        self.addCleanup(close_imaplib, m)
        self.assertIn("AUTH=PLAIN", m.capabilities)
        typ, _ = m.login(*self.admin)
        self.assertEqual(typ, "OK")
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.logout()[0], "BYE")

    def test_imaplib_starttls_authenticate(self):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        self.addCleanup(close_imaplib, m)
        self.assertIn("LOGINDISABLED", m.capabilities)
        with self.assertRaises(imaplib.IMAP4.error):
            m.login(*self.admin)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        self.assertIn("AUTH=PLAIN", m.capabilities)
        typ, _ = m.authenticate("PLAIN", lambda _: ("\0%s\0%s" % self.admin).encode())
        self.assertEqual(typ, "OK")
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        self.addCleanup(close_imaplib, m)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        self.assertEqual(m.login_cram_md5(BOB, BOB_PW)[0], "OK")
        m.logout()


# ---------------------------------------------------------------------------

class MailboxTest(Base):
    """Mailbox lifecycle (RFC 9051 §6.3), special-use (RFC 6154), LIST-STATUS
    (RFC 5819), subscriptions."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        cls.admin = (ADMIN, env.password)
        cls.srv = cls.start(env)
        cls.port = cls.srv.port

    def setUp(self):
        self.c = self.imap(self.port, login=self.admin)

    def listing(self, r):
        """{name: (attributes set, delimiter)} of the LIST/LSUB responses."""
        out = {}
        for line in r.lines:
            m = re.match(r'\* (?:LIST|LSUB) \(([^)]*)\) (NIL|"[^"]*") (.*)\Z', line)
            if not m:
                continue
            name = m.group(3)
            if name.startswith('"'):
                name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            out[name] = (set(m.group(1).split()), m.group(2))
        return out

    def status(self, name, items="MESSAGES UIDNEXT UIDVALIDITY"):
        r = self.c.cmd("STATUS %s (%s)" % (quote(name), items))
        if r.status != "OK":
            return r
        lines = [u for u in r.lines if u.startswith("* STATUS ")]
        self.assertEqual(len(lines), 1, r)
        m = re.match(r"\* STATUS .* \(([^)]*)\)\Z", lines[0])
        words = m.group(1).split()
        return {k: int(v) for k, v in zip(words[0::2], words[1::2])}

    def test_default_mailboxes(self):
        got = self.listing(self.assertOK(self.c.cmd('LIST "" "*"')))
        for name, use in DEFAULT_MAILBOXES.items():
            self.assertIn(name, got)
            attrs, delim = got[name]
            self.assertEqual(delim, '"/"')
            if use:
                self.assertIn(use, attrs, name)

    def test_list_delimiter(self):
        # RFC 9051 §6.3.9: an empty pattern returns the hierarchy delimiter.
        r = self.assertOK(self.c.cmd('LIST "" ""'))
        self.assertEqual(r.lines, ['* LIST (\\Noselect) "/" ""'])

    def test_namespace(self):
        r = self.assertOK(self.c.cmd("NAMESPACE"))
        self.assertEqual(r.lines, ['* NAMESPACE (("" "/")) NIL NIL'])

    def test_create_rename_delete(self):
        c = self.c
        self.assertOK(c.cmd("CREATE Projects"))
        self.assertNO(c.cmd("CREATE Projects"), "ALREADYEXISTS")
        got = self.listing(self.assertOK(c.cmd('LIST "" Projects')))
        self.assertEqual(got, {"Projects": ({"\\HasNoChildren"}, '"/"')})
        st1 = self.status("Projects")
        self.assertEqual((st1["MESSAGES"], st1["UIDNEXT"]), (0, 1))
        self.append(c, "Projects", simple_message(token()))
        self.append(c, "Projects", simple_message(token()))
        # RENAME keeps UIDVALIDITY and the messages (RFC 9051 §6.3.6).
        self.assertOK(c.cmd("RENAME Projects Projects2"))
        self.assertNO(c.cmd("STATUS Projects (MESSAGES)"), "NONEXISTENT")
        st2 = self.status("Projects2")
        self.assertEqual(st2, {"MESSAGES": 2, "UIDNEXT": 3, "UIDVALIDITY": st1["UIDVALIDITY"]})
        self.assertNO(c.cmd("RENAME Nope Other"), "NONEXISTENT")
        self.assertNO(c.cmd("RENAME Projects2 INBOX"))
        # DELETE, then a new mailbox of that name gets a new UIDVALIDITY
        # (RFC 9051 §2.3.1.1).
        self.assertOK(c.cmd("DELETE Projects2"))
        self.assertNO(c.cmd("DELETE Projects2"), "NONEXISTENT")
        self.assertNO(c.cmd("SELECT Projects2"), "NONEXISTENT")
        self.assertOK(c.cmd("CREATE Projects2"))
        st3 = self.status("Projects2")
        self.assertEqual((st3["MESSAGES"], st3["UIDNEXT"]), (0, 1))
        self.assertNotEqual(st3["UIDVALIDITY"], st1["UIDVALIDITY"])
        self.assertGreater(st3["UIDVALIDITY"], st1["UIDVALIDITY"])
        self.assertNO(c.cmd("DELETE INBOX"))

    def test_hierarchy(self):
        c = self.c
        self.assertOK(c.cmd("CREATE Work/Reports"))  # the parent is created too
        got = self.listing(self.assertOK(c.cmd('LIST "" "Work*"')))
        self.assertEqual(set(got), {"Work", "Work/Reports"})
        self.assertIn("\\HasChildren", got["Work"][0])
        self.assertIn("\\HasNoChildren", got["Work/Reports"][0])
        got = self.listing(self.assertOK(c.cmd('LIST "" "Work/%"')))
        self.assertEqual(set(got), {"Work/Reports"})
        got = self.listing(self.assertOK(c.cmd('LIST "" "%"')))
        self.assertIn("Work", got)
        self.assertNotIn("Work/Reports", got)
        # Renaming renames the inferiors too (RFC 9051 §6.3.6).
        self.assertOK(c.cmd("RENAME Work Job"))
        got = self.listing(self.assertOK(c.cmd('LIST "" "*"')))
        self.assertIn("Job/Reports", got)
        self.assertNotIn("Work/Reports", got)
        self.assertNotIn("Work", got)

    def test_create_special_use(self):
        c = self.c
        # RFC 6154 §3: CREATE with USE.
        self.assertOK(c.cmd("CREATE MyDrafts (USE (\\Drafts))"))
        got = self.listing(self.assertOK(c.cmd('LIST "" MyDrafts')))
        self.assertEqual(got, {"MyDrafts": ({"\\HasNoChildren", "\\Drafts"}, '"/"')})
        # RFC 6154 §2 selection option.
        got = self.listing(self.assertOK(c.cmd('LIST (SPECIAL-USE) "" "*"')))
        self.assertIn("MyDrafts", got)
        self.assertNotIn("INBOX", got)
        for name, use in DEFAULT_MAILBOXES.items():
            if use:
                self.assertIn(use, got[name][0])

    def test_create_unknown_special_use(self):
        # RFC 6154 §3: a special-use the server does not know → NO [USEATTR],
        # and no mailbox.
        r = self.c.cmd("CREATE Odd (USE (\\Bogus))")
        self.assertNO(r, "USEATTR")
        self.assertNO(self.c.cmd("STATUS Odd (MESSAGES)"), "NONEXISTENT")

    def test_subscriptions(self):
        c = self.c
        self.assertOK(c.cmd("CREATE Lists"))
        self.assertOK(c.cmd("SUBSCRIBE Lists"))
        r = self.assertOK(c.cmd('LSUB "" "Li*"'))
        self.assertEqual(set(self.listing(r)), {"Lists"})
        got = self.listing(self.assertOK(c.cmd('LIST (SUBSCRIBED) "" "Lists"')))
        self.assertIn("\\Subscribed", got["Lists"][0])
        got = self.listing(self.assertOK(c.cmd('LIST "" "Lists" RETURN (SUBSCRIBED)')))
        self.assertIn("\\Subscribed", got["Lists"][0])
        self.assertOK(c.cmd("UNSUBSCRIBE Lists"))
        r = self.assertOK(c.cmd('LSUB "" "Li*"'))
        self.assertEqual(self.listing(r), {})
        got = self.listing(self.assertOK(c.cmd('LIST "" "Lists" RETURN (SUBSCRIBED)')))
        self.assertNotIn("\\Subscribed", got["Lists"][0])

    def test_list_status(self):
        # RFC 5819: LIST ... RETURN (STATUS (...)) gives a STATUS after each LIST.
        c = self.c
        self.assertOK(c.cmd("CREATE Stat"))
        self.append(c, "Stat", simple_message(token()), flags="(\\Seen)")
        self.append(c, "Stat", simple_message(token()))
        self.append(c, "Stat", simple_message(token()))
        r = self.assertOK(c.cmd('LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN))'))
        lines = r.lines
        i = lines.index('* LIST (\\HasNoChildren) "/" Stat')
        self.assertEqual(lines[i + 1], "* STATUS Stat (MESSAGES 3 UNSEEN 2)")
        names = self.listing(r)
        self.assertEqual(len([x for x in lines if x.startswith("* STATUS ")]), len(names))

    def test_utf8_mailbox_names(self):
        # RFC 3501 §5.1.3 modified UTF-7 without, UTF-8 with ENABLE UTF8=ACCEPT
        # (RFC 6855 §3); both name the same mailbox.
        u = self.imap(self.port, login=self.admin)
        r = self.assertOK(u.cmd("ENABLE UTF8=ACCEPT"))
        self.assertEqual(r.lines, ["* ENABLED UTF8=ACCEPT"])
        self.assertOK(u.cmd('CREATE "Grüße"'))
        self.assertOK(self.c.cmd('CREATE "Caf&AOk-"'))
        got = self.listing(self.assertOK(self.c.cmd('LIST "" "Gr*"')))
        self.assertEqual(set(got), {"Gr&APwA3w-e"})
        got = self.listing(self.assertOK(u.cmd('LIST "" "Caf*"')))
        self.assertEqual(set(got), {"Café"})
        self.append(self.c, "Gr&APwA3w-e", simple_message(token()))
        r = self.assertOK(u.cmd('STATUS "Grüße" (MESSAGES)'))
        self.assertEqual(r.lines, ['* STATUS "Grüße" (MESSAGES 1)'])

    def test_status(self):
        c = self.c
        self.assertOK(c.cmd("CREATE St2"))
        m1, m2 = simple_message(token()), simple_message(token())
        self.append(c, "St2", m1, flags="(\\Seen \\Deleted)")
        self.append(c, "St2", m2)
        st = self.status("St2", "MESSAGES UIDNEXT UNSEEN DELETED SIZE")
        self.assertEqual(st, {"MESSAGES": 2, "UIDNEXT": 3, "UNSEEN": 1, "DELETED": 1,
                              "SIZE": len(m1) + len(m2)})
        self.assertNO(c.cmd("STATUS Missing (MESSAGES)"), "NONEXISTENT")


# ---------------------------------------------------------------------------

class MessageTest(Base):
    """APPEND, FETCH, SEARCH, STORE, COPY/MOVE, EXPUNGE, CONDSTORE."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        cls.admin = (ADMIN, env.password)
        cls.srv = cls.start(env)
        cls.port = cls.srv.port
        # The corpus, read-only for the tests (they EXAMINE it).
        c = Imap(cls.port)
        try:
            c.response()
            c.starttls()
            c.login(*cls.admin)
            r = c.cmd("CREATE Corpus")
            assert r.status == "OK", r
            for i, (name, msg) in enumerate(CORPUS):
                r = c.cmd('APPEND Corpus %s "%s" ' % (CORPUS_FLAGS[i], CORPUS_DATES[i]), msg)
                assert r.tagged.startswith("OK [APPENDUID ") and r.tagged.split()[3] == "%d]" % (i + 1), r
        finally:
            c.close()

    def setUp(self):
        self.c = self.imap(self.port, login=self.admin)

    def examine_corpus(self):
        r = self.assertOK(self.c.cmd("EXAMINE Corpus"), "READ-ONLY")
        self.assertIn("* %d EXISTS" % len(CORPUS), r.lines)
        return r

    def mailbox(self, msgs, flags=None):
        """A new mailbox holding msgs, SELECTed; returns its name."""
        name = "box-" + token()
        self.assertOK(self.c.cmd("CREATE " + name))
        for i, m in enumerate(msgs):
            self.append(self.c, name, m, flags=(flags or {}).get(i, ""))
        self.assertOK(self.c.cmd("SELECT " + name))
        self.current = name
        return name

    def fetch(self, what, uid=False):
        r = self.assertOK(self.c.cmd(("UID " if uid else "") + "FETCH " + what))
        return fetches(r)

    def search(self, *parts, uid=False):
        r = self.assertOK(self.c.cmd(*((("UID SEARCH ",) if uid else ("SEARCH ",)) + parts)))
        return search_numbers(r)

    # -- FETCH of the corpus --

    def test_fetch_metadata(self):
        self.examine_corpus()
        got = self.fetch("1:* (UID FLAGS RFC822.SIZE)")
        self.assertEqual(sorted(got), list(range(1, len(CORPUS) + 1)))
        for i, (name, msg) in enumerate(CORPUS):
            with self.subTest(message=name):
                items = got[i + 1]
                self.assertEqual(items["UID"], b"%d" % (i + 1))
                self.assertEqual(items["RFC822.SIZE"], b"%d" % len(msg))
                self.assertEqual(flag_set(items["FLAGS"]), flag_set(CORPUS_FLAGS[i].encode()))
        got = self.fetch("1:* (INTERNALDATE)")
        for i, (name, msg) in enumerate(CORPUS):
            with self.subTest(message=name):
                self.assertEqual(got[i + 1]["INTERNALDATE"], CORPUS_DATES[i].encode())

    def test_fetch_internaldate_syntax(self):
        # RFC 9051 §7.5.2: INTERNALDATE is one quoted date-time; imaplib's
        # parser must understand it.
        self.examine_corpus()
        r = self.assertOK(self.c.cmd("FETCH 1 (INTERNALDATE)"))
        self.assertEqual(r.lines, ['* 1 FETCH (INTERNALDATE "%s")' % CORPUS_DATES[0]])
        t = imaplib.Internaldate2tuple(r.untagged[0])
        self.assertIsNotNone(t, r.untagged[0])
        self.assertEqual(time.strftime("%d-%b-%Y", time.gmtime(time.mktime(t))), CORPUS_DATES[0][:11])

    def test_fetch_envelope(self):
        self.examine_corpus()
        got = self.fetch("1:* ENVELOPE")
        for i, (name, msg) in enumerate(CORPUS):
            with self.subTest(message=name):
                self.assertEqual(decode_words(got[i + 1]["ENVELOPE"].decode()),
                                 decode_words(EXPECTED_ENVELOPE[name]))

    def test_fetch_bodystructure(self):
        self.examine_corpus()
        got = self.fetch("1:* BODYSTRUCTURE")
        for i, (name, msg) in enumerate(CORPUS):
            with self.subTest(message=name):
                bs = got[i + 1]["BODYSTRUCTURE"].decode()
                if name == "noboundary":
                    self.assertRegex(bs, NOBOUNDARY_BODYSTRUCTURE_RE)
                else:
                    self.assertEqual(bs, EXPECTED_BODYSTRUCTURE[name])

    def test_fetch_body_non_extensible(self):
        # BODY is BODYSTRUCTURE without extension data (RFC 9051 §7.5.2).
        self.examine_corpus()
        got = self.fetch("1:3 BODY")
        self.assertEqual(got[1]["BODY"], b'("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 60 2)')
        self.assertEqual(got[3]["BODY"],
                         b'(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 21 1)'
                         b'("APPLICATION" "OCTET-STREAM" ("NAME" "data.bin") NIL NIL "BASE64" 18) "MIXED")')

    def test_fetch_sections(self):
        self.examine_corpus()
        plain = CORPUS[0][1]
        header, _, text = plain.partition(b"\r\n\r\n")
        got = self.fetch("1 (BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[TEXT] BODY.PEEK[1] "
                         "BODY.PEEK[]<0.10> BODY.PEEK[HEADER] BODY.PEEK[])")[1]
        self.assertEqual(got["BODY[HEADER.FIELDS (Subject)]"], b"Subject: plain hello\r\n\r\n")
        self.assertEqual(got["BODY[TEXT]"], text)
        self.assertEqual(got["BODY[1]"], text)  # a non-multipart's part 1 is its body
        self.assertEqual(got["BODY[]<0>"], plain[:10])  # RFC 9051 §6.4.5 partial
        self.assertEqual(got["BODY[HEADER]"], header + b"\r\n\r\n")
        self.assertEqual(got["BODY[]"], plain)
        got = self.fetch("1 (BODY.PEEK[]<%d.1000> BODY.PEEK[]<100000.10>)" % (len(plain) - 5))[1]
        self.assertEqual(got["BODY[]<%d>" % (len(plain) - 5)], plain[-5:])
        self.assertEqual(got["BODY[]<100000>"], b"")
        got = self.fetch("2 (BODY.PEEK[HEADER.FIELDS.NOT (To From Date Message-ID MIME-Version)] "
                         "BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[1.MIME])")[2]
        self.assertEqual(got["BODY[HEADER.FIELDS.NOT (To From Date Message-ID MIME-Version)]"],
                         b'Subject: alternative parts\r\nContent-Type: multipart/alternative; '
                         b'boundary="alt-b"\r\n\r\n')
        self.assertEqual(got["BODY[1]"], b"Caf=C3=A9 plain part\r\n")
        self.assertEqual(got["BODY[2]"], b"<p>Caf&eacute; html part</p>\r\n")
        self.assertEqual(got["BODY[1.MIME]"], b"Content-Type: text/plain; charset=utf-8\r\n"
                                              b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
        # The forwarded message's parts (RFC 9051 §6.4.5: part of a message/rfc822).
        got = self.fetch("6 (BODY.PEEK[2.HEADER.FIELDS (SUBJECT)] BODY.PEEK[2.TEXT] BODY.PEEK[2.1])")[6]
        self.assertEqual(got["BODY[2.HEADER.FIELDS (SUBJECT)]"], b"Subject: inner message\r\n\r\n")
        self.assertEqual(got["BODY[2.TEXT]"], b"Inner body.\r\n")
        self.assertEqual(got["BODY[2.1]"], b"Inner body.\r\n")
        # Malformed messages: the body is still there.
        nob = CORPUS[6][1].partition(b"\r\n\r\n")[2]
        got = self.fetch("7 (BODY.PEEK[TEXT] BODY.PEEK[1])")[7]
        self.assertEqual(got["BODY[TEXT]"], nob)
        self.assertEqual(got["BODY[1]"], nob)
        got = self.fetch("8 (BODY.PEEK[1] BODY.PEEK[2])")[8]
        self.assertEqual((got["BODY[1]"], got["BODY[2]"]),
                         (b"first part\r\n", b"second part, never closed\r\n"))

    def test_fetch_binary(self):
        # RFC 3516: BINARY decodes the transfer encoding.
        self.examine_corpus()
        got = self.fetch("5 (BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[1])")[5]
        self.assertEqual(got["BINARY[1]"], UTF8_BODY.encode())
        self.assertEqual(got["BINARY.SIZE[1]"], b"%d" % len(UTF8_BODY.encode()))
        self.assertEqual(got["BODY[1]"], b64(UTF8_BODY).encode() + b"\r\n")
        r = self.assertOK(self.c.cmd("FETCH 3 (BINARY.PEEK[2] BINARY.SIZE[2])"))
        self.assertIn(b"BINARY[2] ~{10}\r\n", r.untagged[0])  # literal8 for NUL
        got = fetches(r)[3]
        self.assertEqual(got["BINARY[2]"], ATTACH_DATA)
        self.assertEqual(got["BINARY.SIZE[2]"], b"10")
        got = self.fetch("2 (BINARY.PEEK[1])")[2]
        self.assertEqual(got["BINARY[1]"], "Café plain part\r\n".encode())

    def test_fetch_sets_seen(self):
        # RFC 9051 §6.4.5: BODY[...] sets \Seen, BODY.PEEK[...] does not.
        self.mailbox([simple_message(token()) for _ in range(3)])
        got = self.fetch("1:3 (BODY.PEEK[] BODY.PEEK[TEXT] RFC822.HEADER BINARY.PEEK[1])")
        self.assertEqual(len(got), 3)
        self.assertEqual({s: flag_set(v["FLAGS"]) for s, v in self.fetch("1:3 FLAGS").items()},
                         {1: set(), 2: set(), 3: set()})
        r = self.assertOK(self.c.cmd("FETCH 1 BODY[]"))
        # The implicit flag change is reported (in this or an own response).
        self.assertEqual(flag_set(fetches(r)[1]["FLAGS"]), {"\\Seen"})
        self.assertOK(self.c.cmd("FETCH 2 BINARY[1]"))
        self.assertEqual({s: flag_set(v["FLAGS"]) for s, v in self.fetch("1:3 FLAGS").items()},
                         {1: {"\\Seen"}, 2: {"\\Seen"}, 3: set()})
        # EXAMINE: read-only, nothing changes.
        self.examine_corpus()
        self.assertOK(self.c.cmd("FETCH 3 BODY[]"))
        self.assertEqual(flag_set(self.fetch("3 FLAGS")[3]["FLAGS"]), set())

    # -- APPEND --

    def test_append(self):
        tok = token()
        msg = simple_message(tok)
        name = self.mailbox([])
        r = self.assertOK(self.c.cmd("STATUS %s (UIDVALIDITY)" % name))
        uidvalidity = re.search(r"UIDVALIDITY (\d+)", r.lines[0]).group(1)
        r = self.assertOK(self.c.cmd('APPEND %s (\\Flagged Custom) "01-Feb-2026 10:20:30 +0000" ' % name,
                                     msg))
        self.assertEqual(r.tagged.split("]")[0], "OK [APPENDUID %s 1" % uidvalidity)  # RFC 4315
        self.assertOK(self.c.cmd("NOOP"))
        got = self.fetch("1 (UID FLAGS RFC822.SIZE BODY.PEEK[])")[1]
        self.assertEqual(got["UID"], b"1")
        self.assertEqual(flag_set(got["FLAGS"]), {"\\Flagged", "custom"})
        self.assertEqual(got["RFC822.SIZE"], b"%d" % len(msg))
        self.assertEqual(got["BODY[]"], msg)
        # MULTIAPPEND (RFC 3502): one command, several messages, one APPENDUID.
        m2, m3 = simple_message(token()), simple_message(token())
        r = self.assertOK(self.c.cmd("APPEND %s (\\Seen) " % name, m2, " ", m3))
        self.assertEqual(r.tagged.split("]")[0], "OK [APPENDUID %s 2:3" % uidvalidity)
        # The selected mailbox grew: EXISTS with the APPEND or at the next NOOP.
        r2 = self.assertOK(self.c.cmd("NOOP"))
        self.assertIn("* 3 EXISTS", r.lines + r2.lines)

    def test_append_trycreate(self):
        r = self.c.cmd("APPEND NoSuchBox ", simple_message(token()))
        self.assertNO(r, "TRYCREATE")  # RFC 9051 §6.3.12

    def test_append_synchronizing_literal(self):
        msg = simple_message(token())
        name = self.mailbox([])
        r = self.assertOK(self.c.cmd("APPEND %s " % name, msg, sync=True))
        self.assertTrue(r.tagged.startswith("OK [APPENDUID "), r)

    def test_append_too_big(self):
        # RFC 7889: above APPENDLIMIT → NO [TOOBIG], without a continuation.
        c = self.c
        c.send("a1 APPEND INBOX {200000000}\r\n")
        line = c.readline()
        self.assertTrue(line.startswith(b"a1 NO [TOOBIG]"), line)
        self.assertOK(c.cmd("NOOP"))

    # -- STORE --

    def test_store(self):
        self.mailbox([simple_message(token()) for _ in range(3)])
        r = self.assertOK(self.c.cmd("STORE 1 +FLAGS (\\Flagged)"))
        self.assertEqual(flag_set(fetches(r)[1]["FLAGS"]), {"\\Flagged"})
        r = self.assertOK(self.c.cmd("STORE 1:2 +FLAGS ($Important Work)"))
        got = fetches(r)
        self.assertEqual(flag_set(got[1]["FLAGS"]), {"\\Flagged", "$important", "work"})
        self.assertEqual(flag_set(got[2]["FLAGS"]), {"$important", "work"})
        r = self.assertOK(self.c.cmd("STORE 1 -FLAGS (\\Flagged Work)"))
        self.assertEqual(flag_set(fetches(r)[1]["FLAGS"]), {"$important"})
        r = self.assertOK(self.c.cmd("STORE 2 FLAGS (\\Answered \\Draft)"))
        self.assertEqual(flag_set(fetches(r)[2]["FLAGS"]), {"\\Answered", "\\Draft"})
        # .SILENT: no FETCH response (RFC 9051 §6.4.6).
        r = self.assertOK(self.c.cmd("STORE 3 +FLAGS.SILENT (\\Seen)"))
        self.assertEqual(r.untagged, [])
        r = self.assertOK(self.c.cmd("STORE 3 FLAGS.SILENT (\\Deleted)"))
        self.assertEqual(r.untagged, [])
        r = self.assertOK(self.c.cmd("UID STORE 3 -FLAGS (\\Deleted)"))
        self.assertEqual(fetches(r)[3]["UID"], b"3")
        got = {s: flag_set(v["FLAGS"]) for s, v in self.fetch("1:* FLAGS").items()}
        self.assertEqual(got, {1: {"$important"}, 2: {"\\Answered", "\\Draft"}, 3: set()})
        # Read-only mailbox.
        self.examine_corpus()
        self.assertNO(self.c.cmd("STORE 1 +FLAGS (\\Flagged)"))

    # -- SEARCH --

    def test_search_keys(self):
        self.examine_corpus()
        sizes = [len(m) for _, m in CORPUS]
        n = len(CORPUS)
        cases = [
            ("ALL", list(range(1, n + 1))),
            ("SEEN", [1, 2, 8]),
            ("UNSEEN", [3, 4, 5, 6, 7]),
            ("NOT SEEN", [3, 4, 5, 6, 7]),
            ("FLAGGED", [2, 6]),
            ("ANSWERED", [4]),
            ("UNFLAGGED SEEN", [1, 8]),
            ("KEYWORD $Label1", [4]),
            ("UNKEYWORD $Label1", [1, 2, 3, 5, 6, 7, 8]),
            ("OR FLAGGED ANSWERED", [2, 4, 6]),
            ("SUBJECT hello", [1]),
            ("SUBJECT INNER", [6]),
            ("FROM alice", [1, 2, 3]),
            ('FROM "Alice Example"', [1]),
            ("TO carol", [1]),
            ("CC dave", [1]),
            ("HEADER Message-ID m3@", [3]),
            ("HEADER In-Reply-To \"\"", [1]),
            ("TEXT zebra", [1]),
            ("BODY zebra", [1]),
            ("BODY ZEBRA", [1]),
            ("TEXT parts", [2]),      # only in the Subject
            ("BODY parts", []),
            ("BODY \"Inner body\"", [6]),
            ("TEXT inner@example.com", [6]),
            ("LARGER %d" % 400, [i + 1 for i, s in enumerate(sizes) if s > 400]),
            ("SMALLER %d" % 290, [i + 1 for i, s in enumerate(sizes) if s < 290]),
            ("UID 2:4", [2, 3, 4]),
            ("2:4,7", [2, 3, 4, 7]),
            ("UID 6:*", [6, 7, 8]),
            # Internal dates are 02-Dec ... 09-Dec-2026 (RFC 9051 §6.4.4).
            ("SINCE 6-Dec-2026", [5, 6, 7, 8]),
            ("BEFORE 4-Dec-2026", [1, 2]),
            ("ON 4-Dec-2026", [3]),
            ("NOT OR SEEN FLAGGED", [3, 4, 5, 7]),
            ("OR (SEEN FLAGGED) ANSWERED", [2, 4]),
        ]
        for key, want in cases:
            with self.subTest(key=key):
                self.assertEqual(self.search(key), want)

    def test_search_sent_dates(self):
        # RFC 9051 §6.4.4: SENTBEFORE/SENTON/SENTSINCE use the Date: header
        # (without time and zone), not the internal date.
        self.examine_corpus()
        self.assertEqual(self.search("SENTSINCE 30-Nov-2026"), [6, 7, 8])
        self.assertEqual(self.search("SENTBEFORE 26-Nov-2026"), [1])
        self.assertEqual(self.search("SENTON 26-Nov-2026"), [2])

    def test_search_charset_utf8(self):
        # Text search in decoded headers and bodies.
        self.examine_corpus()
        cases = [("BODY", "Köln", [4]),              # 8-bit latin-1 body
                 ("SUBJECT", "München", [5]),        # RFC 2047 subject
                 ("FROM", "Jörg", [4]),              # RFC 2047 display name
                 ("BODY", "Schöne", [5]),            # base64 body
                 ("BODY", "Café", [2]),              # quoted-printable part
                 ("TEXT", "grüße", [4, 5])]          # case-insensitive
        for key, value, want in cases:
            with self.subTest(key=key, value=value):
                self.assertEqual(self.search("CHARSET UTF-8 %s " % key, value.encode()), want)
        r = self.assertNO(self.c.cmd("SEARCH CHARSET X-UNKNOWN BODY x"))
        self.assertTrue(r.tagged.startswith("NO [BADCHARSET"), r)  # RFC 9051 §7.1

    def test_uid_search(self):
        self.mailbox([simple_message(token(), subject="first"), simple_message(token()),
                      simple_message(token(), subject="third")])
        self.assertOK(self.c.cmd("STORE 1 +FLAGS (\\Deleted)"))
        self.assertOK(self.c.cmd("EXPUNGE"))
        self.assertEqual(self.search("SUBJECT third"), [2])
        self.assertEqual(self.search("SUBJECT third", uid=True), [3])
        self.assertEqual(self.search("ALL", uid=True), [2, 3])

    def test_esearch(self):
        # RFC 4731.
        self.examine_corpus()
        r = self.assertOK(self.c.cmd("SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN"))
        e = esearch(r)
        self.assertEqual(e["TAG"], r.tag)
        self.assertEqual((e["MIN"], e["MAX"], e["COUNT"], seqset(e["ALL"])), ("3", "7", "5", [3, 4, 5, 6, 7]))
        self.assertNotIn("UID", e)
        e = esearch(self.assertOK(self.c.cmd("SEARCH RETURN () FLAGGED")))
        self.assertEqual(seqset(e["ALL"]), [2, 6])
        e = esearch(self.assertOK(self.c.cmd("UID SEARCH RETURN (COUNT) ALL")))
        self.assertEqual((e["COUNT"], e.get("UID")), (str(len(CORPUS)), True))
        e = esearch(self.assertOK(self.c.cmd("SEARCH RETURN (MIN MAX COUNT) SUBJECT nothing-like-this")))
        self.assertEqual(e.get("COUNT"), "0")
        self.assertNotIn("MIN", e)

    def test_searchres(self):
        # RFC 5182: RETURN (SAVE) stores the result as "$".
        self.examine_corpus()
        r = self.assertOK(self.c.cmd("SEARCH RETURN (SAVE) FLAGGED"))
        self.assertEqual([x for x in r.lines if "SEARCH" in x], [])  # SAVE alone: no response
        got = self.fetch("$ (UID)")
        self.assertEqual(sorted(got), [2, 6])
        self.assertEqual(self.search("$ SEEN"), [2])
        e = esearch(self.assertOK(self.c.cmd("SEARCH RETURN (SAVE COUNT) FROM alice")))
        self.assertEqual(e["COUNT"], "3")
        self.assertEqual(sorted(self.fetch("$ (UID)", uid=True)), [1, 2, 3])

    # -- COPY, MOVE, EXPUNGE --

    def test_copy(self):
        c = self.c
        src = self.mailbox([simple_message(token()) for _ in range(3)], flags={1: "(\\Flagged)"})
        dst = "dst-" + token()
        self.assertOK(c.cmd("CREATE " + dst))
        st = self.assertOK(c.cmd("STATUS %s (UIDVALIDITY)" % dst))
        v = re.search(r"UIDVALIDITY (\d+)", st.lines[0]).group(1)
        r = self.assertOK(c.cmd("COPY 2:3 " + dst))
        self.assertEqual(r.tagged.split("]")[0], "OK [COPYUID %s 2:3 1:2" % v)  # RFC 4315
        r = self.assertOK(c.cmd("UID COPY 1 " + dst))
        self.assertEqual(r.tagged.split("]")[0], "OK [COPYUID %s 1 3" % v)
        self.assertNO(c.cmd("COPY 1 NoSuchBox"), "TRYCREATE")
        r = self.assertOK(c.cmd("STATUS %s (MESSAGES)" % src))
        self.assertEqual(r.lines, ["* STATUS %s (MESSAGES 3)" % src])
        self.assertOK(c.cmd("SELECT " + dst))
        got = self.fetch("1:* (UID FLAGS)")
        self.assertEqual([(s, v["UID"], flag_set(v["FLAGS"])) for s, v in sorted(got.items())],
                         [(1, b"1", {"\\Flagged"}), (2, b"2", set()), (3, b"3", set())])

    def test_move(self):
        # RFC 6851: untagged OK [COPYUID], then an EXPUNGE per message.
        c = self.c
        self.mailbox([simple_message(token()) for _ in range(4)])
        dst = "dst-" + token()
        self.assertOK(c.cmd("CREATE " + dst))
        r = self.assertOK(c.cmd("UID MOVE 2:3 " + dst))
        self.assertRegex(r.lines[0], r"\A\* OK \[COPYUID \d+ 2:3 1:2\]")
        self.assertEqual(r.lines[1:], ["* 2 EXPUNGE", "* 2 EXPUNGE"])
        r = self.assertOK(c.cmd("MOVE 2 " + dst))  # the former 4
        self.assertRegex(r.lines[0], r"\A\* OK \[COPYUID \d+ 4 3\]")
        self.assertEqual(r.lines[1:], ["* 2 EXPUNGE"])
        self.assertEqual([v["UID"] for _, v in sorted(self.fetch("1:* UID").items())], [b"1"])
        self.assertNO(c.cmd("MOVE 1 NoSuchBox"), "TRYCREATE")
        r = self.assertOK(c.cmd("STATUS %s (MESSAGES UIDNEXT)" % dst))
        self.assertEqual(r.lines, ["* STATUS %s (MESSAGES 3 UIDNEXT 4)" % dst])

    def test_expunge(self):
        c = self.c
        self.mailbox([simple_message(token()) for _ in range(6)])
        self.assertOK(c.cmd("STORE 2,4 +FLAGS.SILENT (\\Deleted)"))
        r = self.assertOK(c.cmd("EXPUNGE"))
        self.assertEqual(r.lines, ["* 2 EXPUNGE", "* 3 EXPUNGE"])  # RFC 9051 §7.5.1
        # UID EXPUNGE (RFC 4315 §2.1) only expunges the given UIDs.
        self.assertOK(c.cmd("UID STORE 1,3 +FLAGS.SILENT (\\Deleted)"))
        r = self.assertOK(c.cmd("UID EXPUNGE 3"))
        self.assertEqual(r.lines, ["* 2 EXPUNGE"])
        self.assertEqual([v["UID"] for _, v in sorted(self.fetch("1:* UID").items())], [b"1", b"5", b"6"])
        # UNSELECT does not expunge (RFC 3691); CLOSE does (test_close_expunges).
        self.assertOK(c.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)"))
        r = self.assertOK(c.cmd("UNSELECT"))
        self.assertEqual(r.untagged, [])
        self.assertBAD(c.cmd("FETCH 1 UID"))  # no mailbox selected
        r = self.assertOK(c.cmd("STATUS %s (MESSAGES DELETED)" % self.current))
        self.assertEqual(r.lines, ["* STATUS %s (MESSAGES 3 DELETED 2)" % self.current])

    def test_close_expunges(self):
        c = self.c
        name = self.mailbox([simple_message(token()) for _ in range(3)])
        self.assertOK(c.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)"))
        r = self.assertOK(c.cmd("CLOSE"))
        self.assertEqual(r.untagged, [])
        r = self.assertOK(c.cmd("STATUS %s (MESSAGES)" % name))
        self.assertEqual(r.lines, ["* STATUS %s (MESSAGES 2)" % name])
        self.assertBAD(c.cmd("FETCH 1 UID"))

    # -- CONDSTORE (RFC 7162) --

    def test_condstore(self):
        c = self.c
        name = self.mailbox([simple_message(token()) for _ in range(3)])
        r = self.assertOK(c.cmd("SELECT %s (CONDSTORE)" % name))
        hm = [int(m.group(1)) for m in (re.match(r"\* OK \[HIGHESTMODSEQ (\d+)\]", x) for x in r.lines) if m]
        self.assertEqual(len(hm), 1, r)
        highest = hm[0]
        got = self.fetch("1:* (MODSEQ)")
        modseqs = {s: int(v["MODSEQ"].strip(b"()")) for s, v in got.items()}
        self.assertTrue(all(0 < m <= highest for m in modseqs.values()), (modseqs, highest))
        # Another session changes message 2.
        other = self.imap(self.port, login=self.admin)
        self.assertOK(other.cmd("SELECT " + name))
        self.assertOK(other.cmd("STORE 2 +FLAGS (\\Answered)"))
        # STORE UNCHANGEDSINCE (RFC 7162 §3.1.3): 2 changed meanwhile → MODIFIED.
        r = self.assertOK(c.cmd("STORE 1:2 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % highest))
        self.assertRegex(r.tagged, r"\AOK \[MODIFIED 2\] ")
        got = fetches(r)
        self.assertIn(1, got)
        self.assertEqual(flag_set(got[1]["FLAGS"]), {"\\Flagged"})
        self.assertGreater(int(got[1]["MODSEQ"].strip(b"()")), highest)
        # FETCH CHANGEDSINCE (RFC 7162 §3.1.4.1): only 1 and 2 changed; MODSEQ
        # is implied.
        got = self.fetch("1:* (FLAGS) (CHANGEDSINCE %d)" % highest)
        self.assertEqual(sorted(got), [1, 2])
        for s in (1, 2):
            self.assertIn("MODSEQ", got[s], "CHANGEDSINCE must imply MODSEQ: %r" % got[s])
        self.assertEqual(flag_set(got[2]["FLAGS"]), {"\\Answered"})
        # HIGHESTMODSEQ grows in STATUS.
        # (STATUS HIGHESTMODSEQ enables CONDSTORE in `other`, RFC 7162 §3.1,
        # which sends an untagged OK [HIGHESTMODSEQ] first.)
        r = self.assertOK(other.cmd("STATUS %s (HIGHESTMODSEQ)" % name))
        status = [x for x in r.lines if x.startswith("* STATUS ")][0]
        self.assertGreater(int(re.search(r"HIGHESTMODSEQ (\d+)", status).group(1)), highest)
        # SEARCH MODSEQ (RFC 7162 §3.1.5).
        r = self.assertOK(c.cmd("SEARCH MODSEQ %d" % (highest + 1)))
        self.assertRegex(r.lines[-1], r"\A\* SEARCH 1 2 \(MODSEQ \d+\)\Z")

    def test_qresync(self):
        # RFC 7162 §3.2: ENABLE QRESYNC, then SELECT with the known state gets
        # VANISHED (EARLIER) for what was expunged meanwhile.
        c = self.c
        name = self.mailbox([simple_message(token()) for _ in range(3)])
        r = self.assertOK(c.cmd("STATUS %s (UIDVALIDITY HIGHESTMODSEQ)" % name))
        status = [x for x in r.lines if x.startswith("* STATUS ")][0]
        v, hm = re.search(r"UIDVALIDITY (\d+) HIGHESTMODSEQ (\d+)", status).groups()
        self.assertOK(c.cmd("UNSELECT"))
        r = self.assertOK(c.cmd("ENABLE QRESYNC"))
        self.assertIn("* ENABLED QRESYNC", r.lines)
        other = self.imap(self.port, login=self.admin)
        self.assertOK(other.cmd("SELECT " + name))
        self.assertOK(other.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)"))
        self.assertOK(other.cmd("EXPUNGE"))
        r = self.assertOK(c.cmd("SELECT %s (QRESYNC (%s %s))" % (name, v, hm)))
        self.assertIn("* VANISHED (EARLIER) 2", r.lines)

    # -- the text index --

    INDEX_MSGS = [
        # quoted-printable UTF-8 body, RFC 2047 subject
        crlf("From: =?utf-8?q?J=C3=B6rg?= <joerg@example.de>\n"
             "Subject: =?utf-8?q?Stra=C3=9Fenbahn?=\n"
             "MIME-Version: 1.0\n"
             "Content-Type: text/plain; charset=utf-8\n"
             "Content-Transfer-Encoding: quoted-printable\n\n"
             "Die Stra=C3=9Fenbahn f=C3=A4hrt nach Gr=C3=BCnau =E2=80=93 =CE=B1=CE=B2=CE=B3.\n"),
        # base64 latin-1 text part next to a base64 attachment
        crlf("From: bob@example.org\n"
             "Subject: x\n"
             "MIME-Version: 1.0\n"
             "Content-Type: multipart/mixed; boundary=zz\n\n"
             "--zz\n"
             "Content-Type: text/plain; charset=iso-8859-1\n"
             "Content-Transfer-Encoding: base64\n\n"
             + b64("Äpfel und Birnen aus Köln".encode("latin-1")) + "\n"
             "--zz\n"
             "Content-Type: application/octet-stream\n"
             "Content-Transfer-Encoding: base64\n\n"
             + b64(b"hiddenword in an attachment") + "\n"
             "--zz--\n"),
        crlf("From: carol@example.net\nSubject: ok\n\nplain ascii text, Q\n"),
    ]

    def test_search_text_index(self):
        # 3+ characters: the trigram index; shorter: a scan of the stored
        # text; both on decoded text, case-insensitively (RFC 9051 §6.4.4).
        self.mailbox(self.INDEX_MSGS)
        cases = [("BODY", "straßenbahn", [1]),      # quoted-printable, folded
                 ("BODY", "STRASSENBAHN", []),      # no ß → ss folding
                 ("BODY", "ΑΒΓ", [1]),              # Greek, folded
                 ("BODY", "–", [1]),                # one character: scan
                 ("BODY", "ÄPFEL", [2]),            # base64 latin-1
                 ("BODY", "köln", [2]),
                 ("BODY", "hiddenword", []),        # attachments are not text
                 ("BODY", "ö", [2]),                # scan, folded
                 ("BODY", "Ö", [2]),
                 ("SUBJECT", "ok", [3]),            # 2 characters: scan
                 ("SUBJECT", "STRASSE", []),
                 ("SUBJECT", "straße", [1]),        # RFC 2047 decoded
                 ("FROM", "jö", [1]),
                 ("FROM", "JÖRG", [1]),
                 ("TEXT", "q", [1, 3]),             # "Q" in the body of 3, "q" in 1's header
                 ("TEXT", "example", [1, 2, 3]),
                 ("TEXT", "Grünau", [1]),
                 ("NOT BODY", "a", [])]
        for key, value, want in cases:
            with self.subTest(key=key, value=value):
                self.assertEqual(self.search("CHARSET UTF-8 %s " % key, value.encode()), want)

    def test_index_backfill_and_fetch_forms(self):
        # Messages stored before the index (migration 4) have no parsed forms;
        # FETCH and SEARCH parse them on first use, with the same output.
        name = self.mailbox(self.INDEX_MSGS)
        what = "1:* (ENVELOPE BODYSTRUCTURE BODY)"
        before = self.assertOK(self.c.cmd("FETCH " + what)).untagged
        before2 = self.assertOK(self.c.cmd("FETCH 2 (BODYSTRUCTURE)")).untagged
        account = next(a for a in self.env.accounts() if ADMIN in self.env.destinations(a))
        db = self.env.account_db(account)
        self.addCleanup(db.close)
        ids = "SELECT m.ID FROM Message m JOIN Mailbox b ON b.ID = m.MailboxID WHERE b.Name = ?"

        def count(sql):
            return db.execute(sql % ids, (name,)).fetchone()[0]
        self.assertEqual(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1 AND ID IN (%s)"), 3)
        self.assertEqual(count("SELECT COUNT(*) FROM MessageText WHERE rowid IN (%s)"), 3)
        db.execute("UPDATE Message SET Parsed = 0, ImapEnvelope = NULL, ImapBodyStructure = NULL, "
                   "ImapBody = NULL WHERE ID IN (%s)" % ids, (name,))
        db.execute("DELETE FROM MessageText WHERE rowid IN (%s)" % ids, (name,))
        self.assertEqual(self.assertOK(self.c.cmd("FETCH 2 (BODYSTRUCTURE)")).untagged, before2)
        self.assertEqual(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1 AND ID IN (%s)"), 1)
        self.assertEqual(self.search("CHARSET UTF-8 BODY ", "straßenbahn".encode()), [1])  # parses 1, 3
        self.assertEqual(count("SELECT COUNT(*) FROM Message WHERE Parsed = 1 AND ID IN (%s)"), 3)
        self.assertEqual(self.assertOK(self.c.cmd("FETCH " + what)).untagged, before)
        # Expunge removes the index rows with the message's.
        self.assertOK(self.c.cmd("STORE 1:2 +FLAGS.SILENT (\\Deleted)"))
        self.assertOK(self.c.cmd("EXPUNGE"))
        self.assertEqual(count("SELECT COUNT(*) FROM MessageText WHERE rowid IN (%s)"), 1)
        self.assertEqual(self.search("TEXT example"), [1])

    # -- imaplib as a real client --

    def test_imaplib_session(self):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        self.addCleanup(close_imaplib, m)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        self.assertEqual(m.login(*self.admin)[0], "OK")
        name = "lib-" + token()
        self.assertEqual(m.create(name)[0], "OK")
        tok = token()
        msg = simple_message(tok, subject="imaplib " + tok)
        typ, data = m.append(name, "(\\Flagged)", imaplib.Time2Internaldate(1795000000), msg)
        self.assertEqual(typ, "OK", data)
        typ, data = m.select(name)
        self.assertEqual((typ, data), ("OK", [b"1"]))
        typ, data = m.search(None, "SUBJECT", '"imaplib %s"' % tok)
        self.assertEqual((typ, data), ("OK", [b"1"]))
        typ, data = m.uid("FETCH", "1", "(UID RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], msg)
        self.assertIn(b"RFC822.SIZE %d" % len(msg), data[0][0])
        typ, data = m.store("1", "+FLAGS", "(\\Seen)")
        self.assertEqual(typ, "OK")
        typ, data = m.fetch("1", "(FLAGS)")
        # The session that selected the mailbox first has the message as recent.
        self.assertEqual(set(imaplib.ParseFlags(data[0])), {b"\\Recent", b"\\Seen", b"\\Flagged"})
        self.assertEqual(m.close()[0], "OK")
        self.assertEqual(m.logout()[0], "BYE")


# ---------------------------------------------------------------------------

class ConcurrencyTest(Base):
    """IDLE woken by other processes; concurrent sessions; account removal.
    The IMAP server runs under inetd (one process per connection), so every
    update crosses processes (change notification: docs/DESIGN.md "Shared
    state between processes")."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        cls.admin = (ADMIN, env.password)
        cls.srv = cls.start(env, how="inetd")
        cls.port = cls.srv.port
        cls.smtp = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"], how="listen", env=SERVER_ENV).start()

    def idle(self, c):
        self.assertOK(c.cmd("NOOP"))  # take pending updates first
        tag = c.next_tag()
        c.send(tag + " IDLE\r\n")
        line = c.readline()
        self.assertTrue(line.startswith(b"+ "), line)
        return tag

    def wait_for(self, c, pattern, timeout=5):
        """Reads untagged responses until one matches; returns (line, seconds)."""
        start = time.monotonic()
        c.sock.settimeout(timeout)
        seen = []
        while True:
            try:
                line = c.response()
            except (socket.timeout, TimeoutError):
                raise AssertionError("no %r within %ss, got %r" % (pattern, timeout, seen))
            seen.append(line)
            if re.search(pattern, line):
                return line, time.monotonic() - start

    def done(self, c, tag):
        c.send("DONE\r\n")
        r = c._finish(tag, [])
        self.assertEqual(r.status, "OK", r)
        c.sock.settimeout(20)
        return r

    def mailbox(self, c, n):
        name = "cc-" + token()
        self.assertOK(c.cmd("CREATE " + name))
        for _ in range(n):
            self.append(c, name, simple_message(token()))
        self.assertOK(c.cmd("SELECT " + name))
        return name

    def test_idle_append_flags_expunge(self):
        a = self.imap(self.port, login=self.admin)
        b = self.imap(self.port, login=self.admin)
        name = self.mailbox(a, 2)
        self.assertOK(b.cmd("SELECT " + name))
        tag = self.idle(a)
        # A message appended by another session: EXISTS.
        self.append(b, name, simple_message(token()))
        line, took = self.wait_for(a, rb"\A\* 3 EXISTS\Z")
        self.assertLess(took, IDLE_MAX_DELAY)
        # Flags changed by another session: FETCH with the new flags.
        self.assertOK(b.cmd("NOOP"))
        self.assertOK(b.cmd("STORE 1 +FLAGS (\\Flagged)"))
        line, took = self.wait_for(a, rb"\A\* 1 FETCH \(")
        self.assertLess(took, IDLE_MAX_DELAY)
        self.assertEqual(flag_set(parse_fetch(line)[1]["FLAGS"]), {"\\Flagged"})
        # An expunge by another session: EXPUNGE.
        self.assertOK(b.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)"))
        self.assertOK(b.cmd("EXPUNGE"))
        line, took = self.wait_for(a, rb"\A\* 2 EXPUNGE\Z")
        self.assertLess(took, IDLE_MAX_DELAY)
        self.done(a, tag)
        got = fetches(self.assertOK(a.cmd("FETCH 1:* (UID)")))
        self.assertEqual(sorted(got), [1, 2])

    def test_idle_smtp_delivery(self):
        # IDLE woken by a delivery through mox-smtpd within 1 s.
        a = self.imap(self.port, login=self.admin)
        r = self.assertOK(a.cmd("SELECT INBOX"))
        exists = [int(x.split()[1]) for x in r.lines if x.endswith(" EXISTS")][0]
        tag = self.idle(a)
        tok = token()
        with smtplib.SMTP("127.0.0.1", self.smtp.port, local_hostname="client.example", timeout=30) as s:
            s.sendmail("sender@remote.example", [ADMIN], simple_message(tok))
            delivered = time.monotonic()
        line, _ = self.wait_for(a, rb"\A\* %d EXISTS\Z" % (exists + 1))
        took = time.monotonic() - delivered
        self.assertLess(took, IDLE_MAX_DELAY, "EXISTS after %.3fs" % took)
        self.done(a, tag)
        got = self.assertOK(a.cmd("FETCH %d (BODY.PEEK[HEADER.FIELDS (Subject)])" % (exists + 1)))
        self.assertIn(("Subject: test " + tok).encode(), got.untagged[0])

    def test_search_finds_smtp_deliveries_at_once(self):
        # mox-smtpd indexes the search text behind its replies (store/shared.h):
        # a SEARCH right after the deliveries indexes what is still waiting,
        # and the index ends up complete without any search.
        a = self.imap(self.port, login=self.admin)
        toks = [token() for _ in range(20)]
        with smtplib.SMTP("127.0.0.1", self.smtp.port, local_hostname="client.example", timeout=30) as s:
            for tok in toks:
                s.sendmail("sender@remote.example", [ADMIN], simple_message(tok, body="body words " + tok))
        self.assertOK(a.cmd("SELECT INBOX"))
        for tok in (toks[0], toks[-1]):
            r = self.assertOK(a.cmd("SEARCH BODY " + tok))
            self.assertEqual(len(search_numbers(r)), 1, r)
        r = self.assertOK(a.cmd("UID SEARCH TEXT words"))
        self.assertGreaterEqual(len(search_numbers(r)), 20)
        for tok in toks[5:10]:  # in the full-text table (rows there are indexed)
            self.assertEqual(self.env.query(("accounts", "admin", "index.db"),
                                            "SELECT COUNT(*) FROM MessageText WHERE instr(Body, ?) > 0",
                                            (tok,))[0][0], 1)
        conn = self.env.account_db("admin")
        for _ in range(100):
            left = conn.execute("SELECT COUNT(*) FROM Message WHERE Parsed = 0 AND Expunged = 0").fetchone()[0]
            if left == 0:
                break
            time.sleep(0.05)
        self.assertEqual(left, 0)

    def test_concurrent_expunge(self):
        # Expunges by another session are announced, not silently
        # renumbered: not during FETCH/STORE/SEARCH (RFC 9051 §7.5.1), at NOOP.
        a = self.imap(self.port, login=self.admin)
        b = self.imap(self.port, login=self.admin)
        name = self.mailbox(a, 3)
        self.assertOK(b.cmd("SELECT " + name))
        self.assertOK(b.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)"))
        r = self.assertOK(b.cmd("EXPUNGE"))
        self.assertEqual(r.lines, ["* 1 EXPUNGE"])
        time.sleep(0.1)
        r = self.assertOK(a.cmd("FETCH 2:3 (UID)"))
        self.assertFalse([x for x in r.lines if "EXPUNGE" in x], r)
        self.assertEqual({s: v["UID"] for s, v in fetches(r).items()}, {2: b"2", 3: b"3"})
        r = self.assertOK(a.cmd("SEARCH UID 3"))
        self.assertFalse([x for x in r.lines if "EXPUNGE" in x], r)
        self.assertEqual(search_numbers(r), [3])  # still the old numbering
        r = self.assertOK(a.cmd("NOOP"))
        self.assertIn("* 1 EXPUNGE", r.lines)
        self.assertEqual({s: v["UID"] for s, v in self.fetch_all(a).items()}, {1: b"2", 2: b"3"})
        # UID commands may get EXPUNGE responses at once.
        self.assertOK(b.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)"))
        self.assertOK(b.cmd("EXPUNGE"))
        time.sleep(0.1)
        r = self.assertOK(a.cmd("UID FETCH 1:* (FLAGS)"))
        r2 = self.assertOK(a.cmd("NOOP"))
        self.assertEqual(len([x for x in r.lines + r2.lines if x == "* 1 EXPUNGE"]), 1, (r, r2))

    def fetch_all(self, c):
        return fetches(self.assertOK(c.cmd("FETCH 1:* (UID)")))

    def test_account_removed_ends_session(self):
        env = self.env
        env.config("account", "add", "temp", "temp@" + D)
        env.config("account", "password", "temp", input="temp-Secret-pw-1\n")
        a = self.imap(self.port, login=("temp@" + D, "temp-Secret-pw-1"))
        self.assertOK(a.cmd("SELECT INBOX"))
        env.config("account", "rm", "temp")
        a.send("x1 NOOP\r\n")
        line = a.readline()
        self.assertTrue(line.startswith(b"* BYE "), line)
        self.assertIn(b"removed", line)
        self.assertTrue(a.closed()[0])
        # And the account cannot log in any more.
        b = self.imap(self.port)
        self.assertNO(b.login("temp@" + D, "temp-Secret-pw-1"), "AUTHENTICATIONFAILED")

    def test_login_disabled_ends_session(self):
        env = self.env
        env.config("account", "add", "temp2", "temp2@" + D)
        env.config("account", "password", "temp2", input="temp2-Secret-pw-1\n")
        a = self.imap(self.port, login=("temp2@" + D, "temp2-Secret-pw-1"))
        self.assertOK(a.cmd("LIST \"\" INBOX"))
        env.config("account", "disable", "temp2", "moved to another server")
        a.send("x1 LIST \"\" INBOX\r\n")
        self.assertEqual(a.readline(), b"* BYE login disabled for account: moved to another server\r\n")
        self.assertTrue(a.closed()[0])


# ---------------------------------------------------------------------------

class ProtocolTest(Base):
    """Syntax errors, limits, literals."""

    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        cls.admin = (ADMIN, env.password)
        cls.srv = cls.start(env)
        cls.port = cls.srv.port

    def test_bad_syntax_survives(self):
        c = self.imap(self.port, login=self.admin)
        for bad in ("FROBNICATE", "SELECT", "FETCH", "NOOP extra", "FETCH 1:* (BOGUS)",
                    "SEARCH UNKNOWNKEY", "LIST \"\"", "STORE 1 +FLAGS", "UID NOPE 1"):
            with self.subTest(command=bad):
                self.assertBAD(c.cmd(bad))
        self.assertOK(c.cmd("NOOP"))
        self.assertOK(c.cmd("SELECT INBOX"))
        self.assertBAD(c.cmd("FETCH x (UID)"))
        self.assertOK(c.cmd("NOOP"))
        # A line without a tag.
        c.send("\r\n")
        self.assertTrue(c.readline().startswith(b"* BAD"))
        self.assertOK(c.cmd("NOOP"))

    def test_too_many_bad_commands(self):
        c = self.imap(self.port, login=self.admin)
        for i in range(19):
            self.assertBAD(c.cmd("FROBNICATE %d" % i))
        self.assertOK(c.cmd("NOOP"))
        c.send("z BOGUS\r\n")
        got = c.readline() + c.readline()
        self.assertIn(b"z BAD ", got)
        self.assertIn(b"* BYE ", got)
        self.assertTrue(c.closed()[0])

    def test_line_too_long(self):
        c = self.imap(self.port, login=self.admin)
        r = c.cmd("NOOP " + "x" * 70000)
        self.assertBAD(r)
        self.assertOK(c.cmd("NOOP"))

    def test_bare_lf(self):
        c = self.imap(self.port, login=self.admin)
        # RFC 9051 §2.2: lines end in CRLF; a bare-LF line is refused, not run.
        c.send("a1 NOOP\n")
        r = self.assertOK(c.cmd("NOOP"))
        self.assertEqual([x.split(" ", 2)[:2] for x in r.lines], [["a1", "BAD"]])

    def test_literals(self):
        c = self.imap(self.port, login=self.admin)
        name = "lit-" + token()
        # Synchronizing literal: "+" continuation before the octets (RFC 9051 §4.3).
        c.send("a1 CREATE {%d}\r\n" % len(name))
        line = c.readline()
        self.assertTrue(line.startswith(b"+ "), line)
        c.send(name + "\r\n")
        self.assertEqual(c.readline(), b"a1 OK create done\r\n")
        # LITERAL+ (RFC 7888): no continuation; the answer is the tagged OK.
        msg = simple_message(token())
        c.send(b"a2 APPEND " + name.encode() + b" {%d+}\r\n" % len(msg) + msg + b"\r\n")
        line = c.readline()
        self.assertTrue(line.startswith(b"a2 OK [APPENDUID "), line)
        c.send(b"a3 STATUS {%d+}\r\n%s (MESSAGES)\r\n" % (len(name), name.encode()))
        self.assertEqual(c.readline(), b"* STATUS %s (MESSAGES 1)\r\n" % name.encode())
        self.assertEqual(c.readline(), b"a3 OK status done\r\n")
        # A literal where a literal is not allowed is BAD, and the octets of a
        # non-synchronizing literal are not run as a command.
        c.send(b"a4 NOOP {9+}\r\na5 NOOP\r\n\r\n")
        r = self.assertOK(c.cmd("NOOP"))
        self.assertEqual([x.split(" ", 2)[:2] for x in r.lines], [["a4", "BAD"]])

    def test_id_enable_unselect(self):
        c = self.imap(self.port, starttls=False)
        r = self.assertOK(c.cmd('ID ("name" "e2e")'))  # RFC 2971, allowed before login
        self.assertEqual(r.lines, ['* ID ("name" "mox")'])
        c.starttls()
        self.assertOK(c.login(*self.admin))
        r = self.assertOK(c.cmd("ENABLE CONDSTORE"))  # RFC 5161
        self.assertEqual(r.lines, ["* ENABLED CONDSTORE"])
        r = self.assertOK(c.cmd("SELECT INBOX"))
        self.assertTrue([x for x in r.lines if x.startswith("* OK [HIGHESTMODSEQ ")], r)
        self.assertOK(c.cmd("UNSELECT"))  # RFC 3691
        self.assertBAD(c.cmd("FETCH 1 UID"))
        r = self.assertOK(c.cmd("LOGOUT"))
        self.assertTrue(r.lines[0].startswith("* BYE"), r)


# ---------------------------------------------------------------------------

class RunModesTest(Base):
    """The same session under each way of running (docs/DESIGN.md "Process
    model"), and with curl."""

    @classmethod
    def setUpClass(cls):
        cls.env = cls.make_env()
        cls.admin = (ADMIN, cls.env.password)

    def session(self, port, tls=False):
        c = self.imap(port, tls=tls, login=self.admin)
        tok = token()
        msg = simple_message(tok)
        uid = self.append(c, "INBOX", msg)
        self.assertOK(c.cmd("SELECT INBOX"))
        r = self.assertOK(c.cmd("UID FETCH %d (BODY.PEEK[])" % uid))
        self.assertEqual(list(fetches(r).values())[0]["BODY[]"], msg)
        r = self.assertOK(c.cmd("LOGOUT"))
        self.assertTrue(r.lines[0].startswith("* BYE"), r)
        self.assertTrue(c.closed()[0])

    def test_each_mode(self):
        for how in ("listen", "inetd", "accept", "listenfds"):
            for tls in (False, True):
                with self.subTest(how=how, tls=tls):
                    args = ["--tls"] if tls else []
                    srv = self.start(self.env, *args, how=how, tls=tls)
                    try:
                        self.session(srv.port, tls=tls)
                        # Two sessions at once.
                        a = self.imap(srv.port, tls=tls, login=self.admin)
                        b = self.imap(srv.port, tls=tls, login=self.admin)
                        self.assertOK(a.cmd("SELECT INBOX"))
                        self.assertOK(b.cmd("SELECT INBOX"))
                        a.close()
                        b.close()
                    finally:
                        srv.stop()

    def test_curl(self):
        srv = self.start(self.env)
        c = self.imap(srv.port, login=self.admin)
        name = "curl" + token()
        self.assertOK(c.cmd("CREATE " + name))
        msgs = [simple_message(token()) for _ in range(2)]
        for m in msgs:
            self.append(c, name, m)
        base = "imap://127.0.0.1:%d/" % srv.port
        user = "%s:%s" % self.admin

        def curl(url, *extra):
            p = subprocess.run(["curl", "-sS", "-k", "--ssl-reqd", "--max-time", "30", "-u", user]
                               + list(extra) + [url], capture_output=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            return p.stdout
        # The mailbox list, the messages of one mailbox (SEARCH ALL), one message.
        out = curl(base)
        self.assertIn(b'"/" ' + name.encode(), out)
        self.assertIn(b'"/" INBOX', out)
        out = curl(base + name + "?ALL")
        self.assertEqual(out.strip(), b"* SEARCH 1 2")
        self.assertEqual(curl(base + name + ";UID=2"), msgs[1])
        # Implicit TLS.
        imaps = self.start(self.env, "--tls", tls=True)
        out = subprocess.run(["curl", "-sS", "-k", "--max-time", "30", "-u", user,
                              "imaps://127.0.0.1:%d/%s;UID=1" % (imaps.port, name)],
                             capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, msgs[0])


if __name__ == "__main__":
    unittest.main()
