// Reads an iCalendar file on stdin with Mozilla's ical.js (as Thunderbird and Nextcloud do) and
// prints what a calendar client would take from it, as JSON: the calendar's name and
// description, its components, and each event's UTC instants.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
// Clients register the file's own VTIMEZONEs before reading its events.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const utc = (time) => time.toJSDate().toISOString();
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: utc(event.startDate),
    end: utc(event.endDate),
    start_zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
  };
});
process.stdout.write(
  JSON.stringify({
    method: calendar.getFirstPropertyValue("method"),
    name: calendar.getFirstPropertyValue("name"),
    calname: calendar.getFirstPropertyValue("x-wr-calname"),
    caldesc: calendar.getFirstPropertyValue("x-wr-caldesc"),
    components: calendar.getAllSubcomponents().map((c) => c.name),
    events,
  }),
);
