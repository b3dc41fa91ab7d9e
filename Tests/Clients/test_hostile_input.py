"""A catalogue of hostile and malformed requests across every service.

Each case asserts the HTTP status, the OGC exception code when there must be one, that nothing leaked (no file
content, no restricted name), and that a normal request still succeeds right after."""
from http.client import HTTPResponse
import io
import socket
import time
import urllib.parse

import pytest

from conftest import BASE, Reply, http

SECRET_FILE = "/etc/passwd"
XXE = ('<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file://' + SECRET_FILE + '">]>'
       '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
       '<fes:ValueReference>nom</fes:ValueReference><fes:Literal>&x;</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + ']><wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" version="2.0.0">'
          '<wfs:Query typeNames="admin:communes"><x>&lol9;</x></wfs:Query></wfs:GetFeature>')
DEEP = ('<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">' + "<fes:Not>" * 200
        + '<fes:PropertyIsNull><fes:ValueReference>nom</fes:ValueReference></fes:PropertyIsNull>'
        + "</fes:Not>" * 200 + "</fes:Filter>")
SLD_XXE = ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file://' + SECRET_FILE + '">]>'
           '<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld"><NamedLayer><Name>&x;</Name>'
           '</NamedLayer></StyledLayerDescriptor>')

WFS = {"SERVICE": "WFS", "VERSION": "2.0.0"}
GF = dict(WFS, REQUEST="GetFeature", TYPENAMES="admin:communes", COUNT="5")
WMS13 = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "france", "STYLES": "",
         "CRS": "EPSG:3857", "BBOX": "500000,5700000,600000,5800000", "WIDTH": "64", "HEIGHT": "64", "FORMAT": "image/png"}
WMS11 = dict(WMS13, VERSION="1.1.1", SRS="EPSG:3857")
del WMS11["CRS"]
WMTS = {"SERVICE": "WMTS", "VERSION": "1.0.0", "REQUEST": "GetTile", "LAYER": "france_relief", "STYLE": "normal",
        "TILEMATRIXSET": "PM", "TILEMATRIX": "5", "TILEROW": "11", "TILECOL": "16", "FORMAT": "image/jpeg"}


def wms_layer():
    """The demo WMS-VECTOR layer name (from capabilities), so the catalogue does not hard-code it."""
    body = http("/wms-v", {"SERVICE": "WMS", "REQUEST": "GetCapabilities", "VERSION": "1.3.0"}).text
    import re
    names = re.findall(r"<Layer[^>]*queryable=\"1\"[^>]*>\s*<Name>([^<]+)</Name>", body)
    return names[0] if names else "france_admin"


def wmts_layer():
    body = http("/wmts", {"SERVICE": "WMTS", "REQUEST": "GetCapabilities"}).text
    import re
    m = re.search(r"<Layer>.*?<ows:Identifier>([^<]+)</ows:Identifier>", body, re.S)
    return m.group(1) if m else "france_relief"


def p(base, **kw):
    d = dict(base)
    for k, v in kw.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return d


