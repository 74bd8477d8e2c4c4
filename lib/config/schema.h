// Field tables: one declaration per config field (name, type, default, doc)
// that drives decoding from and encoding to sconf Nodes, and lets a test
// check that every field is documented in the man pages (docs/DESIGN.md
// "Decisions").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/sconf.h"
#include "util/result.h"

namespace mox::config {

using Duration = std::chrono::nanoseconds;

// Go-style durations as mox writes them: "72h", "1h30m", "30s", "500ms".
Result<Duration> parse_duration(std::string_view s);
std::string format_duration(Duration d);

enum class FieldType {
  kString,
  kBool,
  kInt,
  kDuration,
  kStringList,
  kStruct,
  kStructList,
  kStructMap
};

class SchemaBase;

// Documentation of one field, for the man-page check and `describe` output.
struct FieldDoc {
  std::string name;
  FieldType type;
  std::string doc;
  const SchemaBase* sub = nullptr;  // struct-typed fields
};

// Decoding context: the file name for "FILE:LINE: field: message" errors.
struct DecodeCtx {
  std::string file;
  std::string path;  // dotted field path, for messages
};

Error field_error(const DecodeCtx& ctx, const Node& n, std::string_view msg);
// As field_error, at the line of the struct's field `field` when present.
Error field_error_at(const DecodeCtx& ctx, const Node& n, std::string_view field,
                     std::string_view msg);

class SchemaBase {
 public:
  virtual ~SchemaBase() = default;
  const std::vector<FieldDoc>& docs() const { return docs_; }
  // Every field path below this schema, e.g. "Listeners.*.TLS.KeyCerts[].CertFile".
  void field_paths(const std::string& prefix, std::vector<std::string>& out) const;

 protected:
  std::vector<FieldDoc> docs_;
};

template <class T>
class Schema : public SchemaBase {
 public:
  using Check = std::function<Status(T&, const Node&, const DecodeCtx&)>;

  Schema& str(const char* name, std::string T::*m, const char* doc) {
    return scalar(
        name, FieldType::kString, doc,
        [m](T& t, const Node& n, const DecodeCtx& c) -> Status {
          // A value is one line: sconf cannot represent line breaks.
          if (n.value.find_first_of("\r\n") != std::string::npos) {
            return field_error(c, n, "value cannot contain a line break");
          }
          t.*m = n.value;
          return {};
        },
        [m](const T& t) -> std::optional<Node> {
          if ((t.*m).empty()) return std::nullopt;
          return Node::scalar(t.*m);
        });
  }

  Schema& boolean(const char* name, bool T::*m, const char* doc) {
    return scalar(
        name, FieldType::kBool, doc,
        [m](T& t, const Node& n, const DecodeCtx& c) -> Status {
          if (n.value == "true") {
            t.*m = true;
          } else if (n.value == "false") {
            t.*m = false;
          } else {
            return field_error(c, n, "expected true or false");
          }
          return {};
        },
        [m](const T& t) -> std::optional<Node> {
          if (!(t.*m)) return std::nullopt;
          return Node::scalar("true");
        });
  }

  Schema& integer(const char* name, int64_t T::*m, const char* doc) {
    return scalar(
        name, FieldType::kInt, doc,
        [m](T& t, const Node& n, const DecodeCtx& c) -> Status {
          auto v = parse_int(n.value);
          if (!v) return field_error(c, n, "expected an integer");
          t.*m = *v;
          return {};
        },
        [m](const T& t) -> std::optional<Node> {
          if (t.*m == 0) return std::nullopt;
          return Node::scalar(std::to_string(t.*m));
        });
  }

  Schema& duration(const char* name, Duration T::*m, const char* doc) {
    return scalar(
        name, FieldType::kDuration, doc,
        [m](T& t, const Node& n, const DecodeCtx& c) -> Status {
          auto d = parse_duration(n.value);
          if (!d) return field_error(c, n, d.error().message);
          t.*m = *d;
          return {};
        },
        [m](const T& t) -> std::optional<Node> {
          if ((t.*m).count() == 0) return std::nullopt;
          return Node::scalar(format_duration(t.*m));
        });
  }

  Schema& strings(const char* name, std::vector<std::string> T::*m, const char* doc) {
    add(
        name, FieldType::kStringList, doc, nullptr,
        [m](T& t, const Node& n, const DecodeCtx& c) -> Status {
          if (is_empty(n)) return {};
          if (n.type != Node::Type::kList) return field_error(c, n, "expected a list");
          for (const auto& item : n.items) {
            if (item.type != Node::Type::kScalar) return field_error(c, item, "expected a value");
            if (item.value.find_first_of("\r\n") != std::string::npos) {
              return field_error(c, item, "value cannot contain a line break");
            }
            (t.*m).push_back(item.value);
          }
          return {};
        },
        [m](const T& t) -> std::optional<Node> {
          if ((t.*m).empty()) return std::nullopt;
          Node l = Node::list();
          for (const auto& s : t.*m) l.items.push_back(Node::scalar(s));
          return l;
        });
    return *this;
  }

