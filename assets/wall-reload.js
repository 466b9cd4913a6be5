/* The optional daily reload (issue 13 #8): with COCKPIT_WALL_RELOAD_AT (HH:MM in COCKPIT_TZ, the wall's config
   `reload_at` in minutes) a wall that has run since before that time today reloads itself once, as Sugar's
   凌晨自动刷新 does, so a kiosk runs for weeks on a fresh page a day. It never shows a blank frame:
   - it reloads only after a refresh of its own figures just succeeded (a server that cannot answer is not
     reloaded into an error page: it tries again five minutes later, keeping what it shows);
   - the next page hides its canvas until every chart of its first panel set has drawn, so Chromium's paint
     holding keeps the old frame on screen until the new one is whole (a hidden canvas paints nothing contentful).
   The clock is the server's (clientside.js passes the zoned time once its first poll set the offset), so a kiosk
   whose own clock is wrong reloads at the county's hour and never twice. */
(function () {
  "use strict";
  var HOLD = "cockpitWallHold", LAST = "cockpitWallDailyReload";
  var RETRY_MS = 5 * 60 * 1000,  // tests: window.__wallReloadRetryMs
      MIN_GAP_MS = 60 * 60 * 1000, REVEAL_MS = 20000;
  var st = { at: null, loaded: null, busy: false, nextTry: 0, transition: false, released: null };

  function get(k) { try { return window.sessionStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) {
    try { if (v === null) { window.sessionStorage.removeItem(k); } else { window.sessionStorage.setItem(k, v); } }
    catch (e) { /* storage off: no hold on the next page, the reload still happens once a day */ }
  }
  function day(p) { return p.y * 10000 + p.mo * 100 + p.d; }
  function minutes(p) { return p.h * 60 + p.mi; }

  /* Is a reload instant (`at` minutes past midnight) between the page's load and now? Both are zoned parts. */
  function due(at, loaded, now) {
    if (at === null || at === undefined || !loaded || !now) { return false; }
    if (day(now) === day(loaded)) { return minutes(loaded) < at && minutes(now) >= at; }
    return day(now) > day(loaded) && (minutes(loaded) < at || minutes(now) >= at);
  }

  /* The old page: only the daily reload keeps its transition; the new page: the transition (if the browser made
     one) holds the old frame until every chart of the first panel set has drawn, then ends. */
  window.addEventListener("pageswap", function (e) {
    if (e.viewTransition && !get(HOLD)) { e.viewTransition.skipTransition(); }
  });
  var held = null;
  function release() {
    st.released = performance.now();
    set(HOLD, null);
    var vt = held;
    held = null;
    if (vt) { vt.skipTransition(); }
  }
  window.addEventListener("pagereveal", function (e) {
    st.transition = !!e.viewTransition;
    if (!e.viewTransition) { return; }
    if (get(HOLD)) { held = e.viewTransition; } else { e.viewTransition.skipTransition(); }
  });
  function drawn() {
    var active = document.querySelector(".panel-set.active");
    if (!active) { return false; }
    var graphs = active.querySelectorAll(".dash-graph");
    return graphs.length > 0 && [].every.call(graphs, function (g) { return g.querySelector(".js-plotly-plot .main-svg"); });
  }
  function releaseWhenDrawn(started) {
    if (drawn() || Date.now() - started > REVEAL_MS) { release(); return; }
    window.requestAnimationFrame(function () { releaseWhenDrawn(started); });
  }

  window.cockpitWallReload = {
    due: due,
    // tests: did this page arrive in a held transition, and when (ms after its navigation began) did it end
    info: function () { return { transition: st.transition, released: st.released, at: st.at }; },
    // boot: the configured minute (null: off); a held page starts waiting for its charts
    start: function (at) {
      st.at = at === undefined ? null : at;  // the page's load time stays: a return from a drill page is no reload
      if (get(HOLD)) { releaseWhenDrawn(Date.now()); }
    },
    // every clock tick, with the zoned time once the server's clock is known
    tick: function (now, refresh) {
      if (st.at === null || st.busy) { return; }
      if (!st.loaded) { st.loaded = now; }
      if (st.backdated) { st.loaded = { y: now.y - 1, mo: now.mo, d: now.d, h: now.h, mi: now.mi }; st.backdated = false; }
      if (!due(st.at, st.loaded, now) || Date.now() < st.nextTry) { return; }
      var last = parseFloat(get(LAST) || "0");
      if (Date.now() - last < MIN_GAP_MS) { st.loaded = now; return; }  // never twice in an hour, whatever the clock
      st.busy = true;
      refresh().then(function (ok) {
        st.busy = false;
        if (!ok) { st.nextTry = Date.now() + (window.__wallReloadRetryMs || RETRY_MS); return; }
        set(LAST, String(Date.now()));
        set(HOLD, "1");
        window.location.replace(window.location.href);  // a replace, not a reload: reloads get no transition
      });
    },
    // tests: the page's load moved back a day, so the next tick finds the reload due
    backdate: function () { st.backdated = true; }
  };
})();
