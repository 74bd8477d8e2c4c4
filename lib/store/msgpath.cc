#include "store/msgpath.h"

namespace mox::store {

std::string message_rel_path(int64_t id, int shift) {
  static constexpr char kDigits[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  uint64_t v = static_cast<uint64_t>(id) >> shift;
  std::string dir;
  do {
    dir += kDigits[v & 63];
    v >>= 6;
  } while (v != 0);
  return dir + "/" + std::to_string(id);
}

}  // namespace mox::store
