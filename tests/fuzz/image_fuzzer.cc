// A photo from a customer's phone: the first byte picks the content type
// it claims; the rest is checked by content and stripped of metadata.
#include <cstdint>
#include <string>

#include "native_server/photos/image_check.h"
#include "tests/fuzz/fuzz_input.h"

using namespace firstfix;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {"image/jpeg", "image/png", "image/webp", "image/gif", "text/html"};
  server::CheckedImage image;
  try {
    image = server::clean_image(fuzz::text(data + 1, size - 1), kTypes[data[0] % 5]);
  } catch (const server::ImageError&) {
    return 0;
  }
  // What is stored must pass the check itself: an ImageError here escapes, and is a finding.
  (void)server::clean_image(image.bytes, image.content_type);
  return 0;
}
