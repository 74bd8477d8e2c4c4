"""End-to-end tests of `mox-config import` and `mox-config export` with real
mail files, compared over IMAP (imaplib) as a mail client sees them:

  - a Maildir written by Debian's Dovecot itself (doveadm with a throwaway
    dovecot.conf, no daemons: its own file names, dovecot-keywords,
    dovecot-uidlist, Maildir++ subfolders), imported with --recursive and
    compared message by message with what Dovecot serves over IMAP
    (`doveadm exec imap`): bytes, flags and keywords, INTERNALDATE, the
    mailbox hierarchy;
  - mbox files as Thunderbird writes them (X-Mozilla-Status, -Status2,
    -Keys), as mutt writes them (Status:, X-Status:), and one of each
    variant mboxo, mboxrd, mboxcl, mboxcl2, plus .gz and .zst: each is
    imported, exported as maildir and as mbox, the exports imported into two
    other accounts, and all three compared;
  - Maildir -> import -> export maildir -> the two Maildirs compared;
  - bad input (a truncated mbox.gz, a file that is not mail, a Maildir with
    a file that cannot be read): exit 1, one line on stderr naming the file,
    the target mailbox unchanged.

The import and export behaviour is in mox-config(8) "import" and "export".
Run by hand: /usr/bin/python3 tests/e2e/test_import_roundtrip.py -v
"""

import datetime
import gzip
import hashlib
import imaplib
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN
SERVER_ENV = {"MOX_ALLOW_ROOT": "1", "MOX_TEST_AUTH_DELAY_MS": "1"}
USERS = {"bob": "bob-Secret-pw-1", "carol": "carol-Secret-pw-1", "dave": "dave-Secret-pw-1"}
DOVEADM = shutil.which("doveadm")


# ---------------------------------------------------------------- messages
# Logical messages with LF line ends; what IMAP serves has CRLF.

def crlf(b):
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


ATTACHMENT = bytes(range(256)) * 3
B64 = __import__("base64").encodebytes(ATTACHMENT)

MESSAGES = [
    b"From: Alice <alice@example.org>\nTo: bob@mox.example\nSubject: plain\n"
    b"Date: Mon, 01 Jan 2024 09:00:00 +0100\nMessage-ID: <m1@example.org>\n\n"
    b"Hello Bob,\n\nFrom the desk of Alice: the meeting moves to Tuesday.\n"
    b"From here on, mail me.\n\n-- \nAlice\n",
    b"From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>\nTo: bob@mox.example\n"
    b"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\nDate: Tue, 02 Jan 2024 10:30:00 +0000\n"
    b"Message-ID: <m2@example.org>\nMIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    + "Grüße aus Köln, xylophon.\nA long line: ".encode() + b"word " * 60 + b"\n",
    b"From: carol@example.org\nTo: bob@mox.example\nSubject: report with attachment\n"
    b"Date: Wed, 03 Jan 2024 11:00:00 -0500\nMessage-ID: <m3@example.org>\n"
    b"X-Long-Header: first part of a folded\n\tsecond part\n"
    b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n"
    b"--zz\nContent-Type: text/plain\n\nSee the attachment.\nFrom 2023 on, the numbers rose.\n"
    b"--zz\nContent-Type: application/octet-stream; name=\"a.bin\"\n"
    b"Content-Transfer-Encoding: base64\n\n" + B64 + b"--zz--\n",
    b"From: dave@example.org\nTo: bob@mox.example\nSubject: short\n"
    b"Date: Thu, 04 Jan 2024 12:00:00 +0000\nMessage-ID: <m4@example.org>\n\nok\n",
]
# Body lines that only mboxrd can carry unchanged.
RD_MESSAGE = (b"From: erin@example.org\nTo: bob@mox.example\nSubject: quoting\n"
              b"Date: Fri, 05 Jan 2024 08:00:00 +0000\nMessage-ID: <m5@example.org>\n\n"
              b"From one line\n>From a quoted line\n>>From a twice quoted line\nend\n")

