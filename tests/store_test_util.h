// Helpers shared by the store tests: a temp directory and spool files.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "store/account.h"
#include "store/deliver.h"
#include "store/messages.h"

namespace mox::testutil {

// SQL that takes an index.db back before schema version 6 (the columns of
// store/deliver.h MessageAuth, of version 7 FormsVersion, of version 8 the
// sort keys of store/sortkeys.h, of version 9 RecentUID, of version 12 the
// table ExpungedUID), for tests of older migrations.
inline constexpr const char* kDropColumnsSince6 =
    "DROP TABLE ExpungedUID; "
    "ALTER TABLE Mailbox DROP COLUMN RecentUID; "
    "ALTER TABLE Message DROP COLUMN SortVersion; ALTER TABLE Message DROP COLUMN SentDate; "
    "ALTER TABLE Message DROP COLUMN SortSubject; ALTER TABLE Message DROP COLUMN SubjectReply; "
    "ALTER TABLE Message DROP COLUMN SortFrom; ALTER TABLE Message DROP COLUMN SortTo; "
    "ALTER TABLE Message DROP COLUMN SortCc; ALTER TABLE Message DROP COLUMN DisplayFrom; "
    "ALTER TABLE Message DROP COLUMN DisplayTo; ALTER TABLE Message DROP COLUMN ThreadMessageID; "
    "ALTER TABLE Message DROP COLUMN ThreadReferences; "
    "ALTER TABLE Message DROP COLUMN FormsVersion; "
    "ALTER TABLE Message DROP COLUMN RemoteIP; ALTER TABLE Message DROP COLUMN EHLODomain; "
    "ALTER TABLE Message DROP COLUMN MailFrom; ALTER TABLE Message DROP COLUMN MailFromDomain; "
    "ALTER TABLE Message DROP COLUMN MsgFromDomain; "
    "ALTER TABLE Message DROP COLUMN MsgFromOrgDomain; "
    "ALTER TABLE Message DROP COLUMN SPFResult; ALTER TABLE Message DROP COLUMN HeloSPFResult; "
    "ALTER TABLE Message DROP COLUMN DKIMDomains; ALTER TABLE Message DROP COLUMN DMARCResult; "
    "ALTER TABLE Message DROP COLUMN IprevResult; "
    "ALTER TABLE Message DROP COLUMN EHLOValidated; "
    "ALTER TABLE Message DROP COLUMN MailFromValidated; "
    "ALTER TABLE Message DROP COLUMN MsgFromValidated; ";
// What migrations 10 and 11 add (PREVIEW, METADATA), for the same purpose.
inline constexpr const char* kDropSince10 =
    "ALTER TABLE Message DROP COLUMN Preview; ALTER TABLE Message DROP COLUMN PreviewVersion; "
    "DROP TRIGGER MetadataMailboxDeleted; DROP TABLE Metadata; ";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "moxtest-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    if (p) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
}

inline std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Waits for a forked child; returns its exit status, or 128+signal.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// Runs body(0) ... body(n - 1) in n forked children at once, each exiting
// with what its body returns, and waits for them all; returns their exit
// statuses as wait_child() does (-1 for a child that could not be forked).
inline std::vector<int> run_children(int n, const std::function<int(int)>& body) {
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(body(i));
    pids.push_back(pid);
  }
  std::vector<int> out;
  for (pid_t pid : pids) out.push_back(pid < 0 ? -1 : wait_child(pid));
  return out;
}

// A fresh account store "mjl" in a temporary directory (acc_, in dir_),
// with its Inbox's ID in inbox_, for the store tests' fixtures.
class AccountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/accounts/mjl";
    auto st = store::AccountStore::open(dir_, true);
    ASSERT_TRUE(st.ok()) << st.error().message;
    acc_.emplace(std::move(*st));
    auto mb = store::find_mailbox(*acc_, "Inbox");
    ASSERT_TRUE(mb.ok() && mb->has_value());
    inbox_ = (*mb)->id;
  }

  // Delivers `text` to Inbox (deliver()); an empty Delivered after a
  // failure, which fails the test.
  store::Delivered add_message(const std::string& text) {
    store::DeliverRequest req;
    req.source_data = text;
    auto d = store::deliver(*acc_, req);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? *d : store::Delivered{};
  }

  // The integer in the first column of `sql`'s first row.
  int64_t count(const std::string& sql) {
    auto q = acc_->db().prepare(sql);
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(q->step().ok());
    return q->col_int(0);
  }

  TempDir tmp_;
  std::string dir_;
  std::optional<store::AccountStore> acc_;
  int64_t inbox_ = 0;
};

}  // namespace mox::testutil
