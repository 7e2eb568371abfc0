#!/bin/sh
# Installs the Debian packages mailtrail needs to build, run and test.
# Packages already present are left alone, so this is quick when nothing
# is missing.  Needs root (or sudo) only when something must be installed.
set -eu

# Build: compilers and the libraries mailtrail links against.  libpff-dev
# 20180714 includes libbfio.h without depending on libbfio-dev.
BUILD="build-essential pkg-config libpff-dev libbfio-dev libgmime-3.0-dev
libmagic-dev libmagic-mgc libsqlite3-dev libssl-dev libjson-glib-dev
libytnef0-dev"
# Tests: python3 runs the suite; pff-tools (pffexport), pst-utils (readpst)
# and python3-pypff are the independent PST readers the counts are checked
# against; sleuthkit gives mactime for the body file export; tnef checks
# winmail.dat decoding; chromium renders the HTML report; python3-rdflib
# parses the CASE/UCO JSON-LD export.
TEST="python3 sqlite3 pff-tools pst-utils python3-pypff sleuthkit tnef
chromium python3-rdflib"

want="$BUILD"
if [ "${1:-}" != "--build-only" ]; then
	want="$BUILD $TEST"
fi

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
