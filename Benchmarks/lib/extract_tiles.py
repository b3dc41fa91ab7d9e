#!/usr/bin/env python3
"""Extracts every tile of a file-stored ROK4 pyramid to OUT/<level>/<col>/<row>.<ext> (rows from the top, as
Passerelle's TMS serves them) and prints the relative paths, one a line.
   extract_tiles.py DESCRIPTOR.json OUT_DIR EXT"""
import json, os, struct, sys

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

def base36(v):
    if v == 0:
        return "0"
    out = ""
    while v > 0:
        out = DIGITS[v % 36] + out
        v //= 36
    return out

def slab_file(col, row, depth):
    c, r = base36(col), base36(row)
    n = max(depth + 1, len(c), len(r))
    c, r = c.rjust(n, "0"), r.rjust(n, "0")
    pairs = [c[i] + r[i] for i in range(n)]
    return "/".join(["".join(pairs[: n - depth])] + pairs[n - depth :]) + ".tif"

def main():
    desc_path, out, ext = sys.argv[1], sys.argv[2], sys.argv[3]
    base = os.path.dirname(os.path.abspath(desc_path))
    desc = json.load(open(desc_path))
    for level in desc["levels"]:
        tw, th = level["tiles_per_width"], level["tiles_per_height"]
        lim, st = level["tile_limits"], level["storage"]
        n = tw * th
        for col in range(lim["min_col"], lim["max_col"] + 1):
            for row in range(lim["min_row"], lim["max_row"] + 1):
                path = os.path.join(base, st["image_directory"], slab_file(col // tw, row // th, st["path_depth"]))
                if not os.path.exists(path):
                    continue
                with open(path, "rb") as f:
                    head = f.read(2048 + 8 * n)
                    if head[:4] != b"II*\x00":
                        sys.exit(f"{path}: not a ROK4 slab")
                    i = (row % th) * tw + (col % tw)
                    off = struct.unpack_from("<I", head, 2048 + 4 * i)[0]
                    size = struct.unpack_from("<I", head, 2048 + 4 * n + 4 * i)[0]
                    if size == 0:
                        continue
                    f.seek(off)
                    data = f.read(size)
                rel = f"{level['id']}/{col}/{row}.{ext}"
                os.makedirs(os.path.join(out, level["id"], str(col)), exist_ok=True)
                with open(os.path.join(out, rel), "wb") as t:
                    t.write(data)
                print(rel)

main()
