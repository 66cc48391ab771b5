// Click-to-load player: the video host's frame is created only when the visitor asks for it.
(function () {
  "use strict";
  document.querySelectorAll("[data-player-src]").forEach(function (box) {
    var button = box.querySelector(".player__play");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = box.dataset.playerSrc + (box.dataset.playerSrc.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
      frame.title = box.dataset.playerTitle;
      frame.allow = "autoplay; fullscreen; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      frame.className = "player__frame";
      box.replaceChildren(frame);
      frame.focus();
    });
  });
})();
