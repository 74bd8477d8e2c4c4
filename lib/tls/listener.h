// The TLS context of a mox.conf listener for a server program: certificates
// from KeyCerts, session tickets shared by all processes (SPEC A.3), files
// handed to the unprivileged User when made as root.
#pragma once

#include "config/config.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::tls {

// nullptr-valued result when the listener has no TLS.KeyCerts.
Result<SslCtxPtr> listener_ctx(const config::Config& cfg, const config::Listener& l);

}  // namespace mox::tls
