#!/usr/bin/env bash
# Command 1 of the README: install what is needed, build, and start quired in the
# foreground with the embedded default: state in ./var/demo, IPP and the web UI on
# localhost:631, LPD on localhost:515 when that port can be bound, a `demo` queue that
# writes each job to var/demo/output/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target quired
echo "Print with:  CUPS_SERVER=localhost:631 lp -d demo /etc/hosts   (output lands in var/demo/output/)"
echo "  or LPD:    rlpr -H localhost -P demo /etc/hosts"
exec build/bin/quired --state-dir "$PWD/var/demo" --listen "${QUIRE_LISTEN:-localhost:631}" \
  --lpd-listen "${QUIRE_LPD_LISTEN:-localhost:515}" "$@"