# (id, path, params or raw query, method, body, expected statuses, expected exception code or None)
CASES = [
    # --- WFS: names checked against the schema, values always bound
    ("wfs-unknown-typename", "/wfs", p(GF, TYPENAMES="admin:nope"), {400}, "InvalidParameterValue"),
    ("wfs-typename-injection", "/wfs", p(GF, TYPENAMES="admin:communes;DROP TABLE communes"), {400}, "InvalidParameterValue"),
    ("wfs-propertyname-injection", "/wfs", p(GF, PROPERTYNAME="nom,code) FROM communes; --"), {400}, "InvalidParameterValue"),
    ("wfs-propertyname-unknown", "/wfs", p(GF, PROPERTYNAME="password"), {400}, "InvalidParameterValue"),
    ("wfs-sortby-injection", "/wfs", p(GF, SORTBY="nom; DROP TABLE communes"), {400}, "InvalidParameterValue"),
    ("wfs-sortby-subquery", "/wfs", p(GF, SORTBY="(SELECT 1) ASC"), {400}, "InvalidParameterValue"),
    ("wfs-sortby-bad-direction", "/wfs", p(GF, SORTBY="nom SIDEWAYS"), {400}, "InvalidParameterValue"),
    ("wfs-filter-malformed", "/wfs", p(GF, FILTER="<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:And>"), {400}, None),
    ("wfs-filter-unknown-property", "/wfs", p(GF, FILTER="<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo><fes:ValueReference>pg_sleep(10)</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"), {400}, "InvalidParameterValue"),
    ("wfs-filter-xxe", "/wfs", p(GF, FILTER=XXE), {200, 400}, None),
    ("wfs-filter-deep", "/wfs", p(GF, FILTER=DEEP), {400}, None),
    ("wfs-filter-huge", "/wfs", ("POST", '<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" service="WFS" version="2.0.0"><wfs:Query typeNames="admin:communes"><fes:Filter><fes:Or>' + "<fes:PropertyIsEqualTo><fes:ValueReference>nom</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo>" * 6000 + "</fes:Or></fes:Filter></wfs:Query></wfs:GetFeature>"), {400}, None),
    ("wfs-cql-malformed", "/wfs", p(GF, CQL_FILTER="nom = = 'x'"), {400}, "InvalidParameterValue"),
    ("wfs-cql-unknown-property", "/wfs", p(GF, CQL_FILTER="secret = 1"), {400}, "InvalidParameterValue"),
    ("wfs-cql-function-injection", "/wfs", p(GF, CQL_FILTER="pg_sleep(5) = 1"), {400}, "InvalidParameterValue"),
    ("wfs-resourceid-injection", "/wfs", p(GF, TYPENAMES=None, RESOURCEID="communes.1' OR '1'='1"), {200, 400, 404}, None),
    ("wfs-count-negative", "/wfs", p(GF, COUNT="-1"), {400}, "InvalidParameterValue"),
    ("wfs-count-not-a-number", "/wfs", p(GF, COUNT="ten"), {400}, "InvalidParameterValue"),
    ("wfs-startindex-bad", "/wfs", p(GF, STARTINDEX="1e9999"), {400}, "InvalidParameterValue"),
    ("wfs-bbox-nan", "/wfs", p(GF, BBOX="NaN,45,5,46"), {400}, "InvalidParameterValue"),
    ("wfs-bbox-infinite", "/wfs", p(GF, BBOX="4,45,inf,46"), {400}, "InvalidParameterValue"),
    ("wfs-bbox-inverted", "/wfs", p(GF, BBOX="46,5,45,4"), {400}, "InvalidParameterValue"),
    ("wfs-bbox-three-numbers", "/wfs", p(GF, BBOX="1,2,3"), {400}, "InvalidParameterValue"),
    ("wfs-srsname-unknown", "/wfs", p(GF, SRSNAME="EPSG:999999"), {400}, "InvalidParameterValue"),
    ("wfs-srsname-garbage", "/wfs", p(GF, SRSNAME="'; DROP TABLE x; --"), {400}, "InvalidParameterValue"),
    ("wfs-outputformat-unknown", "/wfs", p(GF, OUTPUTFORMAT="application/x-evil"), {400}, "InvalidParameterValue"),
    ("wfs-resulttype-unknown", "/wfs", p(GF, RESULTTYPE="everything"), {400}, "InvalidParameterValue"),
    ("wfs-missing-request", "/wfs", dict(WFS), {400}, "MissingParameterValue"),
    ("wfs-unknown-request", "/wfs", p(WFS, REQUEST="DropDatabase"), {400, 501}, "OperationNotSupported"),
    ("wfs-wrong-service", "/wfs", p(GF, SERVICE="WMS"), {400}, "InvalidParameterValue"),
    ("wfs-accept-versions-none", "/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities", "ACCEPTVERSIONS": "9.9.9"}, {400}, "VersionNegotiationFailed"),
    ("wfs-describe-unknown", "/wfs", p(WFS, REQUEST="DescribeFeatureType", TYPENAMES="admin:nope"), {400}, "InvalidParameterValue"),
    ("wfs-invalid-utf8", "/wfs", "SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=admin%3Acommunes&CQL_FILTER=nom%3D%27%C3%28%27", {400}, "InvalidParameterValue"),
    ("wfs-bad-percent-escape", "/wfs", "SERVICE=WFS&REQUEST=GetCapabilities&X=%G1", {400}, "InvalidParameterValue"),
    # A request line longer than the HTTP layer accepts is refused there, before any parsing ("-": any body).
    ("http-url-too-long", "/wfs", "SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=admin%3Acommunes&PROPERTYNAME=" + "nom," * 120000, {400, 414, 431}, "-"),
    # --- WFS POST bodies
    ("wfs-post-billion-laughs", "/wfs", ("POST", LAUGHS), {400}, None),
    ("wfs-post-xxe", "/wfs", ("POST", '<?xml version="1.0"?><!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]><wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" version="2.0.0"><wfs:Query typeNames="&x;"/></wfs:GetFeature>'), {400}, None),
    ("wfs-post-not-xml", "/wfs", ("POST", "this is not xml <<<"), {400}, None),
    ("wfs-post-unknown-root", "/wfs", ("POST", '<Evil xmlns="urn:x"/>'), {400, 501}, None),
    ("wfs-post-huge", "/wfs", ("POST", "<a>" + "x" * (3 * 1024 * 1024) + "</a>"), {413}, None),
    # --- WMS
    ("wms-width-huge", "/wms-v", p(WMS13, WIDTH="100000"), {400}, "InvalidParameterValue"),
    ("wms-height-zero", "/wms-v", p(WMS13, HEIGHT="0"), {400}, "InvalidParameterValue"),
    ("wms-width-negative", "/wms-v", p(WMS13, WIDTH="-256"), {400}, "InvalidParameterValue"),
    ("wms-width-text", "/wms-v", p(WMS13, WIDTH="wide"), {400}, "InvalidParameterValue"),
    ("wms-bbox-nan", "/wms-v", p(WMS13, BBOX="nan,nan,nan,nan"), {400}, "InvalidParameterValue"),
    ("wms-bbox-empty", "/wms-v", p(WMS13, BBOX="500000,5700000,500000,5800000"), {400}, "InvalidParameterValue"),
    ("wms-bbox-inverted", "/wms-v", p(WMS13, BBOX="600000,5800000,500000,5700000"), {400}, "InvalidParameterValue"),
    ("wms-crs-unknown-130", "/wms-v", p(WMS13, CRS="EPSG:999999"), {400}, "InvalidCRS"),
    ("wms-srs-unknown-111", "/wms-v", p(WMS11, SRS="EPSG:999999"), {400}, "InvalidSRS"),
    ("wms-layer-unknown", "/wms-v", p(WMS13, LAYERS="nope"), {400}, "LayerNotDefined"),
    ("wms-layer-injection", "/wms-v", p(WMS13, LAYERS="x';DROP TABLE communes;--"), {400}, "LayerNotDefined"),
    ("wms-style-unknown", "/wms-v", p(WMS13, STYLES="nope"), {400}, "StyleNotDefined"),
    ("wms-format-unknown", "/wms-v", p(WMS13, FORMAT="image/gif"), {400}, "InvalidFormat"),
    ("wms-missing-bbox", "/wms-v", p(WMS13, BBOX=None), {400}, "MissingParameterValue"),
    ("wms-sld-body-xxe", "/wms-v", p(WMS13, SLD_BODY=SLD_XXE), {400}, None),
    ("wms-sld-remote", "/wms-v", p(WMS13, SLD="http://127.0.0.1:1/evil.sld"), {400}, None),
    ("wms-gfi-bad-point", "/wms-v", p(WMS13, REQUEST="GetFeatureInfo", QUERY_LAYERS="france", I="-1", J="10", INFO_FORMAT="text/plain"), {400}, "InvalidPoint"),
    ("wms-gfi-point-outside", "/wms-v", p(WMS13, REQUEST="GetFeatureInfo", QUERY_LAYERS="france", I="64", J="10", INFO_FORMAT="text/plain"), {400}, "InvalidPoint"),
    # --- tiles
    ("tms-dotdot", "/tms/1.0.0/../../../../etc/passwd", None, {400, 404}, None),
    ("tms-encoded-dotdot", "/tms/1.0.0/%2e%2e/%2e%2e/etc/passwd", None, {400, 404}, None),
    ("tms-encoded-slash", "/tms/1.0.0/rhone_admin/..%2f..%2f..%2fetc%2fpasswd/1/1.pbf", None, {400, 404}, None),
    ("tms-zoom-huge", "/tms/1.0.0/rhone_admin/99/0/0.pbf", None, {400, 404}, None),
    ("tms-not-numbers", "/tms/1.0.0/rhone_admin/a/b/c.pbf", None, {400, 404}, None),
    ("wmts-row-out-of-range", "/wmts", p(WMTS, TILEROW="99999"), {400}, "TileOutOfRange"),
    ("wmts-col-negative", "/wmts", p(WMTS, TILECOL="-1"), {400}, None),
    ("wmts-col-text", "/wmts", p(WMTS, TILECOL="abc"), {400}, "InvalidParameterValue"),
    ("wmts-matrix-unknown", "/wmts", p(WMTS, TILEMATRIX="99"), {400}, None),
    ("wmts-missing-row", "/wmts", p(WMTS, TILEROW=None), {400}, "MissingParameterValue"),
    ("wmts-layer-unknown", "/wmts", p(WMTS, LAYER="nope"), {400}, "InvalidParameterValue"),
    ("wmts-format-wrong", "/wmts", p(WMTS, FORMAT="image/png"), {400}, "InvalidParameterValue"),
    ("wmts-rest-dotdot", "/wmts/1.0.0/../../etc/passwd", None, {400, 404}, None),
    # --- access control
    ("private-no-key", "/private/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}, {401}, None),
    ("private-bad-key", "/private/wfs", {"SERVICE": "WFS", "REQUEST": "GetCapabilities", "apikey": "' OR 1=1 --"}, {403}, None),
    ("private-describe-no-key", "/private/wfs", p(WFS, REQUEST="DescribeFeatureType", TYPENAMES="restricted:communes"), {401}, None),
    ("restricted-on-open-endpoint", "/wfs", p(GF, TYPENAMES="restricted:communes"), {400}, "InvalidParameterValue"),
    ("private-wmts-no-key", "/private/wmts", {"SERVICE": "WMTS", "REQUEST": "GetCapabilities"}, {401}, None),
]


