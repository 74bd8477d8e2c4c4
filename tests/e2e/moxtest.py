"""Shared helpers for the end-to-end tests of mox-cpp.

The tests run the built programs (mox-config, mox, and later the servers) in a
temporary directory with Debian's Python and the standard library only.

Environment:
  MOX_BIN   build directory holding the programs (default /work/main/build)
  MOX_SRC   source directory (default /work/main)
  MOX_KEEP  set to 1 to keep the temporary directories for inspection

Typical use:

    class T(unittest.TestCase):
        def setUp(self):
            self.env = moxtest.MoxEnv(self)   # quickstart for admin@mox.example
        def test_x(self):
            r = self.env.config("account", "list")
            self.assertEqual(r.stdout, "admin\\n")
"""

import atexit
import contextlib
import getpass
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time

MOX_BIN = os.environ.get("MOX_BIN") or "/work/main/build"
MOX_SRC = os.environ.get("MOX_SRC") or "/work/main"
KEEP = os.environ.get("MOX_KEEP") == "1"

DOMAIN = "mox.example"
HOSTNAME = "mail.mox.example"
ADDRESS = "admin@" + DOMAIN
ACCOUNT = "admin"


def bin_path(prog):
    """Absolute path of a built program, e.g. bin_path("mox-config").

    Waits a little if the binary is missing (the build may be relinking it)."""
    path = os.path.join(MOX_BIN, prog)
    for _ in range(50):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        time.sleep(0.2)
    raise FileNotFoundError("program %s not found in MOX_BIN=%s" % (prog, MOX_BIN))


def current_user():
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return getpass.getuser()


