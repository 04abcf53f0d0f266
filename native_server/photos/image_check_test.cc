#include "native_server/photos/image_check.h"

#include <doctest/doctest.h>
#include <exiv2/exiv2.hpp>

#include <zlib.h>

#include <fstream>
#include <iterator>

namespace firstfix::server {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(FIRSTFIX_SOURCE_DIR) + "/tests/fixtures/" + name, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// What a phone puts in a photo: where, when, who, which camera.
std::string with_metadata(const std::string& bytes, bool with_orientation) {
  auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(bytes.data()), static_cast<long>(bytes.size()));
  image->readMetadata();
  auto& exif = image->exifData();
  exif["Exif.Image.Artist"] = "Ana Lopez";
  exif["Exif.Image.Make"] = "PhoneCo";
  exif["Exif.Photo.BodySerialNumber"] = "SN-998877";
  exif["Exif.Photo.DateTimeOriginal"] = "2026:11:20 08:15:00";
  exif["Exif.GPSInfo.GPSLatitudeRef"] = "N";
  exif["Exif.GPSInfo.GPSLatitude"] = "40/1 25/1 0/1";
  if (with_orientation) exif["Exif.Image.Orientation"] = static_cast<uint16_t>(6);
  image->xmpData()["Xmp.dc.creator"] = "Ana Lopez";
  if (image->mimeType() == "image/jpeg") image->setComment("home: 12 Elm Street");
  image->writeMetadata();
  auto& io = image->io();
  io.seek(0, Exiv2::BasicIo::beg);
  Exiv2::DataBuf buf = io.read(static_cast<long>(io.size()));
  return std::string(reinterpret_cast<const char*>(buf.pData_), static_cast<size_t>(buf.size_));
}

TEST_CASE("a photo's metadata is removed, its pixels and orientation kept") {
  for (const auto& pair : std::vector<std::pair<std::string, std::string>>{
           {"photo.jpg", "image/jpeg"}, {"photo.png", "image/png"}, {"photo.webp", "image/webp"}}) {
    const std::string& file = pair.first;  // not a structured binding: CAPTURE's lambda cannot take one in clang 14
    const std::string& type = pair.second;
    CAPTURE(file);
    const std::string dirty = with_metadata(fixture(file), type == "image/jpeg");
    REQUIRE(dirty.find("Ana Lopez") != std::string::npos);
    const CheckedImage clean = clean_image(dirty, type);
    CHECK(clean.content_type == type);
    // Orientation 6 (the JPEG): stored 64 x 48, shown a quarter turned.
    CHECK(clean.width == (type == "image/jpeg" ? 48 : 64));
    CHECK(clean.height == (type == "image/jpeg" ? 64 : 48));
    for (const char* secret : {"Ana Lopez", "PhoneCo", "SN-998877", "2026:11:20", "Elm Street"}) {
      CAPTURE(secret);
      CHECK(clean.bytes.find(secret) == std::string::npos);
    }
    auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(clean.bytes.data()), static_cast<long>(clean.bytes.size()));
    image->readMetadata();
    CHECK(image->xmpData().empty());
    CHECK((image->exifData().findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSLatitude")) == image->exifData().end()));
    if (type == "image/jpeg") {
      auto o = image->exifData().findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
      REQUIRE((o != image->exifData().end()));
      CHECK(o->toLong() == 6);  // a phone photo taken upright still shows upright
      CHECK(image->exifData().count() == 1);
    }
  }
}

TEST_CASE("text chunks any PNG tool may write are removed too") {
  std::string png = fixture("photo.png");
  auto chunk = [](const std::string& type, const std::string& data) {
    std::string c;
    for (int i = 0; i < 4; ++i) c += static_cast<char>((data.size() >> (24 - 8 * i)) & 0xFF);
    c += type + data;
    const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(c.data() + 4), static_cast<uInt>(c.size() - 4));
    for (int i = 0; i < 4; ++i) c += static_cast<char>((crc >> (24 - 8 * i)) & 0xFF);
    return c;
  };
  // After the signature (8) and IHDR (25): an author, a location and a raw eXIf block.
  png.insert(33, chunk("tEXt", std::string("Author\0Ana Lopez", 16)) + chunk("iTXt", std::string("Location\0\0\0\0\0" "12 Elm Street", 26)) +
                     chunk("eXIf", std::string("MM\0*\0\0\0\x08"              // big-endian TIFF, IFD at 8
                                                  "\0\x01\x01\x3B\0\x02\0\0\0\x0A\0\0\0\x1A"  // 1 entry: Artist, ASCII, 10 at 26
                                                  "\0\0\0\0SN-998877", 36)));
  const CheckedImage clean = clean_image(png, "image/png");
  CHECK(clean.bytes.find("Ana Lopez") == std::string::npos);
  CHECK(clean.bytes.find("Elm Street") == std::string::npos);
  CHECK(clean.bytes.find("SN-998877") == std::string::npos);
  CHECK(clean.width == 64);
}

