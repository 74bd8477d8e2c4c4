// The per-account suppression list and the hold rules of the queue
// (mox-queue(8) "Delivery", "Verbs").
//
// A suppressed address gets no more mail from the account: submission
// refuses it (mox-smtpd) and the queue adds an address when a delivery to it
// fails permanently because the address or its domain does not exist.
// Addresses are kept by their base form: lower case, without a "+tag".
//
// A hold rule marks new queued messages as held when its non-empty fields
// (sender account, sender domain, recipient domain) all match; a rule with
// no fields holds everything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "util/result.h"

namespace mox::queue {

struct Suppression {
  int64_t id = 0, created = 0;
  std::string account, base_address, original_address;
  bool manual = false;
  std::string reason;
  std::string json() const;
};

// "Some.One+tag@Example.com" → "some.one@example.com". kSyntax for a
// malformed address.
Result<std::string> base_address(std::string_view address);

Result<std::vector<Suppression>> list_suppressions(db::Db& db, const std::string& account);
// false when the address was already suppressed for the account.
Result<bool> add_suppression(db::Db& db, const std::string& account, std::string_view address,
                             bool manual, const std::string& reason, int64_t now);
// kNotFound when the address is not suppressed.
Status remove_suppression(db::Db& db, const std::string& account, std::string_view address);
Result<std::optional<Suppression>> lookup_suppression(db::Db& db, const std::string& account,
                                                      std::string_view address);

struct HoldRule {
  int64_t id = 0;
  std::string account, sender_domain, recipient_domain;
  std::string json() const;
};

Result<std::vector<HoldRule>> list_holdrules(db::Db& db);
// Adds the rule and holds the queued messages it matches; returns the new
// rule's ID and how many messages it put on hold.
struct AddedHoldRule {
  int64_t id = 0, held = 0;
};
Result<AddedHoldRule> add_holdrule(db::Db& db, HoldRule rule);
// kNotFound for an unknown ID.
Status remove_holdrule(db::Db& db, int64_t id);

// SQL condition (for Msg) that is true when some hold rule matches the row.
extern const char* const kHoldRuleMatchSql;

}  // namespace mox::queue
