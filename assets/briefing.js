// Briefing mode keys: arrows and Page Up / Page Down (what presentation clickers send) move
// between views; F toggles full screen. Only active on briefing pages.
(function () {
  function inBriefing() { return document.querySelector('.briefing') !== null; }
  function go(id) {
    var link = document.getElementById(id);
    if (link && link.getAttribute('href')) { link.click(); return true; }
    return false;
  }
  function toggleFullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
  }
  document.addEventListener('keydown', function (e) {
    if (!inBriefing() || e.altKey || e.ctrlKey || e.metaKey) { return; }
    var t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) { return; }
    var next = ['ArrowRight', 'ArrowDown', 'PageDown', ' '];
    var prev = ['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace'];
    if (next.indexOf(e.key) >= 0) { if (go('briefing-next')) { e.preventDefault(); } }
    else if (prev.indexOf(e.key) >= 0) { if (go('briefing-prev')) { e.preventDefault(); } }
    else if (e.key === 'f' || e.key === 'F') { toggleFullscreen(); e.preventDefault(); }
  });
  document.addEventListener('click', function (e) {
    if (e.target && e.target.id === 'briefing-fullscreen') { toggleFullscreen(); }
  });
})();