TEST_CASE("a maker's private JPEG blocks and images hidden after the picture are removed") {
  std::string jpeg = fixture("photo.jpg");
  const std::string ducky = std::string("\xFF\xEC\x00\x10", 4) + "Ducky Ana Lopez";  // APP12, 16 bytes with its length
  const std::string xmp = std::string("\xFF\xE1\x00\x2A", 4) + std::string("http://ns.adobe.com/xap/1.0/\0", 29) + "Elm Street\n";
  jpeg.insert(2, ducky + xmp);
  jpeg += std::string("\xFF\xD8\xFF\xE1", 4) + "second image from SN-998877";  // what phones append after the end of the image
  const CheckedImage clean = clean_image(jpeg, "image/jpeg");
  CHECK(clean.bytes.find("Ana Lopez") == std::string::npos);
  CHECK(clean.bytes.find("Elm Street") == std::string::npos);
  CHECK(clean.bytes.find("SN-998877") == std::string::npos);
  CHECK(clean.bytes.substr(clean.bytes.size() - 2) == "\xFF\xD9");
  CHECK(clean.width == 64);
}

TEST_CASE("JPEG metadata placed after the first scan is removed; the scans are kept byte for byte") {
  const std::string plain = fixture("photo.jpg");
  std::string jpeg = plain;
  REQUIRE(jpeg.substr(jpeg.size() - 2) == "\xFF\xD9");
  const std::string comment = std::string("\xFF\xFE\x00\x0B", 4) + "Ana Lopez";  // COM
  const std::string exif = std::string("\xFF\xE1\x00\x12", 4) + std::string("Exif\0\0", 6) + "Elm Street";  // APP1
  jpeg.insert(jpeg.size() - 2, comment + exif);
  const CheckedImage clean = clean_image(jpeg, "image/jpeg");
  CHECK(clean.bytes.find("Ana Lopez") == std::string::npos);
  CHECK(clean.bytes.find("Elm Street") == std::string::npos);
  CHECK(clean.bytes == clean_image(plain, "image/jpeg").bytes);
  // A segment cut short there is refused, not copied.
  std::string cut = plain.substr(0, plain.size() - 2) + std::string("\xFF\xFE\x40\x00", 4) + "Ana";
  CHECK_THROWS_AS(clean_image(cut, "image/jpeg"), ImageError);
}

TEST_CASE("unknown WebP chunks are removed and the RIFF size stays right") {
  std::string webp = fixture("photo.webp");
  const std::string secret = "SN-998877 Ana Lopez";  // odd length: a pad byte follows
  webp += std::string("XTRA") + std::string(1, char(secret.size())) + std::string(3, '\0') + secret + std::string(1, '\0');
  const uint32_t size = static_cast<uint32_t>(webp.size() - 8);
  for (int i = 0; i < 4; ++i) webp[4 + i] = static_cast<char>((size >> (8 * i)) & 0xFF);
  const CheckedImage clean = clean_image(webp, "image/webp");
  CHECK(clean.bytes.find("Ana Lopez") == std::string::npos);
  CHECK(clean.bytes.size() == fixture("photo.webp").size());
  uint32_t riff = 0;
  for (int i = 0; i < 4; ++i) riff |= uint32_t(uint8_t(clean.bytes[4 + i])) << (8 * i);
  CHECK(riff == clean.bytes.size() - 8);
}

