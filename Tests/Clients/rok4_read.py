#!/usr/bin/env python3
"""Reads a pyramid with the reference ROK4 reader (PyPI rok4 2.2.3) and prints JSON: the descriptor fields the
reader parsed, and per level the sha256 of every tile of the limits (a ring of one tile around them too),
plus for raster pyramids the decoded shape and mean of a few tiles and the list the reader loads.

  rok4_read.py DESCRIPTOR.json TMS_DIRECTORY [--masks]
Run with the venv of scripts/rok4-venv.sh (its python has rok4).
"""
import hashlib
import json
import os
import sys

os.environ["ROK4_TMS_DIRECTORY"] = os.path.abspath(sys.argv[2])
from rok4.pyramid import Pyramid  # noqa: E402


def main():
    desc = os.path.abspath(sys.argv[1])
    pyr = Pyramid.from_descriptor(desc)
    out = {"name": pyr.name, "format": pyr.format, "tms": pyr.tms.name, "channels": None, "levels": {},
           "raster_samples": {}}
    if pyr.type.name == "RASTER":
        out["channels"] = pyr.raster_specifications["channels"]
        out["nodata"] = pyr.raster_specifications["nodata"]
        out["own_masks"] = pyr.own_masks
    for level in pyr.get_levels():
        lid = level.id
        lim = level.tile_limits
        tiles = {}
        samples = 0
        for row in range(lim["min_row"] - 1, lim["max_row"] + 2):
            for col in range(lim["min_col"] - 1, lim["max_col"] + 2):
                data = pyr.get_tile_data_binary(lid, col, row)
                if data is None:
                    continue
                tiles["%d,%d" % (col, row)] = hashlib.sha256(data).hexdigest()
                if pyr.type.name == "RASTER" and samples < 2:
                    arr = pyr.get_tile_data_raster(lid, col, row)
                    out["raster_samples"]["%s/%d,%d" % (lid, col, row)] = {"shape": list(arr.shape),
                                                                          "mean": float(arr.mean())}
                    samples += 1
        out["levels"][lid] = {"limits": lim, "tiles": tiles, "slab_size": level.slab_width * level.slab_height
                              if hasattr(level, "slab_width") else None}
    pyr.load_list()
    out["list_count"] = len(list(pyr.list_generator()))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
