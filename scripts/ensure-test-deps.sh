#!/usr/bin/env bash
# Makes sure what the tests need is on the machine: DCMTK (the real DICOM peers of the
# end-to-end tests). Installs it with apt-get when missing and we are root.
set -euo pipefail
missing=()
for tool in echoscu storescu findscu movescu getscu storescp dcmdump; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "DCMTK tools missing (${missing[*]}): installing the dcmtk package"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: install DCMTK yourself (apt-get install dcmtk)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq dcmtk >/dev/null
echo "DCMTK installed: $(storescu --version | head -1)"
