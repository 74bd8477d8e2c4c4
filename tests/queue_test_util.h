// Shared by the queue_* tests: a temp data dir with an open queue database,
// and adding messages the way submission does (queue::add_message with the
// spooled message as an unnamed file).
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "config/config.h"
#include "db/sqlite.h"
#include "queue/msg.h"
#include "queue/queuedb.h"
#include "store_test_util.h"
#include "util/unique_fd.h"

namespace mox::queue::testing {

// A message submitted by `account` from `from` to `to` (addresses
// "local@domain"), as a memfd like the spool file of mox-smtpd.
struct Submission {
  std::string account = "mjl";
  std::string from = "mjl@example.com";
  std::vector<std::string> to = {"rcpt@remote.example"};
  std::string text =
      "From: <mjl@example.com>\r\nTo: <rcpt@remote.example>\r\nSubject: hello\r\n"
      "Message-ID: <m1@example.com>\r\n\r\nbody\r\n";
  std::string prefix, dkim_prefix;
  std::optional<SendLimits> limits;  // of the account (queue/sendlimit.h)
};

inline std::pair<std::string, std::string> split(const std::string& a) {
  auto at = a.rfind('@');
  return {a.substr(0, at), a.substr(at + 1)};
}

// A config under `dir` (config/ and data/, made in memory): host
// mail.example.com, domains example.com and other.example (disabled when
// `other_disabled`), accounts mjl and other keeping retired messages for
// `keep_seconds`, remote MX hosts on `port`.
inline std::shared_ptr<const config::Config> make_queue_config(const std::string& dir, int64_t port,
                                                               int64_t keep_seconds = 86400,
                                                               bool other_disabled = false) {
  ::mkdir((dir + "/config").c_str(), 0700);
  ::mkdir((dir + "/data").c_str(), 0700);
  config::Static st;
  st.data_dir = "../data";
  st.hostname = "mail.example.com";
  st.postmaster.account = "mjl";
  st.queue.port = port;
  config::Dynamic dyn;
  dyn.domains["example.com"] = config::Domain{};
  config::Domain other;
  other.disabled = other_disabled;
  dyn.domains["other.example"] = other;
  for (const auto& [name, domain] :
       {std::pair{"mjl", "example.com"}, std::pair{"other", "other.example"}}) {
    config::Account acc;
    acc.domain = domain;
    acc.keep_retired_message_period = std::chrono::seconds(keep_seconds);
    dyn.accounts[name] = acc;
  }
  auto c = config::Config::make(dir + "/config/mox.conf", st, dyn);
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : nullptr;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The temp data dir and its queue database.
class QueueFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = tmp_.path() + "/data";
    auto db = open_queue_db(data_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
  }

  // add_message of `s`: its result.
  Result<Queued> queue(const Submission& s, int64_t now) {
    UniqueFd fd(::memfd_create("spool", MFD_CLOEXEC));
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(::write(fd.get(), s.text.data(), s.text.size()), static_cast<ssize_t>(s.text.size()));
    NewMessage m;
    m.sender_account = s.account;
    // Domains in their canonical (lower-case) form, as submission stores
    // them (smtp::Domain::str()); localparts as written.
    std::tie(m.sender_localpart, m.sender_domain) = split(s.from);
    m.sender_domain = lower(m.sender_domain);
    for (const auto& t : s.to) {
      auto [l, d] = split(t);
      m.recipients.push_back({l, lower(d)});
    }
    m.message_id = "<m1@example.com>";
    m.subject = "hello";
    m.prefix = s.prefix;
    m.dkim_prefix = s.dkim_prefix;
    m.source_fd = fd.get();
    m.size = static_cast<int64_t>(s.text.size());
    m.limits = s.limits;
    return add_message(db_, data_, m, now);
  }

  std::vector<int64_t> add(const Submission& s, int64_t now) {
    auto ids = queue(s, now);
    EXPECT_TRUE(ids.ok()) << ids.error().message;
    return ids.ok() ? ids->ids : std::vector<int64_t>{};
  }

  // One message to one recipient; its ID.
  int64_t add_one(const std::string& to, int64_t now, const std::string& account = "mjl",
                  const std::string& from = "mjl@example.com") {
    Submission s;
    s.account = account;
    s.from = from;
    s.to = {to};
    auto ids = add(s, now);
    return ids.empty() ? 0 : ids[0];
  }

  static Filter ids_filter(std::vector<int64_t> ids) {
    Filter f;
    f.ids = std::move(ids);
    return f;
  }

  std::vector<int64_t> ids_of(const Filter& f, int64_t now) {
    auto l = list_messages(db_, f, now);
    EXPECT_TRUE(l.ok()) << l.error().message;
    std::vector<int64_t> out;
    if (l.ok()) {
      for (const auto& m : *l) out.push_back(m.id);
    }
    return out;
  }

  // One integer from a query (e.g. "SELECT count(*) FROM MsgRetired").
  int64_t scalar(const std::string& sql) {
    auto q = db_.prepare(sql);
    EXPECT_TRUE(q.ok()) << q.error().message;
    if (!q.ok()) return -1;
    auto row = q->step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return row.ok() && *row ? q->col_int(0) : -1;
  }

  // json_extract(json, path) as text ("" for SQL NULL), through SQLite's
  // JSON functions: the Results column is checked as JSON, not as a string.
  std::string jget(const std::string& json, const std::string& path) {
    auto q = db_.prepare("SELECT json_extract(?1, ?2)");
    EXPECT_TRUE(q.ok());
    if (!q.ok()) return "";
    q->bind(1, json).bind(2, path);
    auto row = q->step();
    EXPECT_TRUE(row.ok() && *row);
    return row.ok() && *row && !q->col_null(0) ? q->col_text(0) : "";
  }
  // json_array_length(json); -1 when `json` is not valid JSON.
  int64_t jlen(const std::string& json) {
    auto q = db_.prepare("SELECT CASE WHEN json_valid(?1) THEN json_array_length(?1) ELSE -1 END");
    EXPECT_TRUE(q.ok());
    if (!q.ok()) return -1;
    q->bind(1, json);
    auto row = q->step();
    return row.ok() && *row ? q->col_int(0) : -1;
  }

  void exec(const std::string& sql) {
    auto st = db_.exec(sql);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }

  mox::testutil::TempDir tmp_;
  std::string data_;
  db::Db db_;
};

}  // namespace mox::queue::testing
