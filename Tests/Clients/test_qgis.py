"""QGIS 3.22 (Debian's python3-qgis, headless) as a user would use it: every demo service added as a layer, drawn
over France, around Lyon and away from the data, identified, counted — with nothing in QGIS's message log."""
import os
import time

import pytest

from conftest import BASE, http

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# python3-qgis comes with the test packages (scripts/setup-debian.sh test).
from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsMapRendererSequentialJob,  # noqa: E402
                       QgsMapSettings, QgsMessageLog, QgsPointXY, QgsRaster, QgsRasterLayer, QgsRectangle,
                       QgsVectorLayer, QgsVectorTileLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402

FRANCE = QgsRectangle(-600000, 5000000, 1100000, 6700000)
LYON = QgsRectangle(500000, 5650000, 600000, 5800000)
ATLANTIC = QgsRectangle(-8000000, 1000000, -7000000, 2000000)   # no data at all


@pytest.fixture(scope="module")
def qgis():
    app = QgsApplication([], False)
    app.initQgis()
    log = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: log.append((level, tag, message)))
    yield app, log


def settle(app):
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)


def layers():
    """Every demo service, as QGIS's data source manager would add it."""
    b = BASE
    return {
        "WMS-VECTOR": QgsRasterLayer(f"crs=EPSG:3857&format=image/png&layers=france_admin&styles=&url={b}/wms-v", "wms-v", "wms"),
        "WMS-RASTER": QgsRasterLayer(f"crs=EPSG:3857&format=image/png&layers=france_relief&styles=&url={b}/wms-r", "wms-r", "wms"),
        "WMS 1.1.1": QgsRasterLayer(f"crs=EPSG:4326&format=image/jpeg&layers=france_admin&styles=&version=1.1.1&url={b}/wms-v",
                                    "wms-111", "wms"),
        "WFS 2.0": QgsVectorLayer(f"url='{b}/wfs' typename='admin:departements' version='2.0.0'", "wfs", "WFS"),
        "WFS 1.1.0": QgsVectorLayer(f"url='{b}/wfs' typename='admin:departements' version='1.1.0'", "wfs-110", "WFS"),
        "WMTS": QgsRasterLayer("crs=EPSG:3857&format=image/jpeg&layers=france_relief&styles=normal&tileMatrixSet=PM_3_10"
                               f"&url={b}/wmts?SERVICE%3DWMTS%26REQUEST%3DGetCapabilities", "wmts", "wms"),
        "XYZ on TMS": QgsRasterLayer(f"type=xyz&url={b}/tms/1.0.0/france_relief/%7Bz%7D/%7Bx%7D/%7By%7D.jpg&zmin=3&zmax=10",
                                     "xyz", "wms"),
        "vector tiles": QgsVectorTileLayer(f"type=xyz&url={b}/tms/1.0.0/rhone_admin/%7Bz%7D/%7Bx%7D/%7By%7D.pbf&zmin=5&zmax=12",
                                           "mvt"),
    }


def draw(layer, extent):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    s.setExtent(extent)
    s.setOutputSize(QSize(256, 256))
    job = QgsMapRendererSequentialJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    colours = {img.pixel(x, y) for x in range(0, 256, 4) for y in range(0, 256, 4)}
    return len(colours), [e.message for e in job.errors()]


def test_the_message_log_is_heard(qgis):
    app, log = qgis
    QgsMessageLog.logMessage("probe", "PasserelleTest", Qgis.Warning)
    settle(app)
    assert ("PasserelleTest", "probe") in [(t, m) for _, t, m in log]
    log.clear()


def test_qgis_adds_and_draws_every_demo_service_without_a_logged_error(qgis):
    app, log = qgis
    log.clear()
    for name, layer in layers().items():
        assert layer.isValid(), f"{name}: {layer.error().summary()}"
        for where, extent in (("France", FRANCE), ("Lyon", LYON), ("the Atlantic", ATLANTIC)):
            colours, errors = draw(layer, extent)
            assert errors == [], f"{name} over {where}: {errors}"
            if extent is not ATLANTIC and name != "vector tiles":  # the Rhône tiles do not reach France's view
                assert colours > 3, f"{name} over {where} drew a blank image"
        settle(app)
    problems = [(tag, message) for level, tag, message in log if level >= Qgis.Warning]
    assert problems == [], problems


def test_wfs_feature_counts_agree_in_both_versions(qgis):
    hits = http("/wfs", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": "admin:departements",
                         "RESULTTYPE": "hits"})
    expected = int(hits.text.split('numberMatched="')[1].split('"')[0])
    assert expected > 0
    for version in ("2.0.0", "1.1.0"):
        layer = QgsVectorLayer(f"url='{BASE}/wfs' typename='admin:departements' version='{version}'", "wfs", "WFS")
        assert layer.isValid()
        assert layer.featureCount() == expected, version
        assert sum(1 for _ in layer.getFeatures()) == expected, version


def test_identify_on_vector_and_raster_wms(qgis):
    vector = layers()["WMS-VECTOR"]
    lyon = QgsPointXY(538000, 5741000)
    r = vector.dataProvider().identify(lyon, QgsRaster.IdentifyFormatFeature, LYON, 256, 256)
    assert r.isValid(), r.error().summary()
    # identify answers, per sublayer, feature stores (QGIS asks GetFeatureInfo as GML)
    values = [str(v) for stores in r.results().values() for store in stores for feat in store.features()
              for v in feat.attributes()]
    assert any("Rh" in v or "Lyon" in v for v in values), values
    raster = layers()["WMS-RASTER"]
    r = raster.dataProvider().identify(lyon, QgsRaster.IdentifyFormatText, LYON, 256, 256)
    assert r.isValid(), r.error().summary()
    assert "band_1" in str(r.results())