# asctime dates of the "From " lines, UTC.
FROM_DATES = ["Mon Jan  1 08:00:00 2024", "Tue Jan  2 10:30:00 2024", "Wed Jan  3 16:00:00 2024",
              "Thu Jan  4 12:00:00 2024", "Fri Jan  5 08:00:00 2024"]


def epoch_of_asctime(s):
    return int(datetime.datetime.strptime(s, "%a %b %d %H:%M:%S %Y").replace(
        tzinfo=datetime.timezone.utc).timestamp())


def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def epoch_of_internaldate(s):
    return int(datetime.datetime.strptime(s.strip(), "%d-%b-%Y %H:%M:%S %z").timestamp())


def quote_from(body, rd):
    """mboxo quoting ("From " -> ">From ") or mboxrd (">*From " -> one more '>')."""
    pat = rb"^(>*From )" if rd else rb"^(From )"
    return re.sub(pat, rb">\1", body, flags=re.M)


def add_fields(msg, fields):
    """msg with header `fields` (bytes, LF lines) appended to its header."""
    head, _, body = msg.partition(b"\n\n")
    return head + b"\n" + fields + b"\n" + body


def split_msg(msg):
    head, sep, body = msg.partition(b"\n\n")
    return head + sep, body


class Entry:
    """One message of a fixture: the logical message (what import must
    give, LF ends), the flags IMAP must show (lower case) and the date."""

    def __init__(self, msg, flags=(), date=None):
        self.msg, self.flags, self.date = msg, frozenset(f.lower() for f in flags), date


def mbox_variant(variant, entries):
    """The mbox text of `entries` in `variant` (mboxo, mboxrd, mboxcl,
    mboxcl2): "From " line, the message (quoted as the variant does it,
    Content-Length for cl/cl2), one empty line."""
    out = []
    for e in entries:
        head, body = split_msg(e.msg)
        if variant in ("mboxo", "mboxcl"):
            body = quote_from(body, rd=False)
        elif variant == "mboxrd":
            body = quote_from(body, rd=True)
        if variant in ("mboxcl", "mboxcl2"):
            head = head[:-1] + b"Content-Length: %d\n\n" % len(body)
        out.append(b"From sender@example.org " + e.date.encode() + b"\n" + head + body + b"\n")
    return b"".join(out)


def variant_entries(variant):
    """The messages of a variant's file and what import must give. When a
    Content-Length frames the body (cl/cl2), the body is taken as it is in
    the file (an mboxcl file's quoted lines stay quoted) and the field is
    removed (mox-config(8) "import")."""
    msgs = MESSAGES + ([RD_MESSAGE] if variant == "mboxrd" else [])
    entries = [Entry(m, date=FROM_DATES[i]) for i, m in enumerate(msgs)]
    if variant == "mboxcl":
        expect = []
        for e in entries:
            head, body = split_msg(e.msg)
            expect.append(Entry(head + quote_from(body, rd=False), date=e.date))
        return entries, expect
    return entries, entries


# Thunderbird: "From - " lines, X-Mozilla-Status (0x1 read, 0x2 replied,
# 0x4 marked, 0x8 expunged, 0x1000 forwarded), X-Mozilla-Status2,
# X-Mozilla-Keys padded with spaces, mboxo quoting of "From " lines,
# LF ends.
THUNDERBIRD = [
    ("0001", "00000000", "", ["\\Seen"]),
    ("0003", "00000000", "$label1 work", ["\\Seen", "\\Answered", "$label1", "work"]),
    ("0005", "10000000", "", ["\\Seen", "\\Flagged"]),
    ("1001", "00000000", "$label2", ["\\Seen", "$forwarded", "$label2"]),
]


def thunderbird_mbox():
    out, expect = [], []
    for i, (status, status2, keys, flags) in enumerate(THUNDERBIRD):
        fields = (b"X-Mozilla-Status: " + status.encode() + b"\nX-Mozilla-Status2: " +
                  status2.encode() + b"\nX-Mozilla-Keys: " + keys.encode().ljust(80) + b"\n")
        msg = MESSAGES[i]
        head, body = split_msg(msg)
        # Thunderbird puts its fields first.
        out.append(b"From - " + FROM_DATES[i].encode() + b"\n" + fields + head +
                   quote_from(body, rd=False) + b"\n")
        expect.append(Entry(msg, flags, FROM_DATES[i]))
    return b"".join(out), expect


