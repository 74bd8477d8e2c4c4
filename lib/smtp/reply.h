// SMTP replies with enhanced status codes (RFC 5321 §4.2, RFC 3463).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mox::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "subject.detail" without class, e.g. "7.8"; empty: none
  std::string text;

  // Renders one or more lines ("250-..." continuation for all but the last).
  // The class digit of the enhanced code is the first digit of `code`
  // (mox-smtpd(8) "Replies"): 535 + "7.8" → "535 5.7.8 text".
  std::string wire() const;
};

std::string multiline(int code, const std::vector<std::string>& lines);

}  // namespace mox::smtp
