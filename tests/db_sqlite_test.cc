// Tests for the row readers of lib/db/sqlite.h: Stmt::cols, cols_from and
// collect.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "db/sqlite.h"
#include "store_test_util.h"

namespace mox::db {
namespace {

class SqliteRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::open(tmp_.path() + "/t.db",
                       {"CREATE TABLE T (ID INTEGER, Name TEXT, Data BLOB, Flag INTEGER)"});
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_.exec("INSERT INTO T VALUES (1, 'one', x'00ff', 1), (2, 'two', NULL, 0)").ok());
  }
  testutil::TempDir tmp_;
  Db db_;
};

struct Row {
  int64_t id = 0;
  int small = 0;
  std::string name, data;
  bool flag = false;
};

TEST_F(SqliteRowsTest, ColsReadInOrder) {
  auto q = db_.prepare("SELECT ID, Name, Data, Flag, ID FROM T ORDER BY ID");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->step());
  Row r;
  q->cols(r.id, r.name, blob(r.data), r.flag);
  q->cols_from(4, r.small);
  EXPECT_EQ(r.id, 1);
  EXPECT_EQ(r.name, "one");
  EXPECT_EQ(r.data, std::string("\x00\xff", 2));
  EXPECT_TRUE(r.flag);
  EXPECT_EQ(r.small, 1);
}

TEST_F(SqliteRowsTest, CollectEveryRow) {
  auto q = db_.prepare("SELECT ID, Name, Data, Flag FROM T ORDER BY ID");
  ASSERT_TRUE(q.ok());
  auto rows = collect(*q, [](const Stmt& s) {
    Row r;
    s.cols(r.id, r.name, blob(r.data), r.flag);
    return r;
  });
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].id, 2);
  EXPECT_EQ((*rows)[1].data, "");  // NULL
  EXPECT_FALSE((*rows)[1].flag);
  auto none = db_.prepare("SELECT Name FROM T WHERE ID > 2");
  ASSERT_TRUE(none.ok());
  auto names = collect(*none, [](const Stmt& s) { return s.col_text(0); });
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

}  // namespace
}  // namespace mox::db
