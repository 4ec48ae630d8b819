#!/usr/bin/python3
"""Expand the VEVENTs of an iCalendar file with python-recurring-ical-events.

This is the reference side of Ally's differential recurrence test
(test/calendar/differential.test.ts). Run it with Debian's interpreter
(/usr/bin/python3) and Debian's python3-recurring-ical-events (2.0.1).

Usage:
    expand.py [--ignore-x-wr-timezone] FILE ZONE START/END[@ZONE] [START/END[@ZONE] ...]

FILE is an .ics file; ZONE an IANA zone used to read floating date-times and
dates; each START/END a window as two UTC RFC 3339 instants (half-open),
optionally with its own zone after "@".
With --ignore-x-wr-timezone the calendar's X-WR-TIMEZONE is removed before
expansion (the library otherwise always applies it, see x_wr_timezone.py).

Prints one JSON object:
    {"library": "2.0.1", "error": null | "...",
     "windows": [{"start": "...", "end": "...", "zone": "...", "error": null | "...",
                  "occurrences": [{"uid", "summary", "start", "end",
                                   "allDay", "status", "transp", "recurrenceId"}]}]}
start/end are UTC epoch milliseconds. A date value is local midnight in ZONE,
a floating date-time is read in ZONE (after the library's own X-WR-TIMEZONE
handling, which turns floating and UTC values into that zone).

The window is handed to the library as aware date-times in ZONE: the library
compares floating and date values by wall time against the window (it strips
the window's zone for them), so this reads them in ZONE as well.

What this version of the library does (read from
/usr/lib/python3/dist-packages/recurring_ical_events.py, x_wr_timezone.py and
icalendar 4.0.3), which the expected-failures list refers to:
- X-WR-TIMEZONE is always applied by of(): UTC DTSTART, DTEND, RDATE, EXDATE
  and RECURRENCE-ID become wall-clock times in that zone (so UTC series expand
  in its wall-clock time) and floating ones are read in it; DATE values stay.
- TZID: an Olson name is taken from tzdata (the file's VTIMEZONE is ignored), a
  Windows name is mapped to Olson, any other uses the file's VTIMEZONE, and an
  unknown TZID leaves the time floating.
- Window: an event is in it when start < window end and end > window start; a
  zero-length one when window start <= start < window end.
- No DTEND and no DURATION: zero length, also for a DATE DTSTART (RFC 5545
  3.6.1 says one day). DTEND equal to a DATE DTSTART: zero length too.
- DTEND before DTSTART: AssertionError, the window fails.
- STATUS:CANCELLED (master or override) is reported like any other event.
- RECURRENCE-ID overrides replace the instance of the same UID on the same
  date (each compared by its own date); an override moved out of the window
  removes its instance. Two components with one UID and no RECURRENCE-ID on one
  date: the lower SEQUENCE is dropped only when both have SEQUENCE; otherwise
  both are reported, and whole revisions are merged date by date.
- RANGE=THISANDFUTURE is ignored: the override is for one instance.
- RDATE;VALUE=PERIOD fails with TypeError; several distinct RRULEs fail with
  ValueError (a repeated identical RRULE is accepted).
- dateutil expands pytz-zoned series at DTSTART's UTC offset and compares with
  a UTC UNTIL before re-localising, so across a DST change the instance equal
  to UNTIL can be lost; a DATE series with a date-time UNTIL keeps its date
  only; COUNT=-1 leaves only the first instance; an unknown rule part (UNTL)
  fails with KeyError.
- Window bounds with fractions of a second can lose an instance at local
  midnight; the test uses whole seconds.
- After an exception, dateutil's rule cache stays locked and the next
  between() on the same object hangs, so each window gets a fresh of().
"""

import datetime
import json
import sys
import traceback
import zoneinfo

import icalendar
import recurring_ical_events


def parse_instant(text):
    """Parse a UTC RFC 3339 instant."""
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("window bound needs an offset: " + text)
    return value


def epoch_ms(value, zone):
    """UTC epoch milliseconds of a date, floating or aware date-time."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=zone)
    elif isinstance(value, datetime.date):
        value = datetime.datetime(value.year, value.month, value.day, tzinfo=zone)
    else:
        raise TypeError("not a date or date-time: %r" % (value,))
    return round(value.timestamp() * 1000)


def text_of(event, name):
    value = event.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0]
    return str(value)


def occurrence(event, zone):
    start = event["DTSTART"].dt
    end_prop = event.get("DTEND")
    end = end_prop.dt if end_prop is not None else start
    status = text_of(event, "STATUS")
    transp = text_of(event, "TRANSP")
    recurrence_id = event.get("RECURRENCE-ID")
    return {
        "uid": text_of(event, "UID"),
        "summary": text_of(event, "SUMMARY"),
        "start": epoch_ms(start, zone),
        "end": epoch_ms(end, zone),
        "allDay": not isinstance(start, datetime.datetime),
        "status": status.upper() if status is not None else None,
        "transp": transp.upper() if transp is not None else None,
        "recurrenceId": epoch_ms(recurrence_id.dt, zone) if recurrence_id is not None else None,
    }


def describe(error):
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return "%s: %s (%s:%s)" % (
        type(error).__name__,
        error,
        frame.filename.rsplit("/", 1)[-1],
        frame.lineno,
    )


def main(argv):
    ignore_x_wr_timezone = len(argv) > 1 and argv[1] == "--ignore-x-wr-timezone"
    if ignore_x_wr_timezone:
        argv = argv[:1] + argv[2:]
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    path, default_zone = argv[1], argv[2]
    windows = []
    for arg in argv[3:]:
        span, _, zone_name = arg.partition("@")
        start_text, end_text = span.split("/", 1)
        zone_name = zone_name or default_zone
        windows.append(
            (start_text, end_text, zone_name, parse_instant(start_text), parse_instant(end_text))
        )
    result = {"library": "2.0.1", "error": None, "windows": []}
    try:
        with open(path, "rb") as handle:
            calendar = icalendar.Calendar.from_ical(handle.read())
        if ignore_x_wr_timezone and "X-WR-TIMEZONE" in calendar:
            del calendar["X-WR-TIMEZONE"]
        recurring_ical_events.of(calendar)
    except Exception as error:  # the whole calendar is unreadable for the library
        result["error"] = describe(error)
        calendar = None
    for start_text, end_text, zone_name, start, end in windows:
        zone = zoneinfo.ZoneInfo(zone_name)
        window = {
            "start": start_text,
            "end": end_text,
            "zone": zone_name,
            "error": None,
            "occurrences": [],
        }
        if calendar is not None:
            try:
                # A fresh expansion per window: the library's rule cache (dateutil's
                # rruleset(cache=True)) stays locked after an exception and would hang.
                unfoldable = recurring_ical_events.of(calendar)
                events = unfoldable.between(start.astimezone(zone), end.astimezone(zone))
                window["occurrences"] = [occurrence(event, zone) for event in events]
            except Exception as error:
                window["error"] = describe(error)
        result["windows"].append(window)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
