// Where a mailbox goes in an export directory: its name with '/' as the
// directory separator (mox-config(8) "export").
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace mox::mailio {

// The relative path of mailbox `name` ("Archive/2024"): refused (kUser) when
// a level is empty, "." or "..", or, for a Maildir (`maildir`), "cur", "new"
// or "tmp", which would meet a parent's own directories.
Result<std::string> mailbox_relpath(std::string_view name, bool maildir);

}  // namespace mox::mailio
