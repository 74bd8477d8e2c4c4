// Tests for lib/message/msgmap.h: mapping a message at an offset in a file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "message/msgmap.h"
#include "util/unique_fd.h"

namespace mox::message {
namespace {

UniqueFd temp_file(const std::string& content) {
  char path[] = "/tmp/msgmap_test.XXXXXX";
  UniqueFd fd(::mkstemp(path));
  ::unlink(path);
  EXPECT_EQ(::write(fd.get(), content.data(), content.size()),
            static_cast<ssize_t>(content.size()));
  return fd;
}

TEST(MappedMessage, MapsAtUnalignedOffsets) {
  std::string content = std::string(5000, 'p') + "Subject: hi\r\n\r\nbody";
  UniqueFd fd = temp_file(content);
  auto m = MappedMessage::map(fd.get(), 5000, content.size() - 5000);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->bytes(), "Subject: hi\r\n\r\nbody");
  MappedMessage moved = std::move(m).value();
  fd.reset();  // the mapping outlives the fd
  EXPECT_EQ(moved.bytes().substr(0, 7), "Subject");
  moved = MappedMessage::map(temp_file("x").get(), 0, 1).value();
  EXPECT_EQ(moved.bytes(), "x");
}

TEST(MappedMessage, EmptyAndOutOfRange) {
  UniqueFd fd = temp_file("abc");
  auto e = MappedMessage::map(fd.get(), 3, 0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->bytes(), "");
  auto past = MappedMessage::map(fd.get(), 1, 3);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().kind, ErrorKind::kUser);
  EXPECT_FALSE(MappedMessage::map(fd.get(), -1, 1).ok());
  EXPECT_FALSE(MappedMessage::map(-1, 0, 1).ok());
}

}  // namespace
}  // namespace mox::message
