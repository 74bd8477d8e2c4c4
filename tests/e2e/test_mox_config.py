"""End-to-end tests of mox-config: the built program is run in a
temporary directory made by `mox-config quickstart`.

Run by hand: /usr/bin/python3 tests/e2e/test_mox_config.py -v
"""

import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import stat
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402

YEAR = str(time.gmtime().tm_year)
SEL_A, SEL_B = YEAR + "a", YEAR + "b"
D = moxtest.DOMAIN  # mox.example
PW_ALPHABET = ("abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ" "0123456789"
               "!@#$%^&*-_;:,<.>/")


# ---------------------------------------------------------------------------
# helpers

def openssl(*args, input=None):
    return subprocess.run(["openssl"] + list(args), input=input, capture_output=True)


def key_text(path):
    p = openssl("pkey", "-in", path, "-text", "-noout")
    if p.returncode != 0:
        raise AssertionError("openssl pkey %s: %s" % (path, p.stderr.decode()))
    return p.stdout.decode()


def insert_msg(env, account, localpart, domain, rcpt="rcpt@remote.example"):
    """Inserts a queued message; returns its ID."""
    now = int(time.time())
    rl, rd = rcpt.rsplit("@", 1)
    conn = env.queue_db()
    try:
        cur = conn.execute(
            "INSERT INTO Msg (Queued, SenderAccount, SenderLocalpart, SenderDomain, "
            "RecipientLocalpart, RecipientDomain, NextAttempt, Size) VALUES (?,?,?,?,?,?,?,?)",
            (now, account, localpart, domain, rl, rd, now + 3600, 123))
        return cur.lastrowid
    finally:
        conn.close()


def ensure_queue_db(env):
    """Lets mox-config create data/queue/index.db (address rm opens it)."""
    env.config("address", "add", "queueinit@" + D, env.account)
    env.config("address", "rm", "queueinit@" + D)
    assert os.path.exists(env.data("queue", "index.db"))


def insert_tls_key(env, account, login_address, fingerprint="fp-" + "a" * 40):
    conn = env.auth_db()
    try:
        conn.execute(
            "INSERT INTO TLSPublicKey (Fingerprint, Created, Type, Name, NoIMAPPreauth, CertDER, "
            "Account, LoginAddress) VALUES (?,?,?,?,?,?,?,?)",
            (fingerprint, int(time.time()), "ecdsa", "test key", 0, b"\x30\x00", account,
             login_address))
    finally:
        conn.close()


def insert_attempt(env, account, last, result="ok", remote="10.0.0.1", address=None):
    conn = env.auth_db()
    try:
        conn.execute(
            "INSERT INTO LoginAttempt (Key, Last, First, Count, AccountName, LoginAddress, "
            "RemoteIP, LocalIP, TLS, TLSPubKeyFingerprint, Protocol, UserAgent, AuthMech, "
            "Result) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (os.urandom(32), last, last, 1, account, address or (account + "@" + D), remote,
             "127.0.0.1", "", "", "imap", "", "plain", result))
    finally:
        conn.close()


def count(env, parts, sql, params=()):
    return env.query(parts, sql, params)[0][0]


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def all_files(root):
    out = []
    for dirpath, _, files in os.walk(root):
        out += [os.path.join(dirpath, f) for f in files]
    return sorted(out)


# MD5 compression function (RFC 1321 §3.4), to check the stored CRAM-MD5
# HMAC states by resuming them.
_MD5_S = [7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4 + [6, 10, 15, 21] * 4
_MD5_K = [int(abs(__import__("math").sin(i + 1)) * 2 ** 32) & 0xFFFFFFFF for i in range(64)]


def _md5_block(state, block):
    a, b, c, d = state
    m = struct.unpack("<16I", block)
    for i in range(64):
        if i < 16:
            f, g = (b & c) | (~b & d), i
        elif i < 32:
            f, g = (d & b) | (~d & c), (5 * i + 1) % 16
        elif i < 48:
            f, g = b ^ c ^ d, (3 * i + 5) % 16
        else:
            f, g = c ^ (b | ~d), (7 * i) % 16
        f = (f + a + _MD5_K[i] + m[g]) & 0xFFFFFFFF
        a, d, c = d, c, b
        b = (b + ((f << _MD5_S[i]) | (f >> (32 - _MD5_S[i])))) & 0xFFFFFFFF
    return [(x + y) & 0xFFFFFFFF for x, y in zip(state, (a, b, c, d))]


def md5_resume(state16, data, prefix_len=64):
    state = list(struct.unpack("<4I", state16))
    total = prefix_len + len(data)
    msg = data + b"\x80" + b"\0" * ((55 - total) % 64) + struct.pack("<Q", total * 8)
    for i in range(0, len(msg), 64):
        state = _md5_block(state, msg[i:i + 64])
    return struct.pack("<4I", *state)


class Base(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)

    @contextlib.contextmanager
    def unchanged(self):
        """Asserts that domains.conf and the DKIM key files did not change."""
        before = self.env.domains_text()
        keys = all_files(self.env.config_file("dkim"))
        yield
        self.assertEqual(self.env.domains_text(), before, "domains.conf changed")
        self.assertEqual(all_files(self.env.config_file("dkim")), keys, "DKIM key files changed")

    def assertFails(self, *args, contains=None, **kw):
        line = self.env.fail(*args, **kw)
        if contains is not None:
            self.assertIn(contains, line)
        return line

    def assertRSA2048(self, path):
        st = os.stat(path)
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600, path)
        with open(path) as f:
            self.assertIn("-----BEGIN PRIVATE KEY-----", f.read())  # PKCS#8
        t = key_text(path)
        self.assertRegex(t, r"Private-Key: \(2048 bit")
        self.assertIn("modulus:", t)

    def add_account(self, name, address=None):
        self.env.config("account", "add", name, address or "%s@%s" % (name, D))

    def open_account(self, name):
        """Creates the account's directory and index.db (setting a password does)."""
        self.env.config("account", "password", name, input="secret-password\n")
        self.assertTrue(os.path.isdir(self.env.account_dir(name)))


# ---------------------------------------------------------------------------