def ensure_user(name):
    """The passwd entry of system user `name`, made (useradd, as root) if
    missing: servers that drop privileges to it, or whose per-user kernel
    limits must not be shared with other programs."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        name], check=True)
        return pwd.getpwnam(name)


def free_port(host="127.0.0.1"):
    """A TCP port that was free a moment ago (for starting servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class CommandError(AssertionError):
    pass


def describe(proc):
    args = proc.args if isinstance(proc.args, str) else " ".join(map(str, proc.args))
    return "command: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s" % (
        args, proc.returncode, proc.stdout, proc.stderr)


# ---------------------------------------------------------------------------
# sconf: the tab-indented format of mox.conf and domains.conf.

class SconfError(ValueError):
    pass


def parse_sconf(text):
    """Parses sconf text into nested dicts (structs, maps) and lists.

    Scalars stay strings ("true", "72h", "nil"); the caller interprets them.
    Only meant for reading what the programs wrote, so it is small and strict
    about indentation."""
    lines = []
    for n, raw in enumerate(text.split("\n"), 1):
        if raw.strip() == "" or raw.lstrip("\t").startswith("#"):
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        content = raw[depth:]
        if content.startswith(" "):
            raise SconfError("line %d: indented with spaces" % n)
        lines.append((depth, content, n))

    def block(i, depth):
        if i >= len(lines) or lines[i][0] < depth:
            return {}, i
        if lines[i][0] != depth:
            raise SconfError("line %d: unexpected indentation" % lines[i][2])
        if lines[i][1] == "-" or lines[i][1].startswith("- "):
            out = []
            while i < len(lines) and lines[i][0] == depth:
                d, c, n = lines[i]
                if c == "-":
                    v, i = block(i + 1, depth + 1)
                    out.append(v)
                elif c.startswith("- "):
                    out.append(c[2:])
                    i += 1
                else:
                    raise SconfError("line %d: expected list item" % n)
            return out, i
        out = {}
        while i < len(lines) and lines[i][0] == depth:
            d, c, n = lines[i]
            if c.endswith(":"):
                key = c[:-1]
                v, i = block(i + 1, depth + 1)
            else:
                k, sep, v = c.partition(": ")
                if not sep:
                    raise SconfError("line %d: expected 'Key: value'" % n)
                key = k
                i += 1
            if key in out:
                raise SconfError("line %d: duplicate key %r" % (n, key))
            out[key] = v
        return out, i

    value, i = block(0, 0)
    if i != len(lines):
        raise SconfError("line %d: unexpected indentation" % lines[i][2])
    return value


# ---------------------------------------------------------------------------

class MoxEnv:
    """A temporary mox-cpp installation made by `mox-config quickstart`.

    Attributes: dir, config_dir, config_path, domains_path, data_dir,
    password (the generated password of the quickstart account), account,
    address, domain, hostname, quickstart_output.

    `testcase` (a unittest.TestCase) is optional; when given, cleanup is
    registered with it, so the directory goes away at the end of the test
    (unless MOX_KEEP=1).

    quickstart=True runs `mox-config quickstart` once per process and set of
    arguments and copies the result (with the same DKIM keys, TLS key and
    password) into each new MoxEnv, which saves the key generation time;
    fresh=True runs quickstart for this environment itself. quickstart=False
    leaves the directory empty."""

    _templates = {}

    def __init__(self, testcase=None, address=ADDRESS, hostname=HOSTNAME, quickstart=True,
                 user=None, fresh=False):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="mox-e2e-"))
        self.config_dir = os.path.join(self.dir, "config")
        self.config_path = os.path.join(self.config_dir, "mox.conf")
        self.domains_path = os.path.join(self.config_dir, "domains.conf")
        self.data_dir = os.path.join(self.dir, "data")
        self.address = address
        self.domain = address.rsplit("@", 1)[1]
        self.account = address.rsplit("@", 1)[0].lower()
        self.hostname = hostname
        self.password = None
        self.quickstart_output = None
        self._procs = []
        self._servers = []
        if testcase is not None:
            testcase.addCleanup(self.close)
        if quickstart and fresh:
            self.quickstart(user=user)
        elif quickstart:
            self._clone((address, hostname, user))

    def _clone(self, key):
        tpl = MoxEnv._templates.get(key)
        if tpl is None:
            tpl = MoxEnv(None, address=key[0], hostname=key[1], user=key[2], fresh=True)
            MoxEnv._templates[key] = tpl
            atexit.register(tpl.close)
        shutil.copytree(tpl.dir, self.dir, symlinks=True, dirs_exist_ok=True)
        self.password = tpl.password
        self.quickstart_output = tpl.quickstart_output

    # -- lifecycle --

    def close(self):
        for srv in list(getattr(self, "_servers", [])):
            srv.stop()
        for p in self._procs:
            if p.poll() is None:
                p.kill()
                with contextlib.suppress(Exception):
                    p.wait(5)
        self._procs = []
        if KEEP:
            sys.stderr.write("MOX_KEEP=1: keeping %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def quickstart(self, user=None):
        r = self.run("mox-config", "quickstart", "--dir", self.dir, "--local",
                     "--hostname", self.hostname, "--user", user or current_user(),
                     self.address)
        self.quickstart_output = r.stdout
        m = re.search(r"^Password \(generated, store it now\): (.*)$", r.stdout, re.M)
        if not m:
            raise CommandError("no generated password in quickstart output\n" + describe(r))
        self.password = m.group(1)
        return r

    def add_account(self, name, address, password=None):
        """`mox-config account add NAME ADDRESS`, then the password if given."""
        self.config("account", "add", name, address)
        if password is not None:
            self.config("account", "password", name, input=password + "\n")

    def chown(self, pw):
        """Gives the installation to user `pw` (a passwd entry), as an
        administrator sets it up for a mox user."""
        os.chmod(self.dir, 0o755)
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                os.lchown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)
        os.lchown(self.dir, pw.pw_uid, pw.pw_gid)

    # -- running programs --

    def child_env(self, env=None):
        e = dict(os.environ)
        e["MOX_CONFIG"] = self.config_path
        e.pop("MOX_CRASHPOINT", None)
        if env:
            for k, v in env.items():
                if v is None:
                    e.pop(k, None)
                else:
                    e[k] = v
        return e

    def argv(self, prog, *args):
        return [bin_path(prog)] + [str(a) for a in args]

    def run(self, prog, *args, input=None, env=None, expect=0, timeout=120):
        """Runs a built program with MOX_CONFIG set, in self.dir.

        `expect` is the exit code to assert (negative: killed by that signal),
        or None for no check. Returns the CompletedProcess (text mode)."""
        if isinstance(input, bytes):
            input = input.decode()
        p = subprocess.run(self.argv(prog, *args), input=input, capture_output=True,
                           text=True, env=self.child_env(env), cwd=self.dir,
                           timeout=timeout)
        if expect is not None and p.returncode != expect:
            raise CommandError("expected exit code %s\n%s" % (expect, describe(p)))
        return p

    def config(self, *args, **kw):
        """Runs `mox-config ARGS...`; keywords as for run()."""
        return self.run("mox-config", *args, **kw)

    def fail(self, *args, **kw):
        """Runs `mox-config ARGS...` expecting a user error (exit 1) with a
        single stderr line "mox-config: ..."; returns that line."""
        kw.setdefault("expect", 1)
        p = self.config(*args, **kw)
        lines = p.stderr.splitlines()
        if len(lines) != 1 or not lines[0].startswith("mox-config: "):
            raise CommandError("expected one stderr line 'mox-config: ...'\n" + describe(p))
        return lines[0]

    def popen(self, prog, *args, env=None, **kw):
        """Starts a program in the background; killed at close()."""
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("text", True)
        p = subprocess.Popen(self.argv(prog, *args), env=self.child_env(env), cwd=self.dir, **kw)
        self._procs.append(p)
        return p

    # -- config files --

    def read(self, path):
        with open(os.path.join(self.dir, path), "rb") as f:
            return f.read()

    def domains_text(self):
        with open(self.domains_path) as f:
            return f.read()

    def write_domains(self, text):
        with open(self.domains_path, "w") as f:
            f.write(text)

    def static_text(self):
        with open(self.config_path) as f:
            return f.read()

    def domains_conf(self):
        """domains.conf parsed (see parse_sconf)."""
        return parse_sconf(self.domains_text())

    def static_conf(self):
        return parse_sconf(self.static_text())

    def domains(self):
        return self.domains_conf().get("Domains", {}) or {}

    def accounts(self):
        return self.domains_conf().get("Accounts", {}) or {}

    def destinations(self, account):
        """Destinations keys of an account, as written in domains.conf."""
        acc = self.accounts().get(account)
        if acc is None:
            return None
        return sorted((acc.get("Destinations") or {}).keys())

    def config_file(self, rel):
        """Absolute path of a file named relative to the config dir."""
        return os.path.join(self.config_dir, rel)

    def dkim_key_file(self, domain, selector):
        sel = self.domains()[domain]["DKIM"]["Selectors"][selector]
        return self.config_file(sel["PrivateKeyFile"])

    # -- data files --

    def data(self, *parts):
        return os.path.join(self.data_dir, *parts)

    def account_dir(self, name):
        return self.data("accounts", name)

    def db(self, *parts):
        """A sqlite3 connection to a database under data/ (autocommit)."""
        conn = sqlite3.connect(self.data(*parts), timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn

    def auth_db(self):
        return self.db("auth.db")

    def queue_db(self):
        return self.db("queue", "index.db")

    def account_db(self, name):
        return self.db("accounts", name, "index.db")

    def query(self, parts, sql, params=()):
        """Runs one SQL statement on data/PARTS and returns all rows."""
        if isinstance(parts, str):
            parts = (parts,)
        conn = self.db(*parts)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()


    # -- message files --

    def message_path(self, account, msg_id):
        """Path of the file of message `msg_id` of `account` (docs/DESIGN.md "Files on disk")."""
        return self.data("accounts", account, "msg", message_rel_path(msg_id))

    def queue_message_path(self, msg_id):
        return self.data("queue", "msg", message_rel_path(msg_id))

    # -- servers --

    def server(self, prog, *args, how="listen", env=None, tls=False, banner=b"220 "):
        """Starts a server program (see Server) and returns it, running; it is
        stopped at close()."""
        srv = Server(self, prog, args, how=how, env=env, tls=tls, banner=banner)
        srv.start()
        return srv


def message_rel_path(msg_id, shift=13):
    """<dir>/<id> of a message file: dir is id>>shift in base-64 digits
    (a-z A-Z 0-9 - _), least significant first (docs/DESIGN.md "Files on disk")."""
    digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
    v = msg_id >> shift
    d = ""
    while True:
        d += digits[v & 63]
        v >>= 6
        if v == 0:
            break
    return "%s/%d" % (d, msg_id)


def insecure_tls_context():
    """A client TLS context that accepts the quickstart's self-signed certificate."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Server:
    """A server program of mox-cpp (e.g. mox-smtpd) listening on a free
    loopback port, started in its own process group; stop() kills the group.

    how:
      "listen"     PROG ARGS --listen 127.0.0.1:PORT (development mode)
      "inetd"      systemd-socket-activate --accept --inetd: one process per
                   connection on fd 0/1 (systemd Accept=yes with
                   StandardInput=socket, inetd)
      "accept"     systemd-socket-activate --accept: one process per
                   connection, passed as fd 3 in LISTEN_FDS (systemd Accept=yes)
      "listenfds"  systemd-socket-activate: one process serving many
                   connections on LISTEN_FDS (systemd Accept=no)

    `env` holds extra environment variables for the server (MOX_CONFIG is set
    from the MoxEnv); `prefix` is a command that runs it (e.g. prlimit). start() waits until a connection gets the banner (over
    TLS when tls=True); banner=None only waits for the port.
    Attributes: port, addr, proc, log_path."""

    def __init__(self, moxenv, prog, args=(), how="listen", env=None, tls=False, banner=b"220 ",
                 prefix=()):
        if how not in ("listen", "inetd", "accept", "listenfds"):
            raise ValueError("how: listen, inetd, accept or listenfds")
        self.moxenv = moxenv
        self.prog = prog
        self.args = [str(a) for a in args]
        self.how = how
        self.env = dict(env or {})
        self.tls = tls
        self.banner = banner
        self.prefix = list(prefix)  # e.g. ["prlimit", "--nofile=64:64", "--"]
        self.port = None
        self.proc = None
        self.log_path = None
        self._log = None

    @property
    def addr(self):
        return ("127.0.0.1", self.port)

    def _argv(self):
        listen = "127.0.0.1:%d" % self.port
        prog = bin_path(self.prog)
        if self.how == "listen":
            return self.prefix + [prog] + self.args + ["--listen", listen]
        argv = ["systemd-socket-activate", "-l", listen]
        if self.how == "inetd":
            argv += ["--accept", "--inetd"]
        elif self.how == "accept":
            argv += ["--accept"]
        argv += ["-E", "MOX_CONFIG=" + self.moxenv.config_path]
        for k, v in sorted(self.env.items()):
            argv += ["-E", "%s=%s" % (k, v)]
        return self.prefix + argv + [prog] + self.args

    def start(self, timeout=20):
        last = None
        for _ in range(3):  # a "free" port may have been taken meanwhile
            self.port = free_port()
            self.log_path = os.path.join(self.moxenv.dir, "%s-%s-%d.log" % (self.prog, self.how, self.port))
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(self._argv(), stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=self._log, cwd=self.moxenv.dir,
                                         env=self.moxenv.child_env(self.env), start_new_session=True)
            self.moxenv._servers.append(self)
            try:
                self._wait_ready(timeout)
                return self
            except AssertionError as e:
                last = e
                addr_in_use = "in use" in self.log_text()
                self.stop()
                if not addr_in_use:
                    break
        raise last

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %s\n%s" % (self.prog, self.proc.returncode,
                                                                 self.log_text()))
            try:
                with contextlib.ExitStack() as stack:
                    s = stack.enter_context(socket.create_connection(self.addr, timeout=5))
                    if self.banner is None:
                        return
                    if self.tls:
                        s = stack.enter_context(insecure_tls_context().wrap_socket(s))
                    line = s.makefile("rb").readline()
                    if line.startswith(self.banner) and self._owns_port():
                        return
                    err = "unexpected banner %r" % line
            except (OSError, ssl.SSLError) as e:
                err = str(e)
            time.sleep(0.05)
        raise AssertionError("%s not ready on port %s: %s\n%s" % (self.prog, self.port, err,
                                                                    self.log_text()))

    def _owns_port(self):
        """True if our process holds the listening socket: a server of
        another test that took the same "free" port first must not pass
        for ours (ours then exits with "address in use" and start() retries)."""
        inodes = set()
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1] == "0100007F:%04X" % self.port and fields[3] == "0A":
                    inodes.add(fields[9])
        try:
            fds = os.listdir("/proc/%d/fd" % self.proc.pid)
        except OSError:
            return False
        for fd in fds:
            try:
                target = os.readlink("/proc/%d/fd/%s" % (self.proc.pid, fd))
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return True
        return False

    def log_text(self):
        """What the server wrote to stdout/stderr so far."""
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc is not None:
            # The whole group: systemd-socket-activate's children too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self.proc.wait(10)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self in self.moxenv._servers:
            self.moxenv._servers.remove(self)


# ---------------------------------------------------------------------------
# TLS client certificates (mox-tlspubkey(8)), made with openssl at test time.

CLIENT_KEY_KINDS = {
    "ed25519": ["-algorithm", "ed25519"],
    "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    "rsa2048": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "rsa1024": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
}


def _openssl(*args):
    p = subprocess.run(["openssl"] + [str(a) for a in args], capture_output=True)
    if p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(map(str, args)), p.stderr.decode()))
    return p.stdout


class ClientCert:
    """A private key and a self-signed certificate in files under `directory`:
    key (PKCS#8 PEM), cert (PEM), combined (key then cert, for curl --cert and
    Python's load_cert_chain). kind: a CLIENT_KEY_KINDS key. cn=None makes a
    certificate without subject (its default name is then "serial <hex>").
    ed25519_seed: a fixed ed25519 private key (32 bytes, hex) instead of a new one."""

    def __init__(self, directory, kind="ed25519", cn="laptop", name=None, ed25519_seed=None):
        name = name or "%s-%s" % (kind, os.urandom(4).hex())
        self.kind = kind
        self.key = os.path.join(directory, name + ".key.pem")
        self.cert = os.path.join(directory, name + ".cert.pem")
        self.combined = os.path.join(directory, name + ".pem")
        if ed25519_seed:
            # PKCS#8 DER of an ed25519 key: a fixed 16-byte prefix, then the seed.
            der = bytes.fromhex("302e020100300506032b657004220420" + ed25519_seed)
            with open(self.key, "wb") as f:
                f.write(_openssl_input(["pkey", "-inform", "DER"], der))
        else:
            _openssl("genpkey", *CLIENT_KEY_KINDS[kind], "-out", self.key)
        subj = "/CN=%s" % cn if cn else "/"
        _openssl("req", "-new", "-x509", "-key", self.key, "-subj", subj, "-days", "3650",
                 "-set_serial", "4660", "-out", self.cert)
        with open(self.key, "rb") as k, open(self.cert, "rb") as c:
            data = k.read() + c.read()
        with open(self.combined, "wb") as f:
            f.write(data)

    def pem(self):
        with open(self.cert) as f:
            return f.read()

    @property
    def fingerprint(self):
        """SHA-256 of the DER SubjectPublicKeyInfo, base64url without padding."""
        import base64
        import hashlib
        der = _openssl("x509", "-in", self.cert, "-noout", "-pubkey")
        spki = _openssl_input(["pkey", "-pubin", "-outform", "DER"], der)
        return base64.urlsafe_b64encode(hashlib.sha256(spki).digest()).rstrip(b"=").decode()

    def tls_context(self):
        """A client context presenting this certificate (server not verified)."""
        ctx = insecure_tls_context()
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def _openssl_input(args, data):
    p = subprocess.run(["openssl"] + args, input=data, capture_output=True)
    if p.returncode != 0:
        raise AssertionError("openssl %s: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout
