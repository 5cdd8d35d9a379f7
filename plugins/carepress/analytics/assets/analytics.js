/* CarePress analytics: cookie-less, storage-less audience measurement with content dimensions only.
   Configured by the JSON block #cp-analytics written at build time. Never sends a visitor id, a query
   string, a fragment or more of the referrer than its origin; sends nothing under Do Not Track, Global
   Privacy Control or the visitor's opt-out (the one value this script may store, on request). */
(function () {
  "use strict";
  var OPT_OUT_KEY = "carepress-analytics-opt-out";
  var block = document.getElementById("cp-analytics");
  if (!block) return;
  var config;
  try { config = JSON.parse(block.textContent); } catch (error) { return; }
  var page = config.page;

  function optedOut() {
    try { return window.localStorage.getItem(OPT_OUT_KEY) === "1"; } catch (error) { return false; }
  }

  function privacySignal() {
    return navigator.doNotTrack === "1" || navigator.doNotTrack === "yes" || window.doNotTrack === "1" ||
      navigator.globalPrivacyControl === true;
  }

  function measuring() { return !privacySignal() && !optedOut(); }

  function stripUrl(href) {
    try { var url = new URL(href, location.href); return url.origin + url.pathname; } catch (error) { return ""; }
  }

  function referrerOrigin() {
    try {
      var url = new URL(document.referrer);
      return url.host === location.host ? "" : url.origin;
    } catch (error) { return ""; }
  }

  var pageUrl = page.url || stripUrl(location.href);
  var pagePath = page.type === "404" ? new URL(stripUrl(location.href)).pathname : config.dimensions.page_path;
  var dimensions = Object.assign({}, config.dimensions, { page_path: pagePath });
  var referrer = referrerOrigin();

  function merged(props) { return Object.assign({}, dimensions, props); }

  var PLAUSIBLE_NAMES = { outbound_link: "Outbound Link: Click", file_download: "File Download", not_found: "404" };

  // Each builder returns the request its engine documents: [content type, body].
  var builders = {
    plausible: function (name, props) {
      return ["application/json", JSON.stringify({
        name: PLAUSIBLE_NAMES[name] || name, url: pageUrl, domain: config.site_id,
        referrer: referrer || null, props: merged(props)
      })];
    },
    matomo: function (name, props) {
      var params = new URLSearchParams({ idsite: config.site_id, rec: "1", apiv: "1", send_image: "0",
        url: pageUrl, rand: String(Math.random()).slice(2, 10) });
      if (referrer) params.set("urlref", referrer + "/");
      Object.keys(config.matomo_dimensions).forEach(function (dimension) {
        if (dimensions[dimension]) params.set("dimension" + config.matomo_dimensions[dimension], dimensions[dimension]);
      });
      if (name === "pageview") params.set("action_name", page.title);
      else if (name === "not_found") params.set("action_name", "404/URL = " + encodeURIComponent(pagePath));
      else {
        params.set("ca", "1");
        if (name === "outbound_link") params.set("link", props.url);
        else if (name === "file_download") params.set("download", props.url);
        else if (name === "cta_click") { params.set("e_c", "cta"); params.set("e_a", "click"); params.set("e_n", props.cta); }
        else { params.set("e_c", "content"); params.set("e_a", name); params.set("e_n", pagePath); }
      }
      return ["application/x-www-form-urlencoded;charset=UTF-8", params.toString()];
    },
    umami: function (name, props) {
      var payload = { website: config.site_id, hostname: new URL(pageUrl).hostname, url: pagePath, title: page.title,
        referrer: referrer, language: dimensions.language, data: merged(props) };
      if (name !== "pageview") payload.name = name;
      return ["application/json", JSON.stringify({ type: "event", payload: payload })];
    },
    beacon: function (name, props) {
      // text/plain: a JSON body any endpoint can take without a CORS preflight.
      return ["text/plain;charset=UTF-8", JSON.stringify({ event: name, url: pageUrl, referrer: referrer,
        dimensions: dimensions, properties: props })];
    }
  };

  // A keepalive fetch (it outlives the page, as sendBeacon would) with no credentials and no referrer:
  // sendBeacon always sends the engine's cookies and the page's full address (query string included)
  // when the engine is on the same site, and keeps a cookie the engine sets.
  function transmit(type, body) {
    fetch(config.endpoint, { method: "POST", body: body, headers: { "Content-Type": type }, keepalive: true,
      credentials: "omit", mode: "cors", referrerPolicy: "no-referrer" }).catch(function () {});
  }

  function send(name, props) {
    if (!measuring()) return;
    var request = builders[config.provider](name, props || {});
    transmit(request[0], request[1]);
  }

  var downloads = new RegExp("\\.(" + config.downloads.join("|") + ")$", "i");

  function onClick(event) {
    var element = event.target.closest && event.target.closest("a[href], [data-cp-event]");
    if (!element) return;
    var cta = element.getAttribute("data-cp-event");
    if (cta && element.classList.contains("cp-cta")) send("cta_click", { cta: cta });
    if (element.tagName !== "A") return;
    var url;
    try { url = new URL(element.href, location.href); } catch (error) { return; }
    if (!/^https?:$/.test(url.protocol)) return;
    if (url.host !== location.host) send("outbound_link", { url: url.origin + url.pathname });
    else if (element.hasAttribute("download") || downloads.test(url.pathname)) send("file_download", { url: url.pathname });
  }

  function watchReadCompletion() {
    var article = document.querySelector(".md-content__inner");
    if (!article || !("IntersectionObserver" in window)) return;
    var end = document.createElement("div");
    end.className = "cp-read-end";
    end.setAttribute("aria-hidden", "true");
    article.appendChild(end);
    // Read means scrolled to the end: an end in view when the page opens (a short article) is no reading.
    var inView = false, scrolled = false;
    function judge() {
      if (!inView || !scrolled) return;
      observer.disconnect();
      window.removeEventListener("scroll", onScroll);
      send("read_complete");
    }
    function onScroll() { scrolled = true; judge(); }
    var observer = new IntersectionObserver(function (entries) {
      inView = entries[entries.length - 1].isIntersecting;
      judge();
    });
    observer.observe(end);
    window.addEventListener("scroll", onScroll, { passive: true });
  }

  function setUpOptOut(control) {
    var status = control.querySelector(".cp-opt-out__status");
    var button = control.querySelector("button");
    function render() {
      var out = optedOut();
      status.textContent = control.getAttribute(out || privacySignal() ? "data-status-opted-out" : "data-status-measured");
      button.textContent = control.getAttribute(out ? "data-label-in" : "data-label-out");
    }
    button.addEventListener("click", function () {
      try {
        if (optedOut()) window.localStorage.removeItem(OPT_OUT_KEY);
        else window.localStorage.setItem(OPT_OUT_KEY, "1");
      } catch (error) { /* storage refused: nothing is kept */ }
      render();
    });
    render();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-cp-opt-out]"), setUpOptOut);
  document.addEventListener("click", onClick, true);
  document.addEventListener("auxclick", function (event) { if (event.button === 1) onClick(event); }, true);
  // Matomo counts the 404 as its own page view ("404/URL = <path>"): a generic one beside it counted the visit twice.
  if (!(page.type === "404" && config.provider === "matomo")) send("pageview");
  if (page.type === "404") send("not_found");
  if (page.type === "article") watchReadCompletion();
})();
