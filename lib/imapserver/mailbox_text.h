// Response texts shared by the mailbox commands (mailbox.cc) and LIST/LSUB
// (list.cc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imap/command.h"
#include "imapserver/mailstore.h"

namespace mox::imapserver {

// The items of a STATUS response, "MESSAGES 3 UIDNEXT 7" (RFC 9051 §7.3.5).
std::string status_items(Mailstore& st, const store::Mailbox& mb,
                         const std::vector<imap::StatusItem>& items, int64_t append_limit);

// A mailbox name as the session sends it: UTF-8 with `utf8`, else modified
// UTF-7; quoted or a literal as needed (imap/writer.h).
std::string quoted_mailbox(const std::string& name, bool utf8);

}  // namespace mox::imapserver
