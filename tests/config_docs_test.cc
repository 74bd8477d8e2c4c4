// Every config field from the schema tables is documented in the man pages
// (docs/DESIGN.md "Decisions").
#include <gtest/gtest.h>

#include "config/types.h"
#include "util/fs.h"

namespace mox::config {
namespace {

void expect_documented(const SchemaBase& schema, const std::string& page) {
  auto text = read_file(std::string(MOX_SOURCE_DIR) + "/man/" + page);
  ASSERT_TRUE(text.ok()) << text.error().message;
  std::vector<std::string> paths;
  schema.field_paths("", paths);
  for (const auto& p : paths) {
    std::string leaf = p.substr(p.find_last_of('.') + 1);
    EXPECT_NE(text->find(".It Cm " + leaf), std::string::npos)
        << "field " << p << " is not documented in man/" << page << " (as \".It Cm " << leaf
        << "\")";
  }
}

TEST(Docs, EveryStaticFieldDocumented) { expect_documented(static_schema(), "mox.conf.5"); }
TEST(Docs, EveryDynamicFieldDocumented) { expect_documented(dynamic_schema(), "domains.conf.5"); }

}  // namespace
}  // namespace mox::config
