#include "message/msgmap.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mox::message {

Result<MappedMessage> MappedMessage::map(int fd, int64_t offset, size_t size) {
  if (offset < 0) return user_error("message map: negative offset");
  if (size == 0) return MappedMessage(nullptr, 0, "", 0);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return internal_error(std::string("message map: fstat: ") + std::strerror(errno));
  }
  if (static_cast<uint64_t>(st.st_size) < static_cast<uint64_t>(offset) ||
      static_cast<uint64_t>(st.st_size) - static_cast<uint64_t>(offset) < size) {
    return user_error("message map: range past the end of the file");
  }
  // mmap's offset must be a multiple of the page size.
  auto page = static_cast<int64_t>(::sysconf(_SC_PAGESIZE));
  int64_t aligned = offset - offset % page;
  size_t skip = static_cast<size_t>(offset - aligned);
  size_t length = size + skip;
  void* base = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(aligned));
  if (base == MAP_FAILED) {
    return internal_error(std::string("message map: mmap: ") + std::strerror(errno));
  }
  return MappedMessage(base, length, static_cast<const char*>(base) + skip, size);
}

MappedMessage::MappedMessage(MappedMessage&& o) noexcept
    : base_(o.base_), length_(o.length_), data_(o.data_), size_(o.size_) {
  o.base_ = nullptr;
  o.length_ = 0;
  o.data_ = nullptr;
  o.size_ = 0;
}

MappedMessage& MappedMessage::operator=(MappedMessage&& o) noexcept {
  if (this != &o) {
    reset();
    std::swap(base_, o.base_);
    std::swap(length_, o.length_);
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
  }
  return *this;
}

MappedMessage::~MappedMessage() { reset(); }

void MappedMessage::reset() {
  if (base_) ::munmap(base_, length_);
  base_ = nullptr;
  length_ = 0;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace mox::message
