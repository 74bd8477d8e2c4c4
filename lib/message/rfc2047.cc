#include "message/rfc2047.h"

#include <cstdint>
#include <optional>

#include "message/charset.h"
#include "util/encoding.h"

namespace mox::message {
namespace {

// RFC 2047 §4.1 "B" encoding is base64 (RFC 2045 §6.8); padding may be
// missing. Anything else than base64 digits before the padding fails.
std::optional<std::string> decode_b(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < s.size() && s[i] != '='; ++i) {
    int v = base64_digit(s[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  for (; i < s.size(); ++i) {
    if (s[i] != '=') return std::nullopt;
  }
  return out;
}

// RFC 2047 §4.2 "Q" encoding: "_" is a space, "=XX" a byte in hex. A "="
// without two hex digits is kept as it is.
std::string decode_q(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      out += ' ';
    } else if (int b = s[i] == '=' ? hex_byte(s, i + 1) : -1; b >= 0) {
      out += static_cast<char>(b);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct EncodedWord {
  const Charset* charset;
  std::string bytes;  // decoded, still in `charset`
  size_t end;         // just past "?="
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Index of the first `c` in text[from, from + max) before any white space.
std::optional<size_t> find_before_space(std::string_view text, size_t from, size_t max, char c) {
  for (size_t i = from; i < text.size() && i - from < max; ++i) {
    if (text[i] == c) return i;
    if (is_space(text[i])) return std::nullopt;
  }
  return std::nullopt;
}

// Bounds that keep the scan linear on hostile input ("=?a?q?xxxx..." many
// times over): real charset names are short, and no sender writes
// encoded-words of kilobytes.
constexpr size_t kMaxCharsetName = 64;
constexpr size_t kMaxEncodedText = 4096;

// RFC 2047 §2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="
// with no white space inside. `at` points at "=?".
std::optional<EncodedWord> parse_encoded_word(std::string_view text, size_t at) {
  auto q1 = find_before_space(text, at + 2, kMaxCharsetName, '?');
  if (!q1 || *q1 + 2 >= text.size() || text[*q1 + 2] != '?') return std::nullopt;
  std::string_view charset = text.substr(at + 2, *q1 - at - 2);
  char enc = text[*q1 + 1];
  size_t start = *q1 + 3;
  // encoded-text holds no "?" (RFC 2047 §2), so the first one must close it.
  auto close = find_before_space(text, start, kMaxEncodedText, '?');
  if (!close || *close + 1 >= text.size() || text[*close + 1] != '=') return std::nullopt;
  std::string_view payload = text.substr(start, *close - start);
  const Charset* cs = find_charset(charset);
  if (!cs) return std::nullopt;
  EncodedWord w{cs, {}, *close + 2};
  if (enc == 'B' || enc == 'b') {
    auto b = decode_b(payload);
    if (!b) return std::nullopt;
    w.bytes = std::move(*b);
  } else if (enc == 'Q' || enc == 'q') {
    w.bytes = decode_q(payload);
  } else {
    return std::nullopt;
  }
  return w;
}

}  // namespace

std::string decode_encoded_words(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  // Bytes of adjacent encoded-words in one charset, converted when the run ends.
  const Charset* run_charset = nullptr;
  std::string run;
  size_t gap_start = 0;  // where the white space after the last encoded-word began
  bool after_word = false;
  auto flush = [&] {
    if (run_charset) out += to_utf8(*run_charset, run);
    run_charset = nullptr;
    run.clear();
  };
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '=' && i + 1 < text.size() && text[i + 1] == '?') {
      if (auto w = parse_encoded_word(text, i)) {
        // RFC 2047 §6.2: white space between adjacent encoded-words is dropped.
        if (w->charset != run_charset) flush();
        run_charset = w->charset;
        run += w->bytes;
        after_word = true;
        gap_start = w->end;
        i = w->end;
        continue;
      }
    }
    if (after_word && is_space(text[i])) {
      ++i;  // held back: dropped if another encoded-word follows
      continue;
    }
    if (after_word) {
      flush();
      out.append(text.substr(gap_start, i - gap_start));
      after_word = false;
    }
    out += text[i];
    ++i;
  }
  flush();
  if (after_word) out.append(text.substr(gap_start));
  return out;
}

}  // namespace mox::message
