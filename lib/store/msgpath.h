// Message file paths: msg/<dir>/<id>, where <dir> encodes id >> 13 (8192
// files per directory) in base-64 digits, least significant first, with the
// alphabet a-z A-Z 0-9 - _ (docs/DESIGN.md "Files on disk"). E.g. id 1 → "a/1".
#pragma once

#include <cstdint>
#include <string>

namespace mox::store {

std::string message_rel_path(int64_t id, int shift = 13);

}  // namespace mox::store
