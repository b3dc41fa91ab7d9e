#!/usr/bin/env python3
"""Writes RESULTS.md from a run's work directory (results/, requests/cases.json).
   report.py WORK_DIR OUT.md"""
import json, os, re, sys

work, out_path = sys.argv[1], sys.argv[2]
res = os.path.join(work, "results")
cases = json.load(open(os.path.join(work, "requests", "cases.json")))
check = json.load(open(os.path.join(res, "check.json")))
machine = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(res, "machine.txt")) if "=" in l)

def wrk(case, server):
    p = os.path.join(res, f"{case}.{server}.wrk.txt")
    if not os.path.exists(p):
        return None
    text = open(p).read()
    m = re.search(r"BENCHJSON (\{.*\})", text)
    if not m:
        return {"failed": text.strip()[-300:]}
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
    if r["requests"] == 0:  # wrk prints zeros for the percentiles of no request
        for k in ("p50_us", "p90_us", "p99_us", "mean_us", "max_us"):
            r[k] = None
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    try:
        r["rss_kib"] = json.load(open(os.path.join(res, f"{case}.{server}.rss.json")))["peak_rss_kib"][server]
    except (OSError, KeyError, ValueError):
        r["rss_kib"] = None
    return r

def pgbench(case):
    p = os.path.join(res, f"{case}.postgis.pgbench.txt")
    if not os.path.exists(p):
        return None
    text = open(p).read()
    m = re.search(r"tps = ([0-9.]+)", text)
    lat = []
    try:
        for line in open(os.path.join(res, f"{case}.postgis.pgbench.log")):
            f = line.split()
            if len(f) >= 3:
                lat.append(int(f[2]))
    except OSError:
        pass
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q / 100 * len(lat)))] if lat else None
    failed = re.search(r"number of failed transactions: (\d+)", text)
    return {"rps": float(m.group(1)) if m else None, "requests": len(lat), "p50_us": pct(50), "p99_us": pct(99),
            "failed": int(failed.group(1)) if failed else 0, "text": text.strip()[-300:]}

def ms(us):
    return "–" if us is None else (f"{us / 1000:.1f} ms" if us < 100_000 else f"{us / 1e6:.2f} s")

def mib(kib):
    return "–" if kib is None else f"{kib / 1024:.0f} MiB"

def ratio(a, b):
    return None if not a or not b else a / b

def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"

def probe_ok(case, server):
    return all(p["ok"] for p in check["probes"].get(case, {}).get(server, [])) and bool(check["probes"].get(case, {}).get(server))

L = []
w = L.append
mode = machine.get("mode", "full")
w("# Benchmark results: Passerelle vs MapServer and nginx")
w("")
w(f"Written by `Benchmarks/run` on {machine.get('date')} ({'SMOKE run: ' if mode == 'smoke' else ''}"
  f"{machine.get('duration')} s per case and server after a short warm-up, {machine.get('connections')} connections, "
  f"{machine.get('wrk_threads')} wrk threads, loopback only). Every case ran against both servers in the same run, one "
  "server at a time. See `Benchmarks/README.md` for what each case does.")
w("")
w("## Machine")
w("")
w("| | |")
w("| --- | --- |")
for k, label in [("nproc", "CPUs (nproc)"), ("cpu", "CPU"), ("memory", "memory"), ("os", "OS"),
                 ("passerelle", "Passerelle commit"), ("passerelle_binary", "Passerelle binary"), ("swift", "Swift"),
                 ("mapserver", "MapServer"), ("mapserver_workers", "MapServer FastCGI workers (spawn-fcgi)"),
                 ("nginx", "nginx"), ("postgresql", "PostgreSQL"), ("postgis", "PostGIS"), ("gdal", "GDAL"),
                 ("wrk", "wrk"), ("communes", "communes loaded"), ("load", "load average")]:
    w(f"| {label} | {machine.get(k, '?')} |")
w("")

# ------------------------------------------------------------------ summary against the targets
summary = []
# ROK4 7.0.0's raster WMS on this machine, as issue 14 measured it (req/s, lowest and highest of its runs).
ROK4_RPS = {"EPSG:3857": (277, 299), "EPSG:4326": (96, 104)}
def target_row(case, label, what, value, goal, ok):
    summary.append(f"| {label} | {what} | {value} | {goal} | {'**met**' if ok else ('**missed**' if ok is False else 'not measured')} |")

