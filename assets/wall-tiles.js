/* The KPI tiles' words, patched in place by the wall's refresh (clientside.js animateKpis does the number): the
   data period (统计期), the due/overdue word, the 已修订 / revised badge with its popover, the tile's classes and
   tooltip. The payload is cockpit/components/kpi.py kpi_payload; the markup made here is the one kpi_card and
   cockpit/components/info.py revision_badge draw on a first render, so a reload shows the same tile. Nodes are
   changed only when their text differs, so a refresh with nothing new touches nothing. */
(function () {
  "use strict";

  function setText(el, text) { if (el.textContent !== text) { el.textContent = text; } }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // as info.revision_badge: fixed at its place so the tile's overflow does not clip the popover
  var POP = { position: "fixed", top: "auto", left: "auto", right: "auto", width: "auto", marginTop: "84px",
              marginLeft: "-150px", whiteSpace: "nowrap" };
  var MARK = { color: "#f5b942", fontSize: "16px", marginLeft: "6px", whiteSpace: "nowrap" };

  function revisedBadge(word) {
    var mark = el("span", "info-mark info-revised");
    mark.tabIndex = 0;
    mark.setAttribute("role", "note");
    Object.keys(MARK).forEach(function (k) { mark.style[k] = MARK[k]; });
    var pop = el("dl", "info-pop");
    Object.keys(POP).forEach(function (k) { pop.style[k] = POP[k]; });
    pop.appendChild(el("dt", null, word));
    pop.appendChild(el("dd", null, ""));
    mark.appendChild(document.createTextNode("\u270e " + word));
    mark.appendChild(pop);
    return mark;
  }

  function patchStale(when, k) {
    var word = when.querySelector(".kpi-stale");
    if (!k.s) { if (word) { word.remove(); } return; }
    if (!word) {
      word = el("span", "kpi-stale");
      var period = when.querySelector(".kpi-period");
      when.insertBefore(word, period ? period.nextSibling : when.firstChild);
    }
    setText(word, k.sw);
    if (word.className !== "kpi-stale " + k.s) { word.className = "kpi-stale " + k.s; }
  }

  function patchRevised(when, k) {
    var badge = when.querySelector(".info-revised");
    if (!k.rv) { if (badge) { badge.remove(); } return; }
    if (!badge) { badge = revisedBadge(k.rw); when.appendChild(badge); }
    setText(badge.querySelector("dd"), k.rv);
    var label = k.rw + ": " + k.rv;
    if (badge.getAttribute("aria-label") !== label) { badge.setAttribute("aria-label", label); }
  }

  /* One tile (the .kpi around its number) brought up to its payload entry k. */
  function patchTile(tile, k) {
    var when = tile.querySelector(".kpi-when");
    if (when) {
      var period = when.querySelector(".kpi-period");
      if (period && k.p !== undefined) { setText(period, k.p); }
      if (k.s !== undefined) { patchStale(when, k); }
      if (k.rv !== undefined) { patchRevised(when, k); }
    }
    if (k.s !== undefined) {
      tile.classList.toggle("stale-due", k.s === "due");
      tile.classList.toggle("stale-overdue", k.s === "overdue");
    }
    if (k.tg !== undefined) { tile.classList.toggle("with-targets", !!k.tg); }
    if (k.tip !== undefined && tile.title !== k.tip) { tile.title = k.tip; }
  }

  window.cockpitWallTiles = { patchTile: patchTile };
})();
