/*
 * Inside an embed page: tells the page that frames it how tall the content is, so that the
 * host's optional script (embed.js) can size the iframe. Only an origin allowed to frame the
 * page (data-embed-origins, the site's EMBED_ALLOWED_ORIGINS) is told, and only the parent.
 */
(function () {
  "use strict";
  if (window.parent === window) {
    return;
  }
  var allowed = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  var parentOrigin = null;

  function originOf(url) {
    try {
      return new URL(url).origin;
    } catch (e) {
      return null;
    }
  }

  var lastSent = null;

  // The content's own height, not scrollHeight: that is never less than the frame, so a frame
  // sized to a long list would never shrink back when a short page (the thanks) follows.
  function contentHeight() {
    return Math.ceil(document.body.getBoundingClientRect().height);
  }

  function send() {
    if (parentOrigin) {
      var height = contentHeight();
      if (height === lastSent) {
        return;
      }
      lastSent = height;
      window.parent.postMessage({ type: "webinars:height", height: height }, parentOrigin);
    }
  }

  function accept(origin) {
    if (origin && allowed.indexOf(origin) !== -1) {
      parentOrigin = origin;
      lastSent = null;
      send();
    }
  }

  // The host script says hello with its origin; answer only an allowed one, from the parent.
  window.addEventListener("message", function (event) {
    if (event.source === window.parent && event.data && event.data.type === "webinars:hello") {
      accept(event.origin);
    }
  });
  // Where the browser tells who frames the page, start without waiting for the hello.
  var ancestors = window.location.ancestorOrigins;
  accept(ancestors && ancestors.length ? ancestors[0] : originOf(document.referrer));
  if (window.ResizeObserver) {
    new ResizeObserver(send).observe(document.body);
  } else {
    window.addEventListener("resize", send);
  }
})();
