/* wasteroute week.html: the week's routes, one working day at a time, and
 * the calendar (which vehicle visits each pickup on which day), from the
 * JSON in #wr-data. Every string from the inputs goes in as textContent.
 * Trips (class wr-route) and unserved visits (class wr-unserved) are SVG
 * elements that tests can count; the road network and stops use a canvas. */
(function () {
  'use strict';
  var status = window.wrStatus || {errors: []};
  var D = JSON.parse(document.getElementById('wr-data').textContent);

  var C = window.wrCommon, el = C.el, fmt = C.fmt, decode = C.decode;
  function row(table, cells, head) {
    var tr = el('tr');
    cells.forEach(function (c) {
      var td = el(head ? 'th' : 'td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = String(c);
      tr.appendChild(td);
    });
    table.appendChild(tr);
    return tr;
  }

  var M = C.newMap(D.attribution), map = M.map, canvas = M.canvas, svg = M.svg;
  var bounds = L.latLngBounds([]);
  if (D.base && D.base.lines.length) {
    var roads = L.polyline(D.base.lines.map(decode), {renderer: canvas, color: '#b9b5aa', weight: 1, interactive: false}).addTo(map);
    bounds.extend(roads.getBounds());
  }
  D.days.forEach(function (d) {
    d.vehicles.forEach(function (v) {
      v.stops.forEach(function (s) { bounds.extend([s[1], s[0]]); });
    });
    d.unserved.forEach(function (u) { bounds.extend([u[1], u[0]]); });
  });
  if (bounds.isValid()) map.fitBounds(bounds, {padding: [20, 20]}); else map.setView([0, 0], 2);

  var layer = L.layerGroup().addTo(map);
  var panel = document.getElementById('wr-panel');
  var t = D.totals;
  panel.appendChild(el('h1', null, 'Week: ' + t.vehicles_needed + (t.vehicles_needed === 1 ? ' vehicle' : ' vehicles')));
  panel.appendChild(el('p', null, fmt(t.visits_made, 0) + ' of ' + fmt(t.visits_required, 0) + ' visits, ' +
    fmt(t.km, 1) + ' km, ' + fmt(t.hours, 1) + ' h, cost ' + fmt(t.cost, 2)));
  panel.appendChild(el('p', t.targets_met ? null : 'wr-missed', t.targets_met ? 'Every weekly target met.' : 'A weekly target is missed.'));
  panel.appendChild(el('p', null, 'Same vehicle on every visit: ' + fmt(100 * t.consistency, 1) + '% of pickups visited twice or more.'));

  var cov = el('table', 'wr-table');
  row(cov, ['zone', 'visits', 'share', 'target'], true);
  Object.keys(D.coverage).forEach(function (z) {
    var c = D.coverage[z];
    var tr = row(cov, [z, c.visits_made + '/' + c.visits_required, fmt(100 * c.share, 1) + '%', fmt(100 * c.target, 0) + '%']);
    if (!c.met) tr.className = 'wr-missed';
  });
  panel.appendChild(cov);

  panel.appendChild(el('h2', null, 'Days'));
  var bar = el('div', 'wr-days');
  panel.appendChild(bar);
  var days = el('table', 'wr-table');
  row(days, ['day', 'vehicles', 'visits', 'left out', 'km', 'hours'], true);
  D.days.forEach(function (d) {
    var f = d.figures || {};
    row(days, [d.day, f.vehicles, f.visits, f.unserved, fmt(f.km || 0, 1), fmt(f.hours || 0, 1)]);
  });
  panel.appendChild(days);
  panel.appendChild(el('h2', null, 'Vehicles of the day'));
  var vlist = el('div');
  panel.appendChild(vlist);

  panel.appendChild(el('h2', null, 'Calendar'));
  var filter = el('input', 'wr-filter');
  filter.placeholder = 'filter by pickup id or vehicle';
  panel.appendChild(filter);
  var cal = el('table', 'wr-table wr-calendar');
  panel.appendChild(cal);
  var dayNames = D.days.map(function (d) { return d.day; });
  var calRows = [];
  row(cal, ['pickup'].concat(dayNames), true);
  D.calendar.forEach(function (c) {
    var cells = [c[0]].concat(dayNames.map(function (n) { return c[1][n] || ''; }));
    var tr = row(cal, cells);
    calRows.push({tr: tr, text: cells.join(' ').toLowerCase()});
  });
  filter.addEventListener('input', function () {
    var q = filter.value.trim().toLowerCase();
    calRows.forEach(function (r) { r.tr.hidden = q !== '' && r.text.indexOf(q) < 0; });
  });
  if (D.unserved.length) {
    panel.appendChild(el('h2', null, 'Visits left out'));
    var un = el('table', 'wr-table');
    row(un, ['pickup', 'day', 'reason'], true);
    D.unserved.forEach(function (u) { row(un, u); });
    panel.appendChild(un);
  }
  panel.appendChild(el('p', 'wr-note', D.base.note));

  var buttons = [];
  function show(k) {
    var d = D.days[k];
    layer.clearLayers();
    vlist.textContent = '';
    buttons.forEach(function (b, i) { b.className = i === k ? 'wr-on' : ''; });
    calRows.forEach(function (r) {
      Array.prototype.forEach.call(r.tr.children, function (td, i) { td.className = i === k + 1 ? 'wr-today' : ''; });
    });
    var drawn = 0;
    d.vehicles.forEach(function (v) {
      v.trips.forEach(function (q) {
        drawn++;
        L.polyline(decode(q), {renderer: svg, color: v.color, weight: 4, opacity: 0.8, className: 'wr-route'})
          .bindTooltip(v.name + ' (' + v.type + ')').addTo(layer);
      });
      v.stops.forEach(function (s) {
        L.circleMarker([s[1], s[0]], {renderer: canvas, radius: 4, color: v.color, weight: 2, fillColor: '#fff', fillOpacity: 1})
          .bindTooltip(s[2] + ': ' + v.name + ', stop ' + s[3] + ' at ' + s[4]).addTo(layer);
      });
      var line = el('div');
      var sw = el('span', 'wr-swatch');
      sw.style.background = v.color;
      line.appendChild(sw);
      line.appendChild(document.createTextNode(v.name + ': ' + v.pickups + ' pickups, ' + fmt(v.km, 1) + ' km, ' + fmt(v.hours, 1) + ' h'));
      vlist.appendChild(line);
    });
    d.unserved.forEach(function (u) {
      L.circleMarker([u[1], u[0]], {renderer: svg, radius: 6, color: '#111', weight: 2, dashArray: '3 2', fillColor: '#ffeb3b', fillOpacity: 1, className: 'wr-unserved'})
        .bindTooltip(u[2] + ' left out on ' + d.day + ': ' + u[3]).addTo(layer);
    });
    status.day = d.day;
    status.routes = drawn;
    status.paths = document.querySelectorAll('path.wr-route').length;
    if (window.wrReport) window.wrReport();
  }
  D.days.forEach(function (d, k) {
    var b = el('button', null, d.day);
    b.type = 'button';
    b.addEventListener('click', function () { show(k); });
    bar.appendChild(b);
    buttons.push(b);
  });
  /* week.html#tue opens on Tuesday. */
  var first = 0;
  D.days.forEach(function (d, k) { if (location.hash === '#' + d.day) first = k; });
  if (D.days.length) show(first);
  status.ready = true;
  if (window.wrReport) window.wrReport();
})();
