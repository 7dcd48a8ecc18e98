#!/usr/bin/env bash
# Runs a command with the project's one Node version first on PATH:
#   scripts/with-node.sh npm ci
#   scripts/with-node.sh npm test
# When `node` on PATH already is that version (nvm/fnm reading .nvmrc, the Docker image), the command runs as is.
# Otherwise the official Linux binary is fetched once from the npm registry (package node-linux-<arch>, the only
# registry CI can reach), checked against the integrity pinned below, and kept in a cache folder. Any npm on PATH
# (even one installed with an older Node) can fetch it; npm itself then runs on the pinned Node.
# A unit test (test/tooling/node-version.spec.ts) keeps this version equal to .nvmrc, package.json
# engines.node and the Docker base image.
set -euo pipefail

NODE_VERSION=24.22.3
# `npm view node-linux-<arch>@<version> dist.integrity`; checked here so a changed tarball is refused.
INTEGRITY_X64='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
INTEGRITY_ARM64='sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw=='

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args…]   (runs the command with Node $NODE_VERSION first on PATH)" >&2
  exit 64
fi

if [ "$(node -v 2>/dev/null || true)" = "v$NODE_VERSION" ]; then
  exec "$@"
fi

fail() { echo "with-node: $*" >&2; exit 1; }

[ "$(uname -s)" = Linux ] || fail "Node $NODE_VERSION is needed; install it (e.g. \`nvm install\` reads .nvmrc) and retry"
case "$(uname -m)" in
  x86_64 | amd64) arch=x64; integrity=$INTEGRITY_X64 ;;
  aarch64 | arm64) arch=arm64; integrity=$INTEGRITY_ARM64 ;;
  *) fail "no pinned Node build for $(uname -m); install Node $NODE_VERSION yourself (see .nvmrc)" ;;
esac

cache="${KENBUN_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kenbun-node}"
home="$cache/v$NODE_VERSION-linux-$arch"

if [ ! -x "$home/bin/node" ]; then
  command -v npm >/dev/null || fail "npm is needed once to fetch Node $NODE_VERSION from the npm registry"
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "with-node: fetching Node $NODE_VERSION ($arch) into $home" >&2
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null)
  tarball="$tmp/node-linux-$arch-$NODE_VERSION.tgz"
  [ -f "$tarball" ] || fail "npm pack did not produce $tarball"
  # Computed here rather than trusting npm's cache: the pin above is the authority.
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" 2>/dev/null | base64 -w0 2>/dev/null || true)"
  if [ "$actual" = "sha512-" ]; then
    actual="$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  fi
  [ "$actual" = "$integrity" ] || fail "integrity mismatch for node-linux-$arch@$NODE_VERSION: got $actual, pinned $integrity"
  mkdir -p "$tmp/out"
  tar -xzf "$tarball" -C "$tmp/out" --strip-components=1 package/bin/node package/LICENSE
  [ "$("$tmp/out/bin/node" -v)" = "v$NODE_VERSION" ] || fail "the fetched binary does not report v$NODE_VERSION"
  # Rename into place so a concurrent run never sees a half-extracted folder.
  mv -T "$tmp/out" "$home" 2>/dev/null || [ -x "$home/bin/node" ] || fail "could not install into $home"
  rm -rf "$tmp"
  trap - EXIT
fi

export PATH="$home/bin:$PATH"
exec "$@"
