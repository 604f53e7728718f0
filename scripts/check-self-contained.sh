#!/bin/sh
# The repository builds, runs and tests on its own: no code, test or build file may reach outside it
# into the reference material kept beside it (../shared). Documentation may name where things came from.
cd "$(dirname "$0")/.."
hits=$(git grep -n -I -E '\.\./shared|shared/(crypto-vectors|kzg-srs|repro|spec|design\.md)' -- . ':!*.md' ':!scripts/check-self-contained.sh')
if [ -n "$hits" ]; then
  printf 'files outside the repository are referenced (copy what is needed into it):\n%s\n' "$hits" >&2
  exit 1
fi
echo "self-contained: no reference to ../shared"
