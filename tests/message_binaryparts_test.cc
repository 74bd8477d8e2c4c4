// message/binaryparts.h: NUL-holding parts of a binary APPEND re-encoded as
// base64 (RFC 3516 §4.4), the rest of the message as it was.
#include <gtest/gtest.h>

#include "message/binaryparts.h"
#include "message/mime.h"
#include "message/section.h"

namespace mox::message {
namespace {

TEST(BinaryParts, SinglePart) {
  std::string content("\0-\xe4\r\n", 5);
  std::string m =
      "Subject: x\r\nContent-Transfer-Encoding: \r\n binary\r\nContent-Type: "
      "application/octet-stream\r\n\r\n" +
      content;
  std::string out = base64_binary_parts(m);
  EXPECT_EQ(out,
            "Subject: x\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\nAC3kDQo=\r\n");
  EXPECT_EQ(*binary(out, parse_message(out), {1}), content);
}

TEST(BinaryParts, OnlyPartsWithNul) {
  std::string bin(100, '\0');
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
      "hello\xe4\r\n--b\r\nContent-Type: application/x\r\nContent-Transfer-Encoding: "
      "binary\r\n\r\n" +
      bin + "\r\n--b--\r\n";
  std::string out = base64_binary_parts(m);
  EXPECT_EQ(out.find('\0'), std::string::npos);
  Part root = parse_message(out);
  EXPECT_EQ(*binary(out, root, {1}), "hello\xe4");
  EXPECT_EQ(*binary(out, root, {2}), bin);
  EXPECT_EQ(root.parts.at(1).encoding, "base64");
  // Lines of 76 characters, the boundary after them as before.
  EXPECT_NE(out.find(std::string(76, 'A') + "\r\n" + std::string(58, 'A') + "==\r\n--b--\r\n"),
            std::string::npos)
      << out;
  std::string plain = "Subject: y\r\n\r\nno nul\r\n";
  EXPECT_EQ(base64_binary_parts(plain), plain);
}

}  // namespace
}  // namespace mox::message
