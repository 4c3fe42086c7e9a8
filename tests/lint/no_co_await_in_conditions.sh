#!/usr/bin/env bash
# GCC 12 (Debian 12's compiler) miscompiles a co_await written directly in an
# if/while condition: the coroutine crashes when the branch is taken. gtest's
# EXPECT_*/ASSERT_* macros expand to an `if`, so they count too. Write
#   auto r = co_await f(); if (!r) ...
# instead. This check keeps the pattern out of the tree.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
pattern='((if|while)[[:space:]]*\([[:space:]]*!?[[:space:]]*co_await)|((EXPECT|ASSERT)_(TRUE|FALSE|EQ|NE|LT|LE|GT|GE|STREQ|STRNE|THAT)\([[:space:]]*!?[[:space:]]*co_await)'
if hits=$(grep -rnE "$pattern" "$root/agentp2p" "$root/tests" "$root/apps" --include='*.cpp' --include='*.hpp' 2>/dev/null); then
  echo "co_await inside a condition (GCC 12 crashes on it; bind the result to a variable first):"
  echo "$hits"
  exit 1
fi
echo "ok: no co_await inside conditions"