TEST_CASE("a photo is checked by its bytes, not by the type claimed") {
  const std::string jpeg = fixture("photo.jpg");
  CHECK(sniff_image(jpeg) == "image/jpeg");
  CHECK(sniff_image(fixture("photo.png")) == "image/png");
  CHECK(sniff_image(fixture("photo.webp")) == "image/webp");
  CHECK(sniff_image("<svg onload=alert(1)>") == "");

  auto status_of = [](std::string_view bytes, std::string_view type) {
    try {
      clean_image(bytes, type);
      return 0;
    } catch (const ImageError& e) {
      return e.status();
    }
  };
  CHECK(status_of(jpeg, "image/png") == 415);                     // claims PNG, is a JPEG
  CHECK(status_of("<html><script>x</script></html>", "image/jpeg") == 415);
  CHECK(status_of(jpeg, "image/svg+xml") == 415);                 // not an accepted type at all
  CHECK(status_of(jpeg, "image/gif") == 415);
  CHECK(status_of("", "image/jpeg") == 400);
  CHECK(status_of(std::string(kMaxImageBytes + 1, '\xFF'), "image/jpeg") == 413);
  CHECK(status_of(jpeg.substr(0, 40), "image/jpeg") == 415);       // the right signature, then nothing usable
  CHECK(status_of(jpeg, "image/jpeg; charset=binary") == 0);
}

TEST_CASE("a photo with more pixels than a browser should decode is refused") {
  // A PNG whose header claims 20000 x 20000 pixels: a few bytes that would expand to 1.6 GB.
  std::string png = fixture("photo.png");
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) png[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put32(16, 20000);
  put32(20, 20000);
  try {
    clean_image(png, "image/png");
    FAIL("accepted a 400-megapixel photo");
  } catch (const ImageError& e) {
    CHECK(e.status() == 413);
    CHECK(std::string(e.what()).find("20000x20000") != std::string::npos);
  }
}

// Found by tests/fuzz/image_fuzzer (corpus/image/regression-fill-byte-before-dropped-segment):
// a fill byte kept in front of a dropped segment after the first scan made a
// false marker with the byte after it, so the stored photo failed its own check.
TEST_CASE("metadata dropped after the first scan leaves no false marker, and the stored photo passes the check again") {
  const std::string jpeg = fixture("photo.jpg");
  REQUIRE(jpeg.ends_with("\xFF\xD9"));
  const std::string dirty = jpeg.substr(0, jpeg.size() - 2) + std::string("\xFF\xFF\xEF\x00\x04\xAB\xCD\x66\xFF\xD9", 10);
  const CheckedImage clean = clean_image(dirty, "image/jpeg");
  CHECK(clean.bytes.find(std::string("\xFF\x66", 2)) == std::string::npos);
  CHECK(clean.bytes.find(std::string("\xAB\xCD", 2)) == std::string::npos);
  const CheckedImage again = clean_image(clean.bytes, "image/jpeg");
  CHECK(again.bytes == clean.bytes);
}

// Found by tests/fuzz/image_fuzzer (corpus/image/regression-webp-riff-size-overflow):
// Exiv2 throws std::overflow_error, not its own error, when a WebP's RIFF size
// plus its header passes 4 GB; it ended the process instead of refusing the photo.
TEST_CASE("a WebP whose RIFF size is near 4 GB is refused, not a crash") {
  const std::string webp("RIFF\xF9\xFF\xFF\xFFWEBPT\x02\x1D\xF6", 16);
  REQUIRE(sniff_image(webp) == "image/webp");
  try {
    clean_image(webp, "image/webp");
    FAIL("accepted a WebP that claims a 4 GB RIFF");
  } catch (const ImageError& e) {
    CHECK(e.status() == 415);
  }
}

}  // namespace
}  // namespace firstfix::server
