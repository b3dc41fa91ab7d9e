"""QGIS 3.22 styles small point, line and polygon layers itself (SVG marker, dashed, offset and marker lines, hatched
and point-pattern fills, outlined fill, labels), exports each style as SLD ("Save style… as SLD"), and Passerelle,
given those files in its hot-loaded config, draws them: no warning for any of them at /status or from
check-config, and the ink each symbol puts on a GetMap where it must be, and none where it must not."""
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import BASE, CONFIG, http

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# python3-qgis comes with the test packages (scripts/setup-debian.sh test).
from osgeo import ogr, osr  # noqa: E402
from qgis.core import (QgsApplication, QgsFillSymbol, QgsFontMarkerSymbolLayer, QgsLinePatternFillSymbolLayer, QgsLineSymbol,  # noqa: E402
                       QgsMarkerLineSymbolLayer, QgsMarkerSymbol, QgsPalLayerSettings,
                       QgsPointPatternFillSymbolLayer, QgsSimpleFillSymbolLayer, QgsSimpleLineSymbolLayer,
                       QgsSimpleMarkerSymbolLayer, QgsSingleSymbolRenderer, QgsSvgMarkerSymbolLayer,
                       QgsTemplatedLineSymbolLayerBase, QgsTextBufferSettings, QgsTextFormat, QgsVectorLayer,
                       QgsVectorLayerSimpleLabeling)
from qgis.PyQt.QtCore import Qt  # noqa: E402
from qgis.PyQt.QtGui import QColor, QFont, QImage  # noqa: E402

# A 0.01° square in EPSG:4326, drawn on 200 x 200 pixels: pixel x = (lon - 2) * 20000, y = (48.01 - lat) * 20000.
WEST, SOUTH, EAST, NORTH = 2.0, 48.0, 2.01, 48.01
SIZE = 200
QGIS_SVG = "/usr/share/qgis/svg/accommodation/accommodation_hotel.svg"
PREFIX = "sldtest_"


def px(lon, lat):
    return round((lon - WEST) / (EAST - WEST) * SIZE), round((NORTH - lat) / (NORTH - SOUTH) * SIZE)


def write_gpkg(path):
    """sld_points: one point in the middle; sld_lines: a west-east line through the middle (x 20–180 at row 100);
    sld_polygons: a square, x and y 40–160."""
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    shapes = {
        "sld_points": (ogr.wkbPoint, "POINT (2.005 48.005)"),
        "sld_lines": (ogr.wkbLineString, "LINESTRING (2.001 48.005, 2.009 48.005)"),
        "sld_polygons": (ogr.wkbPolygon, "POLYGON ((2.002 48.002, 2.008 48.002, 2.008 48.008, 2.002 48.008, 2.002 48.002))"),
    }
    for name, (kind, wkt) in shapes.items():
        lyr = ds.CreateLayer(name, srs, kind, ["GEOMETRY_NAME=geom", "FID=fid"])
        lyr.CreateField(ogr.FieldDefn("nom", ogr.OFTString))
        f = ogr.Feature(lyr.GetLayerDefn())
        f.SetField("nom", "Hotel" if name == "sld_points" else ("Rue" if name == "sld_lines" else "Lyon"))
        f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None


def labelled(layer, curved=False):
    s = QgsPalLayerSettings()
    s.fieldName = "nom"
    if curved:
        s.placement = QgsPalLayerSettings.Curved
    fmt = QgsTextFormat()
    fmt.setFont(QFont("DejaVu Sans"))
    fmt.setSize(14)
    fmt.setColor(QColor("#000000"))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(1)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    s.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(s))
    layer.setLabelsEnabled(True)


def symbol(kind, symbol_layer):
    """A QGIS symbol of one symbol layer. (Building it from a list of layers crashes QGIS 3.22's Python bindings when
    the style is saved: the layers are not handed over.)"""
    s = kind()
    s.changeSymbolLayer(0, symbol_layer)
    return s


