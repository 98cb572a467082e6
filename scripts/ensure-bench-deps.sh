#!/usr/bin/env bash
# Makes sure what `npm run bench` needs is on the machine: DCMTK (storescu, the sender) and
# Orthanc with its DICOMweb plugin (the reference server), wrk (the HTTP load, as the shared
# harness applies it) and chromium (the viewer phase). Installs missing packages with apt-get.
# The bench starts its own Orthanc with its own config and ports, so the packaged system service
# is kept from starting (policy-rc.d) and stopped if it runs anyway.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
command -v storescu >/dev/null 2>&1 && command -v dcmdump >/dev/null 2>&1 || need+=(dcmtk)
command -v Orthanc >/dev/null 2>&1 || need+=(orthanc)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# `dpkg -s` also succeeds for a removed package whose config files remain: ask for "installed".
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
installed orthanc-dicomweb || need+=(orthanc-dicomweb)
# The viewer phase: OHIF in headless Chromium (puppeteer-core drives it; no browser is downloaded).
command -v chromium >/dev/null 2>&1 || need+=(chromium)

stop_packaged_orthanc() {
  service orthanc stop >/dev/null 2>&1 || true
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now orthanc >/dev/null 2>&1 || true; fi
}

if [ ${#need[@]} -eq 0 ]; then
  stop_packaged_orthanc
  exit 0
fi
echo "bench dependencies missing (${need[*]}): installing with apt-get"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: install them yourself (apt-get install ${need[*]})" >&2
  exit 1
fi

# Exit code 101 from policy-rc.d tells invoke-rc.d not to start services during the install;
# only add it when the machine has none, and remove only the one we added.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  added_policy=1
fi
cleanup() { if [ "$added_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
stop_packaged_orthanc
echo "installed: ${need[*]}"
