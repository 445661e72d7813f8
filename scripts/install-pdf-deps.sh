#!/usr/bin/env bash
# What the PDF supervision reports need besides pip (WeasyPrint): pango and a CJK font (Debian's
# fonts-noto-cjk); without the font the Chinese text of a PDF comes out as empty boxes. Idempotent;
# installs with apt-get when run as root, otherwise only says what is missing (never fails the build).
set -euo pipefail
missing=()
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "PDF reports need: sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Two installs on one machine (a work tree and a fresh clone) would race for apt's locks: wait.
exec 9>/var/lock/duijie-apt.lock && flock -w 900 9
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
