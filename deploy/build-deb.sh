#!/bin/bash
# Builds dist/deb/sparkplug-gateway_<version>_<arch>.deb for the architecture of the machine (or
# build root) it runs on: production dependencies only, native addons (better-sqlite3,
# @serialport/bindings-cpp, unix-dgram) compiled from source here by npm with g++ and the Node
# headers. Usage: deploy/build-deb.sh [OUTDIR]   (npm run package:deb)
#
# Build-only needs (not in scripts/test.mjs, not runtime dependencies of the package): nodejs and
# npm, g++, make, python3 (node-gyp), dpkg (dpkg-deb), binutils (strip); no fakeroot (dpkg-deb
# --root-owner-group sets the ownership).
# Other architectures: run this same script inside an arm64 or armhf build root; the steps are
# in README.md ("Building the Debian package").
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/dist/deb}
arch=$(dpkg --print-architecture)
version=$(node -p "require('$repo/package.json').version")
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "build-deb: Node.js $(node -v) builds addons the package's Node (>= 20) cannot load; use Node 20 or newer" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
app=$root/usr/lib/sparkplug-gateway

echo "build-deb: compiling TypeScript"
(cd "$repo" && npm run --silent build)  # tsc, then the status page files into dist/gateway/http/page

mkdir -p "$app/dist" "$root/usr/bin" "$root/usr/lib/systemd/system" "$root/etc/sparkplug-gateway/devices" \
  "$root/usr/share/doc/sparkplug-gateway" "$root/usr/share/sparkplug-gateway" "$root/DEBIAN"
cp -r "$repo/dist/gateway" "$repo/dist/drivers" "$app/dist/"
find "$app/dist" -name '*.map' -delete
cp "$repo/package.json" "$repo/package-lock.json" "$repo/.npmrc" "$app/"

echo "build-deb: installing production dependencies for $arch (native addons from source)"
# --ignore-scripts: the package's own `prepare` (tsc) is not wanted here; the addons are then
# built explicitly, from source (.npmrc build-from-source).
if [ "${BUILD_DEB_REUSE_MODULES:-}" = 1 ]; then
  # Tests: the checkout's node_modules were built from source on this machine already. Its
  # contents are copied ("/."), so a node_modules that is a link to another checkout's is copied
  # too, rather than linked and then pruned in place.
  mkdir -p "$app/node_modules"
  cp -a "$repo/node_modules/." "$app/node_modules/"
  (cd "$app" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
else
  (cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
    && npm rebuild --build-from-source better-sqlite3 @serialport/bindings-cpp unix-dgram --loglevel=error)
fi
(cd "$app" && node -e "require('better-sqlite3')(':memory:').close(); require('unix-dgram'); require('@serialport/bindings-cpp')")

# Compiler leftovers and sources of the addons are not needed at run time.
for addon in "$app"/node_modules/better-sqlite3 "$app"/node_modules/@serialport/bindings-cpp "$app"/node_modules/unix-dgram; do
  rm -rf "$addon/build/Release/obj.target" "$addon/build/Release/.deps" "$addon/build/Release/obj" "$addon/build/Release/test_extension.node" \
    "$addon/deps" "$addon/src" "$addon/prebuilds"
done
rm -rf "$app/node_modules/nan" "$app/.npmrc"
find "$app/node_modules" -type d \( -name test -o -name tests -o -name docs -o -name example -o -name examples \) -prune -exec rm -rf {} +
find "$app/node_modules" \( -name '*.md' -o -name '*.ts' -o -name '*.map' -o -name '*.gypi' -o -name 'Makefile' \) ! -name '*.d.ts' -type f -delete
find "$app/node_modules" -name '*.d.ts' -type f -delete
find "$app/node_modules" -name '*.node' -exec strip --strip-unneeded {} +
find "$app/node_modules" -type d -empty -delete

cat >"$root/usr/bin/sparkplug-gateway" <<'SH'
#!/bin/sh
exec /usr/bin/node /usr/lib/sparkplug-gateway/dist/gateway/cli.js "$@"
SH
chmod 0755 "$root/usr/bin/sparkplug-gateway"
cp "$repo/deploy/sparkplug-gateway.service" "$root/usr/lib/systemd/system/"
cp "$repo/deploy/gateway.example.yaml" "$root/etc/sparkplug-gateway/gateway.example.yaml"
cp "$repo/deploy/gateway.example.yaml" "$root/usr/share/sparkplug-gateway/gateway.example.yaml"
cp "$repo/drivers/simulator/example.yaml" "$root/usr/share/sparkplug-gateway/device-simulator.example.yaml"
cp "$repo/drivers/modbus/example.yaml" "$root/usr/share/sparkplug-gateway/device-modbus.example.yaml"
cp "$repo/README.md" "$root/usr/share/doc/sparkplug-gateway/README.md"
printf 'Apache-2.0: see /usr/share/common-licenses/Apache-2.0\n' >"$root/usr/share/doc/sparkplug-gateway/copyright"

for script in postinst prerm postrm; do
  install -m 0755 "$repo/deploy/debian/$script" "$root/DEBIAN/$script"
done
printf '/etc/sparkplug-gateway/gateway.example.yaml\n' >"$root/DEBIAN/conffiles"
installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: sparkplug-gateway
Version: $version
Architecture: $arch
Maintainer: sparkplug-gateway developers <root@localhost>
Depends: nodejs (>= 20), adduser, libc6, libstdc++6
Section: net
Priority: optional
Installed-Size: $installed_kb
Description: Sparkplug B edge gateway for Modbus and OPC UA devices
 Reads Modbus (TCP, RTU, RTU over TCP) and OPC UA devices, publishes
 Sparkplug B 3.0 to an MQTT broker or NATS, and buffers every reading in
 SQLite while the upstream is away. Runs under systemd with sd_notify,
 watchdog and reload.
CONTROL

mkdir -p "$out"
deb=$out/sparkplug-gateway_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "build-deb: $deb ($(du -k "$deb" | cut -f1) KiB)"
