// Photos customers attach, to a flow step or to a chat: checked by their
// bytes (never by the file name or the type the browser claims), limited in
// size, and stripped of metadata (where and when it was taken, the camera's
// serial number, the owner's name, thumbnails) before anyone stores or sees
// them. Only the orientation and the colour profile survive, so a phone
// photo is shown upright and in its true colours.
#pragma once

#include <stdexcept>
#include <array>
#include <string>
#include <string_view>

namespace firstfix::server {

struct CheckedImage {
  std::string content_type;  // image/jpeg, image/png or image/webp
  std::string bytes;         // without metadata
  int width = 0, height = 0; // pixels, as shown (after the orientation)
};

class ImageError : public std::runtime_error {
 public:
  ImageError(int status, const std::string& why) : std::runtime_error(why), status_(status) {}
  int status() const { return status_; }  // 400, 413 or 415
 private:
  int status_;
};

// The photos a customer may send (the widget is told these, so it checks
// the same before uploading).
inline constexpr std::array<std::string_view, 3> kImageTypes = {"image/jpeg", "image/png", "image/webp"};
constexpr size_t kMaxImageBytes = 5 * 1024 * 1024;
constexpr long kMaxImagePixels = 40L * 1000 * 1000;  // a browser can show it without trouble

// The image type the bytes really are (by their signature), or "".
std::string sniff_image(std::string_view bytes);

// Checks `bytes` against the claimed Content-Type and returns them without
// metadata; throws ImageError with a reason a customer can act on.
CheckedImage clean_image(std::string_view bytes, std::string_view claimed_content_type);

}  // namespace firstfix::server