def styles(svg):
    """Style name: (table, function styling a QGIS layer of it) — each as a QGIS user would set it up."""
    def svg_marker(layer):
        m = QgsSvgMarkerSymbolLayer(svg, 8)
        m.setFillColor(QColor("#ff0000"))
        m.setStrokeColor(QColor("#ff0000"))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsMarkerSymbol, m)))

    def diamond_marker(layer):
        m = QgsSimpleMarkerSymbolLayer(QgsSimpleMarkerSymbolLayer.decodeShape("diamond")[0], 10)
        m.setColor(QColor("#000000"))
        m.setStrokeColor(QColor("#000000"))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsMarkerSymbol, m)))

    def font_marker(layer):
        m = QgsFontMarkerSymbolLayer("DejaVu Sans", "I", 10)
        m.setColor(QColor("#000000"))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsMarkerSymbol, m)))

    def dashed(layer):
        line = QgsSimpleLineSymbolLayer(QColor("#000000"), 1.0)
        line.setUseCustomDashPattern(True)
        line.setCustomDashVector([3.0, 2.0])
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsLineSymbol, line)))

    def offset(layer):
        line = QgsSimpleLineSymbolLayer(QColor("#000000"), 0.5)
        line.setOffset(3.0)
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsLineSymbol, line)))

    def marker_line(layer):
        dot = QgsSimpleMarkerSymbolLayer(QgsSimpleMarkerSymbolLayer.decodeShape("circle")[0], 2.5)
        dot.setColor(QColor("#0000ff"))
        dot.setStrokeColor(QColor("#0000ff"))
        ml = QgsMarkerLineSymbolLayer(True, 8.0)
        ml.setSubSymbol(symbol(QgsMarkerSymbol, dot))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsLineSymbol, ml)))

    def central_marker(layer):
        # One marker half-way along the line, not turned with it.
        dot = QgsSimpleMarkerSymbolLayer(QgsSimpleMarkerSymbolLayer.decodeShape("square")[0], 3)
        dot.setColor(QColor("#0000ff"))
        dot.setStrokeColor(QColor("#0000ff"))
        ml = QgsMarkerLineSymbolLayer(False, 8.0)
        ml.setPlacement(QgsTemplatedLineSymbolLayerBase.CentralPoint)
        ml.setSubSymbol(symbol(QgsMarkerSymbol, dot))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsLineSymbol, ml)))

    def hatch(layer):
        lines = QgsLinePatternFillSymbolLayer()
        lines.setLineAngle(0)
        lines.setDistance(3.0)
        lines.setLineWidth(0.4)
        lines.setColor(QColor("#008000"))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsFillSymbol, lines)))

    def brush_hatch(layer):
        # A simple fill with a Qt brush pattern: QGIS exports it as a GraphicFill of a 'slash' mark.
        fill = QgsSimpleFillSymbolLayer(QColor("#000000"), Qt.BDiagPattern, QColor("#000000"), Qt.NoPen, 0)
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsFillSymbol, fill)))

    def brush_cross(layer):
        fill = QgsSimpleFillSymbolLayer(QColor("#000000"), Qt.CrossPattern, QColor("#000000"), Qt.NoPen, 0)
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsFillSymbol, fill)))

    def point_pattern(layer):
        dot = QgsSimpleMarkerSymbolLayer(QgsSimpleMarkerSymbolLayer.decodeShape("circle")[0], 1.5)
        dot.setColor(QColor("#000000"))
        pattern = QgsPointPatternFillSymbolLayer()
        pattern.setDistanceX(5.0)
        pattern.setDistanceY(5.0)
        pattern.setSubSymbol(symbol(QgsMarkerSymbol, dot))
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsFillSymbol, pattern)))

    def outlined_fill(layer):
        fill = QgsSimpleFillSymbolLayer(QColor("#ffff00"), Qt.SolidPattern, QColor("#0000ff"), Qt.SolidLine, 0.8)
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsFillSymbol, fill)))

    def polygon_labels(layer):
        outlined_fill(layer)
        labelled(layer)

    def line_labels(layer):
        line = QgsSimpleLineSymbolLayer(QColor("#808080"), 0.3)
        layer.setRenderer(QgsSingleSymbolRenderer(symbol(QgsLineSymbol, line)))
        labelled(layer, curved=True)

    return {
        "svg_marker": ("sld_points", svg_marker),
        "diamond_marker": ("sld_points", diamond_marker),
        "font_marker": ("sld_points", font_marker),
        "dashed": ("sld_lines", dashed),
        "offset": ("sld_lines", offset),
        "marker_line": ("sld_lines", marker_line),
        "central_marker": ("sld_lines", central_marker),
        "hatch": ("sld_polygons", hatch),
        "point_pattern": ("sld_polygons", point_pattern),
        "brush_hatch": ("sld_polygons", brush_hatch),
        "brush_cross": ("sld_polygons", brush_cross),
        "outlined_fill": ("sld_polygons", outlined_fill),
        "polygon_labels": ("sld_polygons", polygon_labels),
        "line_labels": ("sld_lines", line_labels),
    }