# mutt: Status: R(ead) O(ld), X-Status: A(nswered) F(lagged) T (draft)
# D(eleted), after the other fields.
MUTT = [("RO", "AF", ["\\Seen", "\\Answered", "\\Flagged"]), ("O", "", []),
        ("RO", "T", ["\\Seen", "\\Draft"]), ("R", "D", ["\\Seen", "\\Deleted"])]


def mutt_mbox():
    out, expect = [], []
    for i, (status, xstatus, flags) in enumerate(MUTT):
        fields = b"Status: " + status.encode() + b"\n"
        if xstatus:
            fields += b"X-Status: " + xstatus.encode() + b"\n"
        head, body = split_msg(add_fields(MESSAGES[i], fields))
        out.append(b"From sender@example.org " + FROM_DATES[i].encode() + b"\n" + head +
                   quote_from(body, rd=False) + b"\n")
        expect.append(Entry(MESSAGES[i], flags, FROM_DATES[i]))
    return b"".join(out), expect


# ---------------------------------------------------------------- IMAP views

def mailbox_view(m, name):
    """[(body bytes, flags lower case without \\recent, INTERNALDATE epoch,
    RFC822.SIZE)] in UID order, for mailbox `name` (examined, not changed)."""
    typ, data = m.select(quote(name), readonly=True)
    assert typ == "OK", (name, data)
    typ, data = m.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
    assert typ == "OK", (name, data)
    out = []
    i = 0
    while i < len(data):
        item = data[i]
        if not isinstance(item, tuple):
            i += 1
            continue
        attrs, body = item[0], item[1]
        tail = data[i + 1] if i + 1 < len(data) and isinstance(data[i + 1], bytes) else b""
        attrs = (attrs + b" " + tail).decode("utf-8", "replace")
        uid = int(re.search(r"UID (\d+)", attrs).group(1))
        flags = re.search(r"FLAGS \(([^)]*)\)", attrs).group(1).split()
        date = re.search(r'INTERNALDATE "([^"]+)"', attrs).group(1)
        size = int(re.search(r"RFC822\.SIZE (\d+)", attrs).group(1))
        out.append((uid, body, frozenset(f.lower() for f in flags) - {"\\recent"},
                    epoch_of_internaldate(date), size))
        i += 1
    out.sort()
    return [t[1:] for t in out]


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailbox_names(m):
    """{name: separator} of LIST "" "*", without \\NoSelect ones."""
    typ, data = m.list()
    assert typ == "OK", data
    out = {}
    for line in data:
        if isinstance(line, tuple):
            line = line[0] + line[1]
        mt = re.match(rb'\(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") (.*)$', line)
        flags, sep, name = mt.groups()
        if b"\\noselect" in flags.lower():
            continue
        name = name.decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out[name] = sep.strip(b'"').decode() if sep != b"NIL" else ""
    return out


def status_messages(m, name):
    typ, data = m.status(quote(name), "(MESSAGES)")
    assert typ == "OK", data
    return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))


# ---------------------------------------------------------------- Dovecot

