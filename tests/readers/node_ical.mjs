// Reads an iCalendar file on stdin with node-ical (a parser many Node calendar tools build on)
// and prints each event's UID and UTC instants as JSON, for comparison with ical.js.
import { readFileSync } from "node:fs";
import ical from "node-ical";

const parsed = ical.sync.parseICS(readFileSync(0, "utf8"));
const events = Object.values(parsed)
  .filter((component) => component.type === "VEVENT")
  .map((event) => ({
    uid: event.uid,
    start: event.start.toISOString(),
    end: event.end.toISOString(),
  }));
process.stdout.write(JSON.stringify({ events }));
