/**
 * The flame graph page's own script, served as /assets/flame-page.js (kept here as text: the UI ships as
 * compiled JavaScript only). It reads the tree the server embedded as JSON, draws it with d3-flame-graph
 * (loaded before it from this server), root at the top as Pyroscope draws it, and wires the search form and the reset button. Values are formatted
 * by unit as on the server (format.ts, formatValue).
 */
export const FLAME_PAGE_SCRIPT = `'use strict';
(function () {
  var data = JSON.parse(document.getElementById('flame-data').textContent);
  var holder = document.getElementById('flamegraph');
  var details = document.getElementById('details');
  function formatValue(v, unit) {
    var steps = unit === 'bytes' ? [[1099511627776, 'TiB'], [1073741824, 'GiB'], [1048576, 'MiB'], [1024, 'KiB']]
      : unit === 'nanoseconds' ? [[3600e9, 'h'], [60e9, 'min'], [1e9, 's'], [1e6, 'ms'], [1e3, 'µs']] : [];
    for (var i = 0; i < steps.length; i++) if (v >= steps[i][0]) return (v / steps[i][0]).toFixed(2) + ' ' + steps[i][1];
    return unit === 'bytes' ? v + ' B' : unit === 'nanoseconds' ? v + ' ns' : v.toLocaleString('en-US') + (unit && unit !== 'count' ? ' ' + unit : '');
  }
  var chart = flamegraph.default()
    .width(Math.max(400, holder.clientWidth - 16))
    .cellHeight(18)
    .minFrameSize(2)
    .transitionDuration(250)
    .sort(true)
    .inverted(true)
    .setDetailsElement(details)
    .label(function (d) {
      return d.data.name + ': ' + formatValue(d.value, data.unit) + ' (' + (100 * (d.x1 - d.x0)).toFixed(2) + '%)';
    });
  d3.select(holder).datum(data.root).call(chart);
  holder.setAttribute('data-ready', 'true');
  var form = document.getElementById('flame-search');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var term = form.elements.term.value;
    if (term === '') chart.clear(); else chart.search(term.replace(/[.*+?^\${}()|[\\]\\\\]/g, '\\\\$&'));
  });
  document.getElementById('flame-reset').addEventListener('click', function () {
    form.elements.term.value = '';
    chart.clear();
    chart.resetZoom();
  });
})();
`
