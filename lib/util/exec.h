// Running sibling programs (mox NAME → mox-NAME), only with execv and an
// argument vector, never through a shell.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace mox {

// Finds `name` next to the running executable, else on PATH.
Result<std::string> find_program(const std::string& name);
// Replaces the process with `path args...`; returns only on failure.
Error exec_program(const std::string& path, const std::vector<std::string>& args);

}  // namespace mox
