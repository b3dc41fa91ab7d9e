#!/usr/bin/env python3
"""Raster WMS request lists over a ROK4 pyramid, as issue 14 measured ROK4: 256x256 PNG GetMaps, each at a random
level of the pyramid, centred on a random point of that level's tiles, at a resolution drawn between that level's
and the next coarser one's (so every image is resampled), in EPSG:3857 and in EPSG:4326 (WMS 1.3.0 axis order).
   raster_requests.py PYRAMID.json TILEMATRIXSET.json OUT_DIR [COUNT]
Writes wms_raster_3857.passerelle.txt, wms_raster_4326.passerelle.txt and the same for mapserver (layer
relief_<level>: one MapServer layer per level, see lib/pyramid_levels.py), and adds both cases to cases.json."""
import json, math, os, random, sys

SEED = int(os.environ.get("BENCH_SEED", "20261123"))
R = 6378137.0
CASES = (("wms_raster_3857", "EPSG:3857"), ("wms_raster_4326", "EPSG:4326"))

def lonlat(x, y):
    return math.degrees(x / R), math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)

def draws(pyramid, tms, count, rnd):
    matrices = {m["id"]: m for m in tms["tileMatrices"]}
    out = []
    for _ in range(count):
        level = rnd.choice(pyramid["levels"])
        m, lim = matrices[level["id"]], level["tile_limits"]
        res = m["cellSize"]
        ox, oy = m["pointOfOrigin"]
        x = ox + rnd.uniform(lim["min_col"], lim["max_col"] + 1) * res * m["tileWidth"]
        y = oy - rnd.uniform(lim["min_row"], lim["max_row"] + 1) * res * m["tileHeight"]
        half = 128 * res * 2 ** rnd.uniform(0.05, 0.95)   # between this level and the next coarser one
        out.append((level["id"], x - half, y - half, x + half, y + half))
    return out

def getmap(layer, crs, b):
    return ("SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + layer + "&STYLES=&CRS=" + crs +
            "&BBOX=%s&WIDTH=256&HEIGHT=256&FORMAT=image/png" % ",".join("%.6f" % v for v in b))

def main():
    pyramid, tms, out = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    boxes = draws(pyramid, tms, count, random.Random(SEED))
    for case, crs in CASES:
        lists = {"passerelle": [], "mapserver": []}
        for level, x0, y0, x1, y1 in boxes:
            if crs == "EPSG:3857":
                b = (x0, y0, x1, y1)
            else:
                (w, s), (e, n) = lonlat(x0, y0), lonlat(x1, y1)
                b = (s, w, n, e)
            lists["passerelle"].append("/wms-r?" + getmap("france_relief", crs, b))
            lists["mapserver"].append("/mapserver?" + getmap("relief_" + level, crs, b))
        for server, lines in lists.items():
            with open(os.path.join(out, f"{case}.{server}.txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
    path = os.path.join(out, "cases.json")
    cases = json.load(open(path)) if os.path.exists(path) else {}
    for case, crs in CASES:
        cases[case] = {"kind": "wms_raster", "requests": count, "crs": crs,
                       "label": f"WMS GetMap 256x256 PNG {crs}, FRANCE_RELIEF_JPG pyramid, random level, bicubic"}
    json.dump(cases, open(path, "w"), indent=1)

main()
