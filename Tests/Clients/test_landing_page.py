"""`/`: the HTML page of what the server publishes, for a person in a browser (no script needed)."""
from html.parser import HTMLParser
import urllib.parse

from conftest import BASE, DEMO_KEY, http


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_data(self, data):
        self.text.append(data)


def page(params=None, headers=None):
    r = http("/", params, headers=headers)
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    p = Links()
    p.feed(r.text)
    return r, p, " ".join(p.text)


def test_lists_every_open_offering_with_working_links():
    r, p, text = page()
    for title in ("Limites administratives (WFS)", "France administrative", "France - relief et départements"):
        assert title in text
    for name in ("admin:communes", "france_admin", "france_relief", "rhone_admin"):
        assert name in text
    assert "Server status" in text and "generation" in text
    external = [u for u in p.links if u.startswith("http")]
    assert len(external) >= 8
    for u in external:
        a = http(u[len(BASE):])
        assert a.status == 200, u
    maps = [u for u in external if "REQUEST=GetMap" in u]
    assert maps and all(http(u[len(BASE):]).headers["Content-Type"] == "image/png" for u in maps)


def test_restricted_offerings_show_only_with_the_key():
    _, _, text = page()
    assert "restricted:communes" not in text
    r, p, text = page({"apikey": DEMO_KEY})
    assert "restricted:communes" in text
    assert "no-store" in r.headers["Cache-Control"]
    private = [u for u in p.links if "/private/" in u]
    assert private and all("apikey=" + DEMO_KEY in u for u in private)
    assert all(http(u[len(BASE):]).status == 200 for u in private)
    _, _, wrong = page({"apikey": "not-the-key"})
    assert "restricted:communes" not in wrong
    _, _, header = page(headers={"X-Api-Key": DEMO_KEY})
    assert "restricted:communes" in header


def test_head_answers_without_a_body():
    r = http("/", method="HEAD")
    assert r.status == 200 and r.body == b""
