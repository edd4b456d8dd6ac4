#!/usr/bin/env bash
# Builds the OCI distribution-spec conformance suite (vendored here, see README.md) into a test
# binary: `build.sh OUTPUT`; `build.sh --deps-only` only installs what the build needs. GOPATH mode with Go >= 1.19: the suite, ginkgo v2, gomega and reggie
# come from gopath/ here, their other dependencies from Debian's golang-*-dev packages
# (/usr/share/gocode), which are installed with apt when missing. Nothing is downloaded by Go.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT | --deps-only}
here=$(cd "$(dirname "$0")" && pwd)
gocode=/usr/share/gocode/src
need=()
command -v go >/dev/null 2>&1 || need+=(golang-go)
for pair in \
  github.com/go-resty/resty:golang-github-go-resty-resty-dev \
  github.com/google/uuid:golang-github-google-uuid-dev \
  github.com/opencontainers/go-digest:golang-github-opencontainers-go-digest-dev \
  github.com/go-logr/logr:golang-github-go-logr-logr-dev \
  github.com/google/go-cmp:golang-github-google-go-cmp-dev \
  github.com/asaskevich/govalidator:golang-github-asaskevich-govalidator-dev \
  github.com/mitchellh/mapstructure:golang-github-mitchellh-mapstructure-dev \
  golang.org/x/net:golang-golang-x-net-dev \
  golang.org/x/sys:golang-golang-x-sys-dev \
  golang.org/x/text:golang-golang-x-text-dev \
  gopkg.in/yaml.v3:golang-gopkg-yaml.v3-dev; do
  [ -d "$gocode/${pair%%:*}" ] || need+=("${pair##*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: ${need[*]}; install them (Debian: apt-get install ${need[*]})" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "installing ${need[*]} with apt-get" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
[ "$out" = "--deps-only" ] && exit 0
mkdir -p "$(dirname "$out")"
cd "$here/gopath/src/github.com/opencontainers/distribution-spec/conformance"
GOPATH="$here/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOPROXY=off \
  go test -c -o "$out" .
