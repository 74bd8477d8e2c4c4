// The \Recent flag of RFC 3501 §2.3.2: a message is recent in exactly one
// session, the first that selects its mailbox read-write (or, with the
// mailbox selected, the first to learn of the message) after it arrived.
// Mailbox.RecentUID is the highest UID a session has claimed so; a claim
// raises it to UIDNext - 1 in one write transaction, so that two sessions,
// in one process or several, never both get a message as recent.
// IMAP4rev2 (RFC 9051) has no \Recent; only IMAP4rev1 sessions claim.
#pragma once

#include <cstdint>

#include "store/account.h"
#include "util/result.h"

namespace mox::store {

// UIDs (after, upto] are recent for the claiming session.
struct RecentClaim {
  int64_t after = 0, upto = 0;
};

// Raises the mailbox's RecentUID to UIDNext - 1 and returns the UIDs that
// this raised over: the caller's recent messages. kNotFound for a mailbox
// that no longer exists.
Result<RecentClaim> claim_recent(AccountStore& a, int64_t mailbox_id);
// The mailbox's RecentUID, without claiming: messages above it are recent
// for no session yet (EXAMINE, STATUS RECENT).
Result<int64_t> recent_uid(AccountStore& a, int64_t mailbox_id);

}  // namespace mox::store
