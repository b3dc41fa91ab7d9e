#!/usr/bin/env bash
# Makes (once) a Python venv holding the reference ROK4 reader, PyPI rok4 2.2.3, and prints its python's path.
#   py=$(scripts/rok4-venv.sh)     # .venv-rok4/bin/python, idempotent: nothing is installed when it is there
# The venv sees the system's site packages (Debian python3-gdal, python3-numpy). rok4's pinned dependencies do
# not all install on Debian 12's Python, so rok4 goes in with --no-deps and its runtime needs are added after.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ROK4_VENV:-$PWD/.venv-rok4}
py=$venv/bin/python
if [[ -x $py ]] && "$py" -c 'import rok4.pyramid, rok4.tile_matrix_set' >/dev/null 2>&1; then
  echo "$py"; exit 0
fi
/usr/bin/python3 -m venv --system-site-packages "$venv" >&2
"$py" -m pip install -q --disable-pip-version-check "rok4==2.2.3" >&2 2>&1 || {
  "$py" -m pip install -q --disable-pip-version-check --no-deps "rok4==2.2.3" >&2
  "$py" -m pip install -q --disable-pip-version-check boto3 pillow "numpy<2" "protobuf>=6.31.1,<7" "requests>=2.30" shapely pyclipper >&2
  "$py" -m pip install -q --disable-pip-version-check --no-deps mapbox_vector_tile >&2
}
"$py" -c 'import rok4.pyramid' >&2
echo "$py"
