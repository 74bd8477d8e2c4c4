// mox-imapd --preauth ACCOUNT (mox-imapd(8) "PREAUTH"): one IMAP session on
// standard input and output, already authenticated as ACCOUNT, for tools
// that tunnel IMAP through a command (mbsync's Tunnel, offlineimap's
// preauthtunnel, imapsync over ssh). No listener, socket or TLS: the config
// is loaded, privileges are dropped to mox.conf's User when started as root
// (otherwise the data directory's permissions decide who may open the
// account), the account is opened through StoreBackend as a login opens it,
// and the session runs in the loop of the network server (loop.h).
// Standard input and output are left as they were found (their blocking
// flags, which the invoking shell shares).
#pragma once

#include <string>

#include "imapserver/server.h"
#include "util/result.h"

namespace mox::imapserver {

// Serves the session until it ends. Of `o`, the config path, the listener
// (its Hostname and SMTPMaxMessageSize, when mox.conf has it), the
// autologout timer and the failed-attempt cap apply. Errors before the
// session starts, each one line for standard error: the config does not
// load; kNotFound for an unknown account; kUser for an account whose login
// is disabled or that is being removed, or a User of uid 0; the account
// cannot be opened (permissions: run as its owner or as root).
Status run_preauth(const ServerOptions& o, const std::string& account);

}  // namespace mox::imapserver
