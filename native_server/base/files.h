// Reading a whole file (the compiled content, the built widget): blocking,
// so never on an I/O thread once the server runs.
#pragma once

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace firstfix::server {

// Both throw std::filesystem::filesystem_error naming the path and why.
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::filesystem::filesystem_error("cannot read", p, std::error_code(errno, std::generic_category()));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Replaces `p` with `text` whole or not at all: written beside it, flushed,
// then renamed over it (its permissions kept). A reader sees the old or the
// new file, never half of one.
inline void write_file_atomically(const std::filesystem::path& p, const std::string& text) {
  namespace fs = std::filesystem;
  const fs::path tmp = p.string() + ".firstfix-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      const std::error_code why(errno, std::generic_category());
      std::error_code ec;
      fs::remove(tmp, ec);
      throw fs::filesystem_error("cannot write", tmp, why);
    }
  }
  std::error_code ec;
  fs::permissions(tmp, fs::status(p, ec).permissions(), ec);
  fs::rename(tmp, p);
}

}  // namespace firstfix::server
