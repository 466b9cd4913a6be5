/* Touch and idle on a kiosk wall (issue 13 #3). A wall opened with ?touch=1 or ?kiosk=TOKEN is a kiosk: its
   visitors may drill from it; after the idle time (COCKPIT_IDLE_SECONDS, the wall's config `idle`) without a
   touch, a key or the mouse, a drill page returns to the wall it came from, and the wall to its overview set,
   where rotation resumes. While someone touches the wall, rotation pauses (window.cockpitKiosk.busy()). No stray
   gesture leaves the wall: no context menu, and browser back stays on it. */
(function () {
  var HOME = "cockpitWallHome", IDLE = "cockpitIdleSeconds", last = Date.now();
  var pending = !document.getElementById("wall-canvas");  // an input since the last return (a drill page: yes)
  function get(k) { try { return window.sessionStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) { try { window.sessionStorage.setItem(k, v); } catch (e) { /* private mode: no kiosk memory */ } }
  function idleMs() { return (parseFloat(get(IDLE)) || 0) * 1000; }
  function isWall() { return !!document.getElementById("wall-canvas"); }
  function touched() { last = Date.now(); pending = true; }
  ["pointerdown", "keydown", "wheel", "touchstart", "mousemove"].forEach(function (e) {
    window.addEventListener(e, touched, { passive: true, capture: true });
  });
  window.addEventListener("contextmenu", function (e) { if (get(HOME)) { e.preventDefault(); } }, true);
  window.cockpitKiosk = {
    // the wall's boot tells it the idle time and whether this wall is a kiosk
    start: function (idleSeconds) {
      var q = new URLSearchParams(location.search);
      if (!(q.get("touch") === "1" || q.get("kiosk")) || !(idleSeconds > 0)) { return; }
      set(HOME, location.pathname + location.search);
      set(IDLE, String(idleSeconds));
      if (!window.__kioskBackGuard) {  // back from the wall stays on the wall
        window.__kioskBackGuard = true;
        history.pushState({ kiosk: true }, "", location.href);
        window.addEventListener("popstate", function () {
          if (isWall()) { history.pushState({ kiosk: true }, "", location.href); }
        });
      }
    },
    busy: function () { return idleMs() > 0 && Date.now() - last < idleMs(); },
    idleFor: function () { return Date.now() - last; }
  };
  setInterval(function () {
    var home = get(HOME), ms = idleMs();
    if (!home || !ms || !pending || Date.now() - last < ms) { return; }
    pending = false;  // once per idle spell: the rotation carries on by itself afterwards
    if (!isWall()) { location.assign(home); return; }  // a drill page: back to the wall
    var sets = document.querySelectorAll(".panel-set");
    if (sets.length > 1 && !sets[0].classList.contains("active")) {  // the wall: back to the overview
      sets.forEach(function (s, i) { s.classList.toggle("active", i === 0); });
    }
  }, 1000);
})();
