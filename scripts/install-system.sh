#!/usr/bin/env bash
# Install the Debian packages the county map needs, only those missing (idempotent).
set -euo pipefail
PKGS=(postgresql-15-postgis-3 postgresql-15-pgrouting gdal-bin chromium fonts-noto-cjk nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
  # nodejs/npm may come from elsewhere than Debian: only ask apt when the command is absent
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