def labels_kept(img):
    """The vector map draws at least 80 % of MapServer's label (dark) pixels and names: a faster image is not a
    poorer one (issue 18)."""
    return all(v is None or v[0] >= 0.8 * v[1] for v in (img.get("dark_pixels"), img.get("labels")))

per_case = []
for name, c in cases.items():
    peer = "nginx" if c["kind"] == "tiles" else "mapserver"
    p, q = wrk(name, "passerelle"), wrk(name, peer)
    per_case.append((name, c, peer, p, q))
    pr = ratio(p and p.get("rps"), q and q.get("rps"))
    p_ok = probe_ok(name, "passerelle")
    if c["kind"] == "wms":
        img = check["images"].get(name, {})
        equivalent = img.get("blocks_differing_pct") is not None and img["blocks_differing_pct"] <= 5 and labels_kept(img)
        ok = None if pr is None or not p_ok else (pr >= 1.5 and equivalent)
        target_row(name, c["label"], "req/s Passerelle / MapServer (equivalent image)",
                   fmt_ratio(pr) + ("" if equivalent else " (images not equivalent)"), "≥ 1.5×", ok)
    elif c["kind"] == "wms_raster":
        img = check["images"].get(name, {})
        equivalent = img.get("blocks_differing_pct") is not None and img["blocks_differing_pct"] <= 5
        target_row(name, c["label"], "req/s Passerelle / MapServer (equivalent image)",
                   fmt_ratio(pr) + ("" if equivalent else " (images not equivalent)"), "> 1×",
                   None if pr is None or not p_ok else (pr > 1 and equivalent))
        # ROK4 7.0.0 (FILE storage, 4 threads, FastCGI behind nginx) on this machine, same draws (issue 14).
        rok4 = ROK4_RPS[c["crs"]]
        rr = p["rps"] / rok4[1] if p and p.get("rps") else None
        target_row(name, c["label"], f"req/s Passerelle / ROK4 7.0.0 ({rok4[0]}–{rok4[1]} req/s, issue 14)",
                   fmt_ratio(rr) + ("" if equivalent else " (images not equivalent)"), "≥ 2×",
                   None if rr is None or not p_ok else (rr >= 2 and equivalent))
    elif c["kind"] == "wfs" and c.get("format") == "gml32":  # issue 20: GML 3.2
        ok = None if pr is None or not p_ok else pr >= 3
        target_row(name, c["label"], "req/s Passerelle / MapServer, both GML 3.2 (issue 20)", fmt_ratio(pr), "≥ 3×", ok)
        j = wrk(c["geojson_case"], "passerelle")
        cost = ratio(j and j.get("rps"), p and p.get("rps"))
        target_row(name, c["label"], f"GML cost / GeoJSON cost: Passerelle req/s of {c['geojson_case']} (GeoJSON, same "
                   "BBOXes) / of this case (issue 20)", fmt_ratio(cost), "≤ 1.25×",
                   None if cost is None or not p_ok else cost <= 1.25)
    elif c["kind"] == "wfs":
        ok = None if pr is None or not p_ok else pr >= 2
        target_row(name, c["label"], "req/s Passerelle / MapServer", fmt_ratio(pr), "≥ 2×", ok)
        g = pgbench(name)
        lr = ratio(p and p.get("p50_us"), g and g.get("p50_us"))
        target_row(name, c["label"], "p50 latency Passerelle / bare PostGIS query", fmt_ratio(lr), "≤ 1.5×",
                   None if lr is None or not p_ok else lr <= 1.5)
    else:
        ok = None if pr is None or not p_ok else pr >= 0.8
        target_row(name, c["label"], "req/s Passerelle / nginx static", fmt_ratio(pr), "≥ 0.8×", ok)
r10, rall = wrk("wfs_10", "passerelle"), wrk("wfs_all", "passerelle")
if r10 and rall and r10.get("rss_kib") and rall.get("rss_kib") and probe_ok("wfs_all", "passerelle"):
    grow = rall["rss_kib"] / r10["rss_kib"]
    target_row("wfs", "WFS peak RSS", "Passerelle peak RSS, all communes / ~10",
               f"{grow:.2f}× ({mib(r10['rss_kib'])} → {mib(rall['rss_kib'])})", "flat (≤ 1.5×)", grow <= 1.5)