def export_slds(gpkg, styles_dir, svg):
    """Styles a QGIS layer per case and saves its SLD as styles_dir/sldtest_<case>.sld."""
    written = {}
    for case, (table, style) in styles(svg).items():
        layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
        assert layer.isValid(), table
        style(layer)
        path = os.path.join(styles_dir, PREFIX + case + ".sld")
        message, ok = layer.saveSldStyle(path)
        assert ok, message
        written[case] = table
    return written


@pytest.fixture(scope="module")
def qgis_app():
    app = QgsApplication.instance()
    if app is None:
        app = QgsApplication([], False)
        app.initQgis()
    return app


@pytest.fixture(scope="module")
def published(qgis_app):
    """The layers, their QGIS-exported styles and the SVG in the server's config; removed afterwards."""
    assert CONFIG, "PASSERELLE_CONFIG is not set (run through scripts/client-tests.sh)"
    styles_dir = os.path.join(CONFIG, "..", "styles")
    os.makedirs(os.path.join(styles_dir, "sldtest-icons"), exist_ok=True)
    svg = os.path.abspath(os.path.join(styles_dir, "sldtest-icons", "hotel.svg"))
    shutil.copy(QGIS_SVG, svg)
    gpkg = os.path.join(CONFIG, "data", "sld-test.gpkg")
    write_gpkg(gpkg)
    cases = export_slds(gpkg, styles_dir, svg)
    attributes = {"fid": "integer", "nom": "character varying"}
    kinds = {"sld_points": "Point", "sld_lines": "LineString", "sld_polygons": "Polygon"}
    stored = {
        "name": "QGIS SLD test layers", "type": "VECTOR-DB", "open": True, "srs": "EPSG:4326", "contact": "contact@example.org",
        "status": "GENERATED", "storage": {"type": "FILESYSTEM", "labels": [], "path": "data/sld-test.gpkg"},
        "type_infos": {"relations": [{"name": t, "type": "TABLE", "primary_key": ["fid"],
                                      "attributes": dict(attributes, geom=f"geometry({k}, 4326)")} for t, k in kinds.items()]},
    }
    files = [os.path.join(CONFIG, "stored_data", "sld-test.json")]
    with open(files[0], "w") as f:
        json.dump(stored, f)
    for case, table in cases.items():
        conf = {"type": "WMS-VECTOR", "name": f"SLD test {case}", "layer_name": PREFIX + case,
                "type_infos": {"title": case, "abstract": "QGIS-exported SLD", "keywords": [],
                               "bbox": {"west": WEST, "south": SOUTH, "east": EAST, "north": NORTH},
                               "crs": ["EPSG:4326", "EPSG:3857"],
                               "used_data": [{"stored_data": "sld-test", "relations": [{"name": table, "style": PREFIX + case}]}]}}
        for kind, body in (("configurations", conf),
                           ("offerings", {"configuration": f"sld-test-{case}", "endpoint": "wms-v", "open": True, "available": True})):
            path = os.path.join(CONFIG, kind, f"sld-test-{case}.json")
            with open(path, "w") as f:
                json.dump(body, f)
            files.append(path)
    deadline = time.time() + 20
    while time.time() < deadline:
        caps = http("/wms-v", {"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"}).text
        if all(PREFIX + c in caps for c in cases):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"layers not published: {http('/status').json()['errors']}")
    yield cases, styles_dir
    for p in files:
        os.remove(p)
    os.remove(gpkg)
    for case in cases:
        os.remove(os.path.join(styles_dir, PREFIX + case + ".sld"))
    shutil.rmtree(os.path.join(styles_dir, "sldtest-icons"))


def getmap(case):
    r = http("/wms-v", {"SERVICE": "WMS", "VERSION": "1.1.1", "REQUEST": "GetMap", "LAYERS": PREFIX + case, "STYLES": "",
                        "SRS": "EPSG:4326", "BBOX": f"{WEST},{SOUTH},{EAST},{NORTH}", "WIDTH": str(SIZE), "HEIGHT": str(SIZE),
                        "FORMAT": "image/png"})
    assert r.status == 200 and r.headers["Content-Type"] == "image/png", r.body[:300]
    img = QImage.fromData(r.body, "PNG")
    assert not img.isNull()
    return img


def rgb(img, x, y):
    c = QColor(img.pixel(x, y))
    return c.red(), c.green(), c.blue()


def inked(img, x, y):
    return sum(rgb(img, x, y)) < 765 - 255


def runs(flags):
    """Number of runs of True in a sequence."""
    return sum(1 for i, f in enumerate(flags) if f and (i == 0 or not flags[i - 1]))


