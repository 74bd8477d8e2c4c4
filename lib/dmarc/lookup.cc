#include "dmarc/lookup.h"

#include <vector>

namespace mox::dmarc {
namespace {

// The DMARC records at _dmarc.<domain>; l.status stays kNone when there are
// none.
void lookup_at(dns::Resolver& r, const std::string& domain, Lookup& l) {
  l.domain = domain;
  std::string name = "_dmarc." + domain;
  auto txt = r.txt(name);
  if (!txt) {
    if (txt.error().kind == ErrorKind::kNotFound) {
      l.problem = "no DMARC record at " + name;
      return;
    }
    l.status = is_temporary(txt.error()) ? Status::kTemperror : Status::kPermerror;
    l.problem = txt.error().message;
    return;
  }
  l.authentic = txt->authentic;
  std::vector<std::string> dmarc;
  for (std::string& t : txt->records) {
    if (is_dmarc_record(t)) dmarc.push_back(std::move(t));  // §6.6.3 step 3
  }
  if (dmarc.empty()) {
    l.problem = "no DMARC record at " + name;
    return;
  }
  if (dmarc.size() > 1) {  // §6.6.3 step 5
    l.status = Status::kPermerror;
    l.problem = std::to_string(dmarc.size()) + " DMARC records at " + name;
    return;
  }
  l.text = dmarc[0];
  auto rec = parse_record(dmarc[0]);
  if (!rec) {
    l.status = Status::kPermerror;
    l.problem = "DMARC record at " + name + ": " + rec.error().message;
    return;
  }
  l.status = Status::kPass;
  l.record = std::move(rec).value();
  l.problem.clear();
}

}  // namespace

std::string_view status_name(Status s) {
  switch (s) {
    case Status::kNone:
      return "none";
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kTemperror:
      return "temperror";
    case Status::kPermerror:
      return "permerror";
  }
  return "none";
}

Lookup lookup(dns::Resolver& r, const PublicSuffixList& psl, std::string_view from_domain) {
  Lookup l;
  std::string from = normalize_domain(from_domain);
  if (from.empty()) {
    l.status = Status::kPermerror;
    l.domain = std::string(from_domain);
    l.problem = "bad From domain \"" + l.domain + "\"";
    return l;
  }
  lookup_at(r, from, l);  // §6.6.3 step 1
  if (l.status != Status::kNone) return l;
  std::string org = psl.organizational_domain(from);  // step 4
  if (org == from) return l;
  lookup_at(r, org, l);
  return l;
}

}  // namespace mox::dmarc
