#!/usr/bin/env python3
"""Writes the fixed-seed request lists of every case (one URL path a line, per server) and cases.json.
   make_requests.py OUT_DIR TILES_LIST      (psql reached through $BENCH_PSQL, a command line)
WMS GetMap 256x256 PNG in EPSG:3857 centred on random metropolitan communes; WFS GetFeature GeoJSON with BBOXes
grown around random communes until they hold ~10 / ~1,000 / ~10,000 communes, and a world BBOX (all communes);
tile GETs in a shuffled order. The same BBOXes, in the same order, go to every server."""
import json, math, os, random, shlex, subprocess, sys

SEED = int(os.environ.get("BENCH_SEED", "20261123"))
PSQL = shlex.split(os.environ["BENCH_PSQL"])

def sql(q):
    r = subprocess.run(PSQL + ["-X", "-q", "-At", "-F", ",", "-v", "ON_ERROR_STOP=1", "-c", q], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"psql failed: {r.stderr.strip()}\n  query: {q[:300]}")
    out = r.stdout
    return [line.split(",") for line in out.splitlines() if line]

FIT = """
CREATE OR REPLACE FUNCTION bench_fit(lon float8, lat float8, target int) RETURNS float8 AS $$
DECLARE lo float8 := 0.0005; hi float8 := 12; mid float8; n int; k float8 := cos(radians(lat));
BEGIN
  FOR i IN 1..40 LOOP
    mid := sqrt(lo * hi);
    SELECT count(*) INTO n FROM communes WHERE geom && ST_MakeEnvelope(lon - mid / k, lat - mid, lon + mid / k, lat + mid, 4326);
    IF n < target THEN lo := mid; ELSE hi := mid; END IF;
    EXIT WHEN hi / lo < 1.01;
  END LOOP;
  RETURN hi;
END $$ LANGUAGE plpgsql"""

R = 6378137.0
def merc(lon, lat):
    return R * math.radians(lon), R * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

WMS_SCALES = [("wms_country", 5_000_000, "country, ~1:5M"), ("wms_department", 250_000, "department, ~1:250k"),
              ("wms_city", 20_000, "city, ~1:20k")]
WFS_TARGETS = [("wfs_10", 10, 50), ("wfs_1k", 1000, 30), ("wfs_10k", 10000, 10)]
WMS_PER_SCALE = 200

def wms_query(x0, y0, x1, y1):
    return ("SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=communes&STYLES=&CRS=EPSG:3857"
            f"&BBOX={x0:.2f},{y0:.2f},{x1:.2f},{y1:.2f}&WIDTH=256&HEIGHT=256&FORMAT=image/png")

def wfs_query(typename, fmt, b):
    w, s, e, n = b
    return (f"SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={typename}&OUTPUTFORMAT={fmt}&COUNT=100000"
            f"&BBOX={s:.6f},{w:.6f},{n:.6f},{e:.6f},urn:ogc:def:crs:EPSG::4326")

# GML 3.2 cases (issue 20): the BBOXes of the GeoJSON case named, WFS 2.0.0 GML 3.2 from both servers, both asked
# for EPSG:4326 (MapServer answers in its map's EPSG:3857 otherwise), so the answers hold the same coordinates.
WFS_GML = [("wfs_gml_1k", "wfs_1k"), ("wfs_gml_10k", "wfs_10k")]
GML32 = "application%2Fgml%2Bxml%3B%20version%3D3.2"
GML_SRS = "&SRSNAME=urn:ogc:def:crs:EPSG::4326"