else:
    target_row("wfs", "WFS peak RSS", "Passerelle peak RSS, all communes / ~10", "–", "flat (≤ 1.5×)", None)

w("## Targets (issue 8)")
w("")
w("| case | measure | Passerelle | target | |")
w("| --- | --- | --- | --- | --- |")
L += summary
w("")
w("“not measured”: a server completed no request within the case's window, or Passerelle did not answer the case's "
  "requests correctly (see the checks below).")
w("")

# ------------------------------------------------------------------ per case
w("## Cases")
w("")
for name, c, peer, p, q in per_case:
    w(f"### {name}: {c['label']}")
    w("")
    try:
        conns, dur = open(os.path.join(res, f"{name}.params")).read().split()
        w(f"{conns} connections, {dur} s per server.")
        w("")
    except (OSError, ValueError):
        pass
    if c["kind"] == "wfs":
        counts = c["counts_bbox"]
        w(f"{len(c['boxes'])} BBOX(es), communes per BBOX (PostGIS `&&`): min {min(counts):,}, "
          f"median {sorted(counts)[len(counts) // 2]:,}, max {max(counts):,}.")
        w("")
    elif c.get("requests"):
        w(f"{c['requests']} requests in the cycled list.")
        w("")
    w("| server | req/s | p50 | p99 | requests | non-2xx | socket errors/timeouts | peak RSS | answers checked |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for server, r in (("Passerelle", p), ("MapServer (FastCGI + nginx)" if peer == "mapserver" else "nginx static", q)):
        key = "passerelle" if server == "Passerelle" else peer
        probes = check["probes"].get(name, {}).get(key, [])
        okn = sum(1 for x in probes if x["ok"])
        if r is None or "failed" in r:
            w(f"| {server} | – | – | – | – | – | – | – | {okn}/{len(probes)} |")
        else:
            w(f"| {server} | {r['rps']:.1f} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | {r['requests']} | {r['status']} | "
              f"{r['errors']} | {mib(r['rss_kib'])} | {okn}/{len(probes)} |")
    if c["kind"] == "wfs":
        g = pgbench(name)
        if g and g["rps"] is not None:
            fn = "ST_AsGML" if c.get("format") == "gml32" else "ST_AsGeoJSON"
            w(f"| bare PostGIS (pgbench, `{fn}` of the same rows) | {g['rps']:.1f} | {ms(g['p50_us'])} | "
              f"{ms(g['p99_us'])} | {g['requests']} | – | {g['failed']} | – | – |")
    w("")
    pr = ratio(p and p.get("rps"), q and q.get("rps"))
    line = f"Passerelle / {'nginx' if peer == 'nginx' else 'MapServer'}: req/s {fmt_ratio(pr)}"
    if p and q and p.get("p50_us") and q.get("p50_us"):
        line += f", p50 {fmt_ratio(p['p50_us'] / q['p50_us'])}"
    if p and q and p.get("rss_kib") and q.get("rss_kib"):
        line += f", peak RSS {fmt_ratio(p['rss_kib'] / q['rss_kib'])}"
    w(line + ".")
    w("")
    for key in ("passerelle", peer):
        bad = [x for x in check["probes"].get(name, {}).get(key, []) if not x["ok"]]
        if bad:
            x = bad[0]
            err = " ".join(x["error"].split())[:240]
            w(f"- {key}: {len(bad)} of the first {len(check['probes'][name][key])} requests failed the check; first: "
              f"HTTP {x['status']}, `{x['type'] or 'no content type'}`, {x['bytes']} bytes: `{err}`")
    w("")

# ------------------------------------------------------------------ equivalence
w("## Equivalent answers")
w("")
w("WMS: the first GetMap of each scale, fetched from both servers and compared pixel by pixel after compositing "
  "over white (a pixel differs when a channel differs by more than 48 of 255) and by 8×8 blocks (a block differs "
  "when its mean colour differs by more than 24 in a channel: antialiasing and half-pixel shifts of the 0.8 px "
  "strokes average out, a missing or extra feature does not). Equivalent: at most 5 % of the blocks differ, and for "
  "the vector maps Passerelle draws at least 80 % of MapServer's label pixels (dark: every channel below 150; the "
  "styles' fills and strokes are all lighter) and at least 80 % of its names (groups of dark pixels) over the "
  "first GetMaps of the scale.")
w("")
w("| case | PNG bytes Passerelle / MapServer | pixels differing | 8×8 blocks differing | label pixels P / M | names P / M | white pixels P / M | mean RGB P / M | |")
w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for name, r in check["images"].items():
    if "pixels_differing_pct" in r:
        dark = r.get("dark_pixels")
        labels = f"{dark[0]:,} / {dark[1]:,} ({dark[0] / max(1, dark[1]):.2f}×)" if dark else "–"
        w(f"| {name} | {r['bytes'][0]:,} / {r['bytes'][1]:,} | {r['pixels_differing_pct']} % | {r['blocks_differing_pct']} % | "
          f"{labels} | {' / '.join(map(str, r['labels'])) if r.get('labels') else '–'} | {r['white_pct'][0]} % / {r['white_pct'][1]} % | {r['mean_rgb'][0]} / {r['mean_rgb'][1]} | |")
    else:
        w(f"| {name} | {r['bytes'][0]:,} / {r['bytes'][1]:,} | – | – | – | – | – | – | {r.get('error', '')} |")
w("")
imgdir = os.path.join(os.path.dirname(os.path.abspath(out_path)), "images")
shown = [n for n in check["images"] if all(os.path.exists(os.path.join(imgdir, f"{n}.{s}.png")) for s in ("passerelle", "mapserver"))]
if shown and machine.get("mode") == "full":
    w("")
    w("| case | Passerelle | MapServer |")
    w("| --- | --- | --- |")
    for n in shown:
        w(f"| {n} | ![](images/{n}.passerelle.png) | ![](images/{n}.mapserver.png) |")
w("")
w("WFS: features in each server's answer to the first BBOX of each case, next to PostGIS's counts "
  "(`&&`: bounding boxes overlap; `ST_Intersects`: geometries intersect).")
w("")
w("| case | Passerelle | MapServer | PostGIS `&&` | PostGIS `ST_Intersects` | Passerelle = MapServer |")
w("| --- | --- | --- | --- | --- | --- |")
for name, r in check["wfs_counts"].items():
    same = r.get("passerelle") is not None and r.get("passerelle") == r.get("mapserver")
    f = lambda v: "–" if v is None else f"{v:,}"
    w(f"| {name} | {f(r.get('passerelle'))} | {f(r.get('mapserver'))} | {f(r['postgis_bbox'])} | "
      f"{f(r['postgis_intersects'])} | {'yes' if same else '**no**'} |")
w("")
w(f"Tiles: the first tile of the list is byte-identical from Passerelle and nginx: "
  f"{'yes' if check.get('tiles_identical') else '**no**'}.")
w("")
profiles = [(n, open(os.path.join(res, f"{n}.perf.txt")).read().rstrip()) for n in cases
            if os.path.exists(os.path.join(res, f"{n}.perf.txt"))]
if profiles:
    w("## Where Passerelle spends its CPU time")
    w("")
    w("`perf record -F 499 -p <passerelle>` while wrk replays each case for a few seconds, after the measures. "
      "First by shared object, then by shared object and symbol (self time, ≥ 1 %).")
    w("")
    for n, text in profiles:
        w(f"<details><summary>{n}</summary>")
        w("")
        w("```")
        L.extend(text.splitlines())
        w("```")
        w("")
        w("</details>")
        w("")
chk = open(os.path.join(res, "passerelle-check.log")).read().strip()
if chk:
    w("`passerelle check-config` on the benchmark config said:")
    w("")
    w("```")
    L.extend(chk.splitlines()[:20])
    w("```")
    w("")
# Sections written by the other benchmark scripts (import.sh, pyramid-raster.sh, offerings.sh, s3.sh, replicas.sh) are kept as they are.
OTHER_SCRIPTS = ("## Import", "## Pyramid raster", "## Configuration at national scale", "## S3 pyramids", "## Replicas")
if os.path.exists(out_path):
    previous = open(out_path).read()
    for title in OTHER_SCRIPTS:
        start = previous.find("\n" + title)
        if start < 0:
            continue
        end = previous.find("\n## ", start + 1)
        L.extend(previous[start + 1:end if end >= 0 else len(previous)].rstrip().splitlines() + [""])
open(out_path, "w").write("\n".join(L) + "\n")
