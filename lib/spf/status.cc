#include "spf/status.h"

namespace mox::spf {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::kNone:
      return "none";
    case Status::kNeutral:
      return "neutral";
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kSoftfail:
      return "softfail";
    case Status::kTemperror:
      return "temperror";
    case Status::kPermerror:
      return "permerror";
  }
  return "permerror";
}

}  // namespace mox::spf
