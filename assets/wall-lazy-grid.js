/* The wall's page is served without dash-ag-grid (cockpit/shell.py: the wall draws no table, and 1.3 MB of script
   parsed before the first render cost it a fifth of a second or more). When the app then navigates from the wall
   to a page with a grid (a bar click, a spotlight link, the kiosk), the callback answer that holds the grid waits
   here until the library has loaded, so Dash never renders a component it does not know. Pages opened directly
   load the library themselves and never meet this. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="cockpit-lazy-grid"]');
  if (!meta || !window.fetch) { return; }
  var url = meta.getAttribute("content"), loading = null;

  function loadGrid() {
    if (window.dash_ag_grid) { return Promise.resolve(); }
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = url;
        s.onload = function () { resolve(); };
        s.onerror = function () { loading = null; reject(new Error("dash-ag-grid did not load")); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  var fetch = window.fetch;
  window.fetch = function (input) {
    var answer = fetch.apply(this, arguments);
    var target = typeof input === "string" ? input : (input && input.url) || "";
    if (window.dash_ag_grid || target.indexOf("_dash-update-component") < 0) { return answer; }
    return answer.then(function (r) {
      return r.clone().text().then(function (body) {
        return body.indexOf('"dash_ag_grid"') < 0 ? r : loadGrid().then(function () { return r; });
      });
    });
  };
})();
