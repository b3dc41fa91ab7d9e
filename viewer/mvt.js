// Mapbox Vector Tiles (MVT 2.1) for Leaflet: a minimal protobuf reader and a canvas GridLayer that draws each tile's
// features with a default style per geometry type (polygons filled, lines stroked, points as circles), one colour
// per source layer. Enough to see a TMS of vector tiles in the "Visualiser"; QGIS or MapLibre draw them styled.
(function () {
  "use strict";

  function Reader(bytes) { this.b = bytes; this.pos = 0; }
  Reader.prototype.varint = function () {
    var result = 0, mul = 1, byte;
    do {
      byte = this.b[this.pos++];
      result += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    return result;
  };
  Reader.prototype.zigzag = function () { var v = this.varint(); return v % 2 === 1 ? -(v + 1) / 2 : v / 2; };
  Reader.prototype.bytes = function () { var n = this.varint(), s = this.b.subarray(this.pos, this.pos + n); this.pos += n; return s; };
  Reader.prototype.string = function () { return new TextDecoder().decode(this.bytes()); };
  Reader.prototype.skip = function (wire) {
    if (wire === 0) { this.varint(); } else if (wire === 1) { this.pos += 8; } else if (wire === 2) { this.pos += this.varint(); } else if (wire === 5) { this.pos += 4; }
  };
  Reader.prototype.packed = function () {
    var end = this.varint() + this.pos, out = [];
    while (this.pos < end) { out.push(this.varint()); }
    return out;
  };
  Reader.prototype.fields = function (end, onField) {
    while (this.pos < end) {
      var key = this.varint(), tag = Math.floor(key / 8), wire = key & 7;
      if (!onField(tag, wire)) { this.skip(wire); }
    }
  };

  function value(r) {
    var end = r.varint() + r.pos, v = null;
    r.fields(end, function (tag, wire) {
      var view;
      if (tag === 1) { v = r.string(); } else if (tag === 2) {
        view = new DataView(r.b.buffer, r.b.byteOffset + r.pos, 4); v = view.getFloat32(0, true); r.pos += 4;
      } else if (tag === 3) {
        view = new DataView(r.b.buffer, r.b.byteOffset + r.pos, 8); v = view.getFloat64(0, true); r.pos += 8;
      } else if (tag === 4 || tag === 5) { v = r.varint(); } else if (tag === 6) { v = r.zigzag(); } else if (tag === 7) { v = r.varint() === 1; } else { return false; }
      return true;
    });
    return v;
  }

  function feature(r) {
    var end = r.varint() + r.pos, f = { type: 0, tags: [], geometry: [] };
    r.fields(end, function (tag, wire) {
      if (tag === 2 && wire === 2) { f.tags = r.packed(); } else if (tag === 3) { f.type = r.varint(); } else if (tag === 4 && wire === 2) { f.geometry = r.packed(); } else { return false; }
      return true;
    });
    return f;
  }

  function layer(r) {
    var end = r.varint() + r.pos, l = { name: "", extent: 4096, keys: [], values: [], features: [] };
    r.fields(end, function (tag) {
      if (tag === 1) { l.name = r.string(); } else if (tag === 2) { l.features.push(feature(r)); } else if (tag === 3) { l.keys.push(r.string()); } else if (tag === 4) { l.values.push(value(r)); } else if (tag === 5) { l.extent = r.varint(); } else { return false; }
      return true;
    });
    return l;
  }

  /// The layers of a tile: [{name, extent, keys, values, features: [{type, tags, geometry}]}].
  function decode(bytes) {
    var r = new Reader(bytes), layers = [];
    r.fields(bytes.length, function (tag) {
      if (tag === 3) { layers.push(layer(r)); return true; }
      return false;
    });
    return layers;
  }

  /// Geometry commands as rings or lines of [x, y] in tile units.
  function parts(commands) {
    var out = [], current = null, x = 0, y = 0, i = 0;
    while (i < commands.length) {
      var cmd = commands[i++], id = cmd & 7, count = cmd >> 3;
      if (id === 1 || id === 2) {
        for (var k = 0; k < count; k++) {
          var dx = commands[i++], dy = commands[i++];
          x += dx % 2 === 1 ? -(dx + 1) / 2 : dx / 2;
          y += dy % 2 === 1 ? -(dy + 1) / 2 : dy / 2;
          if (id === 1) { current = [[x, y]]; out.push(current); } else { current.push([x, y]); }
        }
      } else if (id === 7 && current) { current.closed = true; }
    }
    return out;
  }

  var COLOURS = ["#d7301f", "#2b8cbe", "#31a354", "#756bb1", "#e6550d", "#636363"];

  function draw(canvas, layers, size) {
    var ctx = canvas.getContext("2d");
    layers.forEach(function (l, li) {
      var colour = COLOURS[li % COLOURS.length], k = size / l.extent;
      ctx.strokeStyle = colour; ctx.fillStyle = colour; ctx.lineWidth = 1;
      l.features.forEach(function (f) {
        var ps = parts(f.geometry);
        if (f.type === 1) {
          ps.forEach(function (p) { p.forEach(function (pt) { ctx.beginPath(); ctx.arc(pt[0] * k, pt[1] * k, 3, 0, 2 * Math.PI); ctx.fill(); }); });
          return;
        }
        ctx.beginPath();
        ps.forEach(function (p) {
          p.forEach(function (pt, j) { if (j === 0) { ctx.moveTo(pt[0] * k, pt[1] * k); } else { ctx.lineTo(pt[0] * k, pt[1] * k); } });
          if (f.type === 3) { ctx.closePath(); }
        });
        if (f.type === 3) { ctx.globalAlpha = 0.15; ctx.fill("evenodd"); ctx.globalAlpha = 1; }
        ctx.stroke();
      });
    });
  }

  L.MVTLayer = L.GridLayer.extend({
    initialize: function (url, options) { this._url = url; L.setOptions(this, options); },
    createTile: function (coords, done) {
      var tile = document.createElement("canvas"), size = this.getTileSize();
      tile.width = size.x; tile.height = size.y;
      var url = L.Util.template(this._url, { z: coords.z, x: coords.x, y: coords.y });
      fetch(url).then(function (r) {
        if (r.status === 204 || r.status === 404) { return null; }   // no data in this tile
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.arrayBuffer();
      }).then(function (buf) {
        if (buf) { draw(tile, decode(new Uint8Array(buf)), size.x); }
        done(null, tile);
      }).catch(function (e) { done(e, tile); });
      return tile;
    }
  });
  L.mvtLayer = function (url, options) { return new L.MVTLayer(url, options); };
  L.MVTLayer.decode = decode;
})();
