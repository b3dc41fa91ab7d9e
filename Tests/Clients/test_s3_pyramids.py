"""ROK4 pyramids in S3 object storage, against a real Ceph radosgw (scripts/ceph-test-cluster.sh, whose ROK4_S3_*
variables scripts/test.sh exports): the three fixture pyramids uploaded with ROK4's own tool (pyr2pyr, PyPI
rok4-tools 1.5.2), published from stored data in seed 002's shape (`"storage": {"type": "S3", "labels": []}` plus the
descriptor's `s3://` path), and served by a server of the test's own next to the same pyramids on disk:
every tile byte-identical to disk and to the oracle manifest, SYMLINK# slabs (made by rok4.storage.link) followed,
missing slabs answered as on disk, wrong credentials and a stopped radosgw answered with OGC exceptions that
name no bucket, key or endpoint, and serving again once radosgw is back."""
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import own_server

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MANIFEST = os.path.join(REPO, "Tests", "TileStoreTests", "Fixtures", "rok4", "MANIFEST.json")
CEPH = os.path.join(REPO, "scripts", "ceph-test-cluster.sh")
S3_URL = os.environ.get("ROK4_S3_URL", "")

pytestmark = pytest.mark.skipif(not S3_URL, reason="needs radosgw: eval $(scripts/ceph-test-cluster.sh start)")

# Pyramid → (layer on disk in the demo config, its stored data, TMS extension).
PYRAMIDS = {
    "FRANCE_RELIEF_JPG": ("france_relief", "france-relief", "jpeg"),
    "RHONE_RGBA_PNG": ("rhone_rgba", "rhone-rgba", "png"),
    "RHONE_ADMIN_MVT": ("rhone_admin", "rhone-admin-mvt", "pbf"),
}
# The slab of FRANCE_RELIEF_JPG level 10 left out of the linked copy.
UNLINKED = "DATA_10_262_181"
# boto3 ≥ 1.36 sends CRC checksums in aws-chunked uploads, which radosgw 16 (Debian 12) refuses.
# ROK4's Python library finds tile matrix sets through ROK4_TMS_DIRECTORY.
TOOL_ENV = {"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
            "ROK4_TMS_DIRECTORY": os.path.join(REPO, "config", "tilematrixsets")}


def rok4_python():
    r = subprocess.run([os.path.join(REPO, "scripts", "rok4-venv.sh")], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip().splitlines()[-1]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ, **TOOL_ENV), **kw)
    assert r.returncode == 0, f"{cmd}: {r.stdout[-1500:]} {r.stderr[-3000:]}"
    return r.stdout


