#include "store/mailbox.h"

#include <strings.h>

#include "util/utf8.h"

namespace mox::store {
namespace {

constexpr size_t kMaxMailboxName = 1000;

Result<std::optional<MailboxRef>> find_mailbox(db::Db& db, const std::string& name) {
  MOX_ASSIGN(db::Stmt q, db.prepare("SELECT ID, UIDNext FROM Mailbox WHERE Name = ?"));
  q.bind(1, name);
  MOX_ASSIGN(bool row, q.step());
  if (!row) return std::optional<MailboxRef>();
  return std::optional<MailboxRef>(MailboxRef{q.col_int(0), q.col_int(1), false});
}

Result<MailboxRef> create_one(db::Db& db, const std::string& name, int64_t modseq, bool subscribe) {
  MOX_ASSIGN(int64_t uidvalidity, take_uidvalidity(db));
  MOX_ASSIGN(db::Stmt ins, db.prepare("INSERT INTO Mailbox (Name, UIDValidity, CreateModSeq, "
                                      "ModSeq) VALUES (?, ?, ?, ?)"));
  MOX_TRY(ins.bind(1, name).bind(2, uidvalidity).bind(3, modseq).bind(4, modseq).run());
  int64_t id = db.last_insert_id();
  if (subscribe) {
    MOX_ASSIGN(db::Stmt sub, db.prepare("INSERT OR IGNORE INTO Subscription (Name) VALUES (?)"));
    MOX_TRY(sub.bind(1, name).run());
  }
  return MailboxRef{id, 1, true};
}

}  // namespace

Result<int64_t> take_uidvalidity(db::Db& db) {
  MOX_ASSIGN(db::Stmt up, db.prepare("UPDATE Account SET UIDValidityNext = MAX(UIDValidityNext, ?) "
                                     "+ 1 RETURNING UIDValidityNext - 1"));
  up.bind(1, db::now_unix());
  MOX_ASSIGN(bool row, up.step());
  if (!row) return internal_error("index.db has no Account row");
  return up.col_int(0);
}

Result<std::string> normalize_mailbox_name(std::string_view name) {
  if (name.empty()) return user_error("empty mailbox name");
  if (name.size() > kMaxMailboxName) return user_error("mailbox name too long");
  if (!valid_utf8(name)) return user_error("mailbox name is not valid UTF-8");
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
    return user_error("mailbox name has an empty hierarchy level");
  }
  if (name.front() == '#') return user_error("mailbox name starts with #");
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '%' || c == '*') {
      return user_error("mailbox name contains a control character or wildcard");
    }
  }
  std::string out(name);
  std::string_view first = name.substr(0, name.find('/'));
  if (first.size() == 5 && strncasecmp(first.data(), "inbox", 5) == 0) out.replace(0, 5, "Inbox");
  return out;
}

Result<MailboxRef> ensure_mailbox(db::Db& db, const std::string& name, bool create, int64_t modseq,
                                  bool subscribe) {
  MOX_ASSIGN(auto found, find_mailbox(db, name));
  if (found) return *found;
  if (!create) return not_found("mailbox " + name + " does not exist");
  // Parents first, so that a LIST of the hierarchy never has holes.
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    std::string parent = name.substr(0, slash);
    MOX_ASSIGN(auto p, find_mailbox(db, parent));
    if (!p) MOX_TRY(create_one(db, parent, modseq, subscribe));
  }
  return create_one(db, name, modseq, subscribe);
}

}  // namespace mox::store
