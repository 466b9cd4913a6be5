/* The wall's per-tick work, in the browser: scale-to-fit, clock, data-version poll, freshness, rotation, number
   animation (the ranking and ticker scroll in CSS), and the refresh itself: when /api/version reports a new data
   version, one GET /api/wall brings every panel's change and set_props patches it in. Those props are no
   callback's input, so Dash's undo history does not grow, however long the wall runs. Every fetch goes through
   assets/wall-fetch.js (a timeout, refusal told from failure); a refused wall says it needs a new kiosk link. */
(function () {
  "use strict";
  var W = 1920, H = 1080;
  var AMBER = 2, RED = 4;  // x the job's interval; see freshnessLevel
  var st = { timers: [], pollTimer: null, version: null, loading: false, offset: 0, failures: 0, payload: null,
             lang: "zh", panels: [], empty: null, reloadAt: null, refused: {}, anims: {}, day: null,
             drawn: {} };
  var POLL_TIMEOUT = 4000, WALL_TIMEOUT = 15000;  // ms: a hung answer is given up, the next poll asks again
  var REFUSED_RECHECK = 60;  // seconds between polls of a refused wall (tests: window.__wallRefusedRecheckS)
  /* When the first layout failed, the wall reloads itself once the server answers, waiting longer each time and
     giving up after the last wait (tests inject a shorter list as window.__wallBackoff). The count of tries lives
     in sessionStorage: it survives the reloads and is cleared by the first good render. */
  var BACKOFF = [5, 15, 45];  // seconds before reload 1, 2, 3

  function backoff() { return window.__wallBackoff || BACKOFF; }
  function remembered(key) { try { return window.sessionStorage.getItem(key); } catch (e) { return null; } }
  function remember(key, value) {
    try {
      if (value === null) { window.sessionStorage.removeItem(key); } else { window.sessionStorage.setItem(key, value); }
    } catch (e) { /* storage off: the wall still stops after one round of tries per page load */ }
  }
  function reloadTries() { return parseInt(remembered("cockpitWallReloads") || "0", 10) || 0; }

  function showFailed(config, tries) {
    var detail = document.getElementById("wall-failed-detail");
    if (!detail || !config.failed) { return; }
    var max = backoff().length, f = config.failed;
    var more = tries < max ? f.retrying.replace("{n}", tries + 1).replace("{max}", max) : f.gave_up.replace("{n}", tries);
    detail.textContent = f.reason + " · " + more;
  }

  function armReload(config) {
    var tries = reloadTries(), waits = backoff();
    st.reloadAt = tries < waits.length ? Date.now() + waits[tries] * 1000 : null;  // null: gave up
    showFailed(config, tries);
  }

  function reloadNow() {
    remember("cockpitWallReloads", String(reloadTries() + 1));
    window.location.reload();
  }

  function fit() {
    var c = document.getElementById("wall-canvas");
    if (!c) { return; }
    var s = Math.min(window.innerWidth / W, window.innerHeight / H);
    var x = (window.innerWidth - W * s) / 2, y = (window.innerHeight - H * s) / 2;
    c.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
  }
  /* Fit the canvas the moment Dash inserts it, not when boot runs after the first callbacks: until then a
     smaller or larger screen showed it unscaled for a frame (and a click landed on what moved). */
  /* It watches only while no canvas is fitted (from page load, and from stop() when the app leaves the wall):
     once one is, every chart redraw would only cost it mutation records. */
  var fitWatch = window.MutationObserver && new MutationObserver(function () {
    var c = document.getElementById("wall-canvas");
    if (!c) { return; }
    if (!c.style.transform) { fit(); }
    fitWatch.disconnect();
  });
  function watchForCanvas() {
    if (fitWatch) { fitWatch.observe(document.documentElement, { childList: true, subtree: true }); }
  }
  watchForCanvas();

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* The wall's clock and stamps read in the cockpit's zone (config.tz, COCKPIT_TZ), never the kiosk's own. */
  var zoned = null;
  function setZone(tz) {
    try {
      zoned = new Intl.DateTimeFormat("en-US", { timeZone: tz || "Asia/Shanghai", hourCycle: "h23", year: "numeric",
        month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", weekday: "short" });
    } catch (e) { zoned = null; }
  }
  var WD = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
  function parts(d) {
    if (!zoned) { setZone(null); }
    var p = {};
    zoned.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour % 24, mi: +p.minute, s: +p.second, wd: WD[p.weekday] };
  }
  function dayOf(ms) {  // the day in COCKPIT_TZ, null for no time (a poll answer without its clock)
    if (!isFinite(ms)) { return null; }
    var p = parts(new Date(ms));
    return p.y + "-" + pad(p.mo) + "-" + pad(p.d);
  }
  function stamp(d, withDate) {
    var p = parts(d), t = pad(p.h) + ":" + pad(p.mi) + ":" + pad(p.s);
    return withDate ? pad(p.mo) + "-" + pad(p.d) + " " + t : t;
  }
  var WEEK = { zh: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
               en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] };

  function tickClock() {
    var now = new Date(Date.now() + st.offset);
    var clock = document.getElementById("wall-clock");
    if (!clock) { stop(); return; }  // the app navigated away from the wall: its timers go with it
    clock.textContent = stamp(now, false);
    var date = clock.parentNode.querySelector(".clock-date");
    if (date) {
      var p = parts(now);
      date.textContent = st.lang === "en" ? p.y + "-" + pad(p.mo) + "-" + pad(p.d) + " " + WEEK.en[p.wd]
        : p.y + "年" + p.mo + "月" + p.d + "日 " + WEEK.zh[p.wd];
    }
    renderFreshness(now.getTime() / 1000);
    if (window.cockpitWallReload && st.payload) { window.cockpitWallReload.tick(parts(now), refresh); }
  }

  /* A job is amber when its last success is older than 2 intervals (one run missed, beyond retries and jitter)
     and red beyond 4 (several runs in a row missed: the source is down, not late). A job that has never succeeded
     is red from its first failure (j[3]: failed since its last success); one never run yet is left out. The
     stamp then shows the worst job's last success (or "never"), not the newest success of another job. */
  var NEVER = { zh: "从未成功", en: "never succeeded" };
  function freshnessLevel(p, nowS) {
    var level = 0, lines = [], worst = null;
    (p.jobs || []).forEach(function (j) {
      var lv;
      if (j[1] === null) {
        if (!j[3]) { lines.push(j[0] + ": -"); return; }
        lv = 2;
        lines.push(j[0] + ": " + NEVER[st.lang === "en" ? "en" : "zh"]);
      } else {
        var ratio = (nowS - j[1]) / j[2];
        lv = ratio > RED ? 2 : ratio > AMBER ? 1 : 0;
        lines.push(j[0] + ": " + stamp(new Date(j[1] * 1000), true));
      }
      // the worst job: the highest level, then the oldest last success (never is oldest of all)
      var older = worst && (j[1] === null ? worst[1] !== null : worst[1] !== null && j[1] < worst[1]);
      if (lv > level || (lv === level && lv > 0 && older)) { worst = j; }
      level = Math.max(level, lv);
    });
    return { level: level, title: lines.join("\n"), worst: level > 0 ? worst : null };
  }

  function renderFreshness(nowS) {
    var el = document.getElementById("wall-freshness");
    if (!el || !st.payload) { return; }
    var f = freshnessLevel(st.payload, nowS);
    el.className = "fresh " + ["ok", "amber", "red"][f.level];
    el.title = f.title;
    var time = el.querySelector(".fresh-time");
    var at = f.worst ? f.worst[1] : st.payload.last;
    var text = at ? stamp(new Date(at * 1000), true) : f.worst ? NEVER[st.lang === "en" ? "en" : "zh"] : "--";
    if (time.textContent !== text) { time.textContent = text; }
  }

  function setOffline(off) {
    document.body.classList.toggle("offline", off);
  }

  /* The server refused this wall (see wall-fetch.js): no endless "reconnecting", one plain bilingual notice
     (#wall-refused, drawn hidden by the layout), and a poll once a minute instead of every few seconds; the first
     good answer from the same route takes the notice down and the wall carries on. Poll and refresh keep their
     own flag, so a good poll does not hide a refusal of the refresh; a refused refresh is retried by each poll. */
  function setRefused(route, on) {
    st.refused[route] = on;
    if (on) { st.failures = 0; setOffline(false); }
    document.body.classList.toggle("kiosk-refused", refused());
  }
  function refused() { return !!(st.refused.poll || st.refused.wall); }

  function getJSON(url, ms) { return window.cockpitWallFetch.getJSON(url, ms); }

  function poll() {
    st.pollTimer = null;
    getJSON("/api/version", POLL_TIMEOUT)
      .then(function (p) {
        st.failures = 0;
        setOffline(false);
        setRefused("poll", false);
        st.payload = p;
        st.offset = p.now * 1000 - Date.now();
        if (st.reload) {  // the first render failed: reload once the back-off passed, never in a loop
          if (st.reloadAt !== null && Date.now() >= st.reloadAt) { reloadNow(); }
          return;
        }
        // A new day in COCKPIT_TZ refreshes too: a figure that turned due or overdue overnight shows at once
        // (the server's wall key holds the day), not only with the next data change.
        var day = dayOf(p.now * 1000);
        if (st.day === null) { st.day = day; }
        if (p.v !== st.version || st.refused.wall || (day !== null && day !== st.day)) { refresh(); }
        renderFreshness(p.now);
      })
      .catch(function (e) {
        if (e && e.refused) { setRefused("poll", true); return; }
        st.failures += 1;
        if (st.failures >= 2 && !refused()) { setOffline(true); }  // one lost poll is noise; two is an outage
      })
      .finally(function () {
        if (!document.getElementById("wall-canvas")) { return; }  // navigated away: boot starts it again
        // One pending poll at a time: a timer replaced, never piled up (the old list kept every id it ever set).
        clearTimeout(st.pollTimer);
        var wait = refused() ? window.__wallRefusedRecheckS || REFUSED_RECHECK : st.poll;
        st.pollTimer = setTimeout(poll, wait * 1000);
      });
  }

  /* Fetch the panels' change for the current data version and patch it in; one refresh at a time. Figures get
     a Patch (traces, annotations, ranges) so dcc.Graph redraws them in place with Plotly.react. */
  function refresh(force) {
    if (st.loading) { return Promise.resolve(false); }
    st.loading = true;
    var day = dayOf(Date.now() + st.offset);
    var q = "?lang=" + encodeURIComponent(st.lang) + "&panels=" + encodeURIComponent(st.panels.join(","));
    return getJSON("/api/wall" + q, WALL_TIMEOUT)
      .then(function (out) {
        var set = window.dash_clientside.set_props;
        // Only a figure that changed is redrawn (Plotly.react costs tens of ms a chart, and a new case changes
        // a ranking, not the R&D trend); `force` (the bench's soak) redraws every one.
        Object.keys(out.figures).forEach(function (key) {
          var json = JSON.stringify(out.figures[key]);
          if (!force && st.drawn[key] === json) { return; }
          st.drawn[key] = json;
          set({ type: "wall-graph", panel: key }, { figure: out.figures[key] });
        });
        Object.keys(out.captions).forEach(function (key) {
          if (document.getElementById("wall-panel-" + key)) {
            set({ type: "wall-caption", panel: key }, { children: out.captions[key], title: out.captions[key] });
          }
        });
        set("wall-ticker", { children: out.ticker });
        set("wall-demo", { style: out.demo ? null : { display: "none" } });
        window.dash_clientside.cockpit.animateKpis(out.kpis);
        st.version = out.v;
        if (day !== null) { st.day = day; }
        // A panel went from "no data" to data (or back): its layout differs (a scrolled ranking), so draw the
        // page anew, once per data version.
        var empty = (out.empty || []).join(",");
        if (st.empty !== null && empty !== st.empty && remembered("cockpitWallShape") !== String(out.v)) {
          remember("cockpitWallShape", String(out.v));
          window.location.reload();
        }
        setRefused("wall", false);
        markRendered(out.v);
        return true;
      })
      .catch(function (e) {  // keep what is shown; the next poll tries again (a refusal: once a minute)
        if (e && e.refused) { setRefused("wall", true); }
        return false;
      })
      .finally(function () { st.loading = false; });  // a timeout ends here too: a hung refresh never blocks the next
  }

  function markRendered(version) {
    // Tests and the bench wait on this: the version the panels show now, and how many refreshes happened.
    document.body.setAttribute("data-rendered", String(version));
    window.__wallRenders = (window.__wallRenders || 0) + 1;
  }

  function rotate() {
    var sets = document.querySelectorAll(".panel-set");
    if (sets.length < 2) { return; }
    if (window.cockpitKiosk && window.cockpitKiosk.busy()) { return; }  // someone is touching the wall
    var i = 0;
    sets.forEach(function (s, k) { if (s.classList.contains("active")) { i = k; } });
    // the exceptions set gives each exception a dwell of its own before the rotation moves on
    if (sets[i].id === "wall-set-exceptions" && stepCard(sets[i], false)) { return; }
    var next = (i + 1) % sets.length;
    for (var n = 0; n < sets.length && sets[next].getAttribute("data-count") === "0"; n++) {
      next = (next + 1) % sets.length;  // an exceptions set with none to show is skipped
    }
    if (sets[next].id === "wall-set-spotlight" && sets[next].dataset.visited) { stepCard(sets[next], true); }
    if (sets[next].id === "wall-set-exceptions") { showCard(sets[next], 0); }
    sets[next].dataset.visited = "1";
    sets[i].classList.remove("active");
    sets[next].classList.add("active");
  }

  function showCard(set, k) {
    set.querySelectorAll(".spot-card").forEach(function (c, j) { c.classList.toggle("active", j === k); });
  }

  function stepCard(set, wrap) {  // the next card; false at the last one unless `wrap`
    var cards = set.querySelectorAll(".spot-card"), k = 0;
    cards.forEach(function (c, j) { if (c.classList.contains("active")) { k = j; } });
    if (k + 1 >= cards.length && !wrap) { return false; }
    showCard(set, (k + 1) % Math.max(cards.length, 1));
    return true;
  }

  function every(fn, ms) { st.timers.push(setInterval(fn, ms)); }

  function stop() {
    watchForCanvas();  // the next wall this page shows is fitted as Dash inserts it
    st.timers.forEach(function (t) { clearInterval(t); });
    st.timers = [];
    clearTimeout(st.pollTimer);
    st.pollTimer = null;
  }

  function fmt(v, d) {
    return Number(v).toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  /* One number animation per tile: a new value stops the tween running on that tile and starts from the number it
     shows, so refreshes close together never run two requestAnimationFrame loops on one element. */
  function stopTween(el) {
    var run = st.anims[el.id];
    if (!run) { return NaN; }
    window.cancelAnimationFrame(run.frame);
    delete st.anims[el.id];
    el.classList.remove("changing");
    return run.at;
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function tween(el, from, to, d) {
    if (isNaN(from) || from === to || reducedMotion()) { el.textContent = fmt(to, d); return; }
    var run = { at: from, frame: 0 }, start = null;
    el.classList.add("changing");
    function step(ts) {
      if (start === null) { start = ts; }
      var p = Math.min(1, (ts - start) / 1200), e = 1 - Math.pow(1 - p, 3);
      run.at = from + (to - from) * e;
      el.textContent = fmt(run.at, d);
      if (p < 1) { run.frame = window.requestAnimationFrame(step); return; }
      if (st.anims[el.id] === run) { delete st.anims[el.id]; }
      el.classList.remove("changing");
    }
    st.anims[el.id] = run;
    run.frame = window.requestAnimationFrame(step);
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.cockpit = {
    boot: function (config) {
      stop();
      st.drawn = {};  // a new layout drew its own figures: the first refresh patches them all
      st.poll = config.poll;
      st.version = config.v;
      st.lang = config.lang;
      st.day = null;  // the first poll sets the day this render shows
      setZone(config.tz);
      st.panels = config.panels || [];
      st.reload = !!config.reload;
      st.empty = config.reload ? null : (config.empty || []).join(",");
      setOffline(st.reload);
      if (st.reload) { armReload(config); } else { remember("cockpitWallReloads", null); }
      if (!st.resizeBound) { window.addEventListener("resize", fit); st.resizeBound = true; }
      fit();
      tickClock();
      every(tickClock, 1000);
      if (config.rotate > 0) { every(rotate, config.rotate * 1000); }
      if (window.cockpitKiosk) { window.cockpitKiosk.start(config.idle); }
      if (window.cockpitWallReload) { window.cockpitWallReload.start(config.reload_at); }
      if (config.v !== null && config.v !== undefined) { markRendered(config.v); }
      poll();
      return window.dash_clientside.no_update;
    },
    // The refresh, by hand: the bench drives many cycles through it without waiting for new data.
    refresh: refresh,
    // The freshness rule, for its tests in a real browser.
    freshnessLevel: function (p, nowS, lang) { st.lang = lang || st.lang; return freshnessLevel(p, nowS); },
    animateKpis: function (data) {
      Object.keys(data || {}).forEach(function (code) {
        var k = data[code], el = document.getElementById("wall-kpi-" + code);
        var delta = document.getElementById("wall-kpi-delta-" + code);
        if (delta) { delta.textContent = k.delta; delta.className = "kpi-delta " + k.cls; }
        var tile = el ? el.closest(".kpi") : null;
        var goal = tile ? tile.querySelector(".kpi-targets") : null;
        if (goal && k.tg !== undefined) { goal.textContent = k.tg; goal.className = "kpi-targets " + k.tcls; }
        if (tile && window.cockpitWallTiles) { window.cockpitWallTiles.patchTile(tile, k); }  // period, words, badge
        if (!el) { return; }
        if (el.parentNode && el.parentNode.parentNode) {
          el.parentNode.parentNode.classList.toggle("none", k.v === null || k.v === undefined);
        }
        var shown = stopTween(el);
        if (k.v === null || k.v === undefined) {  // no value yet: a dash, as the server draws it
          el.setAttribute("data-value", "");
          el.textContent = "\u2014";
          return;
        }
        var from = isNaN(shown) ? parseFloat(el.getAttribute("data-value")) : shown;
        el.setAttribute("data-value", k.v);
        tween(el, from, k.v, k.d);
      });
      return window.dash_clientside.no_update;
    },
    // The tiles whose number is animating now (tests: never more than one loop per tile).
    animating: function () { return Object.keys(st.anims); },
    drillDown: function (deptClick, chainClick, mapClick) {
      var trig = window.dash_clientside.callback_context.triggered[0];
      if (!trig || !trig.value || !trig.value.points || !trig.value.points.length) {
        return window.dash_clientside.no_update;
      }
      var cd = trig.value.points[0].customdata, depts = trig.prop_id.indexOf("depts") >= 0;
      var map = trig.prop_id.indexOf("map") >= 0;
      var code = depts ? cd[0] : cd;
      var q = st.lang === "en" ? "?lang=en" : "";
      return "/" + (depts ? "departments/" : map ? "townships/" : "chains/") + encodeURIComponent(code) + q;
    }
  };
})();
