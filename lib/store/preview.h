// The PREVIEW of messages (RFC 8970, message/preview.h), kept in
// Message.Preview: rendered from the message file on the message's first
// FETCH PREVIEW and stored, so that later FETCHes read it from index.db and
// neither read nor parse the file. Message.PreviewVersion says which code
// rendered it: a change to message/preview.cc raises kPreviewVersion, and
// older previews are rendered again on their next FETCH (as kFormsVersion
// does for the FETCH forms, store/parsed.h).
//
// Not thread-safe beyond what AccountStore is: one caller per AccountStore.
#pragma once

#include <cstdint>
#include <string>

#include "store/account.h"
#include "util/result.h"

namespace mox::store {

constexpr int64_t kPreviewVersion = 1;

// The preview text (UTF-8, at most 256 characters) of message `id`; "" for a
// message without text or whose file is gone (expunged meanwhile).
Result<std::string> message_preview(AccountStore& a, int64_t id);

}  // namespace mox::store
