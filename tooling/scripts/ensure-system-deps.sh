#!/usr/bin/env bash
# Installs the system programs the integration suites use (the CNCF distribution registry,
# skopeo, htpasswd, openssl, the tinyproxy forward proxy, dockerd and the docker CLI for the image archive suites and tooling/test, redis-server for the shared pull budget suites) with apt when they are missing. Used by the test command and CI.
set -euo pipefail
# Go and the Go libraries of the OCI conformance suite (Debian packages; tooling/conformance/).
bash "$(dirname "$0")/../conformance/build.sh" --deps-only
need=()
for pair in docker-registry:docker-registry skopeo:skopeo htpasswd:apache2-utils openssl:openssl tinyproxy:tinyproxy redis-server:redis-server dockerd:docker.io docker:docker.io; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
[ "${#need[@]}" -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing: ${need[*]}; install them with your package manager (Debian: apt-get install ${need[*]})" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing ${need[*]} with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