class QuickstartTest(Base):
    def setUp(self):
        self.env = moxtest.MoxEnv(self, fresh=True)

    def test_output_and_files(self):
        env = self.env
        out = env.quickstart_output
        self.assertIn("Account admin with address admin@mox.example created.", out)
        self.assertEqual(len(env.password), 12)
        self.assertTrue(set(env.password) <= set(PW_ALPHABET), env.password)
        self.assertIn("IN MX 10 mail.mox.example.", out)
        self.assertTrue(os.path.isfile(env.config_path))
        self.assertTrue(os.path.isfile(env.domains_path))

        st = env.static_conf()
        self.assertEqual(st["Hostname"], "mail.mox.example")
        self.assertEqual(st["User"], moxtest.current_user())
        self.assertEqual(st["Postmaster"]["Account"], "admin")
        lst = list(st["Listeners"].values())
        self.assertEqual(len(lst), 1)
        self.assertEqual(lst[0]["IPs"], ["127.0.0.1"])
        kc = lst[0]["TLS"]["KeyCerts"][0]
        cert, key = env.config_file(kc["CertFile"]), env.config_file(kc["KeyFile"])
        self.assertTrue(cert.startswith(env.config_file("tls") + "/"), cert)
        self.assertTrue(key.startswith(env.config_file("tls") + "/"), key)
        p = openssl("x509", "-in", cert, "-noout", "-subject", "-ext", "subjectAltName")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"mail.mox.example", p.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode) & 0o077, 0, "TLS key readable by others")
        key_text(key)  # parses
        # The certificate belongs to the key.
        pub1 = openssl("x509", "-in", cert, "-noout", "-pubkey").stdout
        pub2 = openssl("pkey", "-in", key, "-pubout").stdout
        self.assertEqual(pub1, pub2)

        dom = env.domains()[D]
        sels = dom["DKIM"]["Selectors"]
        self.assertEqual(sorted(sels), [SEL_A, SEL_B])
        self.assertEqual(dom["DKIM"]["Sign"], [SEL_A])
        for s in sels:
            path = env.dkim_key_file(D, s)
            self.assertTrue(path.startswith(env.config_file("dkim") + "/"), path)
            self.assertRSA2048(path)
        self.assertNotEqual(env.dkim_key_file(D, SEL_A), env.dkim_key_file(D, SEL_B))
        acc = env.accounts()["admin"]
        self.assertEqual(acc["NoCustomPassword"], "true")
        self.assertEqual(acc["Domain"], D)
        self.assertEqual(list(acc["Destinations"]), ["admin@mox.example"])

    def test_twice(self):
        env = self.env
        with self.unchanged():
            p = env.run("mox-config", "quickstart", "--dir", env.dir, "--local", "--hostname",
                        "mail.mox.example", "--user", moxtest.current_user(),
                        "other@mox.example", expect=1)
        self.assertIn("already exists", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertTrue(p.stderr.startswith("mox-config: "))

    def test_config_test(self):
        p = self.env.config("test")
        self.assertIn("config OK", p.stdout)

    def test_quickstart_password_works(self):
        verify_password(self, self.env, "admin", self.env.password)


# ---------------------------------------------------------------------------

class DomainTest(Base):
    def test_add_new_account(self):
        env = self.env
        env.config("domain", "add", "example.org", "bob", "bob")
        dom = env.domains()["example.org"]
        self.assertEqual(sorted(dom["DKIM"]["Selectors"]), [SEL_A, SEL_B])
        self.assertEqual(dom["DKIM"]["Sign"], [SEL_A])
        for s in (SEL_A, SEL_B):
            self.assertRSA2048(env.dkim_key_file("example.org", s))
        acc = env.accounts()["bob"]
        self.assertEqual(acc["Domain"], "example.org")
        self.assertEqual(list(acc["Destinations"]), ["bob@example.org"])
        self.assertEqual(acc["NoCustomPassword"], "true")
        self.assertEqual(env.config("address", "account", "bob@example.org").stdout, "bob\n")
        self.assertEqual(env.config("account", "list").stdout, "admin\nbob\n")
        self.assertIn("example.org\n", env.config("domain", "list").stdout)
        env.config("test")

    def test_add_existing_account(self):
        env = self.env
        before = env.accounts()["admin"]
        env.config("domain", "add", "example.net", "admin")
        self.assertIn("example.net", env.domains())
        self.assertEqual(env.accounts()["admin"], before)
        self.assertEqual(sorted(env.accounts()), ["admin"])
        env.config("test")

    def test_add_errors(self):
        env = self.env
        with self.unchanged():
            self.assertFails("domain", "add", D, "admin", contains="already exists")
            self.assertFails("domain", "add", "MOX.example", "admin", contains="already exists")
            self.assertFails("domain", "add", "new.example", "nobody")
            self.assertFails("domain", "add", "new.example", "admin", "admin2")
            self.assertFails("domain", "add", "bad..example", "admin")
            self.assertFails("domain", "add", "bad-.example", "admin")
            self.assertFails("domain", "add", "bad_domain!.example", "admin")
            self.assertFails("domain", "add", "new.example", "carl", "carl+x")
            os.makedirs(env.account_dir("ghost"))
            self.assertFails("domain", "add", "ghost.example", "ghost", "ghost",
                             contains="already exists")
        self.assertNotIn("ghost", env.accounts())

    def test_disabled_enable(self):
        env = self.env
        env.config("domain", "add", "--disabled", "off.example", "admin")
        self.assertEqual(env.domains()["off.example"].get("Disabled"), "true")
        lines = env.config("domain", "list").stdout.splitlines()
        self.assertIn("off.example\t(disabled)", lines)
        self.assertIn(D, lines)
        js = [json.loads(x) for x in env.config("domain", "list", "--json").stdout.splitlines()]
        byname = {j["name"]: j for j in js}
        self.assertIs(byname["off.example"]["disabled"], True)
        self.assertIs(byname[D]["disabled"], False)

        env.config("domain", "enable", "off.example")
        self.assertIn("off.example", env.config("domain", "list").stdout.splitlines())
        js = [json.loads(x) for x in env.config("domain", "list", "--json").stdout.splitlines()]
        self.assertIs({j["name"]: j for j in js}["off.example"]["disabled"], False)
        self.assertNotIn("Disabled", env.domains()["off.example"])

        env.config("domain", "disable", D)
        self.assertIn(D + "\t(disabled)", env.config("domain", "list").stdout.splitlines())
        # Addresses can still be added to a disabled domain (domains.conf(5)
        # "Domains.*").
        env.config("address", "add", "extra@" + D, "admin")
        env.config("domain", "enable", D)
        self.assertIn(D, env.config("domain", "list").stdout.splitlines())
        with self.unchanged():
            self.assertFails("domain", "disable", "nosuch.example")
            self.assertFails("domain", "enable", "nosuch.example")

    def test_ed25519(self):
        env = self.env
        env.config("domain", "add", "--ed25519", "ed.example", "admin")
        dk = env.domains()["ed.example"]["DKIM"]
        sels = sorted(dk["Selectors"])
        self.assertEqual(len(sels), 3, sels)
        self.assertIn(SEL_A, sels)
        self.assertIn(SEL_B, sels)
        (third,) = [s for s in sels if s not in (SEL_A, SEL_B)]
        path = env.dkim_key_file("ed.example", third)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertIn("ED25519 Private-Key", key_text(path))
        self.assertRSA2048(env.dkim_key_file("ed.example", SEL_A))
        self.assertRSA2048(env.dkim_key_file("ed.example", SEL_B))
        self.assertEqual(sorted(dk["Sign"]), sorted([SEL_A, third]))
        out = env.config("dnsrecords", "ed.example").stdout
        self.assertRegex(out, re.escape(third) + r"\._domainkey\.ed\.example\..*k=ed25519")

    def test_rm(self):
        env = self.env
        env.config("domain", "add", "r.example", "admin")
        keys = [env.dkim_key_file("r.example", s) for s in (SEL_A, SEL_B)]
        env.config("address", "add", "x@r.example", "admin")
        with self.unchanged():
            self.assertFails("domain", "rm", "r.example")
        env.config("address", "rm", "x@r.example")
        # An account whose default domain it is.
        self.add_account("carol", "carol@" + D)
        text = env.domains_text().replace("\t\tDomain: mox.example\n\t\tDestinations:\n\t\t\tcarol",
                                          "\t\tDomain: r.example\n\t\tDestinations:\n\t\t\tcarol")
        self.assertNotEqual(text, env.domains_text())
        env.write_domains(text)
        env.config("test")
        with self.unchanged():
            self.assertFails("domain", "rm", "r.example")
        env.config("account", "rm", "carol")
        env.config("domain", "rm", "r.example")
        self.assertNotIn("r.example", env.domains())
        self.assertNotIn("r.example", env.config("domain", "list").stdout)
        for k in keys:
            self.assertFalse(os.path.exists(k), k)
            self.assertTrue(os.path.isfile(env.config_file("dkim/old/" + os.path.basename(k))), k)
        self.assertFails("domain", "rm", "r.example")
        self.assertFails("domain", "rm", "nosuch.example")
        env.config("test")

    def test_failed_add_leaves_no_keys(self):
        env = self.env
        os.makedirs(env.account_dir("ghost"))
        with self.unchanged():
            self.assertFails("domain", "add", "k.example", "ghost", "ghost")
            self.assertFails("domain", "add", D, "admin")


# ---------------------------------------------------------------------------

class AccountTest(Base):
    def test_list_disable_enable(self):
        env = self.env
        self.assertEqual(env.config("account", "list").stdout, "admin\n")
        self.add_account("bob")
        self.assertEqual(env.config("account", "list").stdout, "admin\nbob\n")
        self.assertEqual(env.accounts()["bob"]["NoCustomPassword"], "true")
        env.config("account", "disable", "bob", "gone fishing: back monday")
        self.assertEqual(env.accounts()["bob"]["LoginDisabled"], "gone fishing: back monday")
        self.assertEqual(env.config("account", "list").stdout, "admin\nbob\t(disabled)\n")
        js = [json.loads(x) for x in env.config("account", "list", "--json").stdout.splitlines()]
        self.assertEqual([j["name"] for j in js], ["admin", "bob"])
        self.assertIs(js[0]["disabled"], False)
        self.assertIs(js[1]["disabled"], True)
        env.config("account", "enable", "bob")
        self.assertNotIn("LoginDisabled", env.accounts()["bob"])
        self.assertEqual(env.config("account", "list").stdout, "admin\nbob\n")
        js = [json.loads(x) for x in env.config("account", "list", "--json").stdout.splitlines()]
        self.assertIs(js[1]["disabled"], False)
        env.config("test")

    def test_addresses(self):
        env = self.env
        self.add_account("bob")
        env.config("address", "add", "robert@" + D, "bob")
        out = env.config("account", "addresses", "bob").stdout.splitlines()
        self.assertEqual(sorted(out), ["bob@mox.example", "robert@mox.example"])
        js = [json.loads(x) for x in
              env.config("account", "addresses", "bob", "--json").stdout.splitlines()]
        self.assertEqual(sorted(j["address"] for j in js), sorted(out))
        self.assertFails("account", "addresses", "nosuch")

    def test_disable_message_rules(self):
        # domains.conf(5) "Domains.*": non-empty, at most 256 characters,
        # printable ASCII; a refused message leaves domains.conf as it was (and
        # readable).
        env = self.env
        orig = env.domains_text()
        for msg in ("", "x" * 257, "caf\u00e9 closed", "line1\nline2", "tab\there", "bell\x07"):
            with self.subTest(message=msg[:20]):
                try:
                    with self.unchanged():
                        self.assertFails("account", "disable", "admin", msg)
                    env.config("account", "list")
                finally:
                    env.write_domains(orig)
        with self.unchanged():
            self.assertFails("account", "disable", "nosuch", "message")
            self.assertFails("account", "enable", "nosuch")
        env.config("account", "disable", "admin", "y" * 256)
        self.assertEqual(env.accounts()["admin"]["LoginDisabled"], "y" * 256)
        env.config("test")

    def test_bad_account_names(self):
        with self.unchanged():
            for name in ("../evil", "a/b", "", ".", ".."):
                with self.subTest(name=name):
                    self.assertFails("account", "add", name, "evil@" + D)
        self.assertEqual(sorted(os.listdir(self.env.data("accounts"))), ["admin"])

    def test_add_errors(self):
        env = self.env
        self.add_account("bob")
        with self.unchanged():
            line = self.assertFails("account", "add", "bob", "bob2@" + D)
            self.assertEqual(line, 'mox-config: account "bob" already exists')
            self.assertFails("account", "add", "catch", "@" + D)
            self.assertFails("account", "add", "dup", "bob@" + D)
            self.assertFails("account", "add", "dup", "BOB@" + D)
            self.assertFails("account", "add", "sep", "sep+x@" + D)
            self.assertFails("account", "add", "nodom", "x@nosuch.example")
            self.assertFails("account", "add", "bad", "not-an-address")
            os.makedirs(env.account_dir("zed"))
            self.assertFails("account", "add", "zed", "zed@" + D, contains="already exists")
        self.assertNotIn("zed", env.accounts())
        self.assertFails("account", "rm", "nosuch")


# ---------------------------------------------------------------------------

def verify_password(tc, env, account, password):
    """Checks the stored secrets of `account` against `password`."""
    rows = env.query(("accounts", account, "index.db"),
                     "SELECT SCRAMSHA1Salt, SCRAMSHA1Iterations, SCRAMSHA1StoredKey, "
                     "SCRAMSHA1ServerKey, SCRAMSHA256Salt, SCRAMSHA256Iterations, "
                     "SCRAMSHA256StoredKey, SCRAMSHA256ServerKey, CRAMMD5Ipad, CRAMMD5Opad "
                     "FROM Password")
    tc.assertEqual(len(rows), 1)
    s1salt, s1it, s1stored, s1server, s2salt, s2it, s2stored, s2server, ipad, opad = rows[0]
    tc.assertEqual(s1it, 8192)
    tc.assertEqual(s2it, 4096)
    tc.assertGreaterEqual(len(s2salt), 8)
    tc.assertNotEqual(s1salt, s2salt)
    pw = password.encode()
    for h, salt, it, stored, server in (("sha1", s1salt, s1it, s1stored, s1server),
                                        ("sha256", s2salt, s2it, s2stored, s2server)):
        salted = hashlib.pbkdf2_hmac(h, pw, bytes(salt), it)
        client_key = hmac.new(salted, b"Client Key", h).digest()
        tc.assertEqual(bytes(stored), hashlib.new(h, client_key).digest(), "StoredKey " + h)
        tc.assertEqual(bytes(server), hmac.new(salted, b"Server Key", h).digest(), "ServerKey " + h)
    # CRAM-MD5: the HMAC-MD5 states after the ipad/opad blocks (RFC 2104).
    tc.assertEqual(len(ipad), 16)
    tc.assertEqual(len(opad), 16)
    challenge = b"<1896.697170952@postoffice.example.net>"
    inner = md5_resume(bytes(ipad), challenge)
    got = md5_resume(bytes(opad), inner)
    tc.assertEqual(got, hmac.new(pw, challenge, "md5").digest(), "CRAM-MD5 states")
    # Never in plaintext, in any file of the account (incl. WAL) or auth.db.
    files = all_files(env.account_dir(account)) + all_files(env.data_dir)
    for f in set(files):
        with open(f, "rb") as fh:
            tc.assertNotIn(pw, fh.read(), "plaintext password in " + f)


class PasswordTest(Base):
    def test_password_from_stdin(self):
        env = self.env
        self.add_account("bob")
        env.config("account", "password", "bob", input="correct horse battery\n")
        verify_password(self, env, "bob", "correct horse battery")
        # NoCustomPassword does not stop the admin.
        self.assertEqual(env.accounts()["bob"]["NoCustomPassword"], "true")
        env.config("account", "password", "bob", input="12345678\n")
        verify_password(self, env, "bob", "12345678")
        with self.unchanged():
            self.assertFails("account", "password", "bob", input="short\n", contains="at least 8")
            self.assertFails("account", "password", "bob", input="1234567\n",
                             contains="at least 8")
            self.assertFails("account", "password", "bob", input="")
            self.assertFails("account", "password", "nosuch", input="long enough pw\n")
        verify_password(self, env, "bob", "12345678")  # unchanged

    def test_genpassword(self):
        env = self.env
        self.add_account("bob")
        seen = set()
        for _ in range(3):
            out = env.config("account", "genpassword", "bob").stdout
            self.assertTrue(out.endswith("\n"))
            pw = out[:-1]
            self.assertEqual(len(pw), 12, pw)
            self.assertTrue(set(pw) <= set(PW_ALPHABET), pw)
            seen.add(pw)
        self.assertEqual(len(seen), 3)
        verify_password(self, env, "bob", pw)
        self.assertFails("account", "genpassword", "nosuch")


# ---------------------------------------------------------------------------

class AddressTest(Base):
    def test_catchall(self):
        env = self.env
        self.assertFails("address", "account", "nobody@" + D)
        env.config("address", "add", "@" + D, "admin")
        self.assertIn("@" + D, env.destinations("admin"))
        self.assertEqual(env.config("address", "account", "nobody@" + D).stdout, "admin\n")
        self.assertFails("address", "add", "@" + D, "admin")
        env.config("address", "rm", "@" + D)
        self.assertFails("address", "account", "nobody@" + D)

    def test_separator_and_case(self):
        env = self.env
        self.add_account("you")
        env.config("address", "add", "upper@" + D, "you")
        with self.unchanged():
            self.assertFails("address", "add", "bob+x@" + D, "admin", contains="separator")
        self.assertEqual(env.config("address", "account", "you+tag@" + D).stdout, "you\n")
        self.assertEqual(env.config("address", "account", "Upper+Case@MOX.EXAMPLE").stdout,
                         "you\n")
        self.assertEqual(env.config("address", "account", "YOU@" + D).stdout, "you\n")
        self.assertFails("address", "account", "unknown@" + D)
        self.assertFails("address", "account", "you@nosuch.example")

    def test_multiple_separators(self):
        # domains.conf(5) LocalpartCatchallSeparators (mox TestCatchall, domain
        # with separators + and -).
        env = self.env
        text = env.domains_text().replace(
            "\t\tLocalpartCatchallSeparator: +\n",
            "\t\tLocalpartCatchallSeparators:\n\t\t\t- +\n\t\t\t- -\n")
        env.write_domains(text)
        env.config("test")
        self.add_account("mjl")
        for a in ("mjl-test", "mjl-test+test", "mjl+test-test", "MJL+x"):
            self.assertEqual(env.config("address", "account", a + "@" + D).stdout, "mjl\n", a)
        with self.unchanged():
            self.assertFails("address", "add", "a-b@" + D, "mjl")
            self.assertFails("address", "add", "a+b@" + D, "mjl")

    def test_errors(self):
        env = self.env
        self.add_account("bob")
        with self.unchanged():
            self.assertFails("address", "add", "bob@" + D, "admin", contains="already exists")
            self.assertFails("address", "add", "Bob@MOX.example", "admin")
            self.assertFails("address", "add", "new@" + D, "nosuch")
            self.assertFails("address", "add", "new@nosuch.example", "bob")
            self.assertFails("address", "add", "not an address", "bob")
            self.assertFails("address", "rm", "missing@" + D)
            self.assertFails("address", "rm", "@" + D)
            # Reporting addresses are not in Destinations.
            self.assertFails("address", "rm", "dmarcreports@" + D)
        env.config("address", "add", "new@" + D, "bob")
        self.assertEqual(env.destinations("bob"), ["bob@mox.example", "new@mox.example"])
        env.config("address", "rm", "NEW@" + D)
        self.assertEqual(env.destinations("bob"), ["bob@mox.example"])
        self.assertFails("address", "account", "new@" + D)
        self.assertFails("address", "rm", "new@" + D)


class AddressRmGuardTest(Base):
    def test_queue_guard(self):
        env = self.env
        self.add_account("carol")
        env.config("address", "add", "carol2@" + D, "carol")
        ensure_queue_db(env)
        insert_msg(env, "carol", "carol", D)
        with self.unchanged():
            self.assertFails("address", "rm", "carol@" + D,
                             contains="drop message from queue first")
        # A catchall of another account does not help.
        env.config("address", "add", "@" + D, "admin")
        with self.unchanged():
            self.assertFails("address", "rm", "carol@" + D,
                             contains="drop message from queue first")
        env.config("address", "rm", "@" + D)
        # Unrelated addresses of the account can go.
        env.config("address", "rm", "carol2@" + D)
        # With a same-account catchall the queued mail still maps to carol.
        env.config("address", "add", "@" + D, "carol")
        env.config("address", "rm", "carol@" + D)
        self.assertEqual(env.destinations("carol"), ["@" + D])
        # Now the catchall is the only thing mapping the queued sender.
        with self.unchanged():
            self.assertFails("address", "rm", "@" + D, contains="drop message from queue first")
        env.config("test")

    def test_queue_guard_tagged_sender(self):
        env = self.env
        self.add_account("carol")
        ensure_queue_db(env)
        insert_msg(env, "carol", "Carol+news", D)
        with self.unchanged():
            self.assertFails("address", "rm", "carol@" + D,
                             contains="drop message from queue first")
        # Mail queued by another account does not matter.
        env.query(("queue", "index.db"), "UPDATE Msg SET SenderAccount='admin'")
        env.config("address", "rm", "carol@" + D)

    def test_tls_pubkey_guard(self):
        env = self.env
        self.add_account("bob")
        insert_tls_key(env, "bob", "bob@" + D)
        with self.unchanged():
            self.assertFails("address", "rm", "bob@" + D)
            self.assertFails("address", "rm", "BOB@" + D)
        env.config("domain", "add", "t.example", "admin")
        insert_tls_key(env, "admin", "x@t.example", fingerprint="fp-" + "b" * 40)
        with self.unchanged():
            self.assertFails("domain", "rm", "t.example")
        env.query("auth.db", "DELETE FROM TLSPublicKey")
        env.config("address", "rm", "bob@" + D)
        env.config("domain", "rm", "t.example")


# ---------------------------------------------------------------------------

class AccountRmBase(Base):
    def prepare(self, name="carol", keep=None):
        env = self.env
        self.add_account(name)
        if keep:
            text = env.domains_text()
            marker = "\t%s:\n\t\tDomain: %s\n" % (name, D)
            self.assertIn(marker, text)
            env.write_domains(text.replace(marker, marker + "\t\tKeepRetiredMessagePeriod: %s\n"
                                           % keep))
            env.config("test")
        self.open_account(name)
        ensure_queue_db(env)
        self.msgs = [insert_msg(env, name, name, D), insert_msg(env, name, name, D),
                     insert_msg(env, "admin", "admin", D)]
        qmsg = env.data("queue", "msg", "a", str(self.msgs[0]))
        os.makedirs(os.path.dirname(qmsg), exist_ok=True)
        with open(qmsg, "w") as f:
            f.write("Subject: test\r\n\r\nhi\r\n")
        self.qmsg = qmsg
        q = env.queue_db()
        for acc in (name, "admin"):
            q.execute("INSERT INTO Suppression (Created, Account, BaseAddress, OriginalAddress) "
                      "VALUES (?,?,?,?)", (int(time.time()), acc, "x@remote.example",
                                           "x@remote.example"))
        q.close()
        now = int(time.time())
        insert_tls_key(env, name, "%s@%s" % (name, D))
        insert_attempt(env, name, now, result="badcreds")
        insert_attempt(env, "admin", now)
        env.query("auth.db", "INSERT INTO LoginAttemptState (AccountName, RecordsFailed) "
                  "VALUES (?, 1)", (name,))

    def assertRemoved(self, name="carol"):
        env = self.env
        self.assertNotIn(name, env.accounts())
        self.assertNotIn(name, env.config("account", "list").stdout.split())
        self.assertFalse(os.path.exists(env.account_dir(name)))
        self.assertFalse(os.path.exists(env.data("tmp", "oldaccount-" + name)))
        a = ("auth.db",)
        self.assertEqual(count(env, a, "SELECT COUNT(*) FROM AccountRemove"), 0)
        self.assertEqual(count(env, a, "SELECT COUNT(*) FROM TLSPublicKey WHERE Account=?",
                               (name,)), 0)
        self.assertEqual(count(env, a, "SELECT COUNT(*) FROM LoginAttempt WHERE AccountName=?",
                               (name,)), 0)
        self.assertEqual(count(env, a, "SELECT COUNT(*) FROM LoginAttemptState "
                                       "WHERE AccountName=?", (name,)), 0)
        self.assertEqual(count(env, a, "SELECT COUNT(*) FROM LoginAttempt "
                                       "WHERE AccountName='admin'"), 1)
        q = ("queue", "index.db")
        self.assertEqual(count(env, q, "SELECT COUNT(*) FROM Msg WHERE SenderAccount=?",
                               (name,)), 0)
        self.assertEqual(count(env, q, "SELECT COUNT(*) FROM Msg WHERE SenderAccount='admin'"), 1)
        self.assertEqual(count(env, q, "SELECT COUNT(*) FROM Suppression WHERE Account=?",
                               (name,)), 0)
        self.assertEqual(count(env, q, "SELECT COUNT(*) FROM Suppression "
                                       "WHERE Account='admin'"), 1)
        self.assertFails("address", "account", "%s@%s" % (name, D))
        env.config("test")


class AccountRmTest(AccountRmBase):
    def test_rm(self):
        env = self.env
        self.prepare(keep="24h")
        env.config("account", "rm", "carol")
        self.assertRemoved()
        self.assertFalse(os.path.exists(self.qmsg), "queued message file not removed")
        rows = env.query(("queue", "index.db"),
                         "SELECT ID, Success, KeepUntil FROM MsgRetired WHERE SenderAccount='carol'")
        self.assertEqual(sorted(r[0] for r in rows), sorted(self.msgs[:2]))
        for _, success, keep_until in rows:
            self.assertEqual(success, 0)
            self.assertGreater(keep_until, time.time() + 23 * 3600)
        # The account can be created again from scratch.
        self.add_account("carol")
        self.assertFalse(os.path.exists(env.account_dir("carol")))

    def test_rm_without_retired(self):
        env = self.env
        self.prepare()
        env.config("account", "rm", "carol")
        self.assertRemoved()
        self.assertEqual(count(env, ("queue", "index.db"), "SELECT COUNT(*) FROM MsgRetired"), 0)

    def test_rm_never_opened(self):
        env = self.env
        self.add_account("dan")
        env.config("account", "rm", "dan")
        self.assertNotIn("dan", env.accounts())
        self.assertEqual(count(env, ("auth.db",), "SELECT COUNT(*) FROM AccountRemove"), 0)

    def test_refused_postmaster_and_reporting(self):
        env = self.env
        ensure_queue_db(env)
        insert_msg(env, "admin", "admin", D)
        with self.unchanged():
            self.assertFails("account", "rm", "admin")  # postmaster and DMARC account
        self.assertEqual(count(env, ("queue", "index.db"), "SELECT COUNT(*) FROM Msg"), 1)
        self.assertTrue(os.path.isdir(env.account_dir("admin")))
        # A domain's DMARC/TLSRPT reporting account.
        env.config("domain", "add", "d.example", "dave", "dave")
        self.assertEqual(env.domains()["d.example"]["DMARC"]["Account"], "dave")
        self.open_account("dave")
        insert_msg(env, "dave", "dave", "d.example")
        with self.unchanged():
            self.assertFails("account", "rm", "dave")
        self.assertEqual(count(env, ("queue", "index.db"),
                               "SELECT COUNT(*) FROM Msg WHERE SenderAccount='dave'"), 1)
        self.assertEqual(count(env, ("auth.db",), "SELECT COUNT(*) FROM AccountRemove"), 0)
        self.assertTrue(os.path.isdir(env.account_dir("dave")))
        env.config("test")


class CrashTest(AccountRmBase):
    def crash(self, point, *args):
        p = self.env.config(*args, env={"MOX_CRASHPOINT": point}, expect=-9)
        return p

    def pending(self):
        return [r[0] for r in self.env.query("auth.db", "SELECT AccountName FROM AccountRemove")]

    def test_after_queue(self):
        env = self.env
        self.prepare()
        self.crash("account-rm-after-queue", "account", "rm", "carol")
        # Queued mail was failed, but no intent yet: the account still exists.
        self.assertEqual(count(env, ("queue", "index.db"),
                               "SELECT COUNT(*) FROM Msg WHERE SenderAccount='carol'"), 0)
        self.assertEqual(self.pending(), [])
        self.assertEqual(env.config("account", "list").stdout, "admin\ncarol\n")
        self.assertTrue(os.path.isdir(env.account_dir("carol")))
        env.config("test")
        env.config("account", "rm", "carol")
        self.assertRemoved()

    def test_after_intent(self):
        env = self.env
        self.prepare()
        self.crash("account-rm-after-intent", "account", "rm", "carol")
        self.assertEqual(self.pending(), ["carol"])
        self.assertIn("carol", env.accounts())  # domains.conf not yet written
        self.assertTrue(os.path.isdir(env.account_dir("carol")))
        # The next start completes the removal, including domains.conf.
        self.assertEqual(env.config("account", "list").stdout, "admin\n")
        self.assertRemoved()

    def test_after_config(self):
        env = self.env
        self.prepare()
        self.crash("account-rm-after-config", "account", "rm", "carol")
        self.assertEqual(self.pending(), ["carol"])
        self.assertNotIn("carol", env.accounts())
        self.assertTrue(os.path.isdir(env.account_dir("carol")))
        env.config("test")
        self.assertEqual(env.config("account", "list").stdout, "admin\n")
        self.assertRemoved()

    def test_after_rename(self):
        env = self.env
        self.prepare()
        self.crash("account-rm-after-rename", "account", "rm", "carol")
        self.assertEqual(self.pending(), ["carol"])
        self.assertNotIn("carol", env.accounts())
        self.assertFalse(os.path.exists(env.account_dir("carol")))
        self.assertTrue(os.path.isdir(env.data("tmp", "oldaccount-carol")))
        self.assertEqual(env.config("account", "list").stdout, "admin\n")
        self.assertRemoved()

    def test_crash_during_recovery(self):
        env = self.env
        self.prepare()
        self.crash("account-rm-after-intent", "account", "rm", "carol")
        # The completing program crashes too; the one after that finishes.
        self.crash("account-rm-after-rename", "account", "list")
        self.assertEqual(self.pending(), ["carol"])
        self.assertEqual(env.config("account", "list").stdout, "admin\n")
        self.assertRemoved()

    def test_account_in_use(self):
        env = self.env
        self.prepare()
        fd = os.open(os.path.join(env.account_dir("carol"), "lock"), os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            env.config("account", "rm", "carol")
            self.assertNotIn("carol", env.accounts())
            self.assertTrue(os.path.isdir(env.account_dir("carol")))
            self.assertEqual(self.pending(), ["carol"])
            # Other programs start fine and leave it pending.
            self.assertEqual(env.config("account", "list").stdout, "admin\n")
            self.assertEqual(self.pending(), ["carol"])
            # The leftover directory blocks a new account of that name.
            self.assertFails("account", "add", "carol", "carol@" + D)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        env.config("cleanup")
        self.assertEqual(self.pending(), [])
        self.assertFalse(os.path.exists(env.account_dir("carol")))
        self.assertRemoved()

    def test_config_write_crash(self):
        env = self.env
        before = env.domains_text()
        listing = sorted(os.listdir(env.config_dir))
        self.crash("config-write-before-rename", "address", "add", "new@" + D, "admin")
        self.assertEqual(env.domains_text(), before)
        # No partial or temporary file (the lock file stays, it is reused).
        after = [f for f in os.listdir(env.config_dir) if f != "domains.conf.lock"]
        self.assertEqual(sorted(after), [f for f in listing if f != "domains.conf.lock"])
        env.config("test")
        # The lock died with the process; the next change works.
        env.config("address", "add", "new@" + D, "admin")
        self.assertIn("new@" + D, env.destinations("admin"))
        self.assertFalse([f for f in os.listdir(env.config_dir) if ".tmp" in f])


# ---------------------------------------------------------------------------

class GrammarTest(Base):
    """Names and texts that domains.conf cannot hold, or that mox-config(8)'s
    VALUE GRAMMAR refuses, are refused with exit 1 and one line on stderr;
    domains.conf stays byte for byte as it was and still loads."""

    INJECT = ("x:\n\t\tDomain: " + D + "\n\tevil:\n\t\tDomain: " + D +
              "\n\t\tDestinations:\n\t\t\t@" + D + ": nil\n\ty")

    @contextlib.contextmanager
    def unchanged_bytes(self):
        env = self.env
        paths = [env.domains_path, env.config_path]
        before = [read_bytes(p) for p in paths]
        accounts = sorted(os.listdir(env.data("accounts")))
        keys = all_files(env.config_file("dkim"))
        yield
        for p, b in zip(paths, before):
            self.assertEqual(read_bytes(p), b, p + " changed")
        self.assertEqual(sorted(os.listdir(env.data("accounts"))), accounts)
        self.assertEqual(all_files(env.config_file("dkim")), keys, "DKIM key files changed")
        env.config("test")

    def refused(self, *args, **kw):
        """Runs mox-config ARGS expecting exit 1, one printable stderr line,
        and no change to the config files."""
        with self.unchanged_bytes():
            line = self.assertFails(*args, **kw)
        self.assertTrue(line.isprintable(), repr(line))
        return line

    def test_account_names(self):
        for name in ("a\nb", "#a", "a\x01b", "a\x1bb", "a b", "a:b", "a: b", " a", "a ",
                     "a\tb", "a\u0085b", "caf\u00e9", "_a", ".hidden", "a/b", self.INJECT):
            with self.subTest(name=name):
                line = self.refused("account", "add", name, "new@" + D)
                self.assertIn("account name", line)
        self.assertEqual(self.env.config("account", "list").stdout, "admin\n")
        self.env.config("account", "add", "first.last-2_x", "new@" + D)

    def test_injected_catchall(self):
        env = self.env
        self.refused("account", "add", self.INJECT, "new@" + D)
        self.refused("domain", "add", "new.example", self.INJECT, "new")
        self.assertNotIn("evil", env.accounts())
        env.fail("address", "account", "anyone@" + D)
        # Through the address: a quoted localpart cannot carry a line break.
        self.refused("account", "add", "bob", '"x\n\tevil:"@' + D)
        self.refused("address", "add", '"x\n\t\t\t@' + D + ': nil"@' + D, "admin")

    def test_addresses(self):
        env = self.env
        self.add_account("bob")
        for addr in ("#x@" + D, '"a: b"@' + D, '"a:b"@' + D, "a\u0085b@" + D,
                     "x@b\u0085.example", '"x\ty"@' + D):
            with self.subTest(address=addr):
                self.refused("address", "add", addr, "bob")
                self.refused("account", "add", "carol", addr)
        self.refused("domain", "add", "new.example", "carol", "#x")
        self.refused("domain", "add", "new.example", "carol", '"a: b"')
        self.assertEqual(env.destinations("bob"), ["bob@" + D])
        # The same characters elsewhere in a localpart are fine.
        env.config("address", "add", "a#b@" + D, "bob")
        env.config("address", "add", '"john smith"@' + D, "bob")
        self.assertEqual(env.destinations("bob"),
                         ['"john smith"@' + D, "a#b@" + D, "bob@" + D])

    def test_domains(self):
        for dom in ("b\u0085.example", "b\u2028.example", "a b.example", "x.example\n"):
            with self.subTest(domain=dom):
                self.refused("domain", "add", dom, "admin")

    def test_disable_messages(self):
        for msg in ("gone ", " gone", "gone\n", "x\n\t\tDestinations:\n\t\t\t@" + D + ": nil",
                    "a\u0085b", "\x1b[2Jgone"):
            with self.subTest(message=msg):
                self.refused("account", "disable", "admin", msg)
        self.env.config("account", "disable", "admin", "gone: back at 10")

    def test_control_characters_in_messages(self):
        line = self.refused("account", "rm", "no\nsuch")
        self.assertIn("no\\x0asuch", line)
        line = self.refused("account", "enable", "\x1b[31mred")
        self.assertNotIn("\x1b", line)
        self.refused("address", "rm", "\x1b]0;title\x07@" + D)

    def edit_domains(self, old, new):
        text = read_bytes(self.env.domains_path)
        self.assertIn(old, text)
        write_bytes(self.env.domains_path, text.replace(old, new, 1))

    def test_unwritable_full_names(self):
        # Values written by hand that the file format reads but mox-config
        # cannot write back: the change is refused, the file left alone.
        for bad in (b"Ad\x01min", b"Ad\tmin", b"Ad\xc2\x85min", b"Adm\xe9n"):
            with self.subTest(full_name=bad):
                orig = read_bytes(self.env.domains_path)
                try:
                    self.edit_domains(b"\t\tDomain: " + D.encode() + b"\n",
                                      b"\t\tDomain: " + D.encode() + b"\n\t\tFullName: " + bad +
                                      b"\n")
                    line = self.refused("account", "disable", "admin", "gone")
                    self.assertIn("FullName", line)
                finally:
                    write_bytes(self.env.domains_path, orig)

    def test_unwritable_mailbox_names(self):
        key = ("\t\t\tadmin@" + D + ":").encode()
        for bad in (b"In\x01box", b"In\tbox", b"In\xc2\x9bbox", b"In\xffbox"):
            with self.subTest(mailbox=bad):
                orig = read_bytes(self.env.domains_path)
                try:
                    self.edit_domains(key + b" nil\n", key + b"\n\t\t\t\tMailbox: " + bad + b"\n")
                    line = self.refused("address", "add", "new@" + D, "admin")
                    self.assertIn("Mailbox", line)
                finally:
                    write_bytes(self.env.domains_path, orig)

    def test_quickstart(self):
        for args in (("#x@" + D,), ("o'brien@" + D,), ('"a b"@' + D,),
                     ("--user", "a b", "mjl@" + D), ("--user", "x\ny", "mjl@" + D),
                     ("--hostname", "mail\u0085.example", "mjl@" + D)):
            with self.subTest(args=args):
                with moxtest.MoxEnv(quickstart=False) as env:
                    p = env.config("quickstart", "--dir", env.dir, "--local", *args, expect=1)
                    lines = p.stderr.splitlines()
                    self.assertEqual(len(lines), 1, p.stderr)
                    self.assertTrue(lines[0].startswith("mox-config: "), p.stderr)
                    self.assertFalse(os.path.exists(env.config_path))
                    self.assertFalse(os.path.exists(env.domains_path))


class ConcurrencyTest(Base):
    def test_racing_address_add(self):
        env = self.env
        self.add_account("bob")
        procs = []
        for i in range(10):
            procs.append(env.popen("mox-config", "address", "add", "a%d@%s" % (i, D), "admin"))
            procs.append(env.popen("mox-config", "address", "add", "b%d@%s" % (i, D), "bob"))
        for p in procs:
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
        adm = env.destinations("admin")
        bob = env.destinations("bob")
        for i in range(10):
            self.assertIn("a%d@%s" % (i, D), adm)
            self.assertIn("b%d@%s" % (i, D), bob)
        self.assertEqual(len(adm), 11)
        self.assertEqual(len(bob), 11)
        env.config("test")


# ---------------------------------------------------------------------------

class UsageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = moxtest.MoxEnv()

    @classmethod
    def tearDownClass(cls):
        cls.env.close()

    def test_usage_errors(self):
        env = self.env
        for args in (("nosuch",), ("account",), ("account", "nosuch"), ("account", "add", "x"),
                     ("domain", "add", "x.example"), ("address", "rm"), ("dnsrecords",),
                     ("account", "list", "--nosuchflag"), ()):
            p = env.config(*args, expect=2)
            self.assertTrue(p.stderr.strip(), args)
        self.assertEqual(env.config("account", "list").stdout, "admin\n")

    def test_help_version(self):
        env = self.env
        out = env.config("--help").stdout
        for verb in ("quickstart", "domain", "account", "address", "dnsrecords", "test",
                     "loginattempts", "cleanup"):
            self.assertIn(verb, out)
        out = env.config("account", "--help").stdout
        for verb in ("add", "rm", "list", "addresses", "disable", "enable", "password",
                     "genpassword"):
            self.assertIn(verb, out)
        self.assertTrue(env.config("--version").stdout.strip())
        self.assertTrue(env.run("mox", "--version").stdout.strip())

    def test_mox_dispatcher(self):
        env = self.env
        self.assertEqual(env.run("mox", "config", "account", "list").stdout, "admin\n")
        p = env.run("mox", "config", "account", "nosuch", expect=2)
        p = env.run("mox", "config", "account", "rm", "nosuch", expect=1)
        self.assertTrue(p.stderr.startswith("mox-config: "))
        env.run("mox", "nosuch", expect=2)

    def test_missing_config(self):
        env = self.env
        p = env.config("account", "list", env={"MOX_CONFIG": env.dir + "/nonexistent.conf"},
                       expect=1)
        self.assertTrue(p.stderr.startswith("mox-config: "))
        p = env.config("--config", env.config_path, "account", "list",
                       env={"MOX_CONFIG": None})
        self.assertEqual(p.stdout, "admin\n")


# ---------------------------------------------------------------------------

def txt_strings(s):
    return [m.encode() for m in re.findall(r'"((?:[^"\\]|\\.)*)"', s)]


class DnsRecordsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = moxtest.MoxEnv()
        cls.out = cls.env.config("dnsrecords", D).stdout

    @classmethod
    def tearDownClass(cls):
        cls.env.close()

    def test_records(self):
        out = self.out
        self.assertRegex(out, r"(?m)^mox\.example\.\s+(\d+\s+)?IN\s+MX\s+10\s+mail\.mox\.example\.")
        self.assertRegex(out, r'(?m)^mox\.example\.\s+(\d+\s+)?IN\s+TXT\s+"v=spf1 ')
        self.assertRegex(out, r'(?m)^_dmarc\.mox\.example\.\s+(\d+\s+)?IN\s+TXT\s+"v=DMARC1;')

    def test_dkim(self):
        env = self.env
        for sel in (SEL_A, SEL_B):
            m = re.search(r"(?m)^%s\._domainkey\.mox\.example\.\s+(?:\d+\s+)?IN\s+TXT\s+(.*)$"
                          % re.escape(sel), self.out)
            self.assertIsNotNone(m, sel)
            rest = m.group(1)
            if rest.startswith("("):
                rest = rest[1:rest.index(")")]
            strings = txt_strings(rest)
            self.assertTrue(strings, rest)
            for s in strings:
                self.assertLessEqual(len(s), 255)
            value = b"".join(strings).decode()
            tags = {}
            for part in value.split(";"):
                k, _, v = part.strip().partition("=")
                tags[k] = v
            self.assertTrue(value.startswith("v=DKIM1;"), value)
            self.assertEqual(tags["h"], "sha256")
            self.assertNotIn("k", tags)  # rsa is the default
            der = base64.b64decode(tags["p"], validate=True)
            with tempfile.NamedTemporaryFile(suffix=".der") as f:
                f.write(der)
                f.flush()
                p = openssl("pkey", "-pubin", "-inform", "DER", "-in", f.name, "-noout", "-text")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertIn(b"2048 bit", p.stdout)
            # It is the public half of the configured private key.
            p = openssl("pkey", "-in", env.dkim_key_file(D, sel), "-pubout", "-outform", "DER")
            self.assertEqual(p.stdout, der)

    def test_unknown_domain(self):
        p = self.env.config("dnsrecords", "nosuch.example", expect=1)
        self.assertEqual(len(p.stderr.splitlines()), 1)
        self.env.config("dnsrecords", "bad..domain", expect=1)


# ---------------------------------------------------------------------------

class BrokenConfigTest(Base):
    def check_broken(self, text, lineno, what=None):
        env = self.env
        env.write_domains(text)
        p = env.config("test", expect=1)
        self.assertIn("domains.conf:%d" % lineno, p.stderr)
        if what:
            self.assertIn(what, p.stderr)
        self.assertNotIn("config OK", p.stdout)
        # Other verbs refuse to work on a broken config too.
        env.config("account", "list", expect=1)

    def lines(self):
        return self.env.domains_text().split("\n")

    def insert_after(self, match, new):
        lines = self.lines()
        i = next(n for n, l in enumerate(lines) if l == match)
        return "\n".join(lines[:i + 1] + new + lines[i + 1:]), i + 2

    def test_unknown_field(self):
        text, n = self.insert_after("\t\tNoCustomPassword: true", ["\t\tBogusField: 1"])
        self.check_broken(text, n, "BogusField")

    def test_both_separator_fields(self):
        orig = self.env.domains_text()
        text, n = self.insert_after("\t\tLocalpartCatchallSeparator: +",
                                    ["\t\tLocalpartCatchallSeparators:", "\t\t\t- -"])
        self.env.write_domains(text)
        p = self.env.config("test", expect=1)
        self.assertRegex(p.stderr, r"domains\.conf:\d+")
        self.assertIn("LocalpartCatchallSeparator", p.stderr)
        self.env.write_domains(orig)
        self.env.config("test")

    def test_space_indentation(self):
        lines = self.lines()
        i = lines.index("\t\tNoCustomPassword: true")
        lines[i] = "        NoCustomPassword: true"
        self.check_broken("\n".join(lines), i + 1)

    def test_login_disabled_too_long(self):
        text, n = self.insert_after("\t\tNoCustomPassword: true",
                                    ["\t\tLoginDisabled: " + "z" * 257])
        self.check_broken(text, n, "LoginDisabled")

    def test_missing_dkim_key(self):
        env = self.env
        os.unlink(env.dkim_key_file(D, SEL_B))
        p = env.config("test", expect=1)
        self.assertIn(SEL_B, p.stderr)


# ---------------------------------------------------------------------------

class LoginAttemptsTest(Base):
    def test_list(self):
        env = self.env
        self.add_account("bob")
        now = int(time.time())
        for i in range(15):
            insert_attempt(env, "admin", now - 1000 + i, remote="10.0.0.%d" % i)
        for i in range(3):
            insert_attempt(env, "bob", now - 2000 + i, remote="10.0.1.%d" % i,
                           result="badcreds")

        def rows(*args):
            out = env.config("loginattempts", *args).stdout.splitlines()
            self.assertTrue(out[0].startswith("time"), out[:1])
            return [l.split("\t") for l in out[1:]]

        r = rows()
        self.assertEqual(len(r), 10)
        self.assertEqual([x[6] for x in r], ["10.0.0.%d" % i for i in range(14, 4, -1)])
        self.assertEqual(len(rows("--all")), 18)
        self.assertEqual([x[2] for x in rows("bob")], ["bob"] * 3)
        self.assertEqual(rows("bob")[0][6], "10.0.1.2")
        js = [json.loads(x) for x in env.config("loginattempts", "--all", "--json")
              .stdout.splitlines()]
        self.assertEqual(len(js), 18)
        self.assertEqual(js[0]["remoteIP"], "10.0.0.14")
        self.assertEqual(js[0]["account"], "admin")
        self.assertEqual(js[0]["result"], "ok")
        js = [json.loads(x) for x in env.config("loginattempts", "bob", "--json")
              .stdout.splitlines()]
        self.assertEqual([j["account"] for j in js], ["bob"] * 3)
        self.assertEqual(js[0]["result"], "badcreds")
        self.assertEqual(rows("nosuch"), [])

    def test_cleanup(self):
        env = self.env
        now = int(time.time())
        day = 24 * 3600
        insert_attempt(env, "admin", now - 31 * day, remote="10.9.0.1", result="badcreds")
        insert_attempt(env, "admin", now - 40 * day, remote="10.9.0.2", result="badcreds")
        insert_attempt(env, "admin", now - 29 * day, remote="10.9.0.3", result="badcreds")
        insert_attempt(env, "admin", now - 31 * day, remote="10.9.0.4", result="ok")
        insert_attempt(env, "admin", now, remote="10.9.0.5", result="ok")
        env.query("auth.db", "INSERT INTO LoginAttemptState (AccountName, RecordsFailed) "
                  "VALUES ('admin', 3)")
        env.config("cleanup")
        left = sorted(r[0] for r in env.query("auth.db", "SELECT RemoteIP FROM LoginAttempt"))
        self.assertEqual(left, ["10.9.0.3", "10.9.0.5"])
        self.assertEqual(env.query("auth.db", "SELECT RecordsFailed FROM LoginAttemptState "
                                   "WHERE AccountName='admin'"), [(1,)])

    def test_cleanup_removes_orphan_message_files(self):
        # Files without a row, as a crash or a killed mox-smtpd leaves them
        # (message IDs reserved, never committed); rows keep their files.
        env = self.env
        db = ("accounts", "admin", "index.db")  # made by quickstart (the password)
        (nxt,) = env.query(db, "SELECT NextMessageID FROM Account")[0]
        env.query(db, "UPDATE Account SET NextMessageID = ?", (nxt + 3,))
        orphans = [env.message_path("admin", i) for i in range(nxt, nxt + 3)]
        for p in orphans:
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, "wb").close()
        rows = env.query(db, "SELECT ID FROM Message WHERE Expunged = 0")
        out = env.config("cleanup").stdout
        self.assertIn("removed 3 message files without a message", out)
        for p in orphans:
            self.assertFalse(os.path.exists(p), p)
        for (i,) in rows:
            self.assertTrue(os.path.exists(env.message_path("admin", i)))
        self.assertIn("removed 0 message files", env.config("cleanup").stdout)


if __name__ == "__main__":
    unittest.main()
