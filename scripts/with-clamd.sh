#!/usr/bin/env bash
# Run a command with a throw-away ClamAV daemon (clamd) started for it.
#   scripts/with-clamd.sh <command...>
# Installs Debian's clamav-daemon package if clamd is missing, writes a signature database of its own
# (no signature download is reachable here): the EICAR test file, and a body signature of the
# project's (the bytes WSIS-PORTAL-TEST-MALWARE-7f3a anywhere in a file), starts clamd on a Unix
# socket in a temporary folder, exports TEST_ANTIVIRUS_URL for the command, and stops it afterwards.
# A real installation uses Debian's clamav-daemon with freshclam's signatures (see README).
set -euo pipefail

if ! command -v clamd >/dev/null 2>&1 && [ ! -x /usr/sbin/clamd ]; then
  echo "Installing ClamAV's daemon from Debian's packages..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clamav-daemon >/dev/null
fi
CLAMD=$(command -v clamd || echo /usr/sbin/clamd)

DIR=$(mktemp -d /tmp/portal-clamd.XXXXXX)
cleanup() {
  if [ -f "$DIR/clamd.pid" ]; then kill "$(cat "$DIR/clamd.pid")" 2>/dev/null || true; fi
  if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT

mkdir "$DIR/db"
# Signatures in ClamAV's .ndb format (name:target type:offset:hex bytes). The EICAR string is kept as
# hex so that this file is not itself flagged by scanners.
EICAR_HEX=58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a
PORTAL_HEX=$(printf 'WSIS-PORTAL-TEST-MALWARE-7f3a' | od -An -tx1 | tr -d ' \n')
{
  echo "Eicar-Test-Signature:0:0:$EICAR_HEX"
  echo "Portal.Test.Malware:0:*:$PORTAL_HEX"
} > "$DIR/db/portal-test.ndb"
cat > "$DIR/clamd.conf" <<CONF
LocalSocket $DIR/clamd.sock
DatabaseDirectory $DIR/db
PidFile $DIR/clamd.pid
LogFile $DIR/clamd.log
Foreground yes
StreamMaxLength 64M
MaxFileSize 64M
MaxScanSize 256M
MaxThreads 8
CONF
if [ "$(id -u)" -eq 0 ]; then echo "User root" >> "$DIR/clamd.conf"; fi

"$CLAMD" -c "$DIR/clamd.conf" >"$DIR/stdout.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  [ -S "$DIR/clamd.sock" ] && break
  if ! kill -0 "$PID" 2>/dev/null; then echo "clamd did not start:"; cat "$DIR/clamd.log" || true; exit 1; fi
  sleep 0.1
done
[ -S "$DIR/clamd.sock" ] || { echo "clamd did not open its socket in 30 s"; cat "$DIR/clamd.log" || true; exit 1; }

export TEST_ANTIVIRUS_URL="unix://$DIR/clamd.sock"
echo "$("$CLAMD" --version) running on $DIR/clamd.sock"
"$@"
