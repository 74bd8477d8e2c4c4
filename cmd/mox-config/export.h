// mox-config export maildir|mbox (mox-config(8) "export"): the verbs'
// arguments and handlers, over lib/admin/export.h.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/cli.h"
#include "verbs.h"

namespace moxconfig {

// Adds "export" with its verbs "maildir" and "mbox" to `app`.
void add_export_verbs(CLI::App& app, Args& a, mox::Handler<Args>& chosen);

}  // namespace moxconfig
