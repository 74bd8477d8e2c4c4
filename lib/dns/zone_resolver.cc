// ZoneResolver: lookups in a parsed zone (see zone.h).
#include "dns/rdata.h"
#include "dns/zone.h"
#include "util/fs.h"

namespace mox::dns {

Result<std::unique_ptr<ZoneResolver>> ZoneResolver::load(const std::string& path) {
  auto text = read_file(path);
  if (!text) return user_error(path + ": " + text.error().message);
  auto zr = from_text(*text);
  if (!zr) return Error{zr.error().kind, path + ": " + zr.error().message};
  return zr;
}

Result<std::unique_ptr<ZoneResolver>> ZoneResolver::from_text(std::string_view text) {
  MOX_ASSIGN(std::vector<ZoneRecord> records, parse_zone(text));
  std::unique_ptr<ZoneResolver> zr(new ZoneResolver());
  MOX_TRY(zr->add(std::move(records)));
  return zr;
}

Status ZoneResolver::add(std::vector<ZoneRecord> records) {
  negative_authentic_ = !records.empty();
  for (ZoneRecord& r : records) {
    if (r.servfail) {
      servfail_.insert(r.owner);
      continue;
    }
    negative_authentic_ = negative_authentic_ && r.authentic;
    RRset& set = rrsets_[{r.owner, r.type}];
    set.authentic = (set.rdata.empty() || set.authentic) && r.authentic;
    // Duplicate records in an RRset collapse into one (RFC 2181 §5).
    bool dup = false;
    for (const std::string& rd : set.rdata) dup = dup || rd == r.rdata;
    if (!dup) set.rdata.push_back(std::move(r.rdata));
    std::string n = r.owner;
    while (true) {
      names_.insert(n);
      size_t dot = n.find('.');
      if (n.empty()) break;
      n = dot == std::string::npos ? std::string() : n.substr(dot + 1);
    }
  }
  // RFC 1034 §3.6.2: a CNAME owner has no other data.
  for (const auto& [key, set] : rrsets_) {
    if (key.second == Type::kCname) {
      if (set.rdata.size() > 1) return syntax_error(key.first + ": more than one CNAME");
      for (auto it = rrsets_.lower_bound({key.first, Type{}});
           it != rrsets_.end() && it->first.first == key.first; ++it) {
        if (it->first.second != Type::kCname) {
          return syntax_error(key.first + ": CNAME and other data");
        }
      }
    }
  }
  return {};
}

bool ZoneResolver::exists(const std::string& name) const { return names_.count(name) > 0; }

Result<Response> ZoneResolver::query(std::string_view qname, Type type) {
  MOX_ASSIGN(std::string name, normalize_name(qname));
  Response resp;
  resp.authentic = true;
  for (int links = 0; links <= 8; ++links) {
    if (servfail_.count(name) > 0) return temporary_error(name + ": server failure (SERVFAIL)");
    auto it = rrsets_.find({name, type});
    if (it != rrsets_.end()) {
      resp.authentic = resp.authentic && it->second.authentic;
      resp.rdata = it->second.rdata;
      return resp;
    }
    auto cn = type == Type::kCname ? rrsets_.end() : rrsets_.find({name, Type::kCname});
    if (cn == rrsets_.end()) {
      resp.status = exists(name) ? Response::Status::kNoData : Response::Status::kNxDomain;
      resp.authentic = resp.authentic && negative_authentic_;
      return resp;
    }
    resp.authentic = resp.authentic && cn->second.authentic;
    MOX_ASSIGN(name, decode_name(cn->second.rdata.front()));
  }
  return Error{ErrorKind::kPermanent, std::string(qname) + ": CNAME chain longer than 8 links"};
}

}  // namespace mox::dns