  // A nested struct that is always present (written only if not empty).
  template <class S>
  Schema& sub(const char* name, S T::*m, const Schema<S>& s, const char* doc) {
    add(
        name, FieldType::kStruct, doc, &s,
        [m, &s](T& t, const Node& n, const DecodeCtx& c) { return s.decode(n, t.*m, c); },
        [m, &s](const T& t) -> std::optional<Node> {
          Node n = s.encode(t.*m);
          if (n.entries.empty()) return std::nullopt;
          return n;
        });
    return *this;
  }

  // A nested struct that may be absent.
  template <class S>
  Schema& optsub(const char* name, std::optional<S> T::*m, const Schema<S>& s, const char* doc) {
    add(
        name, FieldType::kStruct, doc, &s,
        [m, &s](T& t, const Node& n, const DecodeCtx& c) -> Status {
          (t.*m).emplace();
          return s.decode(n, *(t.*m), c);
        },
        [m, &s](const T& t) -> std::optional<Node> {
          if (!(t.*m)) return std::nullopt;
          return s.encode(*(t.*m));
        });
    return *this;
  }

  template <class S>
  Schema& list(const char* name, std::vector<S> T::*m, const Schema<S>& s, const char* doc) {
    add(
        name, FieldType::kStructList, doc, &s,
        [m, &s](T& t, const Node& n, const DecodeCtx& c) -> Status {
          if (is_empty(n)) return {};
          if (n.type != Node::Type::kList) return field_error(c, n, "expected a list");
          for (const auto& item : n.items) {
            S v{};
            MOX_TRY(s.decode(item, v, c));
            (t.*m).push_back(std::move(v));
          }
          return {};
        },
        [m, &s](const T& t) -> std::optional<Node> {
          if ((t.*m).empty()) return std::nullopt;
          Node l = Node::list();
          for (const auto& v : t.*m) l.items.push_back(s.encode(v));
          return l;
        });
    return *this;
  }

  template <class S>
  Schema& map(const char* name, std::map<std::string, S> T::*m, const Schema<S>& s,
              const char* doc) {
    add(
        name, FieldType::kStructMap, doc, &s,
        [m, &s](T& t, const Node& n, const DecodeCtx& c) -> Status {
          if (is_empty(n)) return {};
          if (n.type != Node::Type::kMap) return field_error(c, n, "expected a map");
          for (const auto& [key, child] : n.entries) {
            DecodeCtx cc{c.file, c.path + "." + key};
            S v{};
            MOX_TRY(s.decode(child, v, cc));
            (t.*m).emplace(key, std::move(v));
          }
          return {};
        },
        [m, &s](const T& t) -> std::optional<Node> {
          if ((t.*m).empty()) return std::nullopt;
          Node mn = Node::map();
          for (const auto& [key, v] : t.*m) mn.add(key, s.encode(v));
          return mn;
        });
    return *this;
  }

  // A check run after the struct is decoded (cross-field rules, derived fields).
  Schema& check(Check c) {
    checks_.push_back(std::move(c));
    return *this;
  }

  Status decode(const Node& n, T& out, const DecodeCtx& ctx) const {
    if (!is_empty(n)) {
      if (n.type != Node::Type::kMap) return field_error(ctx, n, "expected a struct");
      for (const auto& [key, child] : n.entries) {
        const Field* f = find(key);
        if (!f) return field_error(ctx, child, "unknown field \"" + key + "\"");
        DecodeCtx cc{ctx.file, ctx.path.empty() ? key : ctx.path + "." + key};
        MOX_TRY(f->decode(out, child, cc));
      }
    }
    for (const auto& c : checks_) MOX_TRY(c(out, n, ctx));
    return {};
  }

  Node encode(const T& in) const {
    Node n = Node::map();
    for (const auto& f : fields_) {
      if (auto child = f.encode(in)) n.add(f.name, std::move(*child));
    }
    return n;
  }

 private:
  struct Field {
    std::string name;
    std::function<Status(T&, const Node&, const DecodeCtx&)> decode;
    std::function<std::optional<Node>(const T&)> encode;
  };

  static bool is_empty(const Node& n) {
    return n.type == Node::Type::kScalar && (n.value.empty() || n.value == "nil");
  }

  static std::optional<int64_t> parse_int(const std::string& s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    int64_t v = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return s[0] == '-' ? -v : v;
  }

  const Field* find(std::string_view name) const {
    for (const auto& f : fields_) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  Schema& scalar(const char* name, FieldType type, const char* doc,
                 std::function<Status(T&, const Node&, const DecodeCtx&)> dec,
                 std::function<std::optional<Node>(const T&)> enc) {
    add(
        name, type, doc, nullptr,
        [dec = std::move(dec)](T& t, const Node& n, const DecodeCtx& c) -> Status {
          if (n.type != Node::Type::kScalar) return field_error(c, n, "expected a value");
          return dec(t, n, c);
        },
        std::move(enc));
    return *this;
  }

  void add(const char* name, FieldType type, const char* doc, const SchemaBase* sub,
           std::function<Status(T&, const Node&, const DecodeCtx&)> dec,
           std::function<std::optional<Node>(const T&)> enc) {
    fields_.push_back({name, std::move(dec), std::move(enc)});
    docs_.push_back({name, type, doc, sub});
  }

  std::vector<Field> fields_;
  std::vector<Check> checks_;
};

}  // namespace mox::config
