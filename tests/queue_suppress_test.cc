// Tests for lib/queue/suppress.h: base addresses, the per-account
// suppression list and hold rules, which hold matching queued messages and
// new ones as add_message queues them (mox-queue(8) "Delivery", "Verbs").
#include <gtest/gtest.h>

#include "queue/msg.h"
#include "queue/suppress.h"
#include "queue_test_util.h"

namespace mox::queue {
namespace {

using testing::QueueFixture;

constexpr int64_t kNow = 1'700'000'000;

TEST(QueueBaseAddress, LowerCaseWithoutTag) {
  EXPECT_EQ(*base_address("Some.One+tag@Example.com"), "some.one@example.com");
  EXPECT_EQ(*base_address("plain@example.org"), "plain@example.org");
  EXPECT_EQ(*base_address("a+b+c@EXAMPLE.ORG"), "a@example.org");
  // A leading "+" is not a tag separator: nothing would be left.
  EXPECT_EQ(*base_address("+x@example.org"), "+x@example.org");
  // Quoted localparts are taken by their value.
  EXPECT_EQ(*base_address("\"Joe Q\"@example.org"), "joe q@example.org");
  for (const char* bad :
       {"", "no-at", "user@", "a b@example.org", "user@exa mple.org", "a..b@example.org"}) {
    auto r = base_address(bad);
    ASSERT_FALSE(r.ok()) << "\"" << bad << "\" accepted as " << *r;
    EXPECT_EQ(r.error().kind, ErrorKind::kSyntax) << bad;
  }
}

class QueueSuppressTest : public QueueFixture {};

TEST_F(QueueSuppressTest, AddLookupRemove) {
  auto added = add_suppression(db_, "mjl", "Some.One+news@Example.com", true, "asked to", kNow);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_TRUE(*added);
  // The same base address again, written differently: not added twice.
  added = add_suppression(db_, "mjl", "SOME.ONE@example.COM", false, "again", kNow + 1);
  ASSERT_TRUE(added.ok());
  EXPECT_FALSE(*added);
  // Another account may suppress the same address.
  added =
      add_suppression(db_, "other", "some.one@example.com", false, "550 no such user", kNow + 2);
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(*added);

  auto all = list_suppressions(db_, "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  auto mine = list_suppressions(db_, "mjl");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  const Suppression& s = (*mine)[0];
  EXPECT_EQ(s.account, "mjl");
  EXPECT_EQ(s.base_address, "some.one@example.com");
  EXPECT_EQ(s.original_address, "Some.One+news@Example.com");
  EXPECT_TRUE(s.manual);
  EXPECT_EQ(s.reason, "asked to");
  EXPECT_EQ(s.created, kNow);
  EXPECT_EQ(jget(s.json(), "$.BaseAddress"), "some.one@example.com");

  // Lookup by any form of the address, for one account or any.
  auto l = lookup_suppression(db_, "mjl", "some.one+other-tag@EXAMPLE.com");
  ASSERT_TRUE(l.ok()) << l.error().message;
  ASSERT_TRUE(l->has_value());
  EXPECT_EQ((*l)->account, "mjl");
  l = lookup_suppression(db_, "nobody", "some.one@example.com");
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->has_value());
  l = lookup_suppression(db_, "", "some.one@example.com");
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->has_value());
  l = lookup_suppression(db_, "mjl", "someone.else@example.com");
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->has_value());
  l = lookup_suppression(db_, "mjl", "not an address");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().kind, ErrorKind::kSyntax);

  // Remove: by any form; a second time it is not there.
  auto st = remove_suppression(db_, "mjl", "Some.One+x@example.com");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_FALSE(lookup_suppression(db_, "mjl", "some.one@example.com")->has_value());
  EXPECT_TRUE(lookup_suppression(db_, "other", "some.one@example.com")->has_value());
  st = remove_suppression(db_, "mjl", "some.one@example.com");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(st.error().message.find("some.one@example.com"), std::string::npos);
  st = remove_suppression(db_, "mjl", "bad address");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kSyntax);
  added = add_suppression(db_, "mjl", "some one@example.com", true, "", kNow);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().kind, ErrorKind::kSyntax);

  // Removing an account's suppressions (account removal, docs/DESIGN.md
  // "Account removal").
  auto n = remove_account_suppressions(db_, "other");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(list_suppressions(db_, "")->empty());
}

