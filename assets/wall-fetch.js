/* Every request the wall makes goes through getJSON: it has a timeout (a hung server never leaves the wall waiting
   for good; the caller's finally runs and the next poll tries again), asks for JSON, and tells a refusal from a
   failure. Refused means the server will not serve this wall as it is (its session expired, the kiosk token was
   rotated, the user removed): 401 or 403, a JSON {"error": "forbidden"}, or the login page (a redirect to /login or
   an HTML form with a password field) where JSON was asked for. clientside.js then shows "needs a new kiosk link"
   and re-checks slowly; any other failure is "reconnecting". Tests shorten the timeout with
   window.__wallFetchTimeoutMs. Loaded as its own asset; clientside.js calls it only at run time. */
(function () {
  "use strict";

  function fault(message, refused) {
    var e = new Error(message);
    e.refused = !!refused;
    return e;
  }

  function loginUrl(url) {
    try {
      return new URL(url, window.location.href).pathname.replace(/\/+$/, "") === "/login";
    } catch (e) { return false; }
  }

  function loginPage(text) {
    return /<input[^>]*type=["']?password/i.test(text) || /<form[^>]*action=["'][^"']*\/login/i.test(text);
  }

  function answer(r) {
    if (r.status === 401 || r.status === 403 || (r.redirected && loginUrl(r.url))) {
      throw fault("refused: HTTP " + r.status, true);
    }
    var type = (r.headers.get("content-type") || "").toLowerCase();
    if (type.indexOf("json") < 0) {  // a login page or a proxy's error page where JSON was asked for
      return r.text().then(function (text) {
        throw fault("not JSON: HTTP " + r.status, loginPage(text) || loginUrl(r.url));
      });
    }
    return r.json().then(function (body) {
      if (body && body.error === "forbidden") { throw fault("refused: " + body.error, true); }
      if (!r.ok) { throw fault("HTTP " + r.status, false); }
      return body;
    });
  }

  /* GET url as JSON within ms (or window.__wallFetchTimeoutMs); the timer covers the body too, so a server that
     sends headers and then stalls is cut off as well. Rejects with e.refused true or false, e.timedOut on a timeout. */
  function getJSON(url, ms) {
    var ctrl = new AbortController(), timedOut = false;
    var timer = setTimeout(function () { timedOut = true; ctrl.abort(); }, window.__wallFetchTimeoutMs || ms);
    return fetch(url, { cache: "no-store", credentials: "same-origin", signal: ctrl.signal,
                        headers: { Accept: "application/json" } })
      .then(answer)
      .catch(function (e) {
        if (e && e.refused !== undefined) { throw e; }
        var f = fault(timedOut ? "timed out: " + url : String(e), false);
        f.timedOut = timedOut;
        throw f;
      })
      .finally(function () { clearTimeout(timer); });
  }

  window.cockpitWallFetch = { getJSON: getJSON, loginPage: loginPage };
})();