def write(out, name, server, lines):
    with open(os.path.join(out, f"{name}.{server}.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")

def main():
    out, tiles_list = sys.argv[1], sys.argv[2]
    rnd = random.Random(SEED)
    centres = [(int(f), float(x), float(y)) for f, x, y in sql(
        "SELECT fid, ST_X(p), ST_Y(p) FROM (SELECT fid, ST_PointOnSurface(geom) p FROM communes"
        " WHERE departement NOT LIKE '97%') s WHERE ST_X(p) BETWEEN -5.2 AND 9.6 AND ST_Y(p) BETWEEN 41.3 AND 51.1 ORDER BY fid")]
    cases = {}
    for name, scale, label in WMS_SCALES:
        half = 128 * scale * 0.00028  # metres of EPSG:3857 from the centre to the edge of 256 px at 0.28 mm
        paths = {"passerelle": [], "mapserver": []}
        for _, lon, lat in rnd.sample(centres, WMS_PER_SCALE):
            x, y = merc(lon, lat)
            q = wms_query(x - half, y - half, x + half, y + half)
            paths["passerelle"].append("/wms-v?" + q)
            paths["mapserver"].append("/mapserver?" + q)
        for server, lines in paths.items():
            write(out, name, server, lines)
        cases[name] = {"kind": "wms", "label": f"WMS GetMap 256x256 PNG EPSG:3857, {label}", "requests": WMS_PER_SCALE}
    sql(FIT)
    for name, target, n in WFS_TARGETS:
        boxes = []
        for _, lon, lat in rnd.sample(centres, n):
            h = float(sql(f"SELECT bench_fit({lon}, {lat}, {target})")[0][0])
            k = math.cos(math.radians(lat))
            boxes.append((lon - h / k, lat - h, lon + h / k, lat + h))
        cases[name] = {"kind": "wfs", "label": f"WFS GetFeature GeoJSON, ~{target:,} communes", "boxes": boxes}
    cases["wfs_all"] = {"kind": "wfs", "label": "WFS GetFeature GeoJSON, all communes (world BBOX)",
                        "boxes": [(-180.0, -90.0, 180.0, 90.0)]}
    for name, src in WFS_GML:
        cases[name] = {"kind": "wfs", "format": "gml32", "label": cases[src]["label"].replace("GeoJSON", "GML 3.2"),
                       "boxes": cases[src]["boxes"], "geojson_case": src}
    rows = []
    for name, c in cases.items():
        if c["kind"] != "wfs":
            continue
        counts = []
        for i, b in enumerate(c["boxes"]):
            env = f"ST_MakeEnvelope({b[0]}, {b[1]}, {b[2]}, {b[3]}, 4326)"
            a, s = sql(f"SELECT count(*), count(*) FILTER (WHERE ST_Intersects(geom, {env})) FROM communes WHERE geom && {env}")[0]
            counts.append((int(a), int(s)))
            rows.append(f"('{name}', {i}, {b[0]}, {b[1]}, {b[2]}, {b[3]})")
        c["counts_bbox"] = [a for a, _ in counts]
        c["counts_intersects"] = [s for _, s in counts]
        c["requests"] = len(c["boxes"])
        if c.get("format") == "gml32":
            write(out, name, "passerelle", ["/wfs?" + wfs_query("bench:communes", GML32, b) + GML_SRS for b in c["boxes"]])
            write(out, name, "mapserver", ["/mapserver?" + wfs_query("communes", GML32, b) + GML_SRS for b in c["boxes"]])
            continue
        write(out, name, "passerelle", ["/wfs?" + wfs_query("bench:communes", "application/json", b) for b in c["boxes"]])
        write(out, name, "mapserver", ["/mapserver?" + wfs_query("communes", "geojson", b) for b in c["boxes"]])
    # The bare PostGIS query of the same BBOXes, for pgbench: the rows the servers answer (BBOX intersects), as GeoJSON
    # with 7 decimals like both servers' answers.
    sql("DROP TABLE IF EXISTS bench_bbox; CREATE TABLE bench_bbox (name text, i int, x0 float8, y0 float8, x1 float8, y1 float8);"
        " INSERT INTO bench_bbox VALUES " + ", ".join(rows))
    for name, c in cases.items():
        if c["kind"] == "wfs":
            # GML cases: the same rows, geometry as GML 3.2 (lat/lon, 8 decimals) beside the attributes.
            sel = ("SELECT t.fid, t.code, t.nom, t.departement, ST_AsGML(3, t.geom, 8, 17) FROM" if c.get("format") == "gml32"
                   else "SELECT ST_AsGeoJSON(t.*, 'geom', 7) FROM")
            with open(os.path.join(out, f"{name}.pgbench.sql"), "w") as f:
                f.write(f"\\set i random(0, {len(c['boxes']) - 1})\n"
                        + sel + " (SELECT c.fid, c.code, c.nom, c.departement, c.geom"
                        " FROM communes c, bench_bbox b WHERE b.name = '" + name + "' AND b.i = :i"
                        " AND c.geom && ST_MakeEnvelope(b.x0, b.y0, b.x1, b.y1, 4326)"
                        " AND ST_Intersects(c.geom, ST_MakeEnvelope(b.x0, b.y0, b.x1, b.y1, 4326))) t;\n")
    tiles = [t for t in open(tiles_list).read().split() if t]
    order = []
    for _ in range(max(1, 1000 // max(1, len(tiles)))):
        batch = tiles[:]
        rnd.shuffle(batch)
        order += batch
    write(out, "tiles", "passerelle", ["/tms/1.0.0/france_relief/" + t for t in order])
    write(out, "tiles", "nginx", ["/tiles/france_relief/" + t for t in order])
    cases["tiles"] = {"kind": "tiles", "label": f"Tile GET, {len(tiles)} JPEG tiles of the FRANCE_RELIEF_JPG ROK4 pyramid",
                      "requests": len(order)}
    json.dump(cases, open(os.path.join(out, "cases.json"), "w"), indent=1)

main()
