#include "config/schema.h"

#include <cmath>

namespace mox::config {

Error field_error(const DecodeCtx& ctx, const Node& n, std::string_view msg) {
  std::string where = ctx.file;
  if (n.line > 0) where += ":" + std::to_string(n.line);
  std::string out = where.empty() ? "" : where + ": ";
  if (!ctx.path.empty()) out += ctx.path + ": ";
  out += msg;
  return syntax_error(out);
}

Error field_error_at(const DecodeCtx& ctx, const Node& n, std::string_view field,
                     std::string_view msg) {
  const Node* f = n.find(field);
  return field_error(ctx, f ? *f : n, msg);
}

void SchemaBase::field_paths(const std::string& prefix, std::vector<std::string>& out) const {
  for (const auto& d : docs_) {
    std::string p = prefix.empty() ? d.name : prefix + "." + d.name;
    out.push_back(p);
    if (!d.sub) continue;
    if (d.type == FieldType::kStructMap) p += ".*";
    if (d.type == FieldType::kStructList) p += "[]";
    d.sub->field_paths(p, out);
  }
}

namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};
constexpr Unit kUnits[] = {{"h", 3600'000'000'000LL},
                           {"ms", 1'000'000LL},
                           {"m", 60'000'000'000LL},
                           {"s", 1'000'000'000LL},
                           {"us", 1'000LL},
                           {"µs", 1'000LL},
                           {"ns", 1LL}};

}  // namespace

Result<Duration> parse_duration(std::string_view s) {
  std::string orig(s);
  if (s == "0") return Duration(0);
  if (s.empty()) return syntax_error("invalid duration \"\"");
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == 0) return syntax_error("invalid duration \"" + orig + "\"");
    std::string num(s.substr(0, i));
    s.remove_prefix(i);
    const Unit* unit = nullptr;
    for (const auto& u : kUnits) {
      if (s.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (!unit) return syntax_error("invalid duration \"" + orig + "\": missing unit (h, m, s)");
    s.remove_prefix(unit->name.size());
    char* end = nullptr;
    long double v = std::strtold(num.c_str(), &end);
    if (*end != '\0') return syntax_error("invalid duration \"" + orig + "\"");
    total += v * static_cast<long double>(unit->ns);
  }
  if (total > 9.2e18L) return syntax_error("duration \"" + orig + "\" too large");
  return Duration(static_cast<int64_t>(std::llround(total)));
}

std::string format_duration(Duration d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  if (ns < 1'000'000'000LL) {
    if (ns % 1'000'000 == 0) return out + std::to_string(ns / 1'000'000) + "ms";
    if (ns % 1'000 == 0) return out + std::to_string(ns / 1'000) + "us";
    return out + std::to_string(ns) + "ns";
  }
  int64_t h = ns / 3600'000'000'000LL;
  ns %= 3600'000'000'000LL;
  int64_t m = ns / 60'000'000'000LL;
  ns %= 60'000'000'000LL;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (ns) {
    int64_t sec = ns / 1'000'000'000LL, frac = ns % 1'000'000'000LL;
    out += std::to_string(sec);
    if (frac) {
      std::string f = std::to_string(frac);
      f = std::string(9 - f.size(), '0') + f;
      while (f.back() == '0') f.pop_back();
      out += "." + f;
    }
    out += "s";
  }
  return out;
}

}  // namespace mox::config
