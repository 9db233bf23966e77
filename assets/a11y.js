// Keyboard access for the explorer's view tabs: dcc.Tabs renders plain divs, so give each tab
// a tab stop and the tab role, and let Enter or Space choose it.
(function () {
  function enhance() {
    var tabs = document.querySelectorAll('#explorer-view .tab');
    for (var i = 0; i < tabs.length; i++) {
      var t = tabs[i];
      if (!t.hasAttribute('tabindex')) { t.setAttribute('tabindex', '0'); t.setAttribute('role', 'tab'); }
      t.setAttribute('aria-selected', t.classList.contains('tab--selected') ? 'true' : 'false');
    }
    var list = document.querySelector('#explorer-view');
    if (list && !list.hasAttribute('role')) { list.setAttribute('role', 'tablist'); }
  }
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if ((e.key === 'Enter' || e.key === ' ') && t && t.classList && t.classList.contains('tab')) {
      e.preventDefault();
      t.click();
    }
  });
  new MutationObserver(enhance).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
})();
