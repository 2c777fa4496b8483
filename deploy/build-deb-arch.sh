#!/bin/bash
# Builds the .deb for another architecture (arm64, armhf) on this machine: a Debian 13 build root
# of that architecture, run under qemu-user, in which deploy/build-deb.sh compiles the native
# addons for the target. Needs root, network (Debian mirror, npm registry) and about an hour on
# 2 cores (compiling SQLite under emulation dominates). Usage: deploy/build-deb-arch.sh ARCH [OUTDIR]
# Installs on the host when missing: debootstrap, qemu-user-static, binfmt-support.
set -euo pipefail
arch=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$repo/dist/deb}
root=${BUILD_ROOT:-/tmp/sparkplug-gateway-build-$arch}
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list)
for tool in debootstrap qemu-aarch64-static update-binfmts; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap qemu-user-static binfmt-support >/dev/null
done
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable >/dev/null 2>&1 || true
in_root() {
  unshare --mount --fork bash -c "mount -t proc proc '$root/proc' && mount --rbind /dev '$root/dev' && chroot '$root' env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt bash -c '$1'"
}
if [ ! -f "$root/.ready" ]; then
  rm -rf "$root"
  # debootstrap's own resolver cannot install npm's dependency tree: apt inside the root does.
  debootstrap --arch="$arch" --variant=minbase --include=ca-certificates trixie "$root" "$mirror" >"$root.debootstrap.log" 2>&1
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  in_root 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm g++ make python3 dpkg-dev binutils git'
  touch "$root/.ready"
fi
# The same trust store and npm settings as this machine (its registry may be reached through a local CA).
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$root/root/.npmrc"
rm -rf "$root/src" && git clone -q "$repo" "$root/src"
# Dev dependencies for tsc only; the package's addons are compiled by build-deb.sh itself.
in_root 'cd /src && npm ci --ignore-scripts --no-audit --no-fund && bash deploy/build-deb.sh /src/deb'
mkdir -p "$out" && cp "$root"/src/deb/*.deb "$out"/ && ls -l "$out"
