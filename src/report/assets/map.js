/* wasteroute map.html: draws a plan (routes, stops, unserved pickups,
 * closures, coverage) from the JSON in #wr-data over the road network.
 *
 * Every string that comes from the plan's inputs is put into the page with
 * textContent (or as a DOM node handed to Leaflet), never as HTML.
 *
 * Renderers: the road network, the stops and the labels are drawn on a
 * canvas (thousands of shapes stay fast); the trips (class wr-route) and
 * the unserved markers (class wr-unserved) use an SVG renderer so that each
 * one is a DOM element that tests and scripts can count. */
(function () {
  'use strict';
  var status = window.wrStatus || {errors: []};
  status.script_start_ms = performance.now();
  var D = JSON.parse(document.getElementById('wr-data').textContent);

  var REASONS = {
    unreachable: 'unreachable on the road network',
    closures: 'cut off by closures',
    capacity: 'too big for any vehicle that may carry it',
    time_window: 'time window not reachable within any shift',
    no_facility: 'no facility accepts its stream',
    no_vehicle: 'no vehicle type carries its stream',
    fleet: 'fleet capacity or shift time ran out',
    facility_capacity: 'the facilities that take its waste are full'
  };
  var FACILITY_LETTER = {depot: 'D', transfer: 'T', landfill: 'L', treatment: 'P'};

  var C = window.wrCommon, el = C.el, fmt = C.fmt, decode = C.decode;
  function pct(x) { return fmt(100 * x, 1) + '%'; }
  function count(n, what) { return n + ' ' + what + (n === 1 ? '' : 's'); }
  /* A tooltip body: a title line and detail lines, all as text. */
  function tip(title, lines) {
    var d = el('div', 'wr-tip');
    d.appendChild(el('b', null, title));
    lines.forEach(function (l) {
      if (l !== null && l !== undefined && l !== '') d.appendChild(el('div', null, l));
    });
    return d;
  }

  var M = C.newMap(D.attribution), map = M.map, canvas = M.canvas, svg = M.svg;
  var bounds = L.latLngBounds([]);

  /* Road network, drawn into canvas tiles (an L.GridLayer) from points
     projected once: a zoom or a pan only draws the tiles in view, so the
     network's size hardly matters. Points are Web Mercator pixels at zoom 0
     (a 256-pixel world), bucketed on a grid of zoom-12 cells. */
  var baseBounds = L.latLngBounds([]);
  var road = null;
  if (D.base && D.base.lines.length) {
    var lines = D.base.lines, nPts = 0;
    lines.forEach(function (q) { nPts += q.length / 2; });
    var P = new Float64Array(2 * nPts), start = new Uint32Array(lines.length + 1);
    var box = new Float64Array(4 * lines.length);
    var CELL = 256 / 4096, buckets = new Map(), k = 0;
    var gx0 = Infinity, gy0 = Infinity, gx1 = -Infinity, gy1 = -Infinity;
    var lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
    lines.forEach(function (q, i) {
      start[i] = k / 2;
      var x = 0, y = 0, bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
      for (var j = 0; j < q.length; j += 2) {
        x += q[j];
        y += q[j + 1];
        var lon = x / 1e5, lat = Math.max(-85, Math.min(85, y / 1e5));
        var px = 256 * (lon + 180) / 360;
        var sin = Math.sin(lat * Math.PI / 180);
        var py = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
        P[k++] = px;
        P[k++] = py;
        if (px < bx0) bx0 = px;
        if (px > bx1) bx1 = px;
        if (py < by0) by0 = py;
        if (py > by1) by1 = py;
        if (lat < lat0) lat0 = lat;
        if (lat > lat1) lat1 = lat;
        if (lon < lon0) lon0 = lon;
        if (lon > lon1) lon1 = lon;
      }
      box[4 * i] = bx0; box[4 * i + 1] = by0; box[4 * i + 2] = bx1; box[4 * i + 3] = by1;
      for (var cx = Math.floor(bx0 / CELL); cx <= Math.floor(bx1 / CELL); cx++) {
        for (var cy = Math.floor(by0 / CELL); cy <= Math.floor(by1 / CELL); cy++) {
          var key = cx * 8192 + cy, b = buckets.get(key);
          if (!b) buckets.set(key, b = []);
          b.push(i);
        }
      }
      if (bx0 < gx0) gx0 = bx0;
      if (by0 < gy0) gy0 = by0;
      if (bx1 > gx1) gx1 = bx1;
      if (by1 > gy1) gy1 = by1;
    });
    start[lines.length] = k / 2;
    baseBounds = L.latLngBounds([lat0, lon0], [lat1, lon1]);
    var stamp = new Uint32Array(lines.length), tileNo = 0;
    var Roads = L.GridLayer.extend({
      createTile: function (c) {
        var size = this.getTileSize();
        var tile = document.createElement('canvas');
        tile.width = size.x;
        tile.height = size.y;
        var s = Math.pow(2, c.z), pad = 2 / s;
        var x0 = c.x * size.x / s, y0 = c.y * size.y / s;
        var x1 = x0 + size.x / s, y1 = y0 + size.y / s;
        if (x1 < gx0 - pad || x0 > gx1 + pad || y1 < gy0 - pad || y0 > gy1 + pad) return tile;
        var ctx = tile.getContext('2d');
        ctx.strokeStyle = '#a9a9a9';
        ctx.lineWidth = c.z >= 17 ? 3 : (c.z >= 15 ? 1.5 : 1);
        ctx.lineJoin = 'round';
        ctx.beginPath();
        tileNo++;
        var draw = function (i) {
          if (stamp[i] === tileNo) return;
          stamp[i] = tileNo;
          if (box[4 * i + 2] < x0 - pad || box[4 * i] > x1 + pad ||
              box[4 * i + 3] < y0 - pad || box[4 * i + 1] > y1 + pad) return;
          var a = start[i], b = start[i + 1];
          ctx.moveTo((P[2 * a] - x0) * s, (P[2 * a + 1] - y0) * s);
          for (var j = a + 1; j < b; j++) ctx.lineTo((P[2 * j] - x0) * s, (P[2 * j + 1] - y0) * s);
        };
        var cx0 = Math.floor((x0 - pad) / CELL), cx1 = Math.floor((x1 + pad) / CELL);
        var cy0 = Math.floor((y0 - pad) / CELL), cy1 = Math.floor((y1 + pad) / CELL);
        if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > buckets.size) {
          for (var i = 0; i < lines.length; i++) draw(i);
        } else {
          for (var cx = cx0; cx <= cx1; cx++) {
            for (var cy = cy0; cy <= cy1; cy++) {
              var b = buckets.get(cx * 8192 + cy);
              if (b) b.forEach(draw);
            }
          }
        }
        ctx.stroke();
        return tile;
      }
    });
    road = new Roads({bounds: baseBounds.pad(0.05), maxZoom: 22, updateWhenZooming: false});
    road.addTo(map);
  }

  /* Closures. */
  var closureLayer = null;
  if (D.closures) {
    closureLayer = L.geoJSON(D.closures, {
      renderer: svg,
      style: function () {
        return {className: 'wr-closure', color: '#c00000', weight: 3, dashArray: '6 4',
          fillColor: '#c00000', fillOpacity: 0.15};
      },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, {renderer: svg, className: 'wr-closure', radius: 6});
      }
    });
    closureLayer.bindTooltip(function (layer) {
      var p = (layer.feature && layer.feature.properties) || {};
      var f = typeof p.factor === 'number' ? p.factor : 0;
      return tip(f <= 0 ? 'Closed' : 'Slowed down', [
        f <= 0 ? 'no vehicle passes' : 'speed x ' + fmt(f, 2)
      ]);
    }, {sticky: true});
    closureLayer.addTo(map);
  }

  /* Depots and facilities, with every visit. */
  var places = {};
  var placeOrder = [];
  function place(s, v) {
    var key = s.k + '|' + s.id;
    var p = places[key];
    if (!p) {
      p = places[key] = {kind: s.k, id: s.id, name: s.n, y: s.y, x: s.x, visits: []};
      placeOrder.push(p);
    }
    if (s.k === 'facility') p.visits.push(v.name + ', trip ' + s.t + ': ' + s.a + '-' + s.d);
    else if (p.visits.indexOf(v.name) < 0) p.visits.push(v.name);
  }

  /* Vehicles: trips, stops, break. */
  var vehicles = D.vehicles.map(function (v) {
    var group = L.featureGroup();
    var vb = L.latLngBounds([]);
    v.trips.forEach(function (t) {
      var ll = decode(t.line);
      var line = L.polyline(ll, {
        renderer: svg, className: 'wr-route', color: v.color, weight: 4, opacity: 0.8
      });
      line.wrTrip = t;
      group.addLayer(line);
      if (ll.length) vb.extend(line.getBounds());
    });
    v.stops.forEach(function (s) {
      vb.extend([s.y, s.x]);
      if (s.k === 'pickup') {
        var m = L.circleMarker([s.y, s.x], {
          renderer: canvas, radius: 4, color: v.color, weight: 2,
          fillColor: '#ffffff', fillOpacity: 1
        });
        m.wrStop = s;
        group.addLayer(m);
      } else if (s.k === 'break') {
        var icon = el('div', 'wr-break', 'B');
        icon.style.borderColor = v.color;
        var b = L.marker([s.y, s.x], {icon: L.divIcon({className: 'wr-icon', html: icon, iconSize: [16, 16]})});
        b.wrStop = s;
        group.addLayer(b);
      } else {
        place(s, v);
      }
    });
    group.bindTooltip(function (layer) {
      if (layer.wrTrip) {
        var t = layer.wrTrip;
        return tip(v.name + ', trip ' + t.n, [
          fmt(t.km, 1) + ' km, ' + t.pickups + ' pickups, ' + fmt(t.load_kg, 0) + ' kg',
          t.facility ? 'unloads at ' + t.facility : ''
        ]);
      }
      var s = layer.wrStop;
      if (s.k === 'break') {
        return tip(v.name + ': break', [s.a + '-' + s.d]);
      }
      return tip('#' + s.s + ' ' + s.id, [
        s.n && s.n !== s.id ? s.n : '',
        v.name + ', trip ' + s.t,
        'arrival ' + s.a + ', departure ' + s.d,
        fmt(s.q, 0) + ' kg here, ' + fmt(s.l, 0) + ' kg on board after'
      ]);
    }, {sticky: true, direction: 'top'});
    group.addTo(map);
    if (vb.isValid()) bounds.extend(vb);
    return {data: v, group: group, bounds: vb, on: true};
  });

  var placeLayer = L.featureGroup();
  placeOrder.forEach(function (p) {
    var kind = p.kind === 'depot' ? 'depot' : (D.facilities[p.id] || 'facility');
    var icon = el('div', 'wr-place wr-place-' + (p.kind === 'depot' ? 'depot' : 'facility'),
      FACILITY_LETTER[kind] || 'F');
    var m = L.marker([p.y, p.x], {icon: L.divIcon({className: 'wr-icon', html: icon, iconSize: [20, 20]})});
    m.wrPlace = {p: p, kind: kind};
    placeLayer.addLayer(m);
    bounds.extend([p.y, p.x]);
  });
  placeLayer.bindTooltip(function (layer) {
    var p = layer.wrPlace.p;
    var lines = [layer.wrPlace.kind];
    var shown = p.visits.slice(0, 12);
    lines = lines.concat(p.kind === 'depot' ? ['vehicles: ' + shown.join(', ')] : shown);
    if (p.visits.length > 12) lines.push('and ' + (p.visits.length - 12) + ' more');
    return tip(p.id, lines);
  }, {sticky: true, direction: 'top'});
  placeLayer.addTo(map);

  /* Unserved pickups. */
  var unservedLayer = L.featureGroup();
  D.unserved.forEach(function (u) {
    var m = L.circleMarker([u.y, u.x], {
      renderer: svg, className: 'wr-unserved', radius: 6, color: '#111111', weight: 3,
      fillColor: '#ffeb3b', fillOpacity: 1, dashArray: '3 2'
    });
    m.wrUnserved = u;
    unservedLayer.addLayer(m);
    bounds.extend([u.y, u.x]);
  });
  unservedLayer.bindTooltip(function (layer) {
    var u = layer.wrUnserved;
    return tip('Unserved ' + u.id, [
      u.n && u.n !== u.id ? u.n : '',
      (REASONS[u.r] || u.r) + (u.dt ? ': ' + u.dt : ''),
      u.z + ', ' + u.st + ', ' + fmt(u.q, 0) + ' kg' + (u.req ? ', required' : '')
    ]);
  }, {sticky: true, direction: 'top'});
  unservedLayer.addTo(map);

  if (bounds.isValid()) map.fitBounds(bounds, {padding: [20, 20]});
  else if (baseBounds.isValid()) map.fitBounds(baseBounds);
  else map.setView([0, 0], 2);

  /* Stop numbers, drawn only when zoomed in, for the visible stops. */
  var labels = L.layerGroup().addTo(map);
  var MAX_LABELS = 400;
  function updateLabels() {
    labels.clearLayers();
    if (map.getZoom() < 16) return;
    var view = map.getBounds(), n = 0;
    for (var i = 0; i < vehicles.length && n < MAX_LABELS; i++) {
      if (!vehicles[i].on) continue;
      var stops = vehicles[i].data.stops;
      for (var k = 0; k < stops.length && n < MAX_LABELS; k++) {
        var s = stops[k];
        if (s.k !== 'pickup' || !view.contains([s.y, s.x])) continue;
        var lab = el('span', 'wr-num', s.s);
        lab.style.borderColor = vehicles[i].data.color;
        labels.addLayer(L.marker([s.y, s.x], {
          icon: L.divIcon({className: 'wr-icon', html: lab, iconSize: null, iconAnchor: [-5, 18]}),
          interactive: false, keyboard: false
        }));
        n++;
      }
    }
  }
  map.on('zoomend moveend', updateLabels);

  /* The side panel: totals, legend and layer switch, unserved, coverage, notes. */
  var panel = document.getElementById('wr-panel');
  L.DomEvent.disableScrollPropagation(panel);
  L.DomEvent.disableClickPropagation(panel);
  var T = D.totals;
  panel.appendChild(el('h1', null, 'Collection plan'));
  panel.appendChild(el('p', 'wr-totals',
    count(T.vehicles, 'vehicle') + ', ' + count(T.trips, 'trip') + ', ' + fmt(T.km, 1) + ' km, ' +
    fmt(T.hours, 1) + ' h, cost ' + fmt(T.cost, 2)));
  panel.appendChild(el('p', 'wr-totals',
    count(T.served, 'pickup') + ' served, ' + T.unserved + ' unserved' +
    (T.targets_met === false ? '; targets missed' : (T.targets_met ? '; targets met' : '')) +
    (T.feasible === false ? '; the checker found violations' : '')));

  panel.appendChild(el('h2', null, 'Vehicles'));
  var bar = el('div', 'wr-bar');
  var allBtn = el('button', null, 'all');
  var noneBtn = el('button', null, 'none');
  bar.appendChild(allBtn);
  bar.appendChild(noneBtn);
  panel.appendChild(bar);
  var list = el('div', 'wr-vehicles');
  panel.appendChild(list);
  function setOn(veh, on, box) {
    veh.on = on;
    box.checked = on;
    if (on) veh.group.addTo(map); else map.removeLayer(veh.group);
  }
  var boxes = [];
  vehicles.forEach(function (veh) {
    var v = veh.data;
    var row = el('div', 'wr-vehicle');
    var label = el('label');
    var box = el('input');
    box.type = 'checkbox';
    box.checked = true;
    box.addEventListener('change', function () { setOn(veh, box.checked, box); updateLabels(); });
    boxes.push(box);
    var sw = el('span', 'wr-swatch');
    sw.style.background = v.color;
    label.appendChild(box);
    label.appendChild(sw);
    label.appendChild(el('span', 'wr-vname', v.name));
    row.appendChild(label);
    var zoom = el('button', 'wr-zoom', 'zoom');
    zoom.title = 'zoom to this route';
    zoom.addEventListener('click', function () {
      if (veh.bounds.isValid()) map.fitBounds(veh.bounds, {padding: [20, 20]});
    });
    row.appendChild(zoom);
    var load = fmt(v.load_kg, 0) + ' kg' +
      (v.capacity_kg ? ' (capacity ' + fmt(v.capacity_kg, 0) + ' kg per trip)' : '');
    row.appendChild(el('div', 'wr-vinfo', v.type + ', depot ' + v.depot + ', ' + v.start + '-' + v.end));
    row.appendChild(el('div', 'wr-vinfo', count(v.unloads, 'trip') + ', ' + count(v.pickups, 'pickup') + ', ' + load));
    row.appendChild(el('div', 'wr-vinfo', fmt(v.km, 1) + ' km, ' + fmt(v.hours, 2) + ' h, cost ' + fmt(v.cost, 2)));
    list.appendChild(row);
  });
  allBtn.addEventListener('click', function () {
    vehicles.forEach(function (veh, i) { setOn(veh, true, boxes[i]); });
    updateLabels();
  });
  noneBtn.addEventListener('click', function () {
    vehicles.forEach(function (veh, i) { setOn(veh, false, boxes[i]); });
    updateLabels();
  });

  panel.appendChild(el('h2', null, 'Unserved pickups'));
  var ulabel = el('label', 'wr-switch');
  var ubox = el('input');
  ubox.type = 'checkbox';
  ubox.checked = true;
  ubox.addEventListener('change', function () {
    if (ubox.checked) unservedLayer.addTo(map); else map.removeLayer(unservedLayer);
  });
  ulabel.appendChild(ubox);
  ulabel.appendChild(el('span', 'wr-sym wr-sym-unserved'));
  ulabel.appendChild(el('span', null, D.unserved.length + ' unserved'));
  panel.appendChild(ulabel);
  var byReason = {};
  D.unserved.forEach(function (u) { byReason[u.r] = (byReason[u.r] || 0) + 1; });
  var ul = el('ul', 'wr-reasons');
  Object.keys(byReason).sort().forEach(function (r) {
    ul.appendChild(el('li', null, byReason[r] + ' ' + (REASONS[r] || r)));
  });
  panel.appendChild(ul);

  panel.appendChild(el('h2', null, 'Coverage'));
  var table = el('table', 'wr-coverage');
  var head = el('tr');
  ['', 'points', 'demand', 'target', ''].forEach(function (h) { head.appendChild(el('th', null, h)); });
  table.appendChild(head);
  D.coverage.forEach(function (c) {
    var tr = el('tr', c.met ? 'wr-met' : 'wr-missed');
    tr.appendChild(el('td', null, c.name));
    var pts = el('td', null, c.points_served + '/' + c.points_total + ' (' + pct(c.share_points) + ')');
    tr.appendChild(pts);
    tr.appendChild(el('td', null, pct(c.share_demand)));
    tr.appendChild(el('td', null, pct(c.target)));
    tr.appendChild(el('td', null, c.met ? 'met' : 'MISSED'));
    table.appendChild(tr);
  });
  panel.appendChild(table);
  if (D.blockers.length) {
    var bl = el('ul', 'wr-blockers');
    D.blockers.forEach(function (b) { bl.appendChild(el('li', null, b)); });
    panel.appendChild(bl);
  }

  panel.appendChild(el('h2', null, 'Legend'));
  var legend = el('div', 'wr-legend');
  [['wr-sym wr-sym-route', 'trip (vehicle colour)'],
    ['wr-sym wr-sym-stop', 'pickup (number when zoomed in)'],
    ['wr-sym wr-sym-depot', 'depot'],
    ['wr-sym wr-sym-facility', 'facility: T transfer, L landfill, P treatment'],
    ['wr-sym wr-sym-break', 'break'],
    ['wr-sym wr-sym-unserved', 'unserved pickup (reason on hover)'],
    ['wr-sym wr-sym-closure', 'closure']].forEach(function (it) {
    var row = el('div');
    row.appendChild(el('span', it[0]));
    row.appendChild(el('span', null, it[1]));
    legend.appendChild(row);
  });
  panel.appendChild(legend);
  var notes = el('div', 'wr-notes');
  D.notes.forEach(function (n) { notes.appendChild(el('p', 'wr-note', n)); });
  if (!D.base.missing) notes.appendChild(el('p', null, D.base.note));
  panel.appendChild(notes);

  /* For scripts: the map and its layers. */
  window.wr = {
    map: map, roads: road, places: placeLayer, unserved: unservedLayer, closures: closureLayer,
    labels: labels, vehicles: vehicles.map(function (v) { return v.group; })
  };

  /* Status for tests and scripts. */
  status.routes = document.querySelectorAll('.wr-route').length;
  status.unserved = document.querySelectorAll('.wr-unserved').length;
  status.trips_in_data = D.vehicles.reduce(function (n, v) { return n + v.trips.length; }, 0);
  status.unserved_in_data = D.unserved.length;
  status.stops = D.vehicles.reduce(function (n, v) { return n + v.stops.length; }, 0);
  status.base_lines = D.base.lines.length;
  status.ready_ms = performance.now();
  status.build_ms = status.ready_ms - status.script_start_ms;

  /* With #wr-bench in the address, time the first draw and a zoom step in
     and out now, synchronously: headless Chromium's virtual time (used by
     the tests) stops performance.now() in later frames. The canvas is drawn
     at once (Leaflet would draw it in the next frame) and the layout forced,
     so the times include drawing the stops and the SVG paths' layout. */
  if (location.hash === '#wr-bench') {
    var redraw = function () {
      if (typeof canvas._redraw === 'function') canvas._redraw();
      void document.getElementById('map').getBoundingClientRect();
    };
    var t = performance.now();
    redraw();
    status.first_draw_ms = performance.now() - t;
    t = performance.now();
    map.setZoom(map.getZoom() + 1, {animate: false});
    redraw();
    status.zoom_in_ms = performance.now() - t;
    t = performance.now();
    map.setZoom(map.getZoom() - 1, {animate: false});
    redraw();
    status.zoom_out_ms = performance.now() - t;
    status.bench_end_ms = performance.now();
  }
  status.done = true;
  window.wrReport();
})();
