// What the panel shows when it opens, before anything is typed, so it never
// opens on a blank body: first the page's own suggestions (articles and
// flows whose `pages` match the page, flows first), then the help center's
// most helpful: the editor's pinned list (site.yaml `suggestions`), then
// what most often resolved problems lately (the reports), or, until the
// reports have enough of those, a static list (every flow, then the
// articles editors tied to pages).
//
// Compiled once per content version (and again when the counts are
// refreshed) into a small JSON value that travels in the widget's config,
// so opening the panel costs no request; the Worker and the server answer
// from it with the same function. Pure: the caller brings the counts.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace firstfix::content {

// How often an article or a flow resolved a problem in the window: a flow
// that reached `resolved`, an article read without a "not helpful" vote.
struct Resolutions {
  std::string id;  // an article's or a flow's (ids are unique across both)
  std::int64_t count = 0;
};

// The window the counts cover, and how many resolutions a language needs
// in it before its list follows them: fewer would let a handful of visits
// (or one visitor) decide what every customer sees first.
inline constexpr int kSuggestedWindowDays = 30;
inline constexpr std::int64_t kSuggestedMinResolutions = 20;
// Items on the opening list, the page's own first.
inline constexpr std::size_t kSuggestedLimit = 6;

// From a manifest (make_manifest) and the counts:
// {"pages": [{id, kind, title, locale, pages}],
//  "popular": {"<locale>": {"source": "reports" | "static", "items": [{id, kind, title, pinned?}]}},
//  "default_locale": "en"}
nlohmann::json compile_suggested(const nlohmann::json& manifest, const std::vector<Resolutions>& resolutions);

// The opening list for the page at `page_url` (a full URL) in `locale`
// (the default locale's when that one has nothing):
// {"locale", "source", "items": [{id, kind, title, url, reason: "page" | "pinned" | "reports" | "static"}]}
// Throws std::invalid_argument for a compiled value of the wrong shape.
nlohmann::json suggested_for_page(const nlohmann::json& compiled, std::string_view page_url, std::string_view locale,
                                  std::size_t limit = kSuggestedLimit);

}  // namespace firstfix::content
