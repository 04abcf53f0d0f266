// Token buckets per key (a client's address, an account): each key may
// spend `burst` at once and regains `per_minute` a minute. Memory stays
// bounded whoever calls: at most `max_keys` buckets, and full buckets (the
// keys that have been quiet) are dropped first.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace firstfix::server {

class RateLimiter {
 public:
  RateLimiter(double per_minute, double burst, std::size_t max_keys = 100000);
  // 0 if `key` may spend `cost` now (and it is spent); else the
  // milliseconds until it may (nothing is spent).
  std::int64_t take(std::string_view key, std::int64_t now_ms, double cost = 1);
  double per_minute() const { return per_minute_; }
  double burst() const { return burst_; }

 private:
  struct Bucket {
    double tokens;
    std::int64_t at_ms;
  };
  void prune(std::int64_t now_ms);
  const double per_minute_, burst_;
  const std::size_t max_keys_;
  std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace firstfix::server