def get(port, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def positions(descriptor):
    """Every tile of the levels' limits and a ring of one tile around them: (level, col, row)."""
    for lv in descriptor["levels"]:
        lim = lv["tile_limits"]
        for row in range(lim["min_row"] - 1, lim["max_row"] + 2):
            for col in range(lim["min_col"] - 1, lim["max_col"] + 2):
                if col >= 0 and row >= 0:
                    yield lv["id"], col, row


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    py = rok4_python()
    tools = os.path.dirname(py)
    s3tool = [py, os.path.join(REPO, "Tests", "Clients", "s3_tool.py")]
    work = tmp_path_factory.mktemp("s3")
    bucket = "pyramids-" + secrets.token_hex(4)
    run(s3tool + ["mkbucket", bucket])

    # 1. The reference upload: pyr2pyr (master, one agent, finisher) from the fixture pyramids on disk. The
    #    pyramids' lists name their slabs relative to the pyramids' folder, so it runs there.
    pyramids = work / "pyramids"
    shutil.copytree(os.path.join(REPO, "config", "pyramids"), pyramids)
    for name in PYRAMIDS:
        conf = work / f"pyr2pyr-{name}.json"
        todo = work / f"todo-{name}"
        todo.mkdir()
        conf.write_text(json.dumps({
            "from": {"descriptor": f"file://{pyramids}/{name}.json"},
            "to": {"name": name, "storage": {"type": "S3", "root": bucket}},
            "process": {"directory": f"file://{todo}", "parallelization": 1},
        }))
        for role in (["--role", "master"], ["--role", "agent", "--split", "1"], ["--role", "finisher"]):
            run([os.path.join(tools, "pyr2pyr"), *role, "--conf", f"file://{conf}"], cwd=pyramids)

    # 2. A pyramid whose slabs are links to FRANCE_RELIEF_JPG's (rok4.storage.link), but one.
    linked = int(run(s3tool + ["link-pyramid", bucket, "FRANCE_RELIEF_JPG", "LINKED", UNLINKED]).strip())

    # 3. A pyramid whose descriptor is on the first cluster but whose slabs are on a second one, the same radosgw
    #    named by another host with a wrong secret: tiles fail on 403.
    host = S3_URL.split(",")[0].split("://", 1)[1]
    port = host.rsplit(":", 1)[1]
    bad_host = f"localhost:{port}"
    desc = json.loads(run(s3tool + ["get", f"s3://{bucket}/FRANCE_RELIEF_JPG.json"]))
    for lv in desc["levels"]:
        lv["storage"]["bucket_name"] = f"{bucket}@{bad_host}"
    (work / "BADCREDS.json").write_text(json.dumps(desc))
    run(s3tool + ["put-descriptor", bucket, "BADCREDS", str(work / "BADCREDS.json")])

    # 4. A config: the demo one (the pyramids on disk) plus stored data, configurations and offerings on S3.
    config = work / "config"
    shutil.copytree(os.path.join(REPO, "config"), config)
    layers = {}

    def publish(layer, stored_id, from_stored, path, from_config):
        with open(config / "stored_data" / f"{from_stored}.json") as f:
            sd = json.load(f)
        sd["name"] = f"{sd['name']} (S3)"
        sd["storage"] = {"type": "S3", "labels": [], "path": path}
        (config / "stored_data" / f"{stored_id}.json").write_text(json.dumps(sd))
        with open(config / "configurations" / f"{from_config}.json") as f:
            c = json.load(f)
        c["layer_name"] = layer
        for u in c["type_infos"]["used_data"]:
            u["stored_data"] = stored_id
        (config / "configurations" / f"{stored_id}.json").write_text(json.dumps(c))
        (config / "offerings" / f"{stored_id}.json").write_text(
            json.dumps({"configuration": stored_id, "endpoint": "wmts", "open": True}))

    for name, (layer, stored, ext) in PYRAMIDS.items():
        conf_id = {"france-relief": "france-relief-wmts", "rhone-rgba": "rhone-rgba-wmts", "rhone-admin-mvt": "rhone-admin-tms"}[stored]
        publish("s3_" + layer, "s3-" + stored, stored, f"s3://{bucket}/{name}.json", conf_id)
        layers[name] = ("s3_" + layer, layer, ext)
    publish("s3_linked", "s3-linked", "france-relief", f"s3://{bucket}/LINKED.json", "france-relief-wmts")
    publish("s3_badcreds", "s3-badcreds", "france-relief", f"s3://{bucket}/BADCREDS.json", "france-relief-wmts")
    publish("s3_unreadable", "s3-unreadable", "france-relief", f"s3://{bucket}@{bad_host}/FRANCE_RELIEF_JPG.json", "france-relief-wmts")

    key, secret = os.environ["ROK4_S3_KEY"].split(",")[0], os.environ["ROK4_S3_SECRETKEY"].split(",")[0]
    env = {"ROK4_S3_URL": f"http://{host},http://{bad_host}", "ROK4_S3_KEY": f"{key},{key}",
           "ROK4_S3_SECRETKEY": f"{secret},wrong-{secret[:8]}"}
    log = work / "server.log"
    with own_server(config, log, env=env) as (port, server):
        # The S3 layers are validated against the store at start-up: wait for them.
        for _ in range(100):
            if get(port, "/tms/1.0.0/s3_france_relief")[0] == 200:
                break
            time.sleep(0.1)
        yield {"port": port, "bucket": bucket, "layers": layers, "linked": linked, "key": key, "secret": secret,
               "host": host, "bad_host": bad_host, "log": log, "pyramids": pyramids, "server": server}


def descriptor(name):
    with open(os.path.join(REPO, "config", "pyramids", f"{name}.json")) as f:
        return json.load(f)


def manifest(name):
    with open(MANIFEST) as f:
        return next(p for p in json.load(f)["pyramids"] if p["name"] == name)


def test_pyr2pyr_wrote_rok4s_object_layout(s3):
    py = rok4_python()
    s3tool = [py, os.path.join(REPO, "Tests", "Clients", "s3_tool.py")]
    d = json.loads(run(s3tool + ["get", f"s3://{s3['bucket']}/FRANCE_RELIEF_JPG.json"]))
    assert {lv["storage"]["type"] for lv in d["levels"]} == {"S3"}
    assert {lv["storage"]["bucket_name"] for lv in d["levels"]} == {s3["bucket"]}
    assert {lv["storage"]["image_prefix"] for lv in d["levels"]} == {f"FRANCE_RELIEF_JPG/DATA_{lv['id']}" for lv in d["levels"]}
    assert s3["linked"] > 10


@pytest.mark.parametrize("name", list(PYRAMIDS))
def test_every_tile_from_s3_is_byte_identical_to_disk(s3, name):
    port = s3["port"]
    s3_layer, disk_layer, ext = s3["layers"][name]
    oracle = manifest(name)["all_tiles_sha256"]
    tiles = absent = 0
    for lvl, col, row in positions(descriptor(name)):
        a = get(port, f"/tms/1.0.0/{s3_layer}/{lvl}/{col}/{row}.{ext}")
        b = get(port, f"/tms/1.0.0/{disk_layer}/{lvl}/{col}/{row}.{ext}")
        assert a == b, (name, lvl, col, row, a[0], b[0], len(a[1]), len(b[1]))
        key = f"{lvl}/{col}/{row}"
        if key in oracle:
            assert a[0] == 200 and hashlib.sha256(a[1]).hexdigest() == oracle[key], key
            tiles += 1
        else:
            absent += 1
    assert tiles == len(oracle) and absent > 0
    # WMTS KVP too, for one tile per level.
    for key in list(oracle)[:: max(1, len(oracle) // 8)]:
        lvl, col, row = key.split("/")
        fmt = {"jpeg": "image/jpeg", "png": "image/png", "pbf": "application/x-protobuf"}[ext]
        q = f"/wmts?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetTile&LAYER={s3_layer}&STYLE=normal&FORMAT={fmt}" \
            f"&TILEMATRIXSET=PM&TILEMATRIX={lvl}&TILECOL={col}&TILEROW={row}"
        status, body = get(port, q)
        if status == 200:
            assert hashlib.sha256(body).hexdigest() == oracle[key], key


def test_missing_slabs_answer_as_on_disk(s3):
    """The manifest's `slab_absent` positions (inside the limits, no slab) answer the same from S3 as from disk."""
    port = s3["port"]
    seen = 0
    for s in manifest("FRANCE_RELIEF_JPG")["sample"]:
        if s["status"] != "slab_absent":
            continue
        p = f"{s['level']}/{s['col']}/{s['row']}.jpeg"
        assert get(port, f"/tms/1.0.0/s3_france_relief/{p}") == get(port, f"/tms/1.0.0/france_relief/{p}"), p
        seen += 1
    assert seen > 0


def test_symlink_slabs_are_followed(s3):
    port = s3["port"]
    unlinked = same = 0
    for lvl, col, row in positions(descriptor("FRANCE_RELIEF_JPG")):
        a = get(port, f"/tms/1.0.0/s3_linked/{lvl}/{col}/{row}.jpeg")
        b = get(port, f"/tms/1.0.0/france_relief/{lvl}/{col}/{row}.jpeg")
        if lvl == "10" and f"DATA_10_{col // 2}_{row // 2}" == UNLINKED and row >= 363:
            # The slab left out: no data, the same answer as for a slab missing on disk (10/526/363 has none).
            assert a[0] == 200 and a != b
            assert a == get(port, "/tms/1.0.0/france_relief/10/526/363.jpeg")
            unlinked += 1
            continue
        assert a == b, (lvl, col, row)
        same += 1
    assert unlinked == 2 and same > 50


def test_wrong_credentials_give_an_ogc_exception_naming_nothing(s3):
    port = s3["port"]
    secrets_ = [s3["bucket"], s3["key"], s3["secret"], s3["bad_host"], s3["host"], "FRANCE_RELIEF_JPG", "DATA_10", "s3://"]
    status, body = get(port, "/tms/1.0.0/s3_badcreds/10/524/365.jpeg")
    assert status == 500 and b"Exception" in body, body[:300]
    q = "/wmts?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetTile&LAYER=s3_badcreds&STYLE=normal&FORMAT=image/jpeg" \
        "&TILEMATRIXSET=PM&TILEMATRIX=10&TILECOL=524&TILEROW=365"
    status2, body2 = get(port, q)
    assert status2 == 500 and b"ExceptionReport" in body2, body2[:300]
    # A descriptor that cannot be read: the layer is not published (refused at load), and asking for it names
    # nothing either.
    status3, body3 = get(port, "/tms/1.0.0/s3_unreadable/10/524/365.jpeg")
    assert status3 >= 400
    for b in (body, body2, body3):
        for s in secrets_:
            assert s.encode() not in b, (s, b[:400])
    # The server's log says what went wrong, for the operator.
    log = open(s3["log"]).read()
    assert "403" in log and s3["bucket"] in log


def test_serving_resumes_after_radosgw_restarts(s3):
    port = s3["port"]
    tile = "/tms/1.0.0/s3_france_relief/9/262/182.jpeg"
    expected = get(port, "/tms/1.0.0/france_relief/9/262/182.jpeg")
    assert expected[0] == 200
    subprocess.run([CEPH, "rgw-stop"], check=True, timeout=60)
    try:
        time.sleep(1.2)   # past the tile caches' one second
        status, body = get(port, tile)
        assert status == 503 and b"unavailable" in body, (status, body[:300])
        assert s3["bucket"].encode() not in body and s3["host"].encode() not in body
        # Other layers (on disk) are not affected.
        assert get(port, "/tms/1.0.0/france_relief/9/262/182.jpeg") == expected
    finally:
        subprocess.run([CEPH, "rgw-start"], check=True, timeout=120, capture_output=True)
    t0 = time.time()
    while time.time() - t0 < 30:
        if get(port, tile) == expected:
            break
        time.sleep(0.2)
    assert get(port, tile) == expected
    assert s3["server"].poll() is None
