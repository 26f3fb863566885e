/* Shared by map.html and week.html: DOM and number helpers, the line
 * decoder and the map with its two renderers (window.wrCommon). */
(function () {
  'use strict';
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmt(x, d) {
    return Number(x).toLocaleString('en-US', {minimumFractionDigits: d, maximumFractionDigits: d});
  }
  /* [x0, y0, dx1, dy1, ...] in 1e-5 degrees -> [[lat, lon], ...] */
  function decode(q) {
    var out = new Array(q.length / 2), x = 0, y = 0;
    for (var i = 0; i < q.length; i += 2) {
      x += q[i];
      y += q[i + 1];
      out[i / 2] = [y / 1e5, x / 1e5];
    }
    return out;
  }
  /* The Leaflet map in #map with the data's attribution, a canvas renderer
     (many shapes) and an SVG one (shapes that are DOM elements). */
  function newMap(attribution) {
    var map = L.map('map', {preferCanvas: true, zoomSnap: 0.25, maxZoom: 20, fadeAnimation: false});
    map.attributionControl.setPrefix('Leaflet');
    map.attributionControl.addAttribution(attribution);
    return {map: map, canvas: L.canvas({padding: 0.3, tolerance: 4}), svg: L.svg({padding: 0.3})};
  }
  window.wrCommon = {el: el, fmt: fmt, decode: decode, newMap: newMap};
})();
