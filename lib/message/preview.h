// The PREVIEW of a message (RFC 8970 §3): up to 256 characters of its first
// text part, decoded (transfer encoding, charset) to UTF-8, HTML reduced to
// its text, white space collapsed to single spaces. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

#include "message/mime.h"

namespace mox::message {

// RFC 8970 §3: at most 256 characters (code points).
inline constexpr size_t kMaxPreview = 256;

// The preview of `message`, parsed into `root`: the first text/plain or
// text/html part that is not an attachment, in depth-first order (in a
// multipart/alternative the text/plain one when there is one), not looking
// into attached messages. "" when there is no such part or it has no text.
std::string preview(std::string_view message, const Part& root);

// HTML (or any text) as preview text: tags and the contents of <head>,
// <style> and <script> dropped, the usual character references decoded,
// white space collapsed, cut at kMaxPreview code points.
std::string preview_text(std::string_view utf8, bool html);

}  // namespace mox::message