class Dovecot:
    """A Maildir of Debian's Dovecot written by doveadm, with a throwaway
    dovecot.conf in a temp dir, no daemons: doveadm runs as the system user
    in USER/HOME (no userdb lookup), mail access as `nobody` when root."""

    def __init__(self, testcase):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="mox-e2e-dovecot-"))
        os.chmod(self.dir, 0o755)
        if not moxtest.KEEP:
            testcase.addCleanup(shutil.rmtree, self.dir, True)
        self.maildir = os.path.join(self.dir, "Maildir")
        for d in ("run", "state", "Maildir"):
            os.makedirs(os.path.join(self.dir, d))
        if os.getuid() == 0:
            pw = pwd.getpwnam("nobody")
            uid, gid = pw.pw_uid, pw.pw_gid
            os.chown(self.maildir, uid, gid)
        else:
            uid, gid = os.getuid(), os.getgid()
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write("base_dir = %(d)s/run\nstate_dir = %(d)s/state\nlog_path = %(d)s/dovecot.log\n"
                    "mail_location = maildir:%(d)s/Maildir\nmail_uid = %(uid)d\nmail_gid = %(gid)d\n"
                    "first_valid_uid = %(uid)d\nfirst_valid_gid = %(gid)d\n"
                    % {"d": self.dir, "uid": uid, "gid": gid})
        self.env = dict(os.environ, USER="moxtest", HOME=self.dir)

    def doveadm(self, *args, input=None):
        p = subprocess.run(["doveadm", "-c", self.conf] + list(args), input=input,
                           capture_output=True, env=self.env, timeout=60)
        if p.returncode != 0:
            raise AssertionError("doveadm %s: exit %d\n%s" % (" ".join(args), p.returncode,
                                                              p.stderr.decode()))
        return p.stdout

    def imap(self):
        """An IMAP session of Dovecot's imap over a pipe (PREAUTH)."""
        cmd = "USER=moxtest HOME=%s doveadm -c %s exec imap 2>/dev/null" % (
            shlex.quote(self.dir), shlex.quote(self.conf))
        return imaplib.IMAP4_stream(cmd)


def dovecot_fixture(dc):
    """Fills Dovecot's Maildir: INBOX (doveadm save + flags add, IMAP
    APPENDs with flags, keywords and dates, one expunged for a UID gap, one
    saved last so that it stays in new/), Sub.Folder, Archive, Archive.2023,
    an empty Empty."""
    m = dc.imap()
    for name in ("Sub.Folder", "Archive", "Archive.2023", "Empty"):
        typ, data = m.create(name)
        assert typ == "OK", (name, data)
    appends = [
        ("INBOX", MESSAGES[1], "(\\Answered \\Flagged)", "05-Mar-2023 14:15:16 +0100"),
        ("INBOX", MESSAGES[2], "(\\Draft $Label1)", "31-Dec-2022 23:59:59 -0800"),
        ("INBOX", RD_MESSAGE, "(\\Deleted)", "01-Jan-2020 00:00:00 +0000"),
        ("INBOX", MESSAGES[3], "(\\Seen $Forwarded work)", "15-Jun-2024 12:00:00 +0200"),
        ("Sub.Folder", MESSAGES[0], "(\\Seen urgent)", "02-Feb-2021 02:02:02 +0000"),
        ("Sub.Folder", MESSAGES[3], "()", "03-Feb-2021 03:03:03 +0000"),
        ("Archive", MESSAGES[2], "(\\Seen)", "10-Oct-2010 10:10:10 +0000"),
        ("Archive.2023", MESSAGES[1], "(\\Seen \\Answered)", "11-Nov-2023 11:11:11 +0000"),
    ]
    for box, msg, flags, date in appends:
        typ, data = m.append(box, flags, '"%s"' % date, crlf(msg))
        assert typ == "OK", (box, data)
    m.select("INBOX")
    # A UID gap: the \Deleted message of RD_MESSAGE stays; one more goes.
    typ, data = m.append("INBOX", "(\\Seen)", None, crlf(MESSAGES[0]))
    assert typ == "OK", data
    typ, _ = m.uid("STORE", "5", "+FLAGS.SILENT", "(\\Deleted)")
    m.uid("EXPUNGE", "5") if "UIDPLUS" in m.capabilities else m.expunge()
    m.logout()
    dc.doveadm("save", "-m", "INBOX", input=MESSAGES[0])
    dc.doveadm("flags", "add", "\\Seen $Label1 work", "mailbox", "INBOX", "uid", "6")
    dc.doveadm("save", "-m", "INBOX", input=MESSAGES[3])


# ---------------------------------------------------------------- tests

