// A "Copy" button beside a value shown once: the value stays selectable and copyable without
// JavaScript, so the button is hidden until this script shows it.
(function () {
  "use strict";
  document.querySelectorAll("button.copy-button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var value = field.value !== undefined ? field.value : field.textContent;
      navigator.clipboard.writeText(value).then(
        function () {
          button.textContent = button.dataset.copied;
          window.setTimeout(function () { button.textContent = label; }, 4000);
        },
        function () {
          field.focus();
          if (field.select) { field.select(); }
        }
      );
    });
  });
})();
