#!/usr/bin/env bash
# Runs Lanboard's tests, or any command, on one of the supported Node lines
# (docs/development.md#node-lines), with the exact build scripts/node-lines.txt
# pins. That build comes from the npm registry's node-<os>-<cpu> package, a
# complete Node with its headers, cached outside the repository; npm_config_nodedir
# points at those headers so better-sqlite3 builds for the line's ABI without
# downloading anything.
#
#   scripts/node-line.sh LINE         the tests but the browser ones on LINE,
#                                     leaving better-sqlite3's build as it was
#   scripts/node-line.sh LINE CMD...  CMD on LINE, e.g. `npm ci` or `npm test`
#   scripts/node-line.sh --list       the supported lines, the primary one first
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
pins="$root/scripts/node-lines.txt"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/lanboard"

die() {
  echo "node-line: $*" >&2
  exit 2
}

lines() { awk '!/^#/ && NF { print $1 }' "$pins"; }

pinned_version() { awk -v line="$1" '!/^#/ && $1 == line { print $2 }' "$pins"; }

platform() {
  local os cpu
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no node-<os>-<cpu> package for $(uname -s); install the line yourself" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) die "no node-<os>-<cpu> package for $(uname -m); install the line yourself" ;;
  esac
  echo "$os-$cpu"
}

# Prints the folder holding bin/node and include/node for VERSION, fetching it once.
node_build() {
  local version="$1" package dir tmp
  package="node-$(platform)"
  dir="$cache/$package-$version"
  if [ ! -x "$dir/bin/node" ]; then
    echo "node-line: fetching $package@$version into $dir" >&2
    mkdir -p "$cache"
    tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
    # npm pack checks the tarball against the registry's integrity for that version.
    npm pack "$package@$version" --pack-destination "$tmp" --silent >/dev/null
    tar -xzf "$tmp/$package-$version.tgz" -C "$tmp"
    # Another run may have fetched it meanwhile; either copy is the same build.
    mv -T "$tmp/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ] || die "cannot create $dir"
    rm -rf "$tmp"
  fi
  [ "$("$dir/bin/node" --version)" = "v$version" ] || die "$dir/bin/node is not Node $version"
  [ -f "$dir/include/node/node_version.h" ] || die "$dir has no include/node headers"
  echo "$dir"
}

# The tests but the browser ones; the better-sqlite3 build the tests replace is
# put back afterwards, so the next command finds node_modules as it was.
line_tests() {
  binary="$root/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
  [ -f "$binary" ] || die "no better-sqlite3 build in node_modules: run npm ci first"
  saved="$(mktemp)"
  cp "$binary" "$saved"
  trap 'mkdir -p "$(dirname "$binary")" && mv "$saved" "$binary" &&
    echo "node-line: better-sqlite3 is back to the build it had" >&2' EXIT
  # Interrupted too: the EXIT trap runs only when the shell exits by itself.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  npm run test:unit -- --no-browser
}

case "${1:-}" in
  --list) lines ;;
  "" | -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0" ;;
  *)
    line="$1"
    shift
    version="$(pinned_version "$line")"
    [ -n "$version" ] || die "Node $line is not a supported line (scripts/node-lines.txt: $(lines | xargs))"
    dir="$(node_build "$version")"
    export PATH="$dir/bin:$PATH"
    export npm_config_nodedir="$dir"
    cd "$root"
    echo "node-line: Node $line ($version), npm $(npm --version): ${*:-the tests but the browser ones}" >&2
    if [ $# -eq 0 ]; then line_tests; else "$@"; fi
    ;;
esac
