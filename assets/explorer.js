// The explorer's URL, kept in step with its controls in the browser, with no round trip:
// a control (or a click on the map) writes the query string, and the server is asked only for
// what the new query shows. The rules are dashboard/explorer/callbacks.py's
// `sync_url_and_controls` (state_from_controls, then state.to_query): defaults are left out of
// the URL, in the same key order, so a link reads the same whichever side wrote it. A URL the
// controls did not write (a shared link, the back button) is read by the server, which sets
// the controls from it and says what it could not use.
(function () {
  var DEFAULT_FORMS = ['forced_criminality', 'all_forms'];
  var FORMS = ['forced_criminality', 'organ_removal', 'sexual_exploitation', 'other', 'all_forms'];
  var FORM_CHOICES = {
    forced_criminality: DEFAULT_FORMS,
    organ_removal: ['organ_removal'],
    sexual_exploitation: ['sexual_exploitation'],
    other: ['other'],
    every: FORMS
  };
  var DEFAULT_LAYERS = ['routes', 'returns', 'places'];
  var ROUTE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var ISO3 = /^[A-Z]{3}$/;

  function same(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  function params(search) {
    // the first value of each key, as the server reads it
    var out = {};
    new URLSearchParams((search || '').replace(/^\?/, '')).forEach(function (v, k) {
      if (!(k in out)) { out[k] = v; }
    });
    return out;
  }

  function currentForms(p) {
    if (!('form' in p)) { return DEFAULT_FORMS; }
    var seen = [];
    p.form.split(',').forEach(function (f) {
      f = f.trim().toLowerCase();
      if (f && seen.indexOf(f) < 0) { seen.push(f); }
    });
    if (seen.some(function (f) { return FORMS.indexOf(f) < 0; })) { return DEFAULT_FORMS; }
    return seen.length ? seen : DEFAULT_FORMS;
  }

  // (country, route) a click on the map means: callbacks.clicked
  function clicked(click) {
    var point = ((click && click.points) || [{}])[0] || {};
    if (point.location && !('customdata' in point)) { return [point.location, null]; }
    var data = point.customdata;
    if (typeof data === 'string') { return [null, data]; }
    if (Array.isArray(data) && data.length && typeof data[0] === 'string') {
      var first = data[0];
      if (first.length === 3 && first === first.toUpperCase() && /[A-Z]/.test(first)) {
        return [first !== 'REG' ? first : null, null];
      }
      return [null, first];
    }
    return [null, null];
  }

  function toQuery(s) {
    var parts = [];
    function add(k, v) { parts.push(k + '=' + encodeURIComponent(v).replace(/%2C/g, ',')); }
    if (s.yearFrom !== null) { add('year', s.yearFrom === s.yearTo ? String(s.yearFrom) : s.yearFrom + '-' + s.yearTo); }
    ['nationality', 'origin', 'destination'].forEach(function (k) {
      if (s[k].length) { add(k, s[k].join(',')); }
    });
    if (!same(s.forms, DEFAULT_FORMS)) { add('form', s.forms.join(',')); }
    if (s.measure) { add('measure', s.measure); }
    if (s.width !== 'same') { add('width', s.width); }
    if (!same(s.layers, DEFAULT_LAYERS)) { add('layers', s.layers.join(',')); }
    if (s.country) { add('country', s.country); }
    if (s.route) { add('route', s.route); }
    if (s.view !== 'map') { add('view', s.view); }
    return parts.length ? '?' + parts.join('&') : '';
  }

  // controls -> [search, country control, width control]; trigger is the control's id
  function fromControls(trigger, search, values, click, bounds) {
    var year = values[0], nationality = values[1], origin = values[2], destination = values[3];
    var form = values[4], measure = values[5], width = values[6], layers = values[7];
    var view = values[8], country = values[9];
    var p = params(search);
    var route = ('route' in p && ROUTE_ID.test(p.route)) ? p.route : null;
    var currentCountry = ('country' in p && ISO3.test(p.country.trim().toUpperCase()))
      ? p.country.trim().toUpperCase() : null;
    if (click && trigger === 'explorer-map') {
      var cr = clicked(click);
      if (cr[0]) { country = cr[0]; route = null; } else if (cr[1]) { route = cr[1]; }
    } else if (trigger === 'explorer-country') {
      route = null;
    }
    var lo = year ? year[0] : bounds[0], hi = year ? year[1] : bounds[1];
    var full = lo === bounds[0] && hi === bounds[1];
    var forms = FORM_CHOICES[form] || (form === null || form === undefined ? currentForms(p) : DEFAULT_FORMS);
    var state = {
      yearFrom: full ? null : Math.round(lo),
      yearTo: full ? null : Math.round(hi),
      nationality: nationality || [],
      origin: origin || [],
      destination: destination || [],
      forms: forms,
      measure: measure || null,
      width: measure ? width : 'same',
      layers: layers === null || layers === undefined ? DEFAULT_LAYERS : layers,
      country: country || null,
      route: route,
      view: view || 'map'
    };
    var query = toQuery(state);
    return [
      query !== (search || '') ? query : null,
      trigger === 'explorer-map' && state.country !== currentCountry ? state.country : null,
      state.width !== width ? state.width : null
    ];
  }

  function triggeredId() {
    var cc = window.dash_clientside.callback_context;
    var t = (cc && cc.triggered) || [];
    if (!t.length || !t[0] || !t[0].prop_id || t[0].prop_id === '.') { return null; }
    return t[0].prop_id.split('.')[0];
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    explorer: {
      fromControls: fromControls,
      toQuery: toQuery,
      // Output: the URL's search, the country and width controls
      sync: function () {
        var nu = window.dash_clientside.no_update;
        var args = Array.prototype.slice.call(arguments);
        var values = args.slice(0, 10), click = args[10], search = args[11];
        var bounds = [args[12], args[13]];
        var trigger = triggeredId();
        if (trigger === null || trigger === 'explorer-url') { return [nu, nu, nu]; }
        var out = fromControls(trigger, search, values, click, bounds);
        return out.map(function (v) { return v === null ? nu : v; });
      },
      // Which server answers a URL needs: the map tab's (for every URL that is not the one the
      // page was built for) and the open tab's own; a hidden tab is computed when it is shown
      route: function (search, mapQuery, sankeyQuery, tableQuery, overviewQuery) {
        var nu = window.dash_clientside.no_update;
        search = search || '';
        var view = params(search).view || 'map';
        return [
          search !== mapQuery ? search : nu,
          view === 'sankey' && search !== sankeyQuery ? search : nu,
          view === 'table' && search !== tableQuery ? search : nu,
          view === 'overview' && search !== overviewQuery ? search : nu
        ];
      }
    }
  });
})();
