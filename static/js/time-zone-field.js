/*
 * Fills a registration form's hidden time_zone field with the browser's own zone
 * ("America/New_York"), so reminders can give the time there too. Optional: without it
 * the field stays empty and mail shows the webinar's zone only.
 */
(function () {
  "use strict";

  function fill() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone) {
      return;
    }
    var fields = document.querySelectorAll('input[type="hidden"][name="time_zone"]');
    for (var i = 0; i < fields.length; i += 1) {
      if (!fields[i].value) {
        fields[i].value = zone;
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();
