#include "agentp2p/base/deadline_queue.hpp"

#include <string>

#include "agentp2p/base/deadline.hpp"

namespace agentp2p {

namespace {
// Longer limits are clamped (time_point arithmetic must not overflow): such a
// deadline never passes in practice.
constexpr deadline::clock::duration longest = std::chrono::hours(24 * 365 * 50);
constexpr std::size_t max_lanes = 32;
}  // namespace

// ---- deadline -----------------------------------------------------------------------

deadline::deadline(std::shared_ptr<deadline_queue> q, expiry_fn on_expiry, void* target) noexcept
    : queue_(std::move(q)), on_expiry_(on_expiry), target_(target) {}

deadline::~deadline() { disarm(); }

void deadline::arm(clock::duration limit, std::string_view what) {
  disarm();
  expired_ = false;
  what_ = what;
  limit_ = limit < clock::duration::zero() ? clock::duration::zero() : std::min(limit, longest);
  at_ = clock::now() + limit_;
  queue_->link(*this);
}

void deadline::disarm() noexcept {
  if (lane_) queue_->unlink(*this);
}

error deadline::timeout_error() const {
  return make_error(errc::timeout, std::string(what_) + " timed out after " + describe_duration(limit_));
}

// ---- deadline_queue -----------------------------------------------------------------

std::shared_ptr<deadline_queue> deadline_queue::create(executor ex, when_idle idle) {
  return std::shared_ptr<deadline_queue>(new deadline_queue(std::move(ex), idle));
}

deadline_queue::deadline_queue(executor ex, when_idle idle)
    : executor_(ex), timer_(std::move(ex)), when_idle_(idle) {}

// Every deadline holds the queue, so none is armed here; the timer's
// destructor cancels its wait (whose handler finds the queue gone).
deadline_queue::~deadline_queue() = default;

deadline::lane& deadline_queue::lane_for(deadline::clock::duration limit) {
  for (auto& l : lanes_)
    if (l->limit == limit) return *l;
  // Many distinct lengths (computed limits): share a lane; link() keeps any
  // lane sorted, it is only slower when entries arrive out of order.
  if (lanes_.size() >= max_lanes) return *lanes_.back();
  auto& l = lanes_.emplace_back(std::make_unique<deadline::lane>());
  l->limit = limit;
  return *l;
}

void deadline_queue::link(deadline& d) {
  auto& l = lane_for(d.limit_);
  d.lane_ = &l;
  // Insert after the last entry due no later than d: the tail, when every
  // entry of the lane has the same limit (the usual case).
  auto* after = l.tail;
  while (after && after->at_ > d.at_) after = after->prev_;
  d.prev_ = after;
  d.next_ = after ? after->next_ : l.head;
  if (d.next_) d.next_->prev_ = &d;
  else l.tail = &d;
  if (after) after->next_ = &d;
  else l.head = &d;
  ++armed_count_;
  if (d.at_ < timer_at_) schedule(d.at_);
}

void deadline_queue::unlink(deadline& d) noexcept {
  auto& l = *d.lane_;
  if (d.prev_) d.prev_->next_ = d.next_;
  else l.head = d.next_;
  if (d.next_) d.next_->prev_ = d.prev_;
  else l.tail = d.prev_;
  d.prev_ = d.next_ = nullptr;
  d.lane_ = nullptr;
  --armed_count_;
  // The timer stays set while other deadlines are armed: it wakes, finds
  // nothing due and moves on. With none left it is cancelled (unless the
  // owner chose keep_timer), so an idle queue holds no pending wait (an
  // io_context runs out of work as before).
  if (armed_count_ == 0 && when_idle_ == when_idle::cancel_timer &&
      timer_at_ != deadline::clock::time_point::max()) {
    timer_at_ = deadline::clock::time_point::max();
    timer_.cancel();
  }
}

void deadline_queue::schedule(deadline::clock::time_point at) {
  timer_at_ = at;
  timer_.expires_at(at);  // cancels a wait in progress (its handler sees operation_aborted)
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_timer();
  });
}

void deadline_queue::on_timer() {
  auto keep = shared_from_this();  // an expiry function may drop the last other holder
  timer_at_ = deadline::clock::time_point::max();
  const auto now = deadline::clock::now();
  // Index loop: an expiry function may arm deadlines of a new length.
  for (std::size_t i = 0; i < lanes_.size(); ++i) {
    for (;;) {
      auto* d = lanes_[i]->head;
      if (!d || d->at_ > now) break;
      unlink(*d);
      d->expired_ = true;
      d->on_expiry_(d->target_);  // may resume (and end) the coroutine that owns *d
    }
  }
  auto next = deadline::clock::time_point::max();
  for (const auto& l : lanes_)
    if (l->head && l->head->at_ < next) next = l->head->at_;
  if (next < timer_at_) schedule(next);
}

}  // namespace agentp2p
