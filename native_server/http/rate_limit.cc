#include "native_server/http/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace firstfix::server {

RateLimiter::RateLimiter(double per_minute, double burst, std::size_t max_keys)
    : per_minute_(per_minute), burst_(std::max(burst, 1.0)), max_keys_(std::max<std::size_t>(max_keys, 16)) {}

std::int64_t RateLimiter::take(std::string_view key, std::int64_t now_ms, double cost) {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) prune(now_ms);
    it = buckets_.emplace(std::string(key), Bucket{burst_, now_ms}).first;
  }
  Bucket& b = it->second;
  const double per_ms = per_minute_ / 60000.0;
  b.tokens = std::min(burst_, b.tokens + per_ms * static_cast<double>(std::max<std::int64_t>(0, now_ms - b.at_ms)));
  b.at_ms = std::max(b.at_ms, now_ms);
  if (b.tokens >= cost) {
    b.tokens -= cost;
    return 0;
  }
  if (per_ms <= 0) return 60000;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((cost - b.tokens) / per_ms)));
}

// Drops the buckets that have refilled (their keys behave as new ones);
// if every bucket is in use, the oldest half, so a flood of new keys
// cannot grow the map without bound.
void RateLimiter::prune(std::int64_t now_ms) {
  const double per_ms = per_minute_ / 60000.0;
  std::erase_if(buckets_, [&](const auto& kv) {
    return kv.second.tokens + per_ms * static_cast<double>(now_ms - kv.second.at_ms) >= burst_;
  });
  if (buckets_.size() < max_keys_) return;
  std::vector<std::int64_t> times;
  times.reserve(buckets_.size());
  for (const auto& [key, b] : buckets_) times.push_back(b.at_ms);
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
  const std::int64_t median = times[times.size() / 2];
  std::erase_if(buckets_, [&](const auto& kv) { return kv.second.at_ms <= median; });
}

}  // namespace firstfix::server