class ImportRoundTrip(unittest.TestCase):
    maxDiff = 8000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        for name, pw in USERS.items():
            env.add_account(name, "%s@%s" % (name, D), pw)
        cls.port = moxtest.Server(env, "mox-imapd", [], env=SERVER_ENV, banner=b"* OK").start().port

    def connect(self, account):
        m = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        m.starttls(ssl_context=moxtest.insecure_tls_context())
        m.login("%s@%s" % (account, D), USERS[account])
        self.addCleanup(m.logout)
        return m

    def tmp(self):
        d = os.path.realpath(tempfile.mkdtemp(prefix="mox-e2e-files-"))
        if not moxtest.KEEP:
            self.addCleanup(shutil.rmtree, d, True)
        return d

    def write(self, path, data):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def assertEntries(self, view, entries, what):
        """The IMAP view of a mailbox equals `entries` in order: bytes
        (CRLF), flags, date; RFC822.SIZE the length."""
        got = [(body, flags, date) for body, flags, date, _ in view]
        want = [(crlf(e.msg), e.flags, epoch_of_asctime(e.date)) for e in entries]
        self.assertEqual(len(got), len(want), what)
        for i, (g, w) in enumerate(zip(got, want)):
            self.assertEqual(g[0], w[0], "%s: message %d bytes" % (what, i + 1))
            self.assertEqual(g[1], w[1], "%s: message %d flags" % (what, i + 1))
            self.assertEqual(g[2], w[2], "%s: message %d INTERNALDATE" % (what, i + 1))
        for body, _, _, size in view:
            self.assertEqual(size, len(body), what + ": RFC822.SIZE")

    # ------------------------------------------------------------ Dovecot

    @unittest.skipUnless(DOVEADM, "doveadm is missing: Debian's dovecot-core (scripts/install-deps.sh)")
    def test_dovecot_maildir(self):
        dc = Dovecot(self)
        dovecot_fixture(dc)
        # Dovecot's own files: its names, keyword file, uidlist, Maildir++.
        self.assertTrue(os.path.exists(os.path.join(dc.maildir, "dovecot-keywords")))
        self.assertTrue(os.path.exists(os.path.join(dc.maildir, "dovecot-uidlist")))
        self.assertTrue(os.path.isdir(os.path.join(dc.maildir, ".Sub.Folder", "cur")))
        self.assertTrue(os.listdir(os.path.join(dc.maildir, "new")))
        self.env.config("import", "maildir", "--recursive", "bob", "", dc.maildir)

        dv = dc.imap()
        self.addCleanup(dv.logout)
        mx = self.connect("bob")
        dnames = mailbox_names(dv)
        # The hierarchy: Dovecot's "." separated names as mox's "/" names
        # (mox's own default mailboxes may be there too).
        want = {"INBOX" if n == "INBOX" else n.replace(".", "/") for n in dnames}
        have = {"INBOX" if n.upper() == "INBOX" else n for n in mailbox_names(mx)}
        with self.subTest(check="hierarchy"):
            self.assertEqual(want - have, set(), "mailboxes missing in mox: %s" % sorted(have))
        files = self.maildir_files(dc.maildir)
        for dname in sorted(dnames):
            mname = "INBOX" if dname == "INBOX" else dname.replace(".", "/")
            if mname not in have:
                continue
            with self.subTest(mailbox=dname):
                # As sets: the order of import need not be Dovecot's UID order.
                def key(t):
                    return (t[0], tuple(sorted(t[1])), t[2], t[3])
                dview = sorted(map(key, mailbox_view(dv, dname)))
                mview = sorted(map(key, mailbox_view(mx, mname)))
                self.assertEqual(len(mview), len(dview), dname + ": messages")
                wrong = []
                for dd in dview:
                    if dd in mview:
                        continue
                    same = [mm for mm in mview if mm[0] == dd[0]]
                    wrong.append("Dovecot's message %r, flags %s, INTERNALDATE %s, size %d: mox has %s"
                                 % (dd[0][:40], " ".join(dd[1]), utc(dd[2]), dd[3], [
                                     "flags %s, INTERNALDATE %s, size %d" % (
                                         " ".join(mm[1]), utc(mm[2]), mm[3]) for mm in same]
                                     or "no message with these bytes"))
                if wrong:
                    self.fail("%s:\n  %s" % (dname, "\n  ".join(wrong)))
                # The bytes are Dovecot's files' (LF on disk, CRLF over IMAP).
                self.assertEqual(sorted(t[0] for t in mview),
                                 sorted(crlf(b) for b in files[dname]), dname + ": files")

    @staticmethod
    def maildir_files(root):
        """{Dovecot mailbox name: [file bytes]} of a Maildir++ tree."""
        out = {}
        for entry in [""] + sorted(os.listdir(root)):
            if entry and not (entry.startswith(".") and os.path.isdir(os.path.join(root, entry))):
                continue
            name = "INBOX" if entry == "" else entry[1:]
            msgs = []
            for sub in ("cur", "new"):
                d = os.path.join(root, entry, sub)
                for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                    with open(os.path.join(d, f), "rb") as fh:
                        msgs.append(fh.read())
            out[name] = msgs
        return out

    @unittest.skipUnless(DOVEADM, "doveadm is missing: Debian's dovecot-core (scripts/install-deps.sh)")
    def test_dovecot_maildir_export_diff(self):
        """Dovecot's Maildir -> import -> export maildir: the same messages
        (bytes, info flags, keywords) in every folder; names may differ."""
        dc = Dovecot(self)
        dovecot_fixture(dc)
        self.env.config("import", "maildir", "--recursive", "carol", "Dove", dc.maildir)
        out = self.tmp()
        self.env.config("export", "maildir", "carol", out)
        src = maildir_content(dc.maildir, plusplus=True)
        dst = maildir_content(os.path.join(out, "Dove"), plusplus=False)
        # Both LF line ends: Dovecot's files and what export writes of
        # messages stored with CRLF (mox-config(8) "export").
        self.assertEqual({k: sorted(v) for k, v in dst.items()},
                         {k: sorted(v) for k, v in src.items()})

    # ------------------------------------------------------------ Maildir

    def test_maildir_export_diff(self):
        """A Maildir in the layout `export maildir` writes (nested folders,
        LF files, dovecot-keywords) -> import -> export: identical files
        (bytes, info flags, keywords)."""
        src = self.tmp()
        kw = "0 $Label1\n1 work\n2 Junk\n"
        files = {
            "": [("new", "1700000001.M1P1.host", MESSAGES[0]),
                 ("cur", "1700000002.M2P1.host:2,FSa", MESSAGES[1]),
                 ("cur", "1700000003.M3P1.host,S=999:2,RSbc", MESSAGES[2])],
            "Lists/mox": [("cur", "1700000004.M4P1.host:2,DT", MESSAGES[3]),
                          ("cur", "1700000005.M5P1.host:2,", RD_MESSAGE)],
        }
        for folder, msgs in files.items():
            base = os.path.join(src, folder)
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(base, sub), exist_ok=True)
            self.write(os.path.join(base, "dovecot-keywords"), kw.encode())
            for sub, name, msg in msgs:
                p = self.write(os.path.join(base, sub, name), msg)
                t = int(name.split(".")[0])
                os.utime(p, (t, t))
        self.env.config("import", "maildir", "--recursive", "dave", "Copy", src)
        out = self.tmp()
        self.env.config("export", "maildir", "dave", out, "Copy", "Copy/Lists/mox")
        want = maildir_content(src, plusplus=False)
        got = maildir_content(os.path.join(out, "Copy"), plusplus=False)
        self.assertEqual({k: sorted(v) for k, v in got.items()},
                         {k: sorted(v) for k, v in want.items()})
        # Dates: file mtime = INTERNALDATE = the source's mtime.
        for folder, msgs in files.items():
            d = os.path.join(out, "Copy", folder, "cur")
            times = sorted(int(os.stat(os.path.join(d, f)).st_mtime) for f in os.listdir(d))
            self.assertEqual(times, sorted(int(n.split(".")[0]) for _, n, _ in msgs))

    # ------------------------------------------------------------ mbox

    def roundtrip(self, account_mailbox, path, expect, what):
        """Imports mbox `path` into dave/`account_mailbox`, checks it against
        `expect`, exports dave's mailbox as maildir and as mbox, imports
        those into bob and carol, and compares all three over IMAP."""
        self.env.config("import", "mbox", "dave", account_mailbox, path)
        dave = self.connect("dave")
        view = mailbox_view(dave, account_mailbox)
        self.assertEntries(view, expect, what)
        out_md, out_mb = self.tmp(), self.tmp()
        self.env.config("export", "maildir", "dave", out_md, account_mailbox)
        self.env.config("export", "mbox", "dave", out_mb, account_mailbox)
        md = os.path.join(out_md, account_mailbox)
        self.assertTrue(os.path.isdir(os.path.join(md, "cur")), os.listdir(out_md))
        mb = os.path.join(out_mb, account_mailbox + ".mbox")
        self.assertTrue(os.path.isfile(mb), os.listdir(out_mb))
        self.env.config("import", "maildir", "bob", account_mailbox, md)
        self.env.config("import", "mbox", "carol", account_mailbox, mb)
        for acc in ("bob", "carol"):
            m = self.connect(acc)
            again = mailbox_view(m, account_mailbox)
            self.assertEqual([t[0] for t in again], [t[0] for t in view], "%s %s: bytes" % (what, acc))
            self.assertEqual([t[1] for t in again], [t[1] for t in view], "%s %s: flags" % (what, acc))
            self.assertEqual([t[2] for t in again], [t[2] for t in view], "%s %s: dates" % (what, acc))

    def test_mbox_variants(self):
        for variant in ("mboxo", "mboxrd", "mboxcl", "mboxcl2"):
            with self.subTest(variant=variant):
                entries, expect = variant_entries(variant)
                path = self.write(os.path.join(self.tmp(), variant), mbox_variant(variant, entries))
                self.roundtrip("V-" + variant, path, expect, variant)

    def test_mbox_compressed(self):
        entries, expect = variant_entries("mboxrd")
        data = mbox_variant("mboxrd", entries)
        d = self.tmp()
        gz = self.write(os.path.join(d, "mail.mbox.gz"), gzip.compress(data))
        self.roundtrip("Gz", gz, expect, "mbox.gz")
        if shutil.which("zstd"):
            plain = self.write(os.path.join(d, "other.mbox"), data)
            subprocess.run(["zstd", "-q", "-f", plain, "-o", plain + ".zst"], check=True)
            self.roundtrip("Zst", plain + ".zst", expect, "mbox.zst")

    def test_thunderbird_mbox(self):
        data, expect = thunderbird_mbox()
        path = self.write(os.path.join(self.tmp(), "Local Folders", "Inbox"), data)
        self.roundtrip("Thunderbird", path, expect, "thunderbird")

    def test_mutt_mbox(self):
        data, expect = mutt_mbox()
        path = self.write(os.path.join(self.tmp(), "mutt-mbox"), data)
        self.roundtrip("Mutt", path, expect, "mutt")

    # ------------------------------------------------------------ bad input

    def assertFailsUnchanged(self, args, path, mailbox, position=False):
        m = self.connect("bob")
        before = status_messages(m, mailbox)
        line = self.env.fail(*args)
        self.assertIn(path, line)
        if position:
            self.assertRegex(line.replace(path, ""), r"\d", "no position: " + line)
        self.assertEqual(status_messages(m, mailbox), before, line)
        return line

    def seeded(self, name):
        """Mailbox `name` of bob, with one message in it."""
        p = self.write(os.path.join(self.tmp(), "seed"), mbox_variant(
            "mboxrd", [Entry(MESSAGES[3], date=FROM_DATES[3])]))
        self.env.config("import", "mbox", "bob", name, p)
        return name

    def test_truncated_gz(self):
        entries, _ = variant_entries("mboxrd")
        data = gzip.compress(mbox_variant("mboxrd", entries * 20))
        path = self.write(os.path.join(self.tmp(), "cut.mbox.gz"), data[:len(data) * 2 // 3])
        box = self.seeded("BadGz")
        self.assertFailsUnchanged(["import", "mbox", "bob", box, path], path, box, position=True)

    def test_not_mail(self):
        d = self.tmp()
        box = self.seeded("BadFile")
        png = self.write(os.path.join(d, "picture.png"), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
        self.assertFailsUnchanged(["import", "mbox", "bob", box, png], png, box)
        text = self.write(os.path.join(d, "notes.txt"), b"just some notes\nnot an mbox\n")
        self.assertFailsUnchanged(["import", "mbox", "bob", box, text], text, box)

    def test_maildir_unreadable_file(self):
        """Root reads any file, so "unreadable" is made two ways that stop
        root too: a dangling symbolic link and a directory where a message
        file is expected."""
        box = self.seeded("BadMaildir")
        for kind in ("symlink", "directory"):
            with self.subTest(kind=kind):
                d = self.tmp()
                for sub in ("cur", "new", "tmp"):
                    os.makedirs(os.path.join(d, sub))
                self.write(os.path.join(d, "cur", "1700000001.M1P1.host:2,S"), crlf(MESSAGES[0]))
                bad = os.path.join(d, "cur", "1700000002.M2P1.host:2,S")
                if kind == "symlink":
                    os.symlink(os.path.join(d, "gone"), bad)
                else:
                    os.makedirs(bad)
                self.write(os.path.join(d, "cur", "1700000003.M3P1.host:2,S"), crlf(MESSAGES[1]))
                self.assertFailsUnchanged(["import", "maildir", "bob", box, d], bad, box)


def label(data):
    """A message's bytes as its Subject and a digest of all of it, for
    readable differences."""
    m = re.search(rb"^Subject: (.*)$", data, re.M)
    return "%s %s (%d bytes)" % ((m.group(1) if m else b"-").decode("utf-8", "replace"),
                                 hashlib.sha256(data).hexdigest()[:12], len(data))


def maildir_content(root, plusplus):
    """{folder: [(message label, info flags, keywords)]} of a Maildir tree: folders
    as Maildir++ (.A.B) when `plusplus`, else nested directories; the
    flags as the letters DFPRST, the keywords as names (dovecot-keywords)."""
    out = {}
    for dirpath, dirnames, _ in os.walk(root):
        if not os.path.isdir(os.path.join(dirpath, "cur")):
            continue
        rel = os.path.relpath(dirpath, root)
        if rel == ".":
            folder = ""
        elif plusplus:
            folder = rel.lstrip(".").replace(".", "/")
        else:
            folder = rel
        kw = {}
        kwf = os.path.join(dirpath, "dovecot-keywords")
        if os.path.exists(kwf):
            with open(kwf, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
            for line in lines:
                n, _, name = line.partition(" ")
                if n.isdigit():
                    kw[chr(ord("a") + int(n))] = name.lower()
        msgs = []
        for sub in ("cur", "new"):
            for f in os.listdir(os.path.join(dirpath, sub)):
                info = re.split(r"[:;!]2,", f, 1)[1] if re.search(r"[:;!]2,", f) else ""
                with open(os.path.join(dirpath, sub, f), "rb") as fh:
                    data = fh.read()
                letters = {c for c in info if c.isupper()}
                words = {kw.get(c, "?" + c) for c in info if c.islower()}
                # Dovecot keeps $Forwarded as a keyword, the letter P is the
                # same flag (lib/mailio/maildirname.h).
                if "$forwarded" in words:
                    words.discard("$forwarded")
                    letters.add("P")
                msgs.append((label(data), "".join(sorted(letters)), tuple(sorted(words))))
        if msgs:  # folders without messages: parents the tools may add
            out[folder] = msgs
    return out


if __name__ == "__main__":
    unittest.main()
