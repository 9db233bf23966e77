// Briefing mode in the browser. Only active on briefing pages.
//  - Keys: arrows and Page Up / Page Down (what presentation clickers send) move between views;
//    F toggles full screen; P opens the presenter view in a second window.
//  - The audience window and the presenter window stay on the same view, whichever moves
//    (BroadcastChannel: same origin, nothing leaves the machine).
//  - The slide's figure box is measured and reported (store briefing-stage-size), so that the
//    server draws the figure for the size it is shown at.
//  - Presenter view: a clock and a timer, the note's size (kept between views and visits) and
//    where each view's note was scrolled to (kept between views), previews scaled to fit.
(function () {
  var CHANNEL = 'dashboard-briefing';
  var me = Math.random().toString(36).slice(2);
  var last = { t: 0 };          // the latest move either window made
  var known = null;             // the path last seen in this window

  function inBriefing() { return document.querySelector('.briefing') !== null; }
  function isPresenter() { return document.querySelector('main.presenter') !== null; }
  function go(id) {
    var link = document.getElementById(id);
    if (link && link.getAttribute('href')) { link.click(); return true; }
    return false;
  }
  function toggleFullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  }
  function where() {
    var m = location.pathname.match(/^(.*\/briefing\/)([^\/]+)\/(\d+)\/?$/);
    return m ? { base: m[1], name: decodeURIComponent(m[2]), n: parseInt(m[3], 10) } : null;
  }
  function openPresenter() {
    var here = where();
    if (!here) { return; }
    window.open(location.pathname + '?presenter=1', 'briefing-presenter-' + here.name,
      'popup,width=1280,height=800');
  }

  document.addEventListener('keydown', function (e) {
    if (!inBriefing() || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) { return; }
    var next = ['ArrowRight', 'ArrowDown', 'PageDown', ' '];
    var prev = ['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace'];
    // in the presenter view, up and down scroll a long note rather than change the view
    if (isPresenter() && t && t.id === 'presenter-note' && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) { return; }
    if (next.indexOf(e.key) >= 0) { if (go('briefing-next')) { e.preventDefault(); } }
    else if (prev.indexOf(e.key) >= 0) { if (go('briefing-prev')) { e.preventDefault(); } }
    else if (e.key === 'f' || e.key === 'F') { toggleFullscreen(); e.preventDefault(); }
    else if ((e.key === 'p' || e.key === 'P') && !isPresenter()) { openPresenter(); e.preventDefault(); }
  });

  // ------------------------------------------------------------ two windows, one view
  var channel = ('BroadcastChannel' in window) ? new BroadcastChannel(CHANNEL) : null;
  function moveTo(n) {
    var here = where();
    if (!here || here.n === n) { return; }
    var path = here.base + encodeURIComponent(here.name) + '/' + n;
    known = path;  // a move the other window made: not to be announced back
    window.history.pushState({}, '', path + location.search);
    window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
  }
  function announce() {
    var here = where();
    if (!here || !channel) { return; }
    channel.postMessage({ type: 'at', name: here.name, n: here.n, t: last.t, from: me });
  }
  function watchPath() {
    if (location.pathname === known) { return; }
    var first = known === null;
    known = location.pathname;
    if (first || !where()) { return; }
    last = { t: Date.now() };
    announce();
  }
  if (channel) {
    channel.onmessage = function (e) {
      var m = e.data, here = where();
      if (!m || !here || m.from === me || m.name !== here.name) { return; }
      if (m.type === 'where') {  // a presenter view opened: say where the room is
        if (!isPresenter()) { announce(); }
        return;
      }
      if (m.type !== 'at' || m.t < last.t) { return; }  // older than this window's own move
      last = { t: m.t };
      moveTo(m.n);
    };
  }
  setInterval(watchPath, 100);
  window.addEventListener('popstate', function () { setTimeout(watchPath, 0); });

  // ------------------------------------------------------------ the figure box's size
  var lastSent = null;
  function measureStage() {
    var shown = document.querySelector('main.briefing-slide:not(.briefing-thumb-slide)');
    var stage = document.getElementById('briefing-stage');
    if (!shown || !stage || !window.dash_clientside || !window.dash_clientside.set_props) { return; }
    var r = stage.getBoundingClientRect();
    var drawn = (shown.getAttribute('data-stage') || '0x0').split('x').map(Number);
    if (Math.abs(drawn[0] - Math.floor(r.width)) <= 2 && Math.abs(drawn[1] - Math.floor(r.height)) <= 2) { return; }
    var data = { w: window.innerWidth, h: window.innerHeight, sw: r.width, sh: r.height, path: location.pathname };
    var key = JSON.stringify(data);
    if (key === lastSent) { return; }
    lastSent = key;
    window.dash_clientside.set_props('briefing-stage-size', { data: data });
  }

  // ------------------------------------------------------------ the presenter view
  function scaleThumbs() {
    document.querySelectorAll('.presenter-thumb').forEach(function (box) {
      var inner = box.querySelector('.briefing-thumb-slide');
      if (!inner) { return; }
      var k = Math.min(box.clientWidth / 1280, box.clientHeight / 720);
      if (!(k > 0)) { return; }
      inner.style.transform = 'scale(' + k + ')';
      inner.style.left = Math.max(0, (box.clientWidth - 1280 * k) / 2) + 'px';
    });
  }
  function store(kind) { try { return window[kind]; } catch (err) { return null; } }
  function readJSON(kind, key, fallback) {
    var s = store(kind);
    try { var v = s && s.getItem(key); return v ? JSON.parse(v) : fallback; } catch (err) { return fallback; }
  }
  function writeJSON(kind, key, value) {
    var s = store(kind);
    try { if (s) { s.setItem(key, JSON.stringify(value)); } } catch (err) { /* private mode */ }
  }
  function applyNoteScale() {
    var root = document.querySelector('.briefing');
    if (root) { root.style.setProperty('--note-scale', readJSON('localStorage', 'briefing-note-scale', 1)); }
  }
  function changeNoteScale(step) {
    var k = readJSON('localStorage', 'briefing-note-scale', 1) + step;
    writeJSON('localStorage', 'briefing-note-scale', Math.round(Math.min(2.2, Math.max(0.6, k)) * 10) / 10);
    applyNoteScale();
  }
  // the view whose note is on screen (the rendered one: the address changes before the page)
  function shownNote() {
    var m = document.querySelector('main.presenter');
    var here = where();
    return m && here ? here.name + '/' + m.getAttribute('data-position') : null;
  }
  function restoreNote() {
    var note = document.getElementById('presenter-note');
    var key = shownNote();
    // the note element remembers which view's place it was given (it may be a new element)
    if (!note || !key || note.briefingNoteFor === key) { return; }
    note.briefingNoteFor = key;
    var scrolls = readJSON('sessionStorage', 'briefing-note-scroll', {});
    note.scrollTop = scrolls[key] || 0;
  }
  document.addEventListener('scroll', function (e) {
    if (!e.target || e.target.id !== 'presenter-note') { return; }
    var key = shownNote();
    if (!key || key !== e.target.briefingNoteFor) { return; }
    var scrolls = readJSON('sessionStorage', 'briefing-note-scroll', {});
    scrolls[key] = e.target.scrollTop;
    writeJSON('sessionStorage', 'briefing-note-scroll', scrolls);
  }, true);
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function tick() {
    var clock = document.getElementById('presenter-clock');
    var timer = document.getElementById('presenter-timer');
    if (!clock && !timer) { return; }
    var start = readJSON('sessionStorage', 'briefing-presenter-start', null);
    if (!start) { start = Date.now(); writeJSON('sessionStorage', 'briefing-presenter-start', start); }
    var now = new Date();
    if (clock) { clock.textContent = two(now.getHours()) + ':' + two(now.getMinutes()); }
    if (timer) {
      var s = Math.max(0, Math.floor((now.getTime() - start) / 1000));
      var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
      timer.textContent = (h ? h + ':' + two(m) : m) + ':' + two(s % 60);
    }
  }
  setInterval(tick, 1000);

  document.addEventListener('click', function (e) {
    var id = e.target && e.target.id;
    if (id === 'briefing-fullscreen') { toggleFullscreen(); }
    else if (id === 'presenter-note-smaller') { changeNoteScale(-0.1); }
    else if (id === 'presenter-note-larger') { changeNoteScale(0.1); }
    else if (id === 'presenter-timer') { writeJSON('sessionStorage', 'briefing-presenter-start', Date.now()); tick(); }
  });

  // ------------------------------------------------------------ after each render
  var pending = null;
  function afterRender() {
    pending = null;
    if (!inBriefing()) { return; }
    measureStage();
    scaleThumbs();
    applyNoteScale();
    restoreNote();
    tick();
  }
  function soon(delay) { if (pending) { clearTimeout(pending); } pending = setTimeout(afterRender, delay); }
  var asked = false;
  function start() {
    if (!document.body) { return setTimeout(start, 20); }
    new MutationObserver(function () {
      soon(30);
      if (!asked && isPresenter() && channel) {  // just opened: go where the room is
        asked = true;
        var here = where();
        if (here) { channel.postMessage({ type: 'where', name: here.name, from: me }); }
      }
    }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-stage', 'data-position'] });
    window.addEventListener('resize', function () { soon(200); });
  }
  start();
})();
