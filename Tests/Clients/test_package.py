"""The Debian package (scripts/package-deb.sh): its contents, its unit, and the packaged binary, with the Swift
runtime it carries, serving the packaged demo configuration from a throwaway root."""
import os
import subprocess
import urllib.request

from conftest import own_server

REPO = os.path.join(os.path.dirname(__file__), "..", "..")
BIN = os.environ.get("PASSERELLE_BIN", os.path.join(REPO, ".build", "debug", "passerelle"))


def test_the_package_installs_the_server_its_unit_and_the_demo_and_serves_it(tmp_path):
    r = subprocess.run([os.path.join(REPO, "scripts", "package-deb.sh"), "--binary", BIN, "--out", str(tmp_path), "--fast"],
                       capture_output=True, text=True, timeout=300, cwd=REPO)
    assert r.returncode == 0, r.stderr[-2000:]
    deb = r.stdout.strip().splitlines()[-1]
    info = subprocess.run(["dpkg-deb", "--info", deb], capture_output=True, text=True).stdout
    for dep in ("libgdal32", "libcairo2", "libgeos-c1v5", "libproj25", "libxml2"):
        assert dep in info, info
    contents = subprocess.run(["dpkg-deb", "--contents", deb], capture_output=True, text=True).stdout
    for path in ("./usr/bin/passerelle", "./usr/lib/passerelle/passerelle", "./usr/lib/passerelle/lib/libswiftCore.so",
                 "./lib/systemd/system/passerelle.service", "./etc/passerelle/config/server.json", "./var/lib/passerelle/"):
        assert path in contents, path
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", deb, str(root)], check=True)
    subprocess.run(["dpkg-deb", "-e", deb, str(root / "DEBIAN")], check=True)
    unit = (root / "lib/systemd/system/passerelle.service").read_text()
    for line in ("ExecStart=/usr/bin/passerelle serve --config /etc/passerelle/config", "ExecReload=/bin/kill -HUP $MAINPID",
                 "DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=passerelle"):
        assert line in unit, line
    assert "/etc/passerelle/config/server.json" in (root / "DEBIAN/conffiles").read_text()
    # The packaged binary with the packaged runtime (first on the library path), as /usr/bin/passerelle runs it.
    env = {"LD_LIBRARY_PATH": str(root / "usr/lib/passerelle/lib")}
    with own_server(root / "etc/passerelle/config", tmp_path / "server.log", env=env,
                    binary=str(root / "usr/lib/passerelle/passerelle")) as (port, server):
        maps = open(f"/proc/{server.pid}/maps").read()
        assert str(root / "usr/lib/passerelle/lib/libswiftCore.so") in maps, "the packaged Swift runtime is the one loaded"
        for path in ("/health", "/wms-v?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0",
                     "/wms-v?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=france_admin&STYLES=&CRS=EPSG:3857"
                     "&BBOX=500000,5650000,600000,5800000&WIDTH=256&HEIGHT=256&FORMAT=image/png",
                     "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=admin:regions&COUNT=1",
                     "/tms/1.0.0/france_relief/3/3/5.jpg"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as a:
                assert a.status == 200, path
