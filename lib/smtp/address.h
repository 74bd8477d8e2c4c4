// Mail address types that can only be built by parsing (docs/DESIGN.md "Code
// conventions").
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::smtp {

// A domain name: lower-cased ASCII LDH labels, or UTF-8 labels (RFC 6531).
class Domain {
 public:
  static Result<Domain> parse(std::string_view s);
  const std::string& str() const { return name_; }
  bool operator==(const Domain&) const = default;
  auto operator<=>(const Domain&) const = default;

 private:
  explicit Domain(std::string n) : name_(std::move(n)) {}
  std::string name_;
};

// The local part of an address, unquoted. RFC 5321 §4.1.2 Dot-string or
// Quoted-string, with UTF-8 allowed (RFC 6531 §3.3); at most 64 octets.
class Localpart {
 public:
  static Result<Localpart> parse(std::string_view s);  // wire form, possibly quoted
  static Result<Localpart> from_value(std::string_view unquoted);
  const std::string& value() const { return value_; }
  // Wire form: the dot-string itself, or a quoted string when needed.
  std::string wire() const;
  bool operator==(const Localpart&) const = default;

 private:
  explicit Localpart(std::string v) : value_(std::move(v)) {}
  std::string value_;
};

class Address {
 public:
  // "localpart@domain"; the localpart may be quoted.
  static Result<Address> parse(std::string_view s);
  Address(Localpart l, Domain d) : localpart_(std::move(l)), domain_(std::move(d)) {}
  const Localpart& localpart() const { return localpart_; }
  const Domain& domain() const { return domain_; }
  std::string str() const { return localpart_.wire() + "@" + domain_.str(); }
  bool operator==(const Address&) const = default;

 private:
  Localpart localpart_;
  Domain domain_;
};

bool is_atext(unsigned char c);  // RFC 5322 atext, plus UTF-8 octets (RFC 6531)

}  // namespace mox::smtp
