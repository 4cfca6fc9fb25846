#!/usr/bin/env bash
# Installs the platform checks' tools once, outside the repository, and prints the path:
#   deploy/tools.sh helm       helm v3.22.0, built from the Go module proxy into $CUEWIRE_CACHE/bin
#   deploy/tools.sh promtool   promtool, from Debian's prometheus package
# Idempotent: a tool already present (in the cache, on PATH, or in ~/go/bin) is not rebuilt.
set -euo pipefail
CACHE="${CUEWIRE_CACHE:-$HOME/.cache/cuewire}"
HELM_VERSION=v3.22.0
mkdir -p "$CACHE/bin"

apt_install() {
  if ! apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

helm_is_ours() { [ -x "$1" ] && "$1" version --short 2>/dev/null | grep -q "^${HELM_VERSION%.*}"; }

case "${1:-}" in
  helm)
    target="$CACHE/bin/helm"
    if ! helm_is_ours "$target"; then
      for found in "$(command -v helm || true)" "$HOME/go/bin/helm" "${GOBIN:-/nonexistent}/helm"; do
        if [ -n "$found" ] && helm_is_ours "$found"; then ln -sf "$found" "$target"; break; fi
      done
    fi
    if ! helm_is_ours "$target"; then
      if ! command -v go >/dev/null; then apt_install golang-go ca-certificates git; fi
      echo "building helm $HELM_VERSION from the Go module proxy (a few minutes, once) …" >&2
      GOBIN="$CACHE/bin" GOTOOLCHAIN=auto GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    fi
    echo "$target"
    ;;
  promtool)
    if ! command -v promtool >/dev/null; then apt_install prometheus; fi
    command -v promtool
    ;;
  *)
    echo "usage: deploy/tools.sh helm|promtool" >&2
    exit 2
    ;;
esac
