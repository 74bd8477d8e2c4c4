// Grammars of the names and texts that the admin operations write into
// domains.conf and mox.conf (mox-config(8), VALUE GRAMMAR). They are stricter
// than what the sconf format can hold (config/sconf.h), so that a name is also
// safe as a file name, in a log line and on a terminal. They apply to values
// being added or changed; files written by hand are held only to the checks of
// config::Config. Every error is a user error quoting the value as a JSON
// string, so that it stays on one line.
#pragma once

#include <string>
#include <string_view>

#include "config/types.h"
#include "smtp/address.h"
#include "util/result.h"

namespace mox::admin {

// An account name: 1 to 64 ASCII letters, digits, ".", "_" and "-", starting
// with a letter or digit. It names the directory data/accounts/NAME.
class AccountName {
 public:
  static Result<AccountName> parse(std::string_view s);
  const std::string& str() const { return name_; }

 private:
  explicit AccountName(std::string n) : name_(std::move(n)) {}
  std::string name_;
};

// A domain in its normal form (smtp::Domain: lower-case ASCII labels or
// UTF-8 labels) without control characters.
Status check_domain_name(std::string_view s);
// A localpart to be written in domains.conf: printable UTF-8 (see
// printable_utf8), its written form (smtp::Localpart::wire) not starting
// with "#", and no ":" (sconf comment and key syntax, config/sconf.h).
Status check_localpart(const smtp::Localpart& lp);
// A Destinations key: "@domain" (a catchall) or an address in its normal form
// (smtp::Address::str) whose localpart passes check_localpart.
Status check_address_key(std::string_view key);
// A mailbox name as the store accepts it (store::normalize_mailbox_name),
// also without C1 controls and without leading or trailing space.
Status check_mailbox_name(std::string_view s);
// A LoginDisabled message: 1 to 256 printable ASCII characters, no leading or
// trailing space.
Status check_login_disabled_message(std::string_view s);
// One line of free text (FullName, Description, file names): printable UTF-8,
// no leading or trailing space, at most `max` bytes; `what` names the field.
Status check_text_line(std::string_view what, std::string_view s, size_t max);
// A DKIM selector in its normal form (dkim::Selector: lower-case LDH labels).
Status check_dkim_selector(std::string_view s);
// A localpart catchall separator: 1 to 16 ASCII atext characters.
Status check_catchall_separator(std::string_view s);
// A Unix user name for User in mox.conf: 1 to 32 ASCII letters, digits, ".",
// "_" and "-", not starting with "." or "-".
Status check_unix_user(std::string_view s);

// Checks every name and text that `after` adds or changes relative to
// `before` against the grammars above; change_dynamic runs it on each change.
Status check_new_values(const config::Dynamic& before, const config::Dynamic& after);

}  // namespace mox::admin
