#include "agentp2p/security/noise/ephemeral_pool.hpp"

namespace agentp2p::noise {

ephemeral_pool::ephemeral_pool(std::size_t capacity) : capacity_(capacity) { keys_.reserve(capacity_); }

ephemeral_pool::~ephemeral_pool() = default;

x25519_keypair ephemeral_pool::take() {
  {
    std::lock_guard lock(mu_);
    if (!keys_.empty()) {
      x25519_keypair kp = keys_.back();
      keys_.pop_back();  // the slot's destructor wipes the pooled copy
      return kp;
    }
  }
  return x25519_keypair::generate();
}

bool ephemeral_pool::refill_one() {
  {
    std::lock_guard lock(mu_);
    if (keys_.size() >= capacity_) return false;
  }
  // Generated outside the lock: a take() meanwhile is not held up for it.
  x25519_keypair kp = x25519_keypair::generate();
  std::lock_guard lock(mu_);
  if (keys_.size() >= capacity_) return false;  // another thread filled it; kp is wiped on return
  keys_.push_back(kp);
  return keys_.size() < capacity_;
}

bool ephemeral_pool::claim_refill() {
  std::lock_guard lock(mu_);
  if (refill_scheduled_ || keys_.size() >= capacity_) return false;
  refill_scheduled_ = true;
  return true;
}

void ephemeral_pool::refill_done() {
  std::lock_guard lock(mu_);
  refill_scheduled_ = false;
}

std::size_t ephemeral_pool::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace agentp2p::noise
