// FETCH PREVIEW (RFC 8970): the preview text from the store, where it is
// kept after the first FETCH (store/preview.h). PREVIEW (LAZY) is answered
// the same way: rendering one message's preview costs little more than a
// BODY[TEXT], so the server never defers it (RFC 8970 §3.2 allows either).
#include "imapserver/session.h"
#include "imapstring/imapstring.h"

namespace mox::imapserver {

std::string Session::preview_form(int64_t id) {
  auto p = mailstore_->preview(id);
  if (!p) {
    backend_.log_error(account_ + ": preview: " + p.error().message);
    return "NIL";
  }
  return imapstring::string_form(*p, utf8_);
}

}  // namespace mox::imapserver
