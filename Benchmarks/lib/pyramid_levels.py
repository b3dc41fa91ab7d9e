#!/usr/bin/env python3
"""The peer's copy of a ROK4 raster pyramid: one GeoTIFF per level (the level's tiles, white where a tile is
missing, EPSG:3857, tiled 256x256, uncompressed so that the peer pays no decoding), and the MapServer LAYERs that
serve them (relief_<level>, resampled bicubic), written to OUT_DIR/levels.map for the mapfile to INCLUDE.
   pyramid_levels.py DESCRIPTOR.json TILEMATRIXSET.json TILES_DIR OUT_DIR
TILES_DIR holds the tiles as extract_tiles.py writes them (<level>/<col>/<row>.jpg). Needs Debian's python3-gdal."""
import json, os, sys
from osgeo import gdal

gdal.UseExceptions()

def main():
    desc, tms, tiles, out = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], sys.argv[4]
    matrices = {m["id"]: m for m in tms["tileMatrices"]}
    layers = []
    for level in desc["levels"]:
        m, lim = matrices[level["id"]], level["tile_limits"]
        tw, th, res = m["tileWidth"], m["tileHeight"], m["cellSize"]
        cols, rows = lim["max_col"] - lim["min_col"] + 1, lim["max_row"] - lim["min_row"] + 1
        path = os.path.join(out, f"level_{level['id']}.tif")
        ds = gdal.GetDriverByName("GTiff").Create(path, cols * tw, rows * th, 3, gdal.GDT_Byte,
                                                 ["TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256"])
        ox, oy = m["pointOfOrigin"]
        ds.SetGeoTransform((ox + lim["min_col"] * tw * res, res, 0, oy - lim["min_row"] * th * res, 0, -res))
        ds.SetProjection("EPSG:3857")
        for b in range(1, 4):
            ds.GetRasterBand(b).Fill(255)
        for c in range(lim["min_col"], lim["max_col"] + 1):
            for r in range(lim["min_row"], lim["max_row"] + 1):
                f = os.path.join(tiles, level["id"], str(c), f"{r}.jpg")
                if not os.path.exists(f):
                    continue
                t = gdal.Open(f)
                ds.WriteRaster((c - lim["min_col"]) * tw, (r - lim["min_row"]) * th, tw, th,
                               t.ReadRaster(0, 0, tw, th, band_list=[1, 2, 3]), band_list=[1, 2, 3])
        ds = None
        layers.append(f"""  LAYER
    NAME "relief_{level['id']}"
    TYPE RASTER
    STATUS ON
    DATA "{path}"
    PROCESSING "RESAMPLE=BICUBIC"
    PROJECTION
      "init=epsg:3857"
    END
    METADATA
      "ows_title" "France relief, level {level['id']}"
      "ows_srs" "EPSG:3857 EPSG:4326"
    END
  END
""")
    open(os.path.join(out, "levels.map"), "w").write("".join(layers))

main()
