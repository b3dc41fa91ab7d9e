#!/usr/bin/env bash
# Installs the Debian 12 packages Passerelle needs, idempotently: nothing is downloaded when they are all present.
#   scripts/setup-debian.sh          build + run (the demo)
#   scripts/setup-debian.sh test     + PostgreSQL/PostGIS, GDAL and OWSLib clients, xmllint, Ceph (radosgw), HAProxy, for the tests
#   scripts/setup-debian.sh bench    + MapServer, nginx, wrk, for Benchmarks/run
set -euo pipefail
mode="${1:-run}"
pkgs=(pkg-config libgdal-dev libcairo2-dev librsvg2-dev libgeos-dev libproj-dev proj-data libxml2-dev libsqlite3-dev fonts-dejavu-core fontconfig)
if [[ "$mode" == test || "$mode" == bench ]]; then
  pkgs+=(postgresql-15-postgis-3 postgresql-15 gdal-bin python3-gdal python3-owslib python3-pytest libxml2-utils curl python3-venv python3-numpy chromium python3-websocket python3-qgis qgis-providers ceph-mon ceph-osd radosgw ceph-common haproxy)
fi
if [[ "$mode" == bench ]]; then
  pkgs+=(mapserver-bin cgi-mapserver nginx fcgiwrap spawn-fcgi wrk procps)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do [[ -x $d/swift ]] && export PATH="$d:$PATH"; done
fi
command -v swift >/dev/null 2>&1 || { echo "error: a Swift 6 toolchain is required on PATH (https://www.swift.org/install/linux/)" >&2; exit 1; }