def test_exported_styles_load_without_a_warning(published, tmp_path):
    cases, styles_dir = published
    warnings = http("/status").json()["style_warnings"]
    assert {k: v for k, v in warnings.items() if k.startswith(PREFIX)} == {}
    # check-config sees the same files and reports nothing about them.
    r = check_config(tmp_path, styles_dir)
    assert "warning: style " + PREFIX not in r.stdout, r.stdout
    assert r.returncode == 0, r.stdout + r.stderr
    # Vendor options QGIS writes that are accepted but not acted on are noted (not warned about), at both.
    notes = http("/status").json()["style_notes"]
    assert any("maxDisplacement" in n for n in notes.get(PREFIX + "polygon_labels", [])), notes
    assert PREFIX + "line_labels" not in notes, "followLine and maxAngleDelta are drawn"
    assert f"note: style {PREFIX}polygon_labels: TextSymbolizer vendor option maxDisplacement" in r.stdout, r.stdout
    # The exports are QGIS's own: SE 1.1 with the symbols asked for.
    text = {c: open(os.path.join(styles_dir, PREFIX + c + ".sld")).read() for c in cases}
    assert "image/svg+xml" in text["svg_marker"] and "hotel.svg" in text["svg_marker"]
    assert "stroke-dasharray" in text["dashed"] and "PerpendicularOffset" in text["offset"]
    assert "GraphicStroke" in text["marker_line"] and "GraphicFill" in text["hatch"] and "GraphicFill" in text["point_pattern"]


def check_config(tmp_path, styles_dir):
    binary = os.environ.get("PASSERELLE_BIN", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "passerelle"))
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    shutil.copytree(styles_dir, tmp_path / "styles")
    return subprocess.run([binary, "check-config", str(config)], capture_output=True, text=True, timeout=120)


def test_a_style_that_draws_less_is_listed(published, tmp_path):
    # The checks are not blind: an SLD asking for what is not drawn shows at /status and in check-config's output
    # under its name (a warning: the style still serves, and check-config still succeeds).
    _, styles_dir = published
    path = os.path.join(styles_dir, PREFIX + "unsupported.sld")
    with open(path, "w") as f:
        f.write('<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se">'
                '<NamedLayer><se:Name>x</se:Name><UserStyle><se:FeatureTypeStyle><se:Rule>'
                '<se:LineSymbolizer uom="http://example.org/furlong"><se:Stroke/></se:LineSymbolizer>'
                '</se:Rule></se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>')
    try:
        warnings = http("/status").json()["style_warnings"]
        assert any("furlong" in w for w in warnings.get(PREFIX + "unsupported", [])), warnings
        r = check_config(tmp_path, styles_dir)
        assert f"warning: style {PREFIX}unsupported: LineSymbolizer unit of measure http://example.org/furlong" in r.stdout, r.stdout
        assert r.returncode == 0, r.stdout + r.stderr
    finally:
        os.remove(path)


def test_svg_marker_in_the_colour_qgis_gave_it(published):
    img = getmap("svg_marker")
    cx, cy = px(2.005, 48.005)
    red = [(x, y) for x in range(cx - 25, cx + 26) for y in range(cy - 25, cy + 26)
           if rgb(img, x, y)[0] > 180 and rgb(img, x, y)[1] < 90 and rgb(img, x, y)[2] < 90]
    assert len(red) > 60, len(red)
    assert not any(inked(img, x, y) for x in range(0, SIZE, 3) for y in range(0, SIZE, 3) if abs(x - cx) > 30 or abs(y - cy) > 30)


def test_simple_marker_shape(published):
    # A QGIS diamond, 10 mm (about 36 px): ink on its axes, none in the corners of its box.
    img = getmap("diamond_marker")
    cx, cy = px(2.005, 48.005)
    assert all(inked(img, cx + d, cy) and inked(img, cx, cy + d) for d in (-14, 0, 14))
    assert not any(inked(img, cx + dx, cy + dy) for dx in (-14, 14) for dy in (-14, 14))


def test_font_marker_glyph(published):
    # The letter I of a QGIS font marker, 10 mm high: a bar through the point, nothing beside it.
    img = getmap("font_marker")
    cx, cy = px(2.005, 48.005)
    assert all(inked(img, cx, cy + d) for d in (-8, 0, 8))
    assert not any(inked(img, cx + d, cy) for d in (-8, 8))


def test_dashes_leave_gaps(published):
    img = getmap("dashed")
    row = [inked(img, x, 100) for x in range(25, 176)]
    assert runs(row) >= 6, row
    # QGIS writes square caps: each 11 px dash grows 2 px at both ends into its 7 px gap, as QGIS draws it too.
    assert len(row) - sum(row) >= 12, row
    assert not any(inked(img, x, y) for x in range(SIZE) for y in (80, 120))


