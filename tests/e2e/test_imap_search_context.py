"""End-to-end tests of mox-imapd's kept search results and paged and
multi-mailbox searches: CONTEXT=SEARCH (RFC 5267 §4: SEARCH RETURN (UPDATE),
ADDTO, REMOVEFROM, CANCELUPDATE), PARTIAL (RFC 9394) and MULTISEARCH
(RFC 7377), as mox-imapd(8) "Capabilities" describes them. The server runs
under inetd (a process per connection), so the updates of one session cross
processes to the other (docs/DESIGN.md "Shared state between processes").

Run by hand: /usr/bin/python3 tests/e2e/test_imap_search_context.py -v
"""

import os
import re
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_mox_imapd as imapd  # noqa: E402
from test_mox_imapd import ADMIN, Base, simple_message, token  # noqa: E402

UPDATE_MAX_DELAY = 3.0  # seconds: an update reaches an idling session


class SearchContextTest(Base):
    @classmethod
    def setUpClass(cls):
        env = cls.env = cls.make_env()
        cls.admin = (ADMIN, env.password)
        cls.srv = cls.start(env, how="inetd")
        cls.port = cls.srv.port

    idle = imapd.ConcurrencyTest.idle
    done = imapd.ConcurrencyTest.done

    def read_until(self, c, pattern):
        """Untagged lines (str) up to and including one matching `pattern`."""
        c.sock.settimeout(UPDATE_MAX_DELAY)
        seen = []
        start = time.monotonic()
        while True:
            try:
                line = c.response().decode()
            except (socket.timeout, TimeoutError):
                raise AssertionError("no %r within %ss, got %r" % (pattern, UPDATE_MAX_DELAY, seen))
            seen.append(line)
            if re.search(pattern, line):
                self.assertLess(time.monotonic() - start, UPDATE_MAX_DELAY)
                return seen

    def mailbox(self, c, subjects, flags=""):
        name = "ctx-" + token()
        self.assertOK(c.cmd("CREATE " + name))
        uids = [self.append(c, name, simple_message(token(), subject=s), flags=flags)
                for s in subjects]
        return name, uids

    def test_update_from_other_session(self):
        a = self.imap(self.port, login=self.admin)
        b = self.imap(self.port, login=self.admin)
        self.assertIn("CONTEXT=SEARCH", self.capability(a))
        name, uids = self.mailbox(a, ["report one", "other", "report two"])
        self.assertOK(a.cmd("SELECT " + name))
        self.assertOK(b.cmd("SELECT " + name))
        r = self.assertOK(a.cmd("UID SEARCH RETURN (UPDATE ALL) FLAGGED SUBJECT report"))
        tag = r.tag
        self.assertEqual(r.lines, ['* ESEARCH (TAG "%s") UID' % tag])
        head = r'\A\* ESEARCH \(TAG "%s"\) UID ' % tag
        idle = self.idle(a)
        # Flags set elsewhere: both reports enter the result, the other not.
        self.assertOK(b.cmd("STORE 1:3 +FLAGS (\\Flagged)"))
        added = set()
        while added != {uids[0], uids[2]}:
            line = self.read_until(a, head + "ADDTO")[-1]
            m = re.search(r"ADDTO \(0 ([0-9:,]+)\)\Z", line)
            self.assertTrue(m, line)
            for part in m.group(1).split(","):
                lo, _, hi = part.partition(":")
                added |= set(range(int(lo), int(hi or lo) + 1))
            self.assertLessEqual(added, {uids[0], uids[2]})
        # A delivery that matches.
        new = self.append(b, name, simple_message(token(), subject="report three"),
                          flags="(\\Flagged)")
        self.read_until(a, head + r"ADDTO \(0 %d\)\Z" % new)
        # Flags cleared elsewhere: the message leaves the result.
        self.assertOK(b.cmd("STORE 1 -FLAGS (\\Flagged)"))
        self.read_until(a, head + r"REMOVEFROM \(0 %d\)\Z" % uids[0])
        # An expunge elsewhere: REMOVEFROM, then the EXPUNGE.
        self.assertOK(b.cmd("STORE 3 +FLAGS (\\Deleted)"))
        self.assertOK(b.cmd("EXPUNGE"))
        lines = self.read_until(a, r"\A\* 3 EXPUNGE\Z")
        self.assertIn('* ESEARCH (TAG "%s") UID REMOVEFROM (0 %d)' % (tag, uids[2]), lines)
        self.done(a, idle)
        # After CANCELUPDATE nothing more comes.
        self.assertOK(a.cmd('CANCELUPDATE "%s"' % tag))
        self.assertOK(b.cmd("STORE 1 +FLAGS (\\Flagged)"))
        r = self.assertOK(a.cmd("NOOP"))
        self.assertFalse([u for u in r.lines if u.startswith("* ESEARCH")], r)
        self.assertBAD(a.cmd('CANCELUPDATE "%s"' % tag))

    def test_update_in_own_session_with_sequence_numbers(self):
        a = self.imap(self.port, login=self.admin)
        name, _ = self.mailbox(a, ["a", "b", "c", "d"])
        self.assertOK(a.cmd("SELECT " + name))
        r = self.assertOK(a.cmd("SEARCH RETURN (UPDATE) SEEN"))
        self.assertEqual(r.lines, ['* ESEARCH (TAG "%s")' % r.tag])
        tag = r.tag
        r = self.assertOK(a.cmd("STORE 1,2,4 +FLAGS.SILENT (\\Seen)"))
        self.assertEqual(r.lines, ['* ESEARCH (TAG "%s") ADDTO (0 1:2,4)' % tag])
        self.assertOK(a.cmd("STORE 1:2 +FLAGS.SILENT (\\Deleted)"))
        r = self.assertOK(a.cmd("EXPUNGE"))
        # Each REMOVEFROM just before its EXPUNGE, with the number it has then.
        removed = '* ESEARCH (TAG "%s") REMOVEFROM (0 1)' % tag
        self.assertEqual(r.lines, [removed, "* 1 EXPUNGE", removed, "* 1 EXPUNGE"])
        # A program with sequence numbers is answered, not kept.
        r = self.assertOK(a.cmd("SEARCH RETURN (UPDATE ALL) 1:2"))
        self.assertTrue(r.tagged.startswith('OK [NOUPDATE "%s"]' % r.tag), r)

    def test_partial_and_multisearch(self):
        a = self.imap(self.port, login=self.admin)
        self.assertLessEqual({"PARTIAL", "MULTISEARCH"}, set(self.capability(a)))
        name, uids = self.mailbox(a, ["p%d" % i for i in range(1, 8)])
        other, ouids = self.mailbox(a, ["p-other"])
        self.assertOK(a.cmd("SELECT " + name))
        r = self.assertOK(a.cmd("UID SEARCH RETURN (PARTIAL -1:-3 COUNT) ALL"))
        self.assertEqual(r.lines, ['* ESEARCH (TAG "%s") UID COUNT 7 PARTIAL (-1:-3 %d:%d)'
                                   % (r.tag, uids[4], uids[6])])
        r = self.assertOK(a.cmd("SEARCH RETURN (PARTIAL 5:10) ALL"))
        self.assertEqual(r.lines, ['* ESEARCH (TAG "%s") PARTIAL (5:10 5:7)' % r.tag])
        self.assertBAD(a.cmd("SEARCH RETURN (PARTIAL 1:*) ALL"))
        r = self.assertOK(a.cmd('ESEARCH IN (mailboxes ("%s" "%s")) RETURN (MIN COUNT) SUBJECT p'
                                % (name, other)))
        got = {}
        for line in r.lines:
            m = re.match(r'\* ESEARCH \(TAG "%s" MAILBOX "?([^" ]+)"? UIDVALIDITY \d+\) UID '
                         r'MIN (\d+) COUNT (\d+)\Z' % r.tag, line)
            self.assertTrue(m, line)
            got[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        self.assertEqual(got, {name: (uids[0], 7), other: (ouids[0], 1)})
        r = self.assertOK(a.cmd("ESEARCH IN (personal) SUBJECT no-such-subject-" + token()))
        self.assertEqual(r.lines, [])


if __name__ == "__main__":
    unittest.main()
