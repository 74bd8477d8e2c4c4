"""Command-line defects a new user hits: --config before a forwarded verb,
unknown verbs named as such, and the local setup of `make run` working as
printed (the commands it tells you to run do run).

Run by hand: /usr/bin/python3 tests/e2e/test_cli_defects.py -v
"""

import os
import shlex
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moxtest  # noqa: E402


class CliTest(unittest.TestCase):
    def setUp(self):
        self.env = moxtest.MoxEnv(self)

    def test_config_option_before_tlspubkey(self):
        # mox-config(8): "mox-config [--config FILE] tlspubkey ..." runs
        # mox-tlspubkey with that config.
        for args in (["--config", self.env.config_path], ["--config=" + self.env.config_path]):
            p = subprocess.run([moxtest.bin_path("mox-config")] + args + ["tlspubkey", "list", "admin"],
                               capture_output=True, text=True, env=self.env.child_env({"MOX_CONFIG": None}),
                               cwd="/")
            self.assertEqual(p.returncode, 0, moxtest.describe(p))
            self.assertTrue(p.stdout.startswith("fingerprint\t"), p.stdout)

    def test_unknown_verb_is_named(self):
        for prog, args, path in (("mox-queue", ["frobnicate"], "mox-queue"),
                                 ("mox-config", ["account", "frob", "x"], "mox-config account"),
                                 ("mox-dkim", ["nosuch"], "mox-dkim")):
            p = self.env.run(prog, *args, expect=2)
            self.assertEqual(p.stderr.splitlines()[0],
                             '%s: unknown command "%s" for "%s"' % (prog, args[-2] if prog == "mox-config" else args[0], path))

    def test_local_setup_works_as_printed(self):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", 1025)) == 0:
                self.skipTest("port 1025 in use (make run already running?)")
        local = tempfile.mkdtemp(prefix="mox-local-")
        script = os.path.join(moxtest.MOX_SRC, "scripts")
        try:
            p = subprocess.run(["sh", os.path.join(script, "run-local.sh"), moxtest.MOX_BIN, local],
                               capture_output=True, text=True, timeout=120,
                               env={k: v for k, v in os.environ.items() if k not in ("MOX_ALLOW_ROOT", "MOX_CONFIG")})
            self.assertEqual(p.returncode, 0, moxtest.describe(p))
            lines = p.stdout.splitlines()
            i = next(n for n, ln in enumerate(lines) if ln.startswith("Environment for"))
            words = shlex.split(lines[i + 1])
            self.assertEqual(words[0], "export")
            env = {k: v for k, v in os.environ.items() if k not in ("MOX_ALLOW_ROOT", "MOX_CONFIG")}
            env.update(w.split("=", 1) for w in words[1:])
            for argv in (["mox-queue", "list"], ["mox-config", "account", "list"]):
                q = subprocess.run([moxtest.bin_path(argv[0])] + argv[1:], capture_output=True,
                                   text=True, env=env, cwd="/")
                self.assertEqual(q.returncode, 0, moxtest.describe(q))
        finally:
            subprocess.run(["sh", os.path.join(script, "stop-local.sh"), local], capture_output=True)
            subprocess.run(["rm", "-rf", local])


if __name__ == "__main__":
    unittest.main()
