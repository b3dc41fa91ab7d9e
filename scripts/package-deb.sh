#!/usr/bin/env bash
# Builds passerelle_VERSION_amd64.deb: the release binary with the Swift runtime libraries it needs, a systemd unit
# (DynamicUser, hardened; `systemctl reload` sends SIGHUP), the demo configuration in /etc/passerelle and
# /var/lib/passerelle for pyramids, Depends computed from the libraries the binary links.
#   scripts/package-deb.sh [--binary PATH] [--out DIR] [--fast]
# Without --binary it builds `swift build -c release` first. --fast: no compression (for tests).
# Then: `apt install ./passerelle_*.deb && systemctl start passerelle` serves the demo on port 8080.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=""; OUT=.; COMPRESS=(-Zgzip)
while (($#)); do
    case "$1" in
        --binary) BIN=$2; shift ;;
        --out) OUT=$2; shift ;;
        --fast) COMPRESS=(-Znone) ;;
        -h|--help) sed -n 2,7p "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [[ -z $BIN ]]; then
    swift build -c release --product passerelle >&2
    BIN=.build/release/passerelle
fi
VERSION="0.$(git rev-list --count HEAD 2>/dev/null || echo 0)+g$(git rev-parse --short HEAD 2>/dev/null || echo local)"
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/DEBIAN" "$ROOT/usr/bin" "$ROOT/usr/lib/passerelle/lib" "$ROOT/lib/systemd/system" \
         "$ROOT/etc/passerelle" "$ROOT/var/lib/passerelle" "$ROOT/usr/share/doc/passerelle"

# The binary, and the Swift runtime it loads from the toolchain (not packaged by Debian).
install -m 755 "$BIN" "$ROOT/usr/lib/passerelle/passerelle"
ldd "$BIN" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    case "$(realpath "$lib")" in
        /usr/*|/lib/*) ;;                                   # Debian's
        *) install -m 644 "$(realpath "$lib")" "$ROOT/usr/lib/passerelle/lib/$(basename "$lib")" ;;
    esac
done
cat > "$ROOT/usr/bin/passerelle" <<'SH'
#!/bin/sh
LD_LIBRARY_PATH=/usr/lib/passerelle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec /usr/lib/passerelle/passerelle "$@"
SH
chmod 755 "$ROOT/usr/bin/passerelle"

# The demo, as the default configuration (conffiles: kept on upgrade when edited).
cp -r config "$ROOT/etc/passerelle/config"
cp -r styles "$ROOT/etc/passerelle/styles"
find "$ROOT/etc" -type d -exec chmod 755 {} +
find "$ROOT/etc" -type f -exec chmod 644 {} +
(cd "$ROOT" && find etc -type f | sed 's|^|/|' | sort) > "$ROOT/DEBIAN/conffiles"

cat > "$ROOT/lib/systemd/system/passerelle.service" <<'UNIT'
[Unit]
Description=Passerelle OGC map server (WMS, WFS, WMTS, TMS)
Documentation=file:///usr/share/doc/passerelle/README.md
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
ExecStart=/usr/bin/passerelle serve --config /etc/passerelle/config --host 0.0.0.0 --port 8080
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
DynamicUser=yes
StateDirectory=passerelle
WorkingDirectory=/var/lib/passerelle
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
LockPersonality=yes
SystemCallArchitectures=native

[Install]
WantedBy=multi-user.target
UNIT

# Depends: the Debian packages of the libraries the binary names (NEEDED), the toolchain's excepted.
DEPENDS=$(objdump -p "$BIN" | awk '/NEEDED/ {print $2}' | while read -r so; do
    path=$(ldd "$BIN" | awk -v so="$so" '$1 == so {print $3}')
    [[ -z $path || $(realpath "$path") != /usr/* && $(realpath "$path") != /lib/* ]] && continue
    dpkg-query -S "$path" 2>/dev/null || dpkg-query -S "/usr$path" 2>/dev/null || dpkg-query -S "$(realpath "$path")" 2>/dev/null || true
done | cut -d: -f1 | sort -u | paste -sd, - | sed 's/,/, /g')
INSTALLED=$(du -sk "$ROOT" | cut -f1)
cat > "$ROOT/DEBIAN/control" <<CONTROL
Package: passerelle
Version: $VERSION
Architecture: amd64
Maintainer: Passerelle developers <passerelle@example.org>
Depends: $DEPENDS, fonts-dejavu-core
Installed-Size: $INSTALLED
Section: net
Priority: optional
Homepage: https://example.org/passerelle
Description: OGC map server for the Géoplateforme's objects
 WMS 1.3.0/1.1.1 from PostGIS and GeoPackage with SLD styles and over ROK4
 raster pyramids, WFS 2.0/1.1 streamed as GeoJSON and GML, WMTS and TMS over
 ROK4 pyramids, API keys; import, pyramid and publish commands. The demo
 configuration is in /etc/passerelle; the service listens on port 8080.
CONTROL
cat > "$ROOT/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
SH
cat > "$ROOT/DEBIAN/postrm" <<'SH'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
SH
chmod 755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/postrm"
cp README.md LICENSE "$ROOT/usr/share/doc/passerelle/" 2>/dev/null || true
mkdir -p "$OUT"
DEB="$OUT/passerelle_${VERSION}_amd64.deb"
dpkg-deb --root-owner-group "${COMPRESS[@]}" --build "$ROOT" "$DEB" >&2
echo "$DEB"