TEST_F(QueueSuppressTest, HoldRuleHoldsMatchingQueuedMessages) {
  int64_t a = add_one("x@remote.example", kNow, "mjl", "mjl@example.com");
  int64_t b = add_one("y@elsewhere.example", kNow, "mjl", "mjl@example.com");
  int64_t c = add_one("x@remote.example", kNow, "other", "o@other.example");
  int64_t d = add_one("z@elsewhere.example", kNow, "other", "o@other.example");

  // Recipient domain only: a and c.
  HoldRule r;
  r.recipient_domain = "Remote.Example";  // domains are compared in their canonical form
  auto added = add_holdrule(db_, r);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_GT(added->id, 0);
  EXPECT_EQ(added->held, 2);
  EXPECT_TRUE(get_message(db_, a)->hold);
  EXPECT_FALSE(get_message(db_, b)->hold);
  EXPECT_TRUE(get_message(db_, c)->hold);
  EXPECT_FALSE(get_message(db_, d)->hold);

  // All fields: account, sender domain and recipient domain must all match.
  HoldRule all;
  all.account = "other";
  all.sender_domain = "other.example";
  all.recipient_domain = "elsewhere.example";
  auto added2 = add_holdrule(db_, all);
  ASSERT_TRUE(added2.ok());
  EXPECT_EQ(added2->held, 1);  // d; c was already held and is not counted again
  EXPECT_TRUE(get_message(db_, d)->hold);
  EXPECT_FALSE(get_message(db_, b)->hold);

  auto rules = list_holdrules(db_);
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].recipient_domain, "remote.example");
  EXPECT_EQ((*rules)[1].account, "other");
  EXPECT_EQ(jget((*rules)[1].json(), "$.SenderDomain"), "other.example");

  // Removing a rule does not release what it held.
  ASSERT_TRUE(remove_holdrule(db_, added->id).ok());
  EXPECT_TRUE(get_message(db_, a)->hold);
  EXPECT_EQ(list_holdrules(db_)->size(), 1u);
  auto st = remove_holdrule(db_, added->id);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kNotFound);
}

TEST_F(QueueSuppressTest, NewMessagesHeldByRules) {
  HoldRule r;
  r.account = "mjl";
  r.sender_domain = "example.com";
  ASSERT_TRUE(add_holdrule(db_, r).ok());
  EXPECT_EQ(add_holdrule(db_, r)->held, 0);  // a duplicate rule holds nothing new

  testing::Submission s;
  s.to = {"x@remote.example", "y@elsewhere.example"};
  auto ids = add(s, kNow);
  ASSERT_EQ(ids.size(), 2u);
  for (int64_t id : ids) EXPECT_TRUE(get_message(db_, id)->hold) << id;
  // Another account, or another sender domain of the same account: not held.
  int64_t other = add_one("x@remote.example", kNow, "other", "o@example.com");
  EXPECT_FALSE(get_message(db_, other)->hold);
  int64_t alias = add_one("x@remote.example", kNow, "mjl", "mjl@example.org");
  EXPECT_FALSE(get_message(db_, alias)->hold);

  // After the rules are gone new mail is not held.
  auto rules = list_holdrules(db_);
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  for (const auto& rule : *rules) ASSERT_TRUE(remove_holdrule(db_, rule.id).ok());
  int64_t after = add_one("x@remote.example", kNow);
  EXPECT_FALSE(get_message(db_, after)->hold);
}

TEST_F(QueueSuppressTest, EmptyRuleHoldsEverything) {
  int64_t a = add_one("x@remote.example", kNow);
  int64_t b = add_one("x@remote.example", kNow, "other", "o@other.example");
  auto added = add_holdrule(db_, HoldRule{});
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->held, 2);
  EXPECT_TRUE(get_message(db_, a)->hold && get_message(db_, b)->hold);
  int64_t c = add_one("y@third.example", kNow, "third", "t@third.example");
  EXPECT_TRUE(get_message(db_, c)->hold);
}

TEST_F(QueueSuppressTest, HoldRuleBadDomain) {
  HoldRule r;
  r.sender_domain = "not a domain";
  auto added = add_holdrule(db_, r);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().kind, ErrorKind::kUser);
  EXPECT_NE(added.error().message.find("not a domain"), std::string::npos);
  r.sender_domain.clear();
  r.recipient_domain = "bad..example";
  EXPECT_FALSE(add_holdrule(db_, r).ok());
  EXPECT_TRUE(list_holdrules(db_)->empty());
}

}  // namespace
}  // namespace mox::queue
