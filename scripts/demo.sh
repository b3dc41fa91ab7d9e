#!/usr/bin/env bash
# Sets up and runs the demo server on http://localhost:8080 (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-debian.sh run
swift build -c release --product passerelle
exec .build/release/passerelle serve --config config --host "${HOST:-0.0.0.0}" --port "${PORT:-8080}"
