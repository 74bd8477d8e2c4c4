// Verb handlers of mox-queue: each loads the config, calls into lib/queue
// and prints. They return the exit status (0 ok, 1 failure with one line on
// stderr).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace moxqueue {

struct Args {
  std::string config;
  std::vector<std::string> pos;
  bool json = false;
  // filter flags
  std::string account, from, to, hold, ids, submitted, nextattempt, transport, sort = "nextattempt";
  std::string result, lastactivity;
  int64_t max = 0;
  bool asc = false;
  // schedule
  bool now = false;
  // holdrules add
  std::string senderdom, recipientdom;
  // run / serve
  bool verbose = false;
};

int run(const Args& a);
int serve(const Args& a);
int list(const Args& a);
int hold(const Args& a);
int unhold(const Args& a);
int schedule(const Args& a);
int fail(const Args& a);
int drop(const Args& a);
int dump(const Args& a);
int retired_list(const Args& a);
int retired_print(const Args& a);
int suppress_list(const Args& a);
int suppress_add(const Args& a);
int suppress_rm(const Args& a);
int suppress_lookup(const Args& a);
int holdrules_list(const Args& a);
int holdrules_add(const Args& a);
int holdrules_rm(const Args& a);

}  // namespace moxqueue
