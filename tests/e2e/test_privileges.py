"""mox-smtpd started as root drops to the unprivileged User of mox.conf once
its sockets and keys are open, and still delivers: it never needs root after the socket
exists (mox-smtpd(8) "How it runs")."""

import os
import smtplib
import subprocess
import unittest

import moxtest

USER = "moxtest"


@unittest.skipUnless(os.geteuid() == 0, "needs root to start as root")
class PrivilegeDropTest(unittest.TestCase):
    def setUp(self):
        self.pw = moxtest.ensure_user(USER)
        self.env = moxtest.MoxEnv(self, user=USER, fresh=True)
        # The installation belongs to the mox user, as an administrator sets it up.
        self.env.chown(self.pw)

    def uids(self, pid):
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(x) for x in line.split()[1:]]
        return []

    def test_listen_mode_drops_to_user(self):
        srv = self.env.server("mox-smtpd", "--mode", "smtp", env={"MOX_ALLOW_ROOT": None})
        uids = self.uids(srv.proc.pid)
        self.assertEqual(uids, [self.pw.pw_uid] * 4, "real, effective, saved, fs uid")
        with smtplib.SMTP(*srv.addr, timeout=10) as c:
            c.sendmail("x@remote.example", ["admin@mox.example"],
                       b"From: <x@remote.example>\r\nSubject: t\r\n\r\nhi\r\n")
        rows = self.env.query(("accounts", "admin", "index.db"), "SELECT ID FROM Message")
        self.assertEqual(len(rows), 1)
        path = self.env.message_path("admin", rows[0][0])
        self.assertEqual(os.stat(path).st_uid, self.pw.pw_uid)

    def test_refuses_root_user(self):
        env2 = moxtest.MoxEnv(self, user="root", fresh=True)
        p = subprocess.run([moxtest.bin_path("mox-smtpd"), "--listen", "127.0.0.1:%d" % moxtest.free_port()],
                           env=env2.child_env({"MOX_ALLOW_ROOT": None}), capture_output=True, text=True,
                           timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn("refusing to run as root", p.stderr)


if __name__ == "__main__":
    unittest.main()
