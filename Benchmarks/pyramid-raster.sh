#!/usr/bin/env bash
# `passerelle pyramid raster` against `gdal2tiles.py --processes=2` on the same input, levels and resampling:
# megapixels of tiles written per second, and the peak resident memory (summed over the process tree, sampled
# every 100 ms). Writes its section of Benchmarks/RESULTS.md (replacing the previous run's figures).
#   Benchmarks/pyramid-raster.sh [SIZE_PX]      (default 8192: an 8192x8192 RGB GeoTIFF, made once in Benchmarks/work)
# Needs a release build (swift build -c release --product passerelle) and Debian gdal-bin / python3-gdal.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-8192}
bin=.build/release/passerelle
[[ -x $bin ]] || { echo "build it first: swift build -c release --product passerelle" >&2; exit 1; }
work=Benchmarks/work/pyramid
mkdir -p "$work"
input=$work/input-$size.tif
if [[ ! -f $input ]]; then
  # A synthetic orthophoto-like RGB image in EPSG:2154 around Lyon (smooth relief + grain + field edges):
  # both tools reproject it into PM.
  /usr/bin/python3 - "$input" "$size" <<'PY'
import sys
import numpy as np
from osgeo import gdal, osr
path, n = sys.argv[1], int(sys.argv[2])
drv = gdal.GetDriverByName("GTiff")
ds = drv.Create(path, n, n, 3, gdal.GDT_Byte, ["TILED=YES", "COMPRESS=DEFLATE"])
res = 2.0  # metres: about PM level 15-16 at this latitude
ds.SetGeoTransform([830000.0, res, 0, 6540000.0, 0, -res])
s = osr.SpatialReference(); s.ImportFromEPSG(2154); ds.SetProjection(s.ExportToWkt())
rng = np.random.default_rng(42)
step = 512
for y0 in range(0, n, step):
    h = min(step, n - y0)
    yy, xx = np.mgrid[y0:y0 + h, 0:n].astype(np.float32)
    base = 128 + 60 * np.sin(xx / 700.0) * np.cos(yy / 530.0) + 30 * np.sin((xx + yy) / 97.0)
    fields = ((np.floor(xx / 300) + np.floor(yy / 250)) % 5) * 12
    for b in range(3):
        grain = rng.normal(0, 9, size=(h, n))
        v = np.clip(base + fields * (b + 1) / 2 + grain - 20 * b, 0, 255).astype(np.uint8)
        ds.GetRasterBand(b + 1).WriteArray(v, 0, y0)
ds = None
PY
fi
read -r w h < <(/usr/bin/python3 -c "from osgeo import gdal; d=gdal.Open('$input'); print(d.RasterXSize, d.RasterYSize)")
bottom=${BOTTOM:-15}; top=${TOP:-9}
run() {  # NAME OUTDIR CMD… → prints "seconds peak_kib"
  local name=$1 out=$2; shift 2
  rm -rf "$out"; mkdir -p "$out"
  local t0=$(date +%s.%N)
  "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  /usr/bin/python3 Benchmarks/lib/rss_sampler.py "$work/$name.rss.json" "$name=$pid" &
  local sampler=$!
  wait $pid
  local t1=$(date +%s.%N)
  kill -TERM $sampler; wait $sampler || true
  local peak=$(/usr/bin/python3 -c "import json; print(json.load(open('$work/$name.rss.json'))['peak_rss_kib']['$name'])")
  echo "$(echo "$t1 - $t0" | bc) $peak"
}
# The same levels, resampling and tile format (PNG) for both.
cfg=$work/config
rm -rf "$cfg"; mkdir -p "$cfg/tilematrixsets"; cp config/tilematrixsets/PM.json "$cfg/tilematrixsets/"
read -r p_s p_kib < <(run passerelle "$cfg/pyramids" $bin pyramid raster "$input" --config "$cfg" --name BENCH --tms PM \
  --bottom-level $bottom --top-level $top --compression png --resampling linear --jobs 2)
read -r g_s g_kib < <(run gdal2tiles "$work/gdal2tiles" gdal2tiles.py --processes=2 -z $top-$bottom -r bilinear -w none \
  --xyz -q "$input" "$work/gdal2tiles")
# Pixels written: tiles actually produced by each tool x 256².
p_tiles=$(grep -Eo "[0-9]+ tiles" "$work/passerelle.log" | tail -1 | grep -Eo "[0-9]+")
g_tiles=$(find "$work/gdal2tiles" -name '*.png' | wc -l)
report=$(/usr/bin/python3 - "$p_s" "$p_kib" "$p_tiles" "$g_s" "$g_kib" "$g_tiles" "$w" "$h" "$bottom" "$top" <<'PY'
import sys
ps, pk, pt, gs, gk, gt, w, h, b, t = sys.argv[1:]
ps, gs = float(ps), float(gs); pk, gk, pt, gt = int(pk), int(gk), int(pt), int(gt)
pm, gm = pt * 65536 / 1e6, gt * 65536 / 1e6
iw = int(w) * int(h) / 1e6
print(f"| tool | wall s | tiles | Mpx written | Mpx/s (tiles) | input Mpx/s | peak RSS MiB |")
print(f"| --- | --- | --- | --- | --- | --- | --- |")
print(f"| passerelle pyramid raster --jobs 2 | {ps:.1f} | {pt} | {pm:.0f} | {pm/ps:.1f} | {iw/ps:.2f} | {pk/1024:.0f} |")
print(f"| gdal2tiles.py --processes=2 | {gs:.1f} | {gt} | {gm:.0f} | {gm/gs:.1f} | {iw/gs:.2f} | {gk/1024:.0f} |")
print(f"\nSpeed-up on input megapixels: **{gs/ps:.2f}x** gdal2tiles; memory: {pk/gk:.2f}x gdal2tiles' peak.")
PY
)
echo "$report"
section=$(
  echo "## Pyramid raster vs gdal2tiles ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "Input: ${w}x${h} RGB GeoTIFF in EPSG:2154 (synthetic, deflate), levels $top–$bottom of PM, bilinear, PNG tiles;"
  echo "\`passerelle pyramid raster --jobs 2 --compression png --resampling linear\` (release build) against"
  echo "\`gdal2tiles.py --processes=2 -r bilinear -w none --xyz\` (GDAL $(gdalinfo --version | cut -d' ' -f2 | tr -d ,)). Peak RSS is"
  echo "the process tree's summed VmRSS sampled every 100 ms (Benchmarks/pyramid-raster.sh)."
  echo
  echo "$report"
)
# Replaces the generated part of the previous section (up to its "Speed-up" line; notes written below it stay),
# or appends the section.
/usr/bin/python3 - Benchmarks/RESULTS.md "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].strip("\n")
text = open(path).read()
m = re.search(r"^## Pyramid raster vs gdal2tiles .*?^Speed-up on input megapixels:[^\n]*$", text, re.S | re.M)
text = text[:m.start()] + section + text[m.end():] if m else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w").write(text)
PY
