#!/usr/bin/env python3
"""Raster WMS request lists over a ROK4 pyramid, as issue 14 measured ROK4: 256x256 PNG GetMaps, each at a random
level of the pyramid, centred on a random point of that level's tiles, at a resolution drawn between that level's
and the next coarser one's (so every image is resampled), in EPSG:3857 and in EPSG:4326 (WMS 1.3.0 axis order).
   raster_requests.py PYRAMID.json TILEMATRIXSET.json OUT_DIR [COUNT]
Writes wms_raster_3857.passerelle.txt, wms_raster_4326.passerelle.txt and the same for mapserver (layer
relief_<level>: one MapServer layer per level, see mapserver/bench.map.in), and raster_cases.json."""
import json, math, os, random, sys

SEED = int(os.environ.get("BENCH_SEED", "20261123"))
R = 6378137.0

def lonlat(x, y):
    return math.degrees(x / R), math.degrees(2 * math.atan(math.exp(y / R)) - math.pi / 2)

def draws(pyramid, tms, count, rnd):
    matrices = {m["id"]: m for m in tms["tileMatrices"]}
    levels = [l for l in pyramid["levels"]]
    out = []
    for _ in range(count):
        l = rnd.choice(levels)
        m = matrices[l["id"]]
        res = m["cellSize"]
        ox, oy = m["pointOfOrigin"]
        lim = l["tile_limits"]
        span_x, span_y = res * m["tileWidth"], res * m["tileHeight"]
        x = ox + rnd.uniform(lim["min_col"], lim["max_col"] + 1) * span_x
        y = oy - rnd.uniform(lim["min_row"], lim["max_row"] + 1) * span_y
        r = res * 2 ** rnd.uniform(0.05, 0.95)   # between this level and the next coarser one
        half = 128 * r
        out.append((l["id"], x - half, y - half, x + half, y + half))
    return out

def getmap(layer, crs, b):
    return ("SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + layer + "&STYLES=&CRS=" + crs +
            "&BBOX=%s&WIDTH=256&HEIGHT=256&FORMAT=image/png" % ",".join("%.6f" % v for v in b))

def main():
    pyramid = json.load(open(sys.argv[1]))
    tms = json.load(open(sys.argv[2]))
    out = sys.argv[3]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    rnd = random.Random(SEED)
    boxes = draws(pyramid, tms, count, rnd)
    lists = {}
    for case, crs in (("wms_raster_3857", "EPSG:3857"), ("wms_raster_4326", "EPSG:4326")):
        p, ms = [], []
        for level, x0, y0, x1, y1 in boxes:
            if crs == "EPSG:3857":
                b = (x0, y0, x1, y1)
            else:
                w, s = lonlat(x0, y0)
                e, n = lonlat(x1, y1)
                b = (s, w, n, e)
            p.append("/wms-r?" + getmap("france_relief", crs, b))
            ms.append("/mapserver?" + getmap("relief_" + level, crs, b))
        lists[case] = {"passerelle": p, "mapserver": ms}
    for case, servers in lists.items():
        for server, lines in servers.items():
            with open(os.path.join(out, f"{case}.{server}.txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
    json.dump({case: {"kind": "wms_raster", "requests": count,
                      "label": f"WMS GetMap 256x256 PNG {crs} over the FRANCE_RELIEF_JPG pyramid, random level, bicubic"}
               for case, crs in (("wms_raster_3857", "EPSG:3857"), ("wms_raster_4326", "EPSG:4326"))},
              open(os.path.join(out, "raster_cases.json"), "w"), indent=1)

main()
