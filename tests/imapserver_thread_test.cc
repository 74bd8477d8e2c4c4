// Tests for lib/imapserver/thread.* and sort.*: REFERENCES and
// ORDEREDSUBJECT (RFC 5256 §4) on the response of the RFC's example and on
// the mailboxes of Dovecot's imaptest thread groups; SORT's ordering and
// ESORT's ordered sets.
#include <gtest/gtest.h>

#include <deque>

#include "imapserver/search_result.h"
#include "imapserver/sort.h"
#include "imapserver/thread.h"
#include "message/basesubject.h"

namespace mox::imapserver {
namespace {

// One message of a test mailbox.
struct M {
  uint32_t number;
  int64_t sent;
  std::string id;
  std::vector<std::string> refs;
  std::string subject = "";
};

class Mailbox {
 public:
  explicit Mailbox(const std::vector<M>& ms) {
    uint32_t seq = 0;
    for (const M& m : ms) {
      message::SortKeys k;
      k.message_id = m.id;
      k.references = m.refs;
      message::BaseSubject b = message::base_subject(m.subject);
      k.subject = message::ascii_casemap_key(b.text);
      k.reply = b.reply_or_forward;
      keys_.push_back(std::move(k));
      items_.push_back({++seq, m.number, m.sent, &keys_.back()});
    }
  }
  std::string references() const { return thread_references(items_); }
  std::string orderedsubject() const { return thread_orderedsubject(items_); }

