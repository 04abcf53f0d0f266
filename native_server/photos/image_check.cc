#include "native_server/photos/image_check.h"

#include <algorithm>

#include <exiv2/exiv2.hpp>

#include <mutex>
#include <utility>
#include <set>

namespace firstfix::server {
namespace {

uint32_t be32(std::string_view b, size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) | (uint32_t(uint8_t(b[at + 2])) << 8) | uint8_t(b[at + 3]);
}
uint32_t le32(std::string_view b, size_t at) {
  return uint8_t(b[at]) | (uint32_t(uint8_t(b[at + 1])) << 8) | (uint32_t(uint8_t(b[at + 2])) << 16) | (uint32_t(uint8_t(b[at + 3])) << 24);
}
const ImageError kUnreadable(415, "the photo could not be read");

// Exiv2 removes the metadata it knows (Exif, XMP, IPTC, comments) and keeps
// the orientation; these keep only what is needed to draw the picture, so
// any other tool's text, a maker's private block or a second image hidden
// after the first goes too.
std::string png_image_chunks(std::string_view b) {
  static const std::set<std::string_view> kKeep = {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP",
                                                   "sBIT", "bKGD", "pHYs", "acTL", "fcTL", "fdAT"};
  std::string out(b.substr(0, 8));
  for (size_t at = 8; at + 12 <= b.size();) {
    const size_t length = be32(b, at), whole = 12 + length;
    if (length > b.size() - at - 12) throw kUnreadable;
    if (kKeep.count(b.substr(at + 4, 4))) out.append(b.substr(at, whole));
    if (b.substr(at + 4, 4) == "IEND") return out;
    at += whole;
  }
  throw kUnreadable;
}

std::string jpeg_image_segments(std::string_view b) {
  std::string out("\xFF\xD8");
  size_t at = 2;
  while (true) {  // the segments before the first scan
    if (at + 4 > b.size() || uint8_t(b[at]) != 0xFF) throw kUnreadable;
    const uint8_t marker = uint8_t(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    // A segment with a length: 0xC0..0xFE, but not the restart markers, SOI or EOI.
    if (marker < 0xC0 || (marker >= 0xD0 && marker <= 0xD9)) throw kUnreadable;
    const size_t length = (size_t(uint8_t(b[at + 2])) << 8) | uint8_t(b[at + 3]);
    if (length < 2 || at + 2 + length > b.size()) throw kUnreadable;
    const std::string_view segment = b.substr(at, 2 + length), payload = segment.substr(4);
    const bool metadata = marker == 0xFE || (marker >= 0xE0 && marker <= 0xEF);
    const bool keep = !metadata || (marker == 0xE0 && payload.substr(0, 5) == std::string_view("JFIF\0", 5)) ||
                      (marker == 0xE1 && payload.substr(0, 6) == std::string_view("Exif\0\0", 6)) ||  // only the orientation is left
                      (marker == 0xE2 && payload.substr(0, 12) == "ICC_PROFILE") || (marker == 0xEE && payload.substr(0, 5) == "Adobe");
    if (keep) out.append(segment);
    at += 2 + length;
    if (marker == 0xDA) break;  // start of scan: entropy-coded data follows
  }
  // Entropy-coded data, and between the scans of a progressive JPEG more
  // tables and scans, up to the end of the image. Metadata may sit there too
  // (Exiv2 looks only before the first scan): it is dropped, as is whatever
  // follows the end of the image (phones append more images there).
  size_t from = at;  // the start of the bytes not yet copied
  while (at + 1 < b.size()) {
    if (uint8_t(b[at]) != 0xFF) {
      ++at;
      continue;
    }
    const uint8_t next = uint8_t(b[at + 1]);
    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {  // a stuffed 0xFF or a restart marker: scan data
      at += 2;
      continue;
    }
    if (next == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (next == 0xD9) {
      out.append(b.substr(from, at + 2 - from));
      return out;
    }
    // Only 0xC0..0xFE are markers; 0xFF then anything else in scan data is a broken file.
    if (next < 0xC0 || at + 4 > b.size()) throw kUnreadable;
    const size_t length = (size_t(uint8_t(b[at + 2])) << 8) | uint8_t(b[at + 3]);
    if (length < 2 || at + 2 + length > b.size()) throw kUnreadable;
    // Fill bytes (0xFF) before a marker belong to it: kept in front of a dropped
    // segment, they would make a false marker with the byte after it.
    size_t data_end = at;
    while (data_end > from && uint8_t(b[data_end - 1]) == 0xFF) --data_end;
    out.append(b.substr(from, data_end - from));
    if (!(next == 0xFE || (next >= 0xE0 && next <= 0xEF))) out.append(b.substr(at, 2 + length));
    at += 2 + length;
    from = at;
  }
  throw kUnreadable;
}

std::string webp_image_chunks(std::string_view b) {
  static const std::set<std::string_view> kKeep = {"VP8 ", "VP8L", "VP8X", "ALPH", "ANIM", "ANMF", "ICCP", "EXIF"};
  if (b.size() < 12 || le32(b, 4) < 4 || le32(b, 4) > b.size() - 8) throw kUnreadable;
  const size_t end = 8 + le32(b, 4);
  std::string out("RIFF\0\0\0\0WEBP", 12);
  for (size_t at = 12; at < end;) {
    if (at + 8 > end) throw kUnreadable;
    const size_t length = le32(b, at + 4), whole = 8 + length + (length & 1);
    if (length > end - at - 8) throw kUnreadable;
    if (kKeep.count(b.substr(at, 4))) out.append(b.substr(at, std::min(whole, end - at)));
    at += whole;
  }
  const uint32_t size = static_cast<uint32_t>(out.size() - 8);
  for (int i = 0; i < 4; ++i) out[4 + i] = static_cast<char>((size >> (8 * i)) & 0xFF);
  return out;
}

}  // namespace

std::string sniff_image(std::string_view b) {
  if (b.size() >= 3 && b.compare(0, 3, "\xFF\xD8\xFF") == 0) return "image/jpeg";
  if (b.size() >= 8 && b.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0) return "image/png";
  if (b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) return "image/webp";
  return "";
}

namespace {

CheckedImage clean_once(std::string_view bytes, std::string_view claimed_content_type) {
  const std::string type(claimed_content_type.substr(0, claimed_content_type.find(';')));
  if (std::find(kImageTypes.begin(), kImageTypes.end(), type) == kImageTypes.end())
    throw ImageError(415, "send a photo as image/jpeg, image/png or image/webp");
  if (bytes.empty()) throw ImageError(400, "the photo is empty");
  if (bytes.size() > kMaxImageBytes)
    throw ImageError(413, "a photo may be at most " + std::to_string(kMaxImageBytes / (1024 * 1024)) + " MB");
  if (sniff_image(bytes) != type) throw ImageError(415, "the bytes are not a " + type + " image");

  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();  // before several threads parse XMP at once
  });
  try {
    auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()), static_cast<long>(bytes.size()));
    if (!image.get()) throw ImageError(415, "the photo could not be read");
    image->readMetadata();
    CheckedImage out{type, "", image->pixelWidth(), image->pixelHeight()};
    if (out.width <= 0 || out.height <= 0) throw ImageError(415, "the photo could not be read (no size)");
    if (static_cast<long>(out.width) * out.height > kMaxImagePixels)
      throw ImageError(413, "the photo has too many pixels (" + std::to_string(out.width) + "x" + std::to_string(out.height) +
                                "); at most " + std::to_string(kMaxImagePixels / 1000000) + " megapixels");
    long orientation = 0;
    auto& exif = image->exifData();
    if (auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation")); it != exif.end() && it->count() > 0) orientation = it->toLong();
    // The colour profile is how the picture should look (a wrong colour may be the very problem shown).
    Exiv2::DataBuf icc;
    if (image->iccProfileDefined()) icc = Exiv2::DataBuf(image->iccProfile()->pData_, image->iccProfile()->size_);
    image->clearMetadata();
    if (icc.size_ > 0) image->setIccProfile(icc, /*bTestValid=*/false);
    if (orientation >= 2 && orientation <= 8) image->exifData()["Exif.Image.Orientation"] = static_cast<uint16_t>(orientation);
    image->writeMetadata();
    if (orientation >= 5) std::swap(out.width, out.height);  // turned a quarter: the size as it is shown
    Exiv2::BasicIo& io = image->io();
    io.seek(0, Exiv2::BasicIo::beg);
    Exiv2::DataBuf buf = io.read(static_cast<long>(io.size()));
    const std::string_view written(reinterpret_cast<const char*>(buf.pData_), static_cast<size_t>(buf.size_));
    out.bytes = type == "image/png" ? png_image_chunks(written) : type == "image/jpeg" ? jpeg_image_segments(written) : webp_image_chunks(written);
    if (sniff_image(out.bytes) != type) throw ImageError(415, "the photo could not be read");
    return out;
  } catch (const ImageError&) {
    throw;
  } catch (const Exiv2::AnyError& e) {
    throw ImageError(415, std::string("the photo could not be read (") + e.what() + ")");
  } catch (const std::exception&) {
    // Exiv2 also throws the standard library's own on some broken files
    // (std::overflow_error from its checked arithmetic on a WebP whose RIFF
    // size is near 4 GB: the image fuzzer's finding).
    throw ImageError(415, "the photo could not be read");
  }
}

}  // namespace

CheckedImage clean_image(std::string_view bytes, std::string_view claimed_content_type) {
  CheckedImage out = clean_once(bytes, claimed_content_type);
  // What is kept must pass the check itself: a file broken in a way the
  // stripping does not survive is refused now, not stored and shown to an
  // agent as a broken image (the image fuzzer found such files).
  try {
    const CheckedImage again = clean_once(out.bytes, out.content_type);
    if (again.width != out.width || again.height != out.height) throw ImageError(415, "");
  } catch (const ImageError&) {
    throw ImageError(415, "the photo could not be read");
  }
  return out;
}

}  // namespace firstfix::server
