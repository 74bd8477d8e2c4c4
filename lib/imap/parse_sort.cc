// SORT and THREAD arguments (RFC 5256 §5; SORT RETURN, ESORT RFC 5267 §3;
// DISPLAYFROM, DISPLAYTO RFC 5957 §4). The search part is SEARCH's
// (parse_search.cc), so both take the same keys and return options.
#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

using Key = SortCriterion::Key;

constexpr struct {
  const char* name;
  Key key;
} kSortKeys[] = {
    {"ARRIVAL", Key::kArrival},
    {"CC", Key::kCc},
    {"DATE", Key::kDate},
    {"FROM", Key::kFrom},
    {"SIZE", Key::kSize},
    {"SUBJECT", Key::kSubject},
    {"TO", Key::kTo},
    {"DISPLAYFROM", Key::kDisplayFrom},
    {"DISPLAYTO", Key::kDisplayTo},
};

// sort-criteria = "(" sort-criterion *(SP sort-criterion) ")";
// sort-criterion = ["REVERSE" SP] sort-key.
Status sort_criteria(Cursor& c, std::vector<SortCriterion>& out) {
  MOX_TRY(c.expect('('));
  do {
    SortCriterion sc;
    if (c.take_word("REVERSE")) {
      sc.reverse = true;
      MOX_TRY(c.sp());
    }
    bool found = false;
    for (const auto& k : kSortKeys) {
      if (c.take_word(k.name)) {
        sc.key = k.key;
        found = true;
        break;
      }
    }
    if (!found) return c.error("unknown sort key");
    out.push_back(sc);
  } while (c.take(' '));
  return c.expect(')');
}

// search-criteria = charset 1*(SP search-key); charset = atom / quoted.
Status search_criteria(Cursor& c, SearchArgs& a) {
  MOX_ASSIGN(std::string charset, c.astring());
  a.charset = upper(charset);
  MOX_TRY(c.sp());
  return search_program(c, a);
}

}  // namespace

// sort = ["UID" SP] "SORT" [search-return-opts] SP sort-criteria SP
// search-criteria.
Result<Args> parse_sort(Cursor& c, const ParseOptions&, bool) {
  SortArgs a;
  MOX_TRY(c.sp());
  if (c.take_word("RETURN")) {
    MOX_TRY(search_return_options(c, a.search.returns, a.search.partial));
    MOX_TRY(c.sp());
  }
  MOX_TRY(sort_criteria(c, a.criteria));
  MOX_TRY(c.sp());
  MOX_TRY(search_criteria(c, a.search));
  return Args(std::move(a));
}

// thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria.
Result<Args> parse_thread(Cursor& c, const ParseOptions&, bool) {
  ThreadArgs a;
  MOX_TRY(c.sp());
  if (c.take_word("ORDEREDSUBJECT")) {
    a.algorithm = ThreadArgs::Algorithm::kOrderedSubject;
  } else if (c.take_word("REFERENCES")) {
    a.algorithm = ThreadArgs::Algorithm::kReferences;
  } else {
    return c.error("unknown thread algorithm");
  }
  MOX_TRY(c.sp());
  MOX_TRY(search_criteria(c, a.search));
  return Args(std::move(a));
}

}  // namespace mox::imap::internal
