#!/usr/bin/env bash
# Makes sure what the tests need is on the machine: DCMTK (the real DICOM peers of the
# end-to-end tests), openssl (test certificates for TLS), unzip (ZIP exports), haproxy, Ceph's radosgw with one
# mon and one OSD (the real S3 server, test/support/radosgw.ts), and Debian's chromium (the browser
# that the viewer specs drive with puppeteer-core; no browser is downloaded). Installs the missing packages
# with apt-get when we are root.
set -euo pipefail
missing=()
packages=()
for tool in echoscu storescu findscu movescu getscu storescp dcmdump; do
  command -v "$tool" >/dev/null 2>&1 || { missing+=("$tool"); packages+=(dcmtk); }
done
command -v openssl >/dev/null 2>&1 || { missing+=(openssl); packages+=(openssl); }
command -v unzip >/dev/null 2>&1 || { missing+=(unzip); packages+=(unzip); }
# The load balancer in front of two nodes (test/e2e/two-nodes), configured as the README says.
command -v haproxy >/dev/null 2>&1 || { missing+=(haproxy); packages+=(haproxy); }
command -v chromium >/dev/null 2>&1 || { missing+=(chromium); packages+=(chromium); }
# The ceph CLI and radosgw-admin come with ceph-common, monmaptool with ceph-base (a dependency).
for tool in radosgw radosgw-admin ceph-mon ceph-osd monmaptool ceph; do
  command -v "$tool" >/dev/null 2>&1 || { missing+=("$tool"); packages+=(radosgw ceph-mon ceph-osd ceph-common); }
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
echo "tools missing (${missing[*]}): installing ${packages[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: install them yourself (apt-get install --no-install-recommends ${packages[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Without recommends: Ceph's would pull in the mgr, its Python modules and more (~20 s as it is).
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "installed: ${packages[*]}"
