"""End-to-end tests of the MX's checks of incoming mail (mox-smtpd(8)
"CHECKS OF INCOMING MAIL"): SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC
7489), iprev (RFC 8601 §3), the Authentication-Results and Received-SPF
fields, and the refusals.

The built mox-smtpd runs in a quickstart --local installation whose DNS is a
zone file (mox.conf DNS ZoneFile); the test adds the records of sending
domains to it. Clients connect from different loopback source addresses
(127.0.0.2 may send for sender.example, 127.0.0.3 may not), messages are
DKIM-signed with dkimpy (python3-dkim), and delivered messages are read
back over IMAP with imaplib; their Authentication-Results field is also read
with python3-authres, an independent RFC 8601 parser. mox-dmarc verify
reproduces each verdict from the shell.

Run by hand: /usr/bin/python3 tests/e2e/test_mailauth.py -v
"""

import email
import imaplib
import os
import secrets
import smtplib
import subprocess
import sys
import unittest

import authres
import dkim

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

D = moxtest.DOMAIN            # mox.example, ours
HOST = moxtest.HOSTNAME       # mail.mox.example
ADMIN = moxtest.ADDRESS
SERVER_ENV = {"MOX_ALLOW_ROOT": "1"}
GOOD_IP, BAD_IP, THIRD_IP = "127.0.0.2", "127.0.0.3", "127.0.0.4"

ZONE = """
; Sending domains of the tests.
sender.example.            IN TXT "v=spf1 ip4:127.0.0.2 -all"
_dmarc.sender.example.     IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example"
mta.sender.example.        IN A 127.0.0.2
2.0.0.127.in-addr.arpa.    IN PTR mta.sender.example.
; 127.0.0.3's name does not confirm (iprev fail).
3.0.0.127.in-addr.arpa.    IN PTR liar.example.
liar.example.              IN A 192.0.2.99
bounces.sender.example.    IN TXT "v=spf1 ip4:127.0.0.2 -all"
quarantine.example.        IN TXT "v=spf1 ip4:127.0.0.2 -all"
_dmarc.quarantine.example. IN TXT "v=DMARC1; p=quarantine"
relaxed.example.           IN TXT "v=spf1 -all"
_dmarc.relaxed.example.    IN TXT "v=DMARC1; p=none"
sampled.example.           IN TXT "v=spf1 -all"
_dmarc.sampled.example.    IN TXT "v=DMARC1; p=reject; pct=0"
temp.example.              IN TXT "v=spf1 ip4:127.0.0.2 -all"
$SERVFAIL _dmarc.temp.example.
spftemp.example.           IN TXT "v=spf1 include:broken.example -all"
_dmarc.spftemp.example.    IN TXT "v=DMARC1; p=reject"
$SERVFAIL broken.example.
"""


def token():
    return secrets.token_hex(6)


def message(tok, frm, to=ADMIN, extra=()):
    lines = ["From: " + frm, "To: <%s>" % to, "Subject: auth test %s" % tok,
             "Message-ID: <%s@sender.example>" % tok, "Date: Mon, 07 Dec 2026 12:00:00 +0000"]
    lines += list(extra)
    lines += ["", "Hello, this is message %s." % tok, ""]
    return "\r\n".join(lines).encode()


class MailAuthTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        env = cls.env = moxtest.MoxEnv(None)
        cls.addClassCleanup(env.close)
        # A second domain of ours that publishes no DMARC record: mail that
        # claims it from outside is refused all the same.
        env.config("domain", "add", "quiet.example", "admin")
        # The DKIM key of sender.example.
        cls.key = subprocess.run([moxtest.bin_path("mox-dkim"), "genrsa", "--bits", "2048"],
                                 check=True, capture_output=True).stdout
        txt = subprocess.run([moxtest.bin_path("mox-dkim"), "txt"], input=cls.key, check=True,
                             capture_output=True).stdout.decode().strip()
        chunks = " ".join('"%s"' % txt[i:i + 200] for i in range(0, len(txt), 200))
        zone_path = env.config_file("local.zone")
        with open(zone_path, "a") as f:
            f.write(ZONE)
            f.write("sel._domainkey.sender.example. IN TXT ( %s )\n" % chunks)
        cls.zone_path = zone_path
        cls.srv = moxtest.Server(env, "mox-smtpd", ["--mode", "smtp"], env=SERVER_ENV).start()

    # -- helpers --

    def sign(self, msg, domain="sender.example"):
        sig = dkim.sign(msg, b"sel", domain.encode(), self.key,
                        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
        return sig + msg

    def send(self, msg, mail_from, source=GOOD_IP, helo="mta.sender.example", rcpt=ADMIN):
        """One transaction from `source`; returns (code, text) of the last reply."""
        s = smtplib.SMTP("127.0.0.1", self.srv.port, local_hostname=helo, timeout=60,
                         source_address=(source, 0))
        try:
            s.ehlo()
            code, text = s.mail(mail_from)
            if code != 250:
                return code, text.decode()
            code, text = s.rcpt(rcpt)
            if code != 250:
                return code, text.decode()
            try:
                code, text = s.data(msg)
            except smtplib.SMTPDataError as e:
                code, text = e.smtp_code, e.smtp_error
            return code, text.decode()
        finally:
            try:
                s.quit()
            except Exception:
                s.close()

    def imap_fetch(self, tok):
        """The message with `tok` in its subject, read over IMAP."""
        srv = getattr(self.__class__, "imap", None)
        if srv is None:
            srv = self.__class__.imap = moxtest.Server(self.env, "mox-imapd", [], env=SERVER_ENV,
                                                       banner=b"* OK").start()
        c = imaplib.IMAP4("127.0.0.1", srv.port)
        c.starttls(ssl_context=moxtest.insecure_tls_context())
        try:
            c.login(ADMIN, self.env.password)
            c.select("INBOX")
            typ, data = c.search(None, "SUBJECT", tok)
            self.assertEqual(typ, "OK")
            nums = data[0].split()
            self.assertEqual(len(nums), 1, "messages with %s: %r" % (tok, nums))
            typ, data = c.fetch(nums[0], "(BODY.PEEK[])")
            self.assertEqual(typ, "OK")
            return email.message_from_bytes(data[0][1])
        finally:
            c.logout()

    def stored_auth(self, tok):
        """The stored check results of the message with `tok`, one row per copy."""
        rows = self.env.query(("accounts", "admin", "index.db"),
                              "SELECT ID, RemoteIP, EHLODomain, MailFromDomain, SPFResult, "
                              "DKIMDomains, DMARCResult, IprevResult, MsgFromDomain, "
                              "MailFromValidated, MsgFromValidated FROM Message")
        out = []
        for row in rows:
            path = self.env.message_path("admin", row[0])
            if os.path.exists(path):
                with open(path, "rb") as f:
                    if tok.encode() in f.read():
                        out.append(tuple(row[1:]))
        return out

    def verify_cli(self, msg, ip, mail_from, helo="mta.sender.example"):
        return subprocess.run([moxtest.bin_path("mox-dmarc"), "--config", self.env.config_path,
                               "verify", "--ip", ip, "--mail-from", mail_from, "--helo", helo],
                              input=msg, capture_output=True, timeout=60)

    # -- tests --

    def test_authenticated_message_gets_results(self):
        tok = token()
        forged = "Authentication-Results: %s; dkim=pass header.d=bank.example" % HOST
        other = "Authentication-Results: relay.other.example; spf=pass smtp.mailfrom=x@y.example"
        msg = self.sign(message(tok, "Alice <alice@sender.example>", extra=[forged, other]))
        code, text = self.send(msg, "bounce@sender.example")
        self.assertEqual(code, 250, text)
        m = self.imap_fetch(tok)
        ars = m.get_all("Authentication-Results")
        ours = [a for a in ars if a.split(";")[0].strip() == HOST]
        self.assertEqual(len(ours), 1, ars)
        ar = " ".join(ours[0].split())
        self.assertIn("spf=pass", ar)
        self.assertIn("smtp.mailfrom=bounce@sender.example", ar)
        self.assertIn("dkim=pass", ar)
        self.assertIn("header.d=sender.example", ar)
        self.assertIn("header.s=sel", ar)
        self.assertIn("dmarc=pass", ar)
        self.assertIn("header.from=sender.example", ar)
        self.assertIn("iprev=pass", ar)
        self.assertIn("policy.iprev=127.0.0.2", ar)
        # An independent RFC 8601 parser (Debian's python3-authres) reads the
        # same results.
        parsed = authres.AuthenticationResultsHeader.parse_value(ar)
        self.assertEqual(str(parsed.authserv_id), HOST)
        got = {(r.method, r.result) for r in parsed.results}
        self.assertTrue({("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"),
                         ("iprev", "pass")} <= got, got)
        props = {(p.type, p.name, p.value) for r in parsed.results for p in r.properties}
        self.assertTrue({("smtp", "mailfrom", "bounce@sender.example"),
                         ("header", "d", "sender.example"), ("header", "s", "sel"),
                         ("header", "from", "sender.example"),
                         ("policy", "iprev", "127.0.0.2")} <= props, props)
        # RFC 8601 §5: the forged field claiming our name is gone; others stay.
        self.assertNotIn("bank.example", str(m))
        self.assertTrue(any("relay.other.example" in a for a in ars), ars)
        spf = " ".join(m["Received-SPF"].split())
        self.assertTrue(spf.startswith("pass"), spf)
        self.assertIn("client-ip=127.0.0.2", spf)
        # Stored with the message for reputation and junk filtering.
        rows = self.stored_auth(tok)
        self.assertEqual(len(rows), 1, rows)
        ip, ehlo, mfdom, spfres, dkimdoms, dmarcres, iprev, fromdom, mfval, fromval = rows[0]
        self.assertEqual((ip, ehlo, mfdom, spfres, dkimdoms, dmarcres, iprev, fromdom),
                         ("127.0.0.2", "mta.sender.example", "sender.example", "pass",
                          "sender.example", "pass", "pass", "sender.example"))
        self.assertEqual((mfval, fromval), (1, 1))

    def test_dmarc_reject_refused(self):
        tok = token()
        msg = message(tok, "alice@sender.example")
        code, text = self.send(msg, "bounce@sender.example", source=BAD_IP, helo="evil.example")
        self.assertEqual(code, 550, text)
        self.assertTrue(text.startswith("5.7.1"), text)
        self.assertIn("DMARC", text)
        self.assertIn("sender.example", text)
        self.assertEqual(self.stored_auth(tok), [])
        # The verdict from the shell.
        r = self.verify_cli(msg, BAD_IP, "bounce@sender.example", helo="evil.example")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("dmarc: fail", out)
        self.assertIn("spf: fail", out)
        self.assertIn("reject", out)

    def test_dkim_alone_passes_dmarc(self):
        # SPF fails (wrong address) but the aligned DKIM signature passes.
        tok = token()
        msg = self.sign(message(tok, "alice@sender.example"))
        code, text = self.send(msg, "bounce@sender.example", source=BAD_IP, helo="evil.example")
        self.assertEqual(code, 250, text)
        ar = " ".join(self.imap_fetch(tok)["Authentication-Results"].split())
        self.assertIn("spf=fail", ar)
        self.assertIn("dkim=pass", ar)
        self.assertIn("dmarc=pass", ar)
        self.assertIn("iprev=fail", ar)

    def test_relaxed_spf_alignment_of_subdomain(self):
        # MAIL FROM at bounces.sender.example aligns with From sender.example.
        tok = token()
        code, text = self.send(message(tok, "alice@sender.example"), "b@bounces.sender.example")
        self.assertEqual(code, 250, text)
        ar = " ".join(self.imap_fetch(tok)["Authentication-Results"].split())
        self.assertIn("dkim=none", ar)
        self.assertIn("dmarc=pass", ar)

    def test_quarantine_refused_as_mox_does(self):
        tok = token()
        code, text = self.send(message(tok, "q@quarantine.example"), "q@quarantine.example",
                               source=BAD_IP)
        self.assertEqual(code, 550, text)
        self.assertIn("DMARC", text)

    def test_policy_none_and_pct_zero_accepted(self):
        for dom in ("relaxed.example", "sampled.example"):
            tok = token()
            code, text = self.send(message(tok, "x@" + dom), "x@" + dom, source=BAD_IP)
            self.assertEqual(code, 250, "%s: %s" % (dom, text))
            ar = " ".join(self.imap_fetch(tok)["Authentication-Results"].split())
            self.assertIn("dmarc=fail", ar)
            self.assertIn("spf=fail", ar)

    def test_own_domain_spoofed_refused(self):
        for frm in ("ceo@" + D, "boss@quiet.example"):
            tok = token()
            code, text = self.send(message(tok, frm), "x@elsewhere.example", source=THIRD_IP,
                                   helo="elsewhere.example")
            self.assertEqual(code, 550, "%s: %s" % (frm, text))
            self.assertTrue(text.startswith("5.7.1"), text)
            self.assertIn("DMARC", text)
            self.assertEqual(self.stored_auth(tok), [])

    def test_own_domain_from_own_host_accepted(self):
        # 127.0.0.1 is the MX of mox.example: SPF passes and aligns.
        tok = token()
        code, text = self.send(message(tok, "admin@" + D), "admin@" + D, source="127.0.0.1",
                               helo=HOST)
        self.assertEqual(code, 250, text)

    def test_temporary_dns_failure_451(self):
        tok = token()
        code, text = self.send(message(tok, "t@temp.example"), "t@temp.example")
        self.assertEqual(code, 451, text)
        self.assertTrue(text.startswith("4.7.0"), text)
        # SPF temperror where DMARC would reject: 451 too, not 550.
        tok = token()
        code, text = self.send(message(tok, "t@spftemp.example"), "t@spftemp.example")
        self.assertEqual(code, 451, text)

    def test_not_exactly_one_from_refused(self):
        tok = token()
        msg = message(tok, "a@sender.example, b@relaxed.example")
        code, text = self.send(msg, "bounce@sender.example")
        self.assertEqual(code, 550, text)
        tok = token()
        msg = message(tok, "a@sender.example").replace(b"From: a@sender.example\r\n", b"")
        code, text = self.send(msg, "bounce@sender.example")
        self.assertEqual(code, 550, text)

    def test_null_sender_checked_as_helo(self):
        # RFC 7208 §2.4: "<>" is checked as postmaster@<HELO>.
        tok = token()
        code, text = self.send(message(tok, "alice@sender.example"), "", helo="sender.example")
        self.assertEqual(code, 250, text)
        m = self.imap_fetch(tok)
        ar = " ".join(m["Authentication-Results"].split())
        self.assertIn("smtp.mailfrom=postmaster@sender.example", ar)
        self.assertIn("dmarc=pass", ar)

    def test_verify_cli_prints_header(self):
        tok = token()
        msg = self.sign(message(tok, "alice@sender.example"))
        r = self.verify_cli(msg, GOOD_IP, "bounce@sender.example")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertIn("spf: pass", out)
        self.assertIn("dkim: pass", out)
        self.assertIn("dmarc: pass", out)
        self.assertIn("Authentication-Results: " + HOST, out)
        # Usage errors.
        r = subprocess.run([moxtest.bin_path("mox-dmarc"), "--config", self.env.config_path,
                            "verify", "--ip", "not-an-ip", "--mail-from", "a@b.example",
                            "--helo", "x.example"],
                           input=msg, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(len(r.stderr.decode().strip().splitlines()), 1, r.stderr)


if __name__ == "__main__":
    unittest.main()
