#include "agentp2p/base/task_group.hpp"

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "agentp2p/base/log.hpp"
#include "agentp2p/base/scoped_listing.hpp"

namespace agentp2p {

struct task_group::state {
  std::list<asio::cancellation_signal> signals;
  std::list<asio::steady_timer*> joiners;

  void wake_joiners() {
    for (auto* t : joiners) t->cancel();
  }
};

task_group::task_group(executor ex) : executor_(std::move(ex)), state_(std::make_shared<state>()) {}

task_group::~task_group() { cancel(); }

asio::cancellation_signal& task_group::spawn(awaitable<void> task, std::string name) {
  auto st = state_;
  auto it = st->signals.emplace(st->signals.end());
  auto& signal = *it;  // (the completion below may erase `it` before co_spawn returns)
  asio::co_spawn(executor_, std::move(task),
                 asio::bind_cancellation_slot(it->slot(), [st, it, name = std::move(name)](std::exception_ptr e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const boost::system::system_error& se) {
                       // Cancellation surfaces as operation_aborted; that is a normal end.
                       if (se.code() != asio::error::operation_aborted)
                         log::error("task '" + name + "' ended with an exception: " + se.what());
                     } catch (const std::exception& ex) {
                       log::error("task '" + name + "' ended with an exception: " + ex.what());
                     } catch (...) {
                       log::error("task '" + name + "' ended with an unknown exception");
                     }
                   }
                   st->signals.erase(it);
                   if (st->signals.empty()) st->wake_joiners();
                 }));
  return signal;
}

void task_group::cancel() {
  // Emitting may complete tasks synchronously and erase list entries, so
  // walk a snapshot of iterators taken before any emission.
  std::vector<asio::cancellation_signal*> targets;
  for (auto& s : state_->signals) targets.push_back(&s);
  for (auto* s : targets) s->emit(asio::cancellation_type::terminal);
}

awaitable<void> task_group::join() {
  auto st = state_;
  while (!st->signals.empty()) {
    asio::steady_timer t(executor_, asio::steady_timer::time_point::max());
    scoped_listing listed(st->joiners, &t);  // parentheses, not braces: GCC 12 miscompiles those across a co_await
    co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

std::size_t task_group::size() const noexcept { return state_->signals.size(); }

}  // namespace agentp2p
