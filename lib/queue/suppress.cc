#include "queue/suppress.h"

#include "smtp/address.h"
#include "util/ascii.h"
#include "util/json.h"

namespace mox::queue {

const char* const kHoldRuleMatchSql =
    "EXISTS (SELECT 1 FROM HoldRule r WHERE "
    "(r.Account='' OR r.Account=Msg.SenderAccount) AND "
    "(r.SenderDomain='' OR r.SenderDomain=Msg.SenderDomain) AND "
    "(r.RecipientDomain='' OR r.RecipientDomain=Msg.RecipientDomain))";

namespace {

Suppression read(const db::Stmt& q) {
  Suppression s;
  q.cols(s.id, s.created, s.account, s.base_address, s.original_address, s.manual, s.reason);
  return s;
}

constexpr const char* kSuppressionColumns =
    "SELECT ID, Created, Account, BaseAddress, OriginalAddress, Manual, Reason FROM Suppression";

Result<std::string> checked_domain(const std::string& d) {
  if (d.empty()) return std::string();
  auto parsed = smtp::Domain::parse(d);
  if (!parsed) return user_error("bad domain \"" + d + "\": " + parsed.error().message);
  return parsed->str();
}

}  // namespace

std::string Suppression::json() const {
  JsonObject o;
  o.add("ID", id).add("Created", created).add("Account", account);
  o.add("BaseAddress", base_address).add("OriginalAddress", original_address);
  o.add("Manual", manual).add("Reason", reason);
  return o.str();
}

std::string HoldRule::json() const {
  JsonObject o;
  o.add("ID", id).add("Account", account).add("SenderDomain", sender_domain);
  o.add("RecipientDomain", recipient_domain);
  return o.str();
}

Result<std::string> base_address(std::string_view address) {
  auto a = smtp::Address::parse(address);
  if (!a) return syntax_error("bad address \"" + std::string(address) + "\": " + a.error().message);
  std::string local = a->localpart().value();
  if (auto plus = local.find('+'); plus != std::string::npos && plus > 0) local.resize(plus);
  return ascii_lower(local) + "@" + ascii_lower(a->domain().str());
}

Result<std::vector<Suppression>> list_suppressions(db::Db& db, const std::string& account) {
  std::string sql = std::string(kSuppressionColumns) + (account.empty() ? "" : " WHERE Account=?") +
                    " ORDER BY Account, BaseAddress";
  MOX_ASSIGN(auto q, db.prepare(sql));
  if (!account.empty()) q.bind(1, account);
  return db::collect(q, read);
}

Result<bool> add_suppression(db::Db& db, const std::string& account, std::string_view address,
                             bool manual, const std::string& reason, int64_t now) {
  MOX_ASSIGN(auto base, base_address(address));
  MOX_ASSIGN(auto q,
             db.prepare("INSERT INTO Suppression (Created, Account, BaseAddress, OriginalAddress, "
                        "Manual, Reason) VALUES (?,?,?,?,?,?) "
                        "ON CONFLICT(Account, BaseAddress) DO NOTHING"));
  q.bind(1, now).bind(2, account).bind(3, base).bind(4, address).bind(5, int64_t{manual});
  q.bind(6, reason);
  MOX_TRY(q.run());
  return db.changes() > 0;
}

Status remove_suppression(db::Db& db, const std::string& account, std::string_view address) {
  MOX_ASSIGN(auto base, base_address(address));
  MOX_ASSIGN(auto q, db.prepare("DELETE FROM Suppression WHERE Account=? AND BaseAddress=?"));
  MOX_TRY(q.bind(1, account).bind(2, base).run());
  if (db.changes() == 0) {
    return Error{ErrorKind::kNotFound,
                 "address " + base + " is not on the suppression list of account " + account};
  }
  return {};
}

Result<std::optional<Suppression>> lookup_suppression(db::Db& db, const std::string& account,
                                                      std::string_view address) {
  MOX_ASSIGN(auto base, base_address(address));
  std::string sql = std::string(kSuppressionColumns) + " WHERE BaseAddress=?" +
                    (account.empty() ? "" : " AND Account=?") + " LIMIT 1";
  MOX_ASSIGN(auto q, db.prepare(sql));
  q.bind(1, base);
  if (!account.empty()) q.bind(2, account);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return std::optional<Suppression>();
  return std::optional<Suppression>(read(q));
}

Result<std::vector<HoldRule>> list_holdrules(db::Db& db) {
  MOX_ASSIGN(
      auto q,
      db.prepare("SELECT ID, Account, SenderDomain, RecipientDomain FROM HoldRule ORDER BY ID"));
  return db::collect(q, [](const db::Stmt& r) {
    return HoldRule{r.col_int(0), r.col_text(1), r.col_text(2), r.col_text(3)};
  });
}

Result<AddedHoldRule> add_holdrule(db::Db& db, HoldRule rule) {
  MOX_ASSIGN(rule.sender_domain, checked_domain(rule.sender_domain));
  MOX_ASSIGN(rule.recipient_domain, checked_domain(rule.recipient_domain));
  MOX_ASSIGN(auto tx, db::Tx::begin(db));
  MOX_ASSIGN(
      auto q,
      db.prepare("INSERT INTO HoldRule (Account, SenderDomain, RecipientDomain) VALUES (?,?,?)"));
  MOX_TRY(q.bind(1, rule.account).bind(2, rule.sender_domain).bind(3, rule.recipient_domain).run());
  AddedHoldRule out;
  out.id = db.last_insert_id();
  MOX_TRY(db.exec(std::string("UPDATE Msg SET Hold=1 WHERE Hold=0 AND ") + kHoldRuleMatchSql));
  out.held = db.changes();
  MOX_TRY(tx.commit());
  return out;
}

Status remove_holdrule(db::Db& db, int64_t id) {
  MOX_ASSIGN(auto q, db.prepare("DELETE FROM HoldRule WHERE ID=?"));
  MOX_TRY(q.bind(1, id).run());
  if (db.changes() == 0)
    return Error{ErrorKind::kNotFound, "no hold rule with id " + std::to_string(id)};
  return {};
}

}  // namespace mox::queue
