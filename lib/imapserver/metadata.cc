// GETMETADATA and SETMETADATA (RFC 5464).
#include "imapserver/session.h"

namespace mox::imapserver {

void Session::cmd_getmetadata(imap::Command& c, Output& out) { bad(out, c.tag, "not supported"); }
void Session::cmd_setmetadata(imap::Command& c, Output& out) { bad(out, c.tag, "not supported"); }

}  // namespace mox::imapserver