def test_offset_line_is_off_the_geometry(published):
    img = getmap("offset")
    assert not any(inked(img, x, 100) for x in range(30, 170)), "nothing on the geometry itself"
    rows = [y for y in range(SIZE) if inked(img, 100, y)]
    assert rows and all(5 <= abs(y - 100) <= 20 for y in rows), rows
    # A whole parallel line, not a dot.
    y = rows[0]
    assert all(inked(img, x, y) for x in range(40, 160, 5))


def test_marker_line_draws_marks_not_a_line(published):
    img = getmap("marker_line")
    blue = [rgb(img, x, 100)[2] > 180 and rgb(img, x, 100)[0] < 90 for x in range(15, 186)]
    assert runs(blue) >= 3, blue
    assert sum(blue) < len(blue) * 0.7, "gaps between the marks"


def test_central_marker_only_in_the_middle(published):
    img = getmap("central_marker")
    blue = [x for x in range(SIZE) if rgb(img, x, 100)[2] > 180 and rgb(img, x, 100)[0] < 90]
    assert blue and min(blue) >= 90 and max(blue) <= 110, blue
    assert all(inked(img, x, y) for x in (97, 103) for y in (97, 103)), "an upright square"


def test_hatch_lines_inside_the_polygon_only(published):
    img = getmap("hatch")
    column = [inked(img, 100, y) or rgb(img, 100, y)[1] < 200 for y in range(45, 156)]
    assert runs(column) >= 5, column
    assert sum(column) < len(column) * 0.6, "lines, not a plain fill"
    # Lines run across the polygon.
    first = next(y for y in range(45, 156) if inked(img, 100, y))
    assert all(inked(img, x, first) or inked(img, x, first - 1) or inked(img, x, first + 1) for x in range(45, 156, 5))
    assert not any(inked(img, x, y) for x in range(SIZE) for y in range(0, 36, 2))
    assert not any(inked(img, x, y) for x in range(0, 36, 2) for y in range(SIZE))


def test_brush_hatch_is_diagonal_lines_inside_the_polygon(published):
    img = getmap("brush_hatch")
    row = [inked(img, x, 100) for x in range(45, 156)]
    assert runs(row) >= 5 and sum(row) < len(row) * 0.6, row
    # Diagonals rising to the right: from an inked pixel, the line goes on up-right.
    x = next(x for x in range(60, 156) if inked(img, x, 100))
    assert sum(inked(img, x + k, 100 - k) or inked(img, x + k + 1, 100 - k) for k in range(1, 6)) >= 4
    assert not any(inked(img, x, y) for x in range(SIZE) for y in range(0, 36, 2))


def test_brush_cross_is_a_grid(published):
    # QGIS's cross brush: horizontal and vertical lines running across the polygon.
    img = getmap("brush_cross")
    rows = [y for y in range(45, 156) if all(inked(img, x, y) for x in range(45, 156, 4))]
    cols = [x for x in range(45, 156) if all(inked(img, x, y) for y in range(45, 156, 4))]
    assert len(rows) >= 5 and len(cols) >= 5, (rows, cols)
    inside = [inked(img, x, y) for x in range(45, 156) for y in range(45, 156)]
    assert sum(inside) < len(inside) * 0.6, "lines, not a plain fill"


def test_point_pattern_inside_the_polygon_only(published):
    img = getmap("point_pattern")
    dots = sum(1 for x in range(40, 161) for y in range(40, 161) if inked(img, x, y))
    assert 30 < dots < 121 * 121 * 0.5, dots
    assert not any(inked(img, x, y) for x in range(SIZE) for y in range(0, 36, 2))


def test_fill_and_outline_colours(published):
    img = getmap("outlined_fill")
    r, g, b = rgb(img, 100, 100)
    assert r > 230 and g > 230 and b < 30, (r, g, b)
    border = [rgb(img, x, 100) for x in range(37, 44)]
    assert any(c[2] > 180 and c[0] < 80 for c in border), border
    assert rgb(img, 20, 100) == (255, 255, 255)


def test_labels_are_drawn(published):
    for case, (x0, y0, x1, y1) in (("polygon_labels", (45, 80, 155, 120)), ("line_labels", (20, 70, 180, 130))):
        img = getmap(case)
        dark = sum(1 for x in range(x0, x1) for y in range(y0, y1) if sum(rgb(img, x, y)) < 150)
        assert dark > 25, (case, dark)
