/*
 * Sharing a webinar page (templates/includes/share.html): the browser's own share sheet
 * (Web Share API) where it has one, and copying the link where the clipboard is available.
 * Both buttons stay hidden otherwise; the plain links beside them work without JavaScript and
 * load nothing until followed. An external file so a strict CSP can allow it.
 */
(function () {
  "use strict";

  function setUp(box) {
    var url = box.getAttribute("data-url");
    var title = box.getAttribute("data-title");
    var status = box.querySelector(".share__status");
    var native = box.querySelector(".share__native");
    var copy = box.querySelector(".share__copy");

    if (native && typeof navigator.share === "function") {
      native.hidden = false;
      native.addEventListener("click", function () {
        // A visitor closing the sheet rejects the promise: nothing to say then.
        navigator.share({ title: title, url: url }).catch(function () {});
      });
    }
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(
          function () {
            status.textContent = box.getAttribute("data-copied");
          },
          function () {
            status.textContent = box.getAttribute("data-copy-failed");
          }
        );
      });
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
