#!/usr/bin/env bash
# Installs the Debian tools the test suite runs for real: promtool (package prometheus), amtool
# (package prometheus-alertmanager) and an OCI registry for the registry-mode policy tests
# (package docker-registry), and kubectl (package kubernetes-client) whose offline YAML decoding the
# policy-input tests compare against. Without root it only checks and says what to install.
set -euo pipefail
packages=()
command -v promtool >/dev/null || packages+=(prometheus)
command -v amtool >/dev/null || packages+=(prometheus-alertmanager)
command -v docker-registry >/dev/null || packages+=(docker-registry)
command -v kubectl >/dev/null || packages+=(kubernetes-client)
[ ${#packages[@]} -eq 0 ] && { echo "promtool, amtool, docker-registry and kubectl present"; exit 0; }
if [ "$(id -u)" -ne 0 ]; then
  echo "missing: ${packages[*]}; install them with: sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The packages start daemons on install; nothing here needs them running.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
rm -f /usr/sbin/policy-rc.d
promtool --version | head -1
amtool --version 2>&1 | head -1
docker-registry --version
kubectl version --client 2>&1 | head -1
