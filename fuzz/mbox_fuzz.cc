// libFuzzer target for lib/mailio: the mbox reader (mboxread.h) and the
// "From " line dates (fromline.h) on any bytes. Checks invariants, not just
// crashes: every message has CRLF line ends only, messages come in file
// order at increasing offsets and lines within the input, and none is over
// the size limit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mailio/fromline.h"
#include "mailio/mboxread.h"
#include "mailio/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)mox::mailio::from_line_time(in.substr(0, in.find('\n')));
  constexpr size_t kMax = 64 * 1024;
  mox::mailio::MboxReader r(mox::mailio::memory_source(in, "fuzz"), kMax);
  int64_t last_offset = -1, last_line = 0;
  while (true) {
    auto m = r.next();
    if (!m || !*m) break;
    const auto& msg = **m;
    if (msg.offset <= last_offset || msg.line <= last_line) std::abort();
    if (static_cast<size_t>(msg.offset) >= size) std::abort();
    last_offset = msg.offset;
    last_line = msg.line;
    // Header and body each within the limit before CRLF doubles LFs.
    if (msg.data.size() > 6 * kMax) std::abort();
    for (size_t i = 0; i < msg.data.size(); i++)
      if (msg.data[i] == '\n' && (i == 0 || msg.data[i - 1] != '\r')) std::abort();
  }
  return 0;
}
