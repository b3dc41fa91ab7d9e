#!/usr/bin/env python3
"""Checks that the servers answer the benchmark requests and answer alike, before the load runs.
   check.py WORK_DIR CASES.json OUT.json server=BASE_URL …   (servers: passerelle, mapserver, nginx)
For every case and server: the first requests of its list are fetched (status, content type, size). For WMS: the
first GetMap of each scale from both servers is decoded and compared pixel by pixel, and its dark (label) pixels
counted; the names drawn in the first GetMaps of each vector scale are counted for both. For WFS: the features of the
first BBOX of each case are counted in both answers, next to PostGIS's counts."""
import json, struct, sys, time, urllib.error, urllib.request, zlib
import xml.etree.ElementTree as ET

SAMPLE = 5

def fetch(url, timeout=300):
    t = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            return r.status, r.headers.get("Content-Type", ""), body, time.monotonic() - t
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read(), time.monotonic() - t
    except Exception as e:  # connection refused, timeout
        return 0, "", str(e).encode(), time.monotonic() - t

def png_rgb(data):
    """Decodes a non-interlaced 8-bit (or paletted) PNG into (width, height, [(r, g, b)…]) over white."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, plte, trns = 8, b"", None, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"PLTE":
            plte = [tuple(chunk[i:i + 3]) for i in range(0, len(chunk), 3)]
        elif kind == b"tRNS":
            trns = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    if interlace:
        raise ValueError("interlaced PNG")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    if ctype != 3 and depth != 8:
        raise ValueError(f"bit depth {depth}")
    bpp = max(1, channels * depth // 8)
    stride = (w * channels * depth + 7) // 8
    raw = zlib.decompress(idat)
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    px = []
    for line in rows:
        if ctype == 3:
            per = 8 // depth
            for x in range(w):
                v = (line[x // per] >> (8 - depth * (x % per + 1))) & ((1 << depth) - 1)
                r, g, b = plte[v]
                a = trns[v] if trns and v < len(trns) else 255
                px.append(over_white(r, g, b, a))
        else:
            for x in range(w):
                s = line[x * channels:(x + 1) * channels]
                if ctype == 0: px.append((s[0], s[0], s[0]))
                elif ctype == 4: px.append(over_white(s[0], s[0], s[0], s[1]))
                elif ctype == 2: px.append(tuple(s))
                else: px.append(over_white(*s))
    return w, h, px

def over_white(r, g, b, a):
    return tuple((v * a + 255 * (255 - a)) // 255 for v in (r, g, b))

def compare_images(a, b):
    wa, ha, pa = png_rgb(a)
    wb, hb, pb = png_rgb(b)
    if (wa, ha) != (wb, hb):
        return {"same_size": False, "size_a": [wa, ha], "size_b": [wb, hb]}
    differ = sum(1 for x, y in zip(pa, pb) if max(abs(x[i] - y[i]) for i in range(3)) > 48)
    white = lambda p: sum(1 for c in p if min(c) >= 250)
    # 8x8 blocks: antialiasing and 1-pixel shifts of thin strokes average out, missing or extra features do not
    blocks = differing_blocks = 0
    for by in range(0, ha - 7, 8):
        for bx in range(0, wa - 7, 8):
            idx = [(by + y) * wa + bx + x for y in range(8) for x in range(8)]
            ma = [sum(pa[i][k] for i in idx) / 64 for k in range(3)]
            mb = [sum(pb[i][k] for i in idx) / 64 for k in range(3)]
            blocks += 1
            differing_blocks += max(abs(ma[k] - mb[k]) for k in range(3)) > 24
    # Dark pixels: the labels' black text (fills and strokes of the benchmark styles all have a channel at 180 or above),
    # so a faster image that drops names is seen (issue 18)
    dark = lambda p: sum(1 for c in p if max(c) < 150)
    return {"same_size": True, "width": wa, "height": ha, "dark_pixels": [dark(pa), dark(pb)],
            "pixels_differing_pct": round(100.0 * differ / len(pa), 2),
            "blocks_differing_pct": round(100.0 * differing_blocks / max(1, blocks), 2),
            "white_pct": [round(100.0 * white(pa) / len(pa), 2), round(100.0 * white(pb) / len(pb), 2)],
            "mean_rgb": [[round(sum(c[i] for c in p) / len(p), 1) for i in range(3)] for p in (pa, pb)]}

def label_count(data):
    """The names drawn in a map: groups of dark pixels (every channel below 150, as the labels' black text; the
    benchmark styles' fills and strokes are lighter), the glyphs of a name joined across gaps of up to 6 px."""
    w, h, px = png_rgb(data)
    dark = {(i % w, i // w) for i, c in enumerate(px) if max(c) < 150}
    seen, groups = set(), 0
    for start in dark:
        if start in seen:
            continue
        seen.add(start)
        todo, size = [start], 0
        while todo:
            x, y = todo.pop()
            size += 1
            for dx in range(-6, 7):
                for dy in (-2, -1, 0, 1, 2):
                    q = (x + dx, y + dy)
                    if q in dark and q not in seen:
                        seen.add(q)
                        todo.append(q)
        groups += size >= 8
    return groups

def gml_members(body):
    """The features of a WFS 2.0 GML answer: wfs:member children of the wfs:FeatureCollection, each holding one
    feature element with a gml:id (GML 3.2), parsed as XML."""
    root = ET.fromstring(body)
    if root.tag != "{http://www.opengis.net/wfs/2.0}FeatureCollection":
        raise ValueError(f"root element {root.tag}")
    members = root.findall("{http://www.opengis.net/wfs/2.0}member")
    if not all(len(m) == 1 and m[0].get("{http://www.opengis.net/gml/3.2}id") for m in members):
        raise ValueError("a wfs:member without one GML 3.2 feature")
    return len(members)

def main():
    work, cases_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    bases = dict(a.split("=", 1) for a in sys.argv[4:])
    cases = json.load(open(cases_path))
    result = {"probes": {}, "images": {}, "wfs_counts": {}}
    for name, c in cases.items():
        servers = ["passerelle", "nginx"] if c["kind"] == "tiles" else ["passerelle", "mapserver"]
        first, labels = {}, {}
        for server in servers:
            paths = [p for p in open(f"{work}/requests/{name}.{server}.txt").read().splitlines() if p]
            probes = []
            for p in paths[:SAMPLE]:
                status, ctype, body, secs = fetch(bases[server] + p)
                ok = status == 200 and (
                    ctype.startswith("image/") if c["kind"] in ("wms", "wms_raster", "tiles")
                    else "xml" in ctype if c.get("format") == "gml32" else "json" in ctype)
                probes.append({"status": status, "type": ctype, "bytes": len(body), "ok": ok, "seconds": round(secs, 3),
                               "error": "" if ok else body[:300].decode("utf-8", "replace")})
                if p is paths[0]:
                    first[server] = (ok, body)
                if ok and c["kind"] == "wms":
                    labels[server] = labels.get(server, 0) + label_count(body)
            result["probes"].setdefault(name, {})[server] = probes
        if c["kind"] in ("wms", "wms_raster"):
            (oka, a), (okb, b) = first["passerelle"], first["mapserver"]
            for server, (ok, body) in first.items():
                if ok:
                    open(f"{work}/results/{name}.{server}.png", "wb").write(body)
            r = {"bytes": [len(a), len(b)], "request": open(f"{work}/requests/{name}.mapserver.txt").readline().strip()}
            if oka and okb:
                try:
                    r.update(compare_images(a, b))
                except Exception as e:
                    r["error"] = f"could not compare: {e}"
            else:
                r["error"] = "not both images"
            if labels:
                r["labels"] = [labels.get("passerelle", 0), labels.get("mapserver", 0)]
            result["images"][name] = r
        elif c["kind"] == "wfs":
            counts = {"postgis_bbox": c["counts_bbox"][0], "postgis_intersects": c["counts_intersects"][0]}
            for server in servers:
                ok, body = first[server]
                try:
                    counts[server] = (None if not ok else gml_members(body) if c.get("format") == "gml32"
                                      else len(json.loads(body)["features"]))
                except Exception:
                    counts[server] = None
            result["wfs_counts"][name] = counts
        elif c["kind"] == "tiles":
            (oka, a), (okb, b) = first["passerelle"], first["nginx"]
            result["tiles_identical"] = oka and okb and a == b
    json.dump(result, open(out_path, "w"), indent=1)

main()
