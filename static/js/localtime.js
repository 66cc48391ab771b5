/*
 * Leads with the visitor's own time when it differs from the webinar's, which stays beside it,
 * and says how far off it is ("in 6 days", "today at 15:00", "live now"):
 *   Your time: Thursday 1 October 2020, 04:00–05:30 EDT (New York)
 *   Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time
 *   in 6 days
 * Reads <span data-end="..." data-yours="Your time: {time} ({zone})" data-live="Live now"
 * data-today="today at {time}"><time datetime="..."> (ISO 8601 with offsets; the data-
 * attributes are the translated words, written by the server; RelativeTimeFormat says the
 * rest in the page's language). Pages are cached and the same for everyone, so this is the
 * only place a visitor's zone is used.
 * Formatted like the server's text (webinars/formatting.py): weekday always, en dash for
 * ranges, each end's own abbreviation when they differ. Without JavaScript the webinar's own
 * time stands alone. List cards' date blocks follow the visitor's day (localDateBlocks). An external file so a strict CSP can allow it.
 */
(function () {
  "use strict";

  var DASH = "\u2013";

  // "2020-10-01T10:00:00+02:00" -> minutes east of UTC (120), or null.
  function offsetMinutes(iso) {
    var match = /([+-])(\d\d):?(\d\d)$/.exec(iso);
    if (!match) {
      return /Z$/.test(iso) ? 0 : null;
    }
    var minutes = parseInt(match[2], 10) * 60 + parseInt(match[3], 10);
    return match[1] === "-" ? -minutes : minutes;
  }

  function parts(formatter, date) {
    var found = {};
    formatter.formatToParts(date).forEach(function (part) {
      found[part.type] = part.value;
    });
    return found;
  }

  function formatters(lang) {
    return {
      day: new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", year: "numeric" }),
      clock: new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      zone: new Intl.DateTimeFormat(lang, { timeZoneName: "short" }),
    };
  }

  // "Thursday 1 October 2020" in the page's language, ordered as on the page.
  function day(f, date) {
    var p = parts(f.day, date);
    return p.weekday + " " + p.day + " " + p.month + " " + p.year;
  }

  function clock(f, date) {
    var p = parts(f.clock, date);
    return p.hour + ":" + p.minute;
  }

  // A language may name a zone only by its offset (British English says "GMT-4" for New
  // York): then the first of these that names it, as the server's abbreviations do (EDT, CET).
  var OFFSET_ONLY = /^(GMT|UTC)([+\-\u2212]|$)/;
  var NAMING = ["en-US", "en-GB"].map(function (lang) {
    return new Intl.DateTimeFormat(lang, { timeZoneName: "short" });
  });

  function abbreviation(f, date) {
    var own = parts(f.zone, date).timeZoneName || "";
    for (var i = 0; OFFSET_ONLY.test(own) && i < NAMING.length; i++) {
      var named = parts(NAMING[i], date).timeZoneName || "";
      if (named && !OFFSET_ONLY.test(named)) {
        return named;
      }
    }
    return own;
  }

  function span(f, start, end) {
    var first = abbreviation(f, start);
    if (!end) {
      return day(f, start) + ", " + clock(f, start) + " " + first;
    }
    var last = abbreviation(f, end);
    if (day(f, start) !== day(f, end)) {
      return day(f, start) + ", " + clock(f, start) + " " + first + " " + DASH + " " + day(f, end) + ", " + clock(f, end) + " " + last;
    }
    if (first === last) {
      return day(f, start) + ", " + clock(f, start) + DASH + clock(f, end) + " " + last;
    }
    return day(f, start) + ", " + clock(f, start) + " " + first + " " + DASH + " " + clock(f, end) + " " + last;
  }

  // "America/New_York" -> "New York".
  function zoneName() {
    var zone = (Intl.DateTimeFormat().resolvedOptions().timeZone || "").split("/").pop();
    return zone.replace(/_/g, " ");
  }

  // getTimezoneOffset is minutes west of UTC, for that instant (DST included).
  function sameOffset(date, iso) {
    return -date.getTimezoneOffset() === offsetMinutes(iso);
  }

  function dayNumber(date) {
    return Math.floor(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()) / 86400000);
  }

  // "live now", "today at 15:00", "tomorrow", "in 6 days", "in 3 months", "2 days ago".
  function relative(f, holder, start, end, now) {
    var lang = document.documentElement.lang || undefined;
    if (start <= now && (!end || now < end)) {
      return end ? holder.getAttribute("data-live") || "" : "";
    }
    var days = dayNumber(start) - dayNumber(now);
    if (days === 0 && start > now) {
      return (holder.getAttribute("data-today") || "").replace("{time}", clock(f, start));
    }
    if (!window.Intl || !Intl.RelativeTimeFormat) {
      return "";
    }
    var words = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    if (Math.abs(days) > 60) {
      return words.format(Math.round(days / 30.44), "month");
    }
    return words.format(days, "day");
  }

  function addRelative(f, holder, start, end) {
    if (holder.querySelector(".relative-time")) {
      return;
    }
    var phrase = relative(f, holder, start, end, new Date());
    if (phrase) {
      var note = document.createElement("span");
      note.className = "relative-time";
      note.textContent = phrase;
      holder.appendChild(note);
    }
  }

  function addLocalTimes() {
    var f = formatters(document.documentElement.lang || undefined);
    var times = document.querySelectorAll("[data-yours] > time[datetime]");
    Array.prototype.forEach.call(times, function (element) {
      var holder = element.parentNode;
      var startIso = element.getAttribute("datetime");
      var endIso = holder.getAttribute("data-end");
      var start = new Date(startIso);
      var end = endIso ? new Date(endIso) : null;
      if (isNaN(start.getTime()) || offsetMinutes(startIso) === null) {
        return;
      }
      if (end && (isNaN(end.getTime()) || offsetMinutes(endIso) === null)) {
        end = null;
      }
      addRelative(f, holder, start, end);
      if (sameOffset(start, startIso) && (!end || sameOffset(end, endIso))) {
        return;
      }
      if (holder.querySelector(".localtime")) {
        return;
      }
      var note = document.createElement("span");
      note.className = "localtime";
      note.textContent = holder
        .getAttribute("data-yours")
        .replace("{time}", span(f, start, end))
        .replace("{zone}", zoneName());
      // The visitor's own time first; the webinar's follows as the quieter line.
      holder.insertBefore(note, holder.firstChild);
      holder.classList.add("webinar-time--yours");
    });
  }

  // A list card's date block (<p class="date-block" data-start="...">) shows the day in the
  // webinar's zone; a visitor for whom it starts on another day sees their own day there too,
  // so the card does not lead with a date its first line contradicts.
  function localDateBlocks() {
    var lang = document.documentElement.lang || undefined;
    var month = new Intl.DateTimeFormat(lang, { month: "short" });
    var blocks = document.querySelectorAll(".date-block[data-start]");
    Array.prototype.forEach.call(blocks, function (block) {
      var iso = block.getAttribute("data-start");
      var own = /^(\d{4})-(\d\d)-(\d\d)T/.exec(iso);
      var start = new Date(iso);
      if (!own || isNaN(start.getTime()) || offsetMinutes(iso) === null) {
        return;
      }
      if (
        start.getFullYear() === parseInt(own[1], 10) &&
        start.getMonth() + 1 === parseInt(own[2], 10) &&
        start.getDate() === parseInt(own[3], 10)
      ) {
        return;
      }
      var set = function (selector, text) {
        var part = block.querySelector(selector);
        if (part) {
          part.textContent = text;
        }
      };
      set(".date-block__day", String(start.getDate()));
      set(".date-block__month", month.format(start));
      set(".date-block__year", String(start.getFullYear()));
      block.classList.add("date-block--yours");
    });
  }

  function run() {
    addLocalTimes();
    localDateBlocks();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
