// Tell the server the size the map is drawn at, so that its labels are placed for that size
// (a label that sits by its point at one size can drift from it at another). The explorer
// reports its map box; briefing mode reports the window. Updates are debounced and only sent
// when the size changes by more than a few pixels.
(function () {
  var last = {};
  function builtFor(id) {
    // the size the figure on the page was laid out for (the page opens with one): no need to
    // ask for the same again
    var gd = document.querySelector('#explorer-map .js-plotly-plot');
    var size = id === 'explorer-viewport' && gd && gd.layout && gd.layout.meta && gd.layout.meta.size;
    return size ? { w: size[0], h: size[1] } : null;
  }
  function send(id, w, h) {
    if (!window.dash_clientside || !window.dash_clientside.set_props) { return false; }
    if (!last[id]) { last[id] = builtFor(id); }
    var prev = last[id];
    if (prev && Math.abs(prev.w - w) < 8 && Math.abs(prev.h - h) < 8) { return true; }
    last[id] = { w: w, h: h };
    window.dash_clientside.set_props(id, { data: { w: Math.round(w), h: Math.round(h) } });
    return true;
  }
  function measure() {
    var box = document.querySelector('#explorer-map');
    if (box) {
      var r = box.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) { send('explorer-viewport', r.width, r.height); }
    }
    if (document.querySelector('.briefing')) {
      send('briefing-viewport', window.innerWidth, window.innerHeight);
    }
  }
  var timer = null;
  function soon(delay) { clearTimeout(timer); timer = setTimeout(measure, delay); }
  window.addEventListener('resize', function () { soon(250); });
  // Dash renders the page after this script runs: measure once the first figure is drawn
  // (Dash is then ready to take the size), whether a map or a briefing's slide
  var tries = 0;
  var poll = setInterval(function () {
    tries += 1;
    if (document.querySelector('#explorer-map .main-svg, #briefing-graph .main-svg')) {
      clearInterval(poll);
      setTimeout(measure, 150);
    } else if (tries > 400) { clearInterval(poll); }
  }, 50);
})();
// On a phone the filters and the legend start folded, so the map is the first thing seen.
(function () {
  if (window.innerWidth >= 700) { return; }
  var tries = 0;
  var poll = setInterval(function () {
    tries += 1;
    var boxes = document.querySelectorAll('#explorer-controls-box, #explorer-legend-box');
    if (boxes.length === 2) {
      boxes.forEach(function (b) { b.removeAttribute('open'); });
      clearInterval(poll);
    } else if (tries > 200) { clearInterval(poll); }
  }, 50);
})();