 private:
  std::deque<message::SortKeys> keys_;  // stable addresses
  std::vector<ThreadItem> items_;
};

// The tree of the response in RFC 5256 §4 (the THREAD example):
// (2)(3 6 (4 23)(44 7 96)).
TEST(ThreadReferences, RfcExampleShape) {
  Mailbox mb({{2, 1, "2@x", {}},
              {3, 2, "3@x", {}},
              {6, 3, "6@x", {"3@x"}},
              {4, 4, "4@x", {"3@x", "6@x"}},
              {23, 5, "23@x", {"3@x", "6@x", "4@x"}},
              {44, 6, "44@x", {"3@x", "6@x"}},
              {7, 7, "7@x", {"3@x", "6@x", "44@x"}},
              {96, 8, "96@x", {"3@x", "6@x", "44@x", "7@x"}}});
  EXPECT_EQ(mb.references(), "(2)(3 6 (4 23)(44 7 96))");
}

// imaptest "thread": a reference that would make a loop breaks the link;
// then after the first message is expunged.
TEST(ThreadReferences, ImaptestLoops) {
  EXPECT_EQ(
      Mailbox({{1, 1700, "a@b", {}}, {2, 1500, "b@b", {"a@b", "c@b"}}, {3, 1600, "c@b", {"b@b"}}})
          .references(),
      "(3 2)(1)");
  EXPECT_EQ(Mailbox({{1, 1500, "b@b", {"a@b", "c@b"}}, {2, 1600, "c@b", {"b@b"}}}).references(),
            "(2 1)");
}

// imaptest thread2, thread3, thread7, thread8: a second message with the
// same Message-ID is one of its own.
TEST(ThreadReferences, DuplicateIds) {
  EXPECT_EQ(Mailbox({{1, 1, "a@b", {}}, {2, 1, "a@b", {}}}).references(), "(1)(2)");
  EXPECT_EQ(Mailbox({{1, 1, "a@b", {}, "foo"}, {2, 2, "a@b", {}, "Re: foo"}}).references(),
            "(1 2)");
  EXPECT_EQ(Mailbox({{1, 1, "a@b", {}},
                     {2, 1, "b@b", {"a@b"}},
                     {3, 1, "c@b", {"b@b"}},
                     {4, 1, "b@b", {"a@b"}}})
                .references(),
            "(1 (2 3)(4))");
  EXPECT_EQ(
      Mailbox({{1, 1, "a@b", {}}, {2, 1, "c@b", {"b@b"}}, {3, 1, "b@b", {"a@b"}}}).references(),
      "(1 3 2)");
}

// imaptest thread4, thread5, thread6: dummies pruned or kept.
TEST(ThreadReferences, Dummies) {
  EXPECT_EQ(Mailbox({{1, 1, "a@b", {}, "foo"}, {2, 2, "b@b", {"c@b"}, "Re: foo"}}).references(),
            "(1 2)");
  EXPECT_EQ(Mailbox({{1, 2, "1@b", {}},
                     {2, 1, "2@b", {"1@b"}},
                     {3, 1, "3@b", {"1@b"}},
                     {4, 1, "4@b", {"2@b"}}})
                .references(),
            "(1 (2 4)(3))");
  EXPECT_EQ(Mailbox({{1, 1, "3@b", {"1@b"}}, {2, 1, "4@b", {"2@b"}}}).references(), "(1)(2)");
  EXPECT_EQ(Mailbox({{1, 1, "3@b", {"1@b"}}, {2, 1, "4@b", {"2@b"}}, {3, 1, "5@b", {"2@b"}}})
                .references(),
            "(1)((2)(3))");
  EXPECT_EQ(Mailbox({{1, 1, "", {"a@b"}}, {2, 2, "", {"a@b"}}}).references(), "((1)(2))");
}

// RFC 5256 §4 REFERENCES step 5: threads of one subject gathered.
TEST(ThreadReferences, SubjectMerge) {
  // Neither is a reply: both under a new dummy.
  EXPECT_EQ(Mailbox({{1, 1, "a@x", {}, "hi"}, {2, 2, "b@x", {}, "hi"}}).references(), "((1)(2))");
  // The reply goes under the original, though it is older.
  EXPECT_EQ(Mailbox({{1, 1, "a@x", {}, "Re: hi"}, {2, 2, "b@x", {}, "hi"}}).references(), "(2 1)");
  // Empty subjects are never gathered.
  EXPECT_EQ(Mailbox({{1, 1, "a@x", {}}, {2, 2, "b@x", {}}}).references(), "(1)(2)");
}

TEST(ThreadReferences, LongChainNoRecursion) {
  std::vector<M> ms;
  for (uint32_t i = 1; i <= 5000; ++i) {
    ms.push_back({i, i, std::to_string(i) + "@x", {}});
    if (i > 1) ms.back().refs = {std::to_string(i - 1) + "@x"};
  }
  std::string r = Mailbox(ms).references();
  EXPECT_EQ(r.substr(0, 6), "(1 2 3");
  EXPECT_EQ(r.substr(r.size() - 6), " 5000)");
  EXPECT_EQ(Mailbox({}).references(), "");
}

// imaptest thread-orderedsubject and thread-orderedsubject2.
TEST(ThreadOrderedSubject, Imaptest) {
  EXPECT_EQ(Mailbox({{1, 10, "", {}, "a"},
                     {2, 9, "", {}, "b"},
                     {3, 8, "", {}, "a"},
                     {4, 7, "", {}, "b"},
                     {5, 30, "", {}, "a"},
                     {6, 29, "", {}, "b"},
                     {7, 28, "", {}, "a"},
                     {8, 27, "", {}, "b"}})
                .orderedsubject(),
            "(4 (2)(8)(6))(3 (1)(7)(5))");
  EXPECT_EQ(Mailbox({{1, 1, "", {}, "C"},
                     {2, 1, "", {}, "b"},
                     {3, 1, "", {}, "Re: [FWD: c]"},
                     {4, 1, "", {}, ""},
                     {5, 1, "", {}, "=?iso-8859-1?q?_?="}})
                .orderedsubject(),
            "(1 3)(2)(4 5)");
}

TEST(Sort, CriteriaReverseAndTies) {
  std::deque<message::SortKeys> keys(4);
  keys[0].subject = "B";
  keys[1].subject = "A";
  keys[2].subject = "B";
  keys[3].subject = "A";
  keys[0].sent = 100;  // the others: their internal date
  std::vector<SortItem> items;
  for (uint32_t i = 0; i < 4; ++i) items.push_back({i + 1, i + 1, 50 + i, 10 - i, &keys[i]});
  using K = imap::SortCriterion::Key;
  auto order = [&](std::vector<imap::SortCriterion> c) {
    std::vector<SortItem> v = items;
    sort_items(v, c);
    std::string out;
    for (const auto& s : v) out += std::to_string(s.number);
    return out;
  };
  EXPECT_EQ(order({{K::kSubject, false}}), "2413");
  EXPECT_EQ(order({{K::kSubject, true}}), "1324");  // ties stay ascending
  EXPECT_EQ(order({{K::kSubject, false}, {K::kSize, true}}), "2413");
  EXPECT_EQ(order({{K::kSubject, false}, {K::kSize, false}}), "4231");
  EXPECT_EQ(order({{K::kDate, false}}), "2341");
  EXPECT_EQ(order({{K::kArrival, true}}), "4321");
}

TEST(Sort, OrderedSet) {
  EXPECT_EQ(ordered_set_string({}), "");
  EXPECT_EQ(ordered_set_string({1, 2, 3, 4, 5}), "1:5");
  EXPECT_EQ(ordered_set_string({5, 3, 4, 2, 1}), "5,3:4,2,1");
  EXPECT_EQ(ordered_set_string({7}), "7");
}

}  // namespace
}  // namespace mox::imapserver
