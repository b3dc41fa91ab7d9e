// The "Visualiser" map of one offering (/viewer?offering=ID), drawn with Leaflet from what the page's JSON says:
// WMS layers as WMS images with GetFeatureInfo on click, PM tile pyramids as tiles (vector tiles through mvt.js),
// WFS feature types as GeoJSON
// of the current view with a count. Served by Passerelle itself; nothing is fetched from elsewhere.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("offering").textContent);
  var info = document.getElementById("info"), coords = document.getElementById("coords"), count = document.getElementById("count");
  var query = function (o) {
    if (cfg.apikey) { o.apikey = cfg.apikey; }
    return Object.keys(o).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(o[k]); }).join("&");
  };
  var showProperties = function (props) {
    info.textContent = "";
    var table = document.createElement("table");
    Object.keys(props || {}).forEach(function (k) {
      var tr = table.insertRow(), th = document.createElement("th");
      th.textContent = k; tr.appendChild(th); tr.insertCell().textContent = String(props[k]);
    });
    info.appendChild(table);
  };

  var map = L.map("map");
  window.passerelleMap = map;   // for the browser's console (and the tests)
  var b = cfg.bbox || [-5.2, 41.3, 9.6, 51.1];
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.on("mousemove", function (e) { coords.textContent = e.latlng.lng.toFixed(5) + ", " + e.latlng.lat.toFixed(5); });

  if (cfg.kind === "wms") {
    var wmsParams = { layers: cfg.layers.join(","), styles: "", format: "image/png", transparent: true, version: "1.3.0" };
    if (cfg.apikey) { wmsParams.apikey = cfg.apikey; }
    L.tileLayer.wms(cfg.url, wmsParams).addTo(map);
    if (cfg.legend) {
      var img = document.createElement("img");
      img.alt = "Legend"; img.src = cfg.legend + "&" + query({});
      document.getElementById("legend").appendChild(img);
    }
    map.on("click", function (e) {
      var size = map.getSize(), bounds = map.getBounds();
      var sw = map.options.crs.project(bounds.getSouthWest()), ne = map.options.crs.project(bounds.getNorthEast());
      var url = cfg.url + "?" + query({
        SERVICE: "WMS", VERSION: "1.3.0", REQUEST: "GetFeatureInfo", LAYERS: cfg.layers.join(","),
        QUERY_LAYERS: cfg.layers.join(","), STYLES: "", CRS: "EPSG:3857", BBOX: [sw.x, sw.y, ne.x, ne.y].join(","),
        WIDTH: size.x, HEIGHT: size.y, I: Math.round(e.containerPoint.x), J: Math.round(e.containerPoint.y),
        INFO_FORMAT: "application/json", FEATURE_COUNT: 5
      });
      fetch(url).then(function (r) { return r.json(); }).then(function (j) {
        var f = (j.features || [])[0];
        if (f) { showProperties(f.properties); } else { info.textContent = "Nothing here."; }
      }).catch(function () { info.textContent = "No information here."; });
    });
  } else if (cfg.kind === "tiles") {
    L.tileLayer(cfg.tiles + (cfg.apikey ? "?" + query({}) : ""), { minZoom: cfg.minZoom, maxZoom: 20, maxNativeZoom: cfg.maxZoom }).addTo(map);
  } else if (cfg.kind === "vectortiles") {
    L.mvtLayer(cfg.tiles + (cfg.apikey ? "?" + query({}) : ""), { minZoom: cfg.minZoom, maxZoom: 20, maxNativeZoom: cfg.maxZoom }).addTo(map);
    if (map.getZoom() < cfg.minZoom) { map.setZoom(cfg.minZoom); }
  } else if (cfg.kind === "wfs") {
    var select = document.getElementById("typename");
    var features = L.geoJSON(null, {
      style: { color: "#d7301f", weight: 1.5, fillOpacity: 0.15 },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 5, color: "#d7301f" }); },
      onEachFeature: function (f, layer) { layer.on("click", function () { showProperties(f.properties); }); }
    }).addTo(map);
    var load = function () {
      var bb = map.getBounds();
      var url = cfg.url + "?" + query({
        SERVICE: "WFS", VERSION: "2.0.0", REQUEST: "GetFeature", TYPENAMES: select.value, OUTPUTFORMAT: "application/json",
        COUNT: cfg.maxFeatures, BBOX: [bb.getSouth(), bb.getWest(), bb.getNorth(), bb.getEast()].join(",") + ",urn:ogc:def:crs:EPSG::4326"
      });
      fetch(url).then(function (r) { return r.json(); }).then(function (j) {
        features.clearLayers();
        features.addData(j);
        var shown = (j.features || []).length, matched = j.numberMatched;
        count.textContent = shown + " features shown" + (matched > shown ? " of " + matched + ": zoom in to see them all" : "");
        count.className = matched > shown ? "warning" : "";
      });
    };
    select.addEventListener("change", load);
    map.on("moveend", load);
    load();
  } else {
    info.textContent = cfg.message || "This layer cannot be drawn here.";
  }
})();
