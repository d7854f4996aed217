#!/usr/bin/env bash
# Installs the Debian/Ubuntu tools the test suite runs for real: promtool (package prometheus),
# amtool (prometheus-alertmanager) and an OCI registry for the registry-mode policy tests
# (docker-registry), kubectl (kubernetes-client), whose offline YAML decoding the policy-input
# tests compare ours against, and a PostgreSQL server (postgresql; its programs live in
# /usr/lib/postgresql/<major>/bin, never started as a service) that the restore validation
# function's client is tested against. Nothing to do when all five are there.
#
# - as root it runs apt-get; as another user it uses sudo when sudo works without a password prompt
#   (GitHub-hosted runners); otherwise it prints the exact command to run and exits 1;
# - the packages' services are not started (a temporary /usr/sbin/policy-rc.d refuses them), and
#   that file is removed again on every exit path, success, failure or interrupt;
# - PLATFORM_SETUP_FORCE=1 runs the install even when the tools are present (to test this script).
set -euo pipefail

packages=()
command -v promtool >/dev/null || packages+=(prometheus)
command -v amtool >/dev/null || packages+=(prometheus-alertmanager)
command -v docker-registry >/dev/null || packages+=(docker-registry)
command -v kubectl >/dev/null || packages+=(kubernetes-client)
pg_root=${PLATFORM_SETUP_PG_ROOT:-/usr/lib/postgresql}
postgres_bin() { compgen -G "$pg_root/*/bin/initdb" | sort -V | tail -1 | xargs -r dirname; }
command -v initdb >/dev/null || [ -n "$(postgres_bin)" ] || packages+=(postgresql)
if [ -n "${PLATFORM_SETUP_FORCE:-}" ] && [ ${#packages[@]} -eq 0 ]; then packages=(prometheus prometheus-alertmanager docker-registry kubernetes-client postgresql); fi
if [ ${#packages[@]} -eq 0 ]; then
  echo "setup-tools: promtool, amtool, docker-registry, kubectl and PostgreSQL are installed"
  exit 0
fi

install_line="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "setup-tools: missing ${packages[*]} and no root or password-less sudo to install them." >&2
  echo "Run as root:  $install_line" >&2
  echo "or with sudo: sudo sh -c '$install_line'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "setup-tools: missing ${packages[*]}; this script needs apt-get (Debian or Ubuntu). Install promtool, amtool, docker-registry, kubectl and PostgreSQL another way." >&2
  exit 1
fi

# Refuse service starts while installing, unless the machine already has its own policy (then leave it).
policy=/usr/sbin/policy-rc.d
ours=""
log=$(mktemp)
cleanup() {
  local code=$?
  if [ -n "$ours" ]; then "${as_root[@]}" rm -f "$policy" || echo "setup-tools: could not remove $policy; remove it by hand" >&2; fi
  rm -f "$log"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ ! -e "$policy" ]; then
  ours=1
  printf '#!/bin/sh\n# written by scripts/setup-tools.sh while it installs; removed when it exits\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
fi

export DEBIAN_FRONTEND=noninteractive
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
echo "setup-tools: installing ${packages[*]}${as_root[0]:+ with sudo}"
# Try the package lists the machine has first; refresh them when that fails (stale or none).
if ! "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
  "${apt[@]}" update >>"$log" 2>&1 || { tail -30 "$log" >&2; echo "setup-tools: apt-get update failed" >&2; exit 1; }
  "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >>"$log" 2>&1 || { tail -30 "$log" >&2; echo "setup-tools: apt-get install ${packages[*]} failed" >&2; exit 1; }
fi
promtool --version 2>&1 | head -1
amtool --version 2>&1 | head -1
docker-registry --version
kubectl version --client 2>/dev/null | head -1
"$(postgres_bin)/postgres" --version
