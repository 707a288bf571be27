#!/usr/bin/env bash
# Installs the Debian packages Quire needs: `run` for building and running the daemon,
# `test` for also running every test. Idempotent and non-interactive; installs nothing
# when everything is already there. Never lets Debian's cups package start its own
# cupsd (a policy-rc.d that refuses service starts is in place during the install).
set -euo pipefail

build_packages=(cmake ninja-build g++ pkg-config libboost-dev libcups2-dev libspdlog-dev libfmt-dev
                libsqlite3-dev libusb-1.0-0-dev libpam0g-dev cups-client libgs-dev)
# What the filters run at print time: Ghostscript (every printer language), paps (text),
# qpdf (page counts, page selection, PDF copies), cups-filters (images, CUPS drivers).
filter_packages=(ghostscript paps qpdf cups-filters)
test_packages=(libgtest-dev cups-ipp-utils cups-bsd cups cups-ppdc ghostscript python3 python3-pytest python3-gi qpdf
               poppler-utils umockdev gir1.2-umockdev-1.0
               rlpr   # rlpr: the LPD tests' rlpr, rlpq and rlprm
               iproute2)  # ss: bench/cupsd.sh (the private cupsd the CUPS-reference tests start)

packages=("${build_packages[@]}" "${filter_packages[@]}")
[[ "${1:-run}" == "test" ]] && packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing Debian packages: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
created_policy=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod 755 /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[[ -n "$created_policy" ]] && $sudo rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
