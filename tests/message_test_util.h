// Shared by the lib/message tests: the corpus of hand-written messages in
// tests/data/messages/ (see its README).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "util/fs.h"

namespace mox::message::testing {

inline std::string corpus(const std::string& name) {
  auto r = read_file(std::string(MOX_SOURCE_DIR) + "/tests/data/messages/" + name);
  EXPECT_TRUE(r.ok()) << name << ": " << r.error().message;
  return r.ok() ? std::move(r).value() : std::string();
}

}  // namespace mox::message::testing
