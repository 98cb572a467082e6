#!/usr/bin/env bash
# Makes sure what the tests need is on the machine: DCMTK (the real DICOM peers of the
# end-to-end tests) and openssl (test certificates for TLS). Installs them with apt-get when
# missing and we are root.
set -euo pipefail
missing=()
for tool in echoscu storescu findscu movescu getscu storescp dcmdump; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "tools missing (${missing[*]}): installing the dcmtk and openssl packages"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: install them yourself (apt-get install dcmtk openssl)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq dcmtk openssl >/dev/null
echo "installed: $(storescu --version | head -1); $(openssl version)"
