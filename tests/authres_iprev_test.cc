// Tests for lib/authres/iprev.h with a zone-file resolver: pass, fail on a
// mismatch or a missing forward name, permerror without PTR, temperror from
// a failing resolver, IPv6.
#include <gtest/gtest.h>

#include <memory>

#include "authres/iprev.h"
#include "dns/zone.h"

namespace mox::authres {
namespace {

constexpr std::string_view kZone =
    "1.2.0.192.in-addr.arpa. PTR mail.example.org.\n"
    "2.2.0.192.in-addr.arpa. PTR other.example.org.\n"
    "3.2.0.192.in-addr.arpa. PTR gone.example.org.\n"
    "4.2.0.192.in-addr.arpa. PTR other.example.org.\n"
    "4.2.0.192.in-addr.arpa. PTR Second.Example.ORG.\n"
    "mail.example.org. A 192.0.2.1\n"
    "other.example.org. A 198.51.100.7\n"
    "second.example.org. A 192.0.2.4\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR "
    "six.example.org.\n"
    "six.example.org. AAAA 2001:db8::1\n"
    "six.example.org. A 192.0.2.1\n";

std::unique_ptr<dns::ZoneResolver> zone() {
  auto z = dns::ZoneResolver::from_text(kZone);
  EXPECT_TRUE(z.ok()) << z.error().message;
  return std::move(z).value();
}

class FailingResolver : public dns::Resolver {
 public:
  explicit FailingResolver(dns::Resolver* ptr_from = nullptr) : ptr_from_(ptr_from) {}
  Result<dns::Response> query(std::string_view name, dns::Type type) override {
    if (ptr_from_ != nullptr && type == dns::Type::kPtr) return ptr_from_->query(name, type);
    return temporary_error("SERVFAIL");
  }

 private:
  dns::Resolver* ptr_from_;
};

TEST(Iprev, Pass) {
  auto z = zone();
  Iprev i = check_iprev(*z, "192.0.2.1");
  EXPECT_EQ(i.status, IprevStatus::kPass);
  EXPECT_EQ(i.name, "mail.example.org");
  EXPECT_EQ(i.names, std::vector<std::string>{"mail.example.org"});
  // The second PTR name confirms.
  i = check_iprev(*z, "192.0.2.4");
  EXPECT_EQ(i.status, IprevStatus::kPass);
  EXPECT_EQ(i.name, "second.example.org");
  EXPECT_EQ(i.names.size(), 2u);
}

TEST(Iprev, Fail) {
  auto z = zone();
  Iprev i = check_iprev(*z, "192.0.2.2");
  EXPECT_EQ(i.status, IprevStatus::kFail);
  EXPECT_EQ(i.name, "");
  EXPECT_EQ(i.names, std::vector<std::string>{"other.example.org"});
  EXPECT_FALSE(i.problem.empty());
  // The PTR name does not exist.
  EXPECT_EQ(check_iprev(*z, "192.0.2.3").status, IprevStatus::kFail);
}

TEST(Iprev, Permerror) {
  auto z = zone();
  Iprev i = check_iprev(*z, "192.0.2.99");
  EXPECT_EQ(i.status, IprevStatus::kPermerror);
  EXPECT_TRUE(i.names.empty());
  EXPECT_EQ(check_iprev(*z, "not-an-ip").status, IprevStatus::kPermerror);
}

TEST(Iprev, Temperror) {
  FailingResolver f;
  Iprev i = check_iprev(f, "192.0.2.1");
  EXPECT_EQ(i.status, IprevStatus::kTemperror);
  EXPECT_NE(i.problem.find("SERVFAIL"), std::string::npos);
  // PTR answered, the forward lookup failed.
  auto z = zone();
  FailingResolver forward(z.get());
  i = check_iprev(forward, "192.0.2.1");
  EXPECT_EQ(i.status, IprevStatus::kTemperror);
  EXPECT_EQ(i.names, std::vector<std::string>{"mail.example.org"});
}

TEST(Iprev, Ipv6) {
  auto z = zone();
  Iprev i = check_iprev(*z, "2001:DB8:0::1");
  EXPECT_EQ(i.status, IprevStatus::kPass);
  EXPECT_EQ(i.name, "six.example.org");
  EXPECT_EQ(check_iprev(*z, "2001:db8::2").status, IprevStatus::kPermerror);
  EXPECT_EQ(iprev_name(IprevStatus::kTemperror), "temperror");
}

}  // namespace
}  // namespace mox::authres
