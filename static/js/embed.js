/*
 * Optional, for the page that embeds the webinars: sizes each
 * <iframe data-webinars-embed src="https://webinars.example.org/embed/..."> to its content.
 * Heights are taken only from the iframe's own window and the webinar site's origin.
 */
(function () {
  "use strict";

  function connect(frame) {
    var origin;
    try {
      origin = new URL(frame.src, document.baseURI).origin;
    } catch (e) {
      return;
    }
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.origin !== origin || event.source !== frame.contentWindow || !data || data.type !== "webinars:height") {
        return;
      }
      var height = Number(data.height);
      if (isFinite(height) && height > 0 && height < 100000) {
        frame.style.height = Math.ceil(height) + "px";
      }
    });
    function hello() {
      if (frame.contentWindow) {
        frame.contentWindow.postMessage({ type: "webinars:hello" }, origin);
      }
    }
    frame.addEventListener("load", hello);
    hello();
  }

  var frames = document.querySelectorAll("iframe[data-webinars-embed]");
  for (var i = 0; i < frames.length; i++) {
    connect(frames[i]);
  }
})();
