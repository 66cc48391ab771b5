/*
 * Adds the visitor's own time next to a webinar's time when the two differ:
 * "1 October 2020, 10:00-11:30 CEST - 16:00-17:30 your time".
 * Reads <span data-end="..."><time datetime="..."></time></span> (ISO 8601 with offsets).
 * The page is complete without it; an external file so a strict CSP can allow it.
 */
(function () {
  "use strict";

  // "2020-10-01T10:00:00+02:00" -> minutes east of UTC (120), or null.
  function offsetMinutes(iso) {
    var match = /([+-])(\d\d):?(\d\d)$/.exec(iso);
    if (!match) {
      return /Z$/.test(iso) ? 0 : null;
    }
    var minutes = parseInt(match[2], 10) * 60 + parseInt(match[3], 10);
    return match[1] === "-" ? -minutes : minutes;
  }

  function sameDay(a, b) {
    return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  // The calendar date the ISO string names in its own zone, as a local Date at midnight.
  function ownDate(iso) {
    var parts = /^(\d{4})-(\d\d)-(\d\d)/.exec(iso);
    return parts ? new Date(+parts[1], +parts[2] - 1, +parts[3]) : null;
  }

  function describe(start, end, startIso) {
    // 24-hour clock like the times on the page, in the visitor's language otherwise.
    var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
    var text = clock.format(start);
    if (end) {
      text += (sameDay(start, end) ? "-" : " - " + day.format(end) + ", ") + clock.format(end);
    }
    var webinarDay = ownDate(startIso);
    // Say the date too when the visitor's day is not the webinar's.
    if (webinarDay && !sameDay(webinarDay, start)) {
      text = day.format(start) + ", " + text;
    }
    return text + " your time";
  }

  function addLocalTimes() {
    var times = document.querySelectorAll("[data-end] > time[datetime]");
    Array.prototype.forEach.call(times, function (element) {
      var startIso = element.getAttribute("datetime");
      var endIso = element.parentNode.getAttribute("data-end");
      var start = new Date(startIso);
      var end = endIso ? new Date(endIso) : null;
      var own = offsetMinutes(startIso);
      if (isNaN(start.getTime()) || own === null) {
        return;
      }
      if (end && isNaN(end.getTime())) {
        end = null;
      }
      // getTimezoneOffset is minutes west of UTC, for that instant (DST included).
      if (-start.getTimezoneOffset() === own) {
        return;
      }
      if (element.parentNode.querySelector(".localtime")) {
        return;
      }
      var note = document.createElement("span");
      note.className = "localtime";
      note.textContent = " - " + describe(start, end, startIso);
      element.parentNode.appendChild(note);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addLocalTimes);
  } else {
    addLocalTimes();
  }
})();