def fix_layers(params):
    if isinstance(params, dict):
        params = dict(params)
        if params.get("LAYERS") == "france":
            params["LAYERS"] = wms_layer()
        if params.get("QUERY_LAYERS") == "france":
            params["QUERY_LAYERS"] = params["LAYERS"]
        if params.get("LAYER") == "france_relief":
            params["LAYER"] = wmts_layer()
    return params


def post_huge(path, body, content_type):
    """POSTs a body the server refuses before reading it all, as curl does: the answer is read even when the
    server closed before the upload ended. A close without an answer (the kernel may reset the connection and
    drop the 413 with it) counts as refused too: status 0."""
    u = urllib.parse.urlparse(BASE + path)
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    data = b""
    try:
        s.sendall(f"POST {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: {content_type}\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode())
        for i in range(0, len(body), 1 << 16):
            s.sendall(body[i:i + (1 << 16)])
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        while chunk := s.recv(1 << 16):
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    if not data:
        return Reply(0, {}, b"")
    class Received:
        def makefile(self, *args, **kwargs):
            return io.BytesIO(data)
    r = HTTPResponse(Received())
    r.begin()
    return Reply(r.status, r.headers, r.read())


def normal_request_ok():
    r = http("/wfs", {"SERVICE": "WFS", "REQUEST": "GetFeature", "VERSION": "2.0.0", "TYPENAMES": "admin:departements",
                      "COUNT": "1", "OUTPUTFORMAT": "application/json"})
    return r.status == 200 and len(r.json()["features"]) == 1


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_request(case):
    name, path, params, statuses, code = case
    params = fix_layers(params)
    start = time.monotonic()
    if isinstance(params, tuple) and len(params[1]) > 1 << 20:
        r = post_huge(path, params[1].encode(), "application/xml")
        statuses = statuses | {0}
    elif isinstance(params, tuple):
        r = http(path, method="POST", data=params[1].encode(), headers={"Content-Type": "application/xml"})
    elif isinstance(params, str):
        r = http(path + "?" + params)
    else:
        r = http(path, params)
    elapsed = time.monotonic() - start
    assert r.status in statuses, f"{name}: status {r.status}: {r.body[:500]!r}"
    assert elapsed < 10, f"{name} took {elapsed:.1f}s"
    body = r.body[:200000]
    assert b"root:x:0:0" not in body, "file content leaked"
    if r.status >= 400 and code != "-":
        assert b"Exception" in body, f"{name}: not an OGC exception: {body[:300]!r}"
        if code:
            assert code.encode() in body, f"{name}: expected {code}: {body[:500]!r}"
    assert b"DROP TABLE" not in body or b"Exception" in body
    assert normal_request_ok(), f"the server stopped serving after {name}"


def test_injected_value_stays_a_value():
    r = http("/wfs", p(GF, CQL_FILTER="nom = 'x''; DROP TABLE communes; --'", OUTPUTFORMAT="application/json"))
    assert r.status == 200 and r.json()["features"] == []
    flt = ("<fes:Filter xmlns:fes='http://www.opengis.net/fes/2.0'><fes:PropertyIsEqualTo><fes:ValueReference>nom"
           "</fes:ValueReference><fes:Literal>x' OR '1'='1</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>")
    r = http("/wfs", p(GF, FILTER=flt, OUTPUTFORMAT="application/json"))
    assert r.status == 200 and r.json()["features"] == []
    assert normal_request_ok()
    r = http("/wfs", p(GF, OUTPUTFORMAT="application/json", COUNT="1"))
    assert r.json()["numberMatched"] == 402, "the table is intact"


def test_inimage_exceptions_are_images():
    r = http("/wms-v", p(fix_layers(WMS13), LAYERS="nope", EXCEPTIONS="INIMAGE"))
    assert r.status == 200 and r.body[:4] == b"\x89PNG"
    r = http("/wms-v", p(fix_layers(WMS11), LAYERS="nope", EXCEPTIONS="application/vnd.ogc.se_blank"))
    assert r.status == 200 and r.body[:4] == b"\x89PNG"


def test_catalogue_is_large_enough():
    assert len(CASES) >= 50
