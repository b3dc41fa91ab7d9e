"""WMTS and TMS through real clients: OWSLib, GDAL's WMTS driver; capabilities validated."""
import subprocess
import urllib.parse

from owslib.wmts import WebMapTileService

from conftest import BASE, http, validate


def test_wmts_capabilities_validate(tmp_path):
    r = http("/wmts", {"SERVICE": "WMTS", "REQUEST": "GetCapabilities", "VERSION": "1.0.0"})
    assert r.status == 200
    validate(r.body, "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd", tmp_path)


def test_owslib_reads_wmts_and_gets_a_tile():
    wmts = WebMapTileService(BASE + "/wmts")
    assert len(list(wmts.contents)) >= 1
    name = sorted(wmts.contents)[0]
    layer = wmts.contents[name]
    tms = list(layer.tilematrixsetlinks)[0]
    limits = layer.tilematrixsetlinks[tms].tilematrixlimits
    level = sorted(limits, key=lambda k: int(k) if k.isdigit() else 0)[0]
    lim = limits[level]
    tile = wmts.gettile(layer=name, tilematrixset=tms, tilematrix=level, row=lim.mintilerow, column=lim.mintilecol,
                        format=layer.formats[0])
    assert len(tile.read()) > 0


def test_gdal_opens_wmts():
    r = subprocess.run(["gdalinfo", f"WMTS:{BASE}/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Size is" in r.stdout or "SUBDATASET_1_NAME" in r.stdout


def test_tms_root_lists_tile_maps():
    r = http("/tms/1.0.0")
    assert r.status == 200
    assert b"TileMap" in r.body


def test_vector_tile_decodes_as_mvt_with_its_layers(tmp_path):
    tilejson = http("/tms/1.0.0/rhone_admin/metadata.json").json()
    layer_ids = {v["id"] for v in tilejson["vector_layers"]}
    assert "communes" in layer_ids
    r = http("/tms/1.0.0/rhone_admin/12/2100/1458.pbf")
    assert r.status == 200 and r.headers["Content-Type"] == "application/x-protobuf"
    tile = tmp_path / "1458.pbf"
    tile.write_bytes(r.body)
    info = subprocess.run(["ogrinfo", "-ro", "-so", "-oo", "X=2100", "-oo", "Y=1458", "-oo", "Z=12", str(tile)],
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert "communes" in info.stdout, info.stdout


def test_tile_http_semantics():
    url = "/tms/1.0.0/rhone_admin/12/2100/1458.pbf"
    r = http(url)
    etag = r.headers["ETag"]
    assert etag and r.headers["Content-Length"] == str(len(r.body))
    assert http(url, headers={"If-None-Match": etag}).status == 304
    head = http(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    # HEAD answers the headers GET would: the length of the tile, its validator.
    assert head.headers["Content-Length"] == str(len(r.body)) and head.headers["ETag"] == etag
    # A vector tile of the matrix without data: 204 No Content (as vector tile servers answer; QGIS logs no error).
    empty = http("/tms/1.0.0/rhone_admin/12/0/0.pbf")
    assert empty.status == 204 and empty.body == b""


def _raw_exchange(payload, expect):
    """Sends raw bytes on one connection and reads `expect` HTTP responses (Content-Length framed)."""
    import socket
    host, port = urllib.parse.urlsplit(BASE).hostname, urllib.parse.urlsplit(BASE).port or 80
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(payload)
    buf, out = b"", []
    while len(out) < expect:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            assert chunk, "connection closed early"
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(headers.get("content-length", "0"))
        while len(buf) < n:
            chunk = s.recv(65536)
            assert chunk, "connection closed early"
            buf += chunk
        out.append((int(lines[0].split()[1]), headers, buf[:n]))
        buf = buf[n:]
    s.close()
    return out


def test_repeated_tile_gets_answer_the_same_bytes_in_request_order():
    # The second GET of a tile within a second is answered from the tile response cache on the event loop:
    # same bytes and validators, and pipelined requests still get their answers in order.
    tile = "/tms/1.0.0/rhone_admin/12/2100/1458.pbf"
    first = http(tile)
    again = http(tile)
    assert again.status == 200 and again.body == first.body
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Length"] == str(len(first.body))
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    caps = "/tms/1.0.0/rhone_admin"
    req = lambda p: f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    answers = _raw_exchange(req(caps) + req(tile) + req("/tms/1.0.0/rhone_admin/12/0/0.pbf") + req(tile), 4)
    assert [a[0] for a in answers] == [200, 200, 204, 200]
    assert b"TileMap" in answers[0][2]
    assert answers[1][2] == first.body and answers[3][2] == first.body
    # Conditional requests still get their 304.
    assert http(tile, headers={"If-None-Match": first.headers["ETag"]}).status == 304
