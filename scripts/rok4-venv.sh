#!/usr/bin/env bash
# Makes (once) a Python venv holding the reference ROK4 reader, PyPI rok4 2.2.3, and ROK4's tools, PyPI rok4-tools
# 1.5.2 (pyr2pyr copies pyramids between storages: the S3 tests upload with it), and prints its python's path.
#   py=$(scripts/rok4-venv.sh)     # .venv-rok4/bin/python, idempotent: nothing is installed when it is there
#   $(dirname "$py")/pyr2pyr --role master --conf file:///…
# The venv sees the system's site packages (Debian python3-gdal, python3-numpy). rok4's pinned dependencies do
# not all install on Debian 12's Python, so rok4 goes in with --no-deps and its runtime needs are added after.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${ROK4_VENV:-$PWD/.venv-rok4}
py=$venv/bin/python
ready() { [[ -x $py && -x $venv/bin/pyr2pyr ]] && "$py" -c 'import rok4.pyramid, rok4.tile_matrix_set, rok4_tools, jsonschema' >/dev/null 2>&1; }
if ready; then
  echo "$py"; exit 0
fi
[[ -x $py ]] || /usr/bin/python3 -m venv --system-site-packages "$venv" >&2
"$py" -m pip install -q --disable-pip-version-check "rok4==2.2.3" >&2 2>&1 || {
  "$py" -m pip install -q --disable-pip-version-check --no-deps "rok4==2.2.3" >&2
  "$py" -m pip install -q --disable-pip-version-check boto3 pillow "numpy<2" "protobuf>=6.31.1,<7" "requests>=2.30" shapely pyclipper >&2
  "$py" -m pip install -q --disable-pip-version-check --no-deps mapbox_vector_tile >&2
}
# rok4-tools also requires rasterio (a wheel with its own GDAL) and tqdm, which pyr2pyr does not use: its own code
# only, then jsonschema (Debian's python3-jsonschema when present).
"$py" -m pip install -q --disable-pip-version-check --no-deps "rok4-tools==1.5.2" >&2
"$py" -c 'import jsonschema' >/dev/null 2>&1 || "$py" -m pip install -q --disable-pip-version-check jsonschema >&2
"$py" -c 'import rok4.pyramid, rok4_tools' >&2
echo "$py"
