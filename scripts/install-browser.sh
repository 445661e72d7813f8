#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (a test tool's own browser download cannot
# work on these machines). Idempotent; needs root (CI and the dev machines run as root).
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium is missing: run 'sudo apt-get install -y chromium' (browser tests need it)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Two installs on one machine (a work tree and a fresh clone) would race for apt's locks: wait.
exec 9>/var/lock/duijie-apt.lock && flock -w 900 9
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
command -v chromium
