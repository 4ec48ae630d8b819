/**
 * The one factory that turns a source written by a person into a connector, by scheme:
 * - a path or `file:` URL: a local .ics file;
 * - `http://`, `https://` (or `webcal://`, read as https): an ICS feed;
 * - `caldav+https://`, `caldav+http://`: a CalDAV calendar collection, with the user name and
 *   password given in `env` (never in the URL, so they stay out of shell history and output).
 * A source that cannot be used is a value with a message, not an exception.
 */
import { fileURLToPath } from "node:url";
import { CalDavSource } from "./caldav.js";
import { IcsFeedSource } from "./ics-feed.js";
import { IcsFileSource } from "./ics-file.js";
import type { CalendarSource } from "./types.js";

/** The settings a source may need; pass `process.env` values in from the command wiring. */
export interface SourceEnv {
  ALLY_CALDAV_USER?: string | undefined;
  ALLY_CALDAV_PASSWORD?: string | undefined;
}

export interface SourceOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type SourceResult = { ok: true; source: CalendarSource } | { ok: false; message: string };

/**
 * @example sourceFor("caldav+https://caldav.example.com/dana/work/", process.env)
 */
export function sourceFor(spec: string, env: SourceEnv, options: SourceOptions = {}): SourceResult {
  if (spec.trim() === "") return { ok: false, message: "the source is empty" };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1]?.toLowerCase();
  // A single letter before ":" is a Windows drive, not a scheme.
  if (scheme === undefined || scheme.length === 1) {
    return { ok: true, source: new IcsFileSource(spec) };
  }
  const url = parseUrl(scheme === "webcal" ? `https:${spec.slice("webcal:".length)}` : spec);
  if (url === undefined) return { ok: false, message: `the source is not a valid ${scheme} URL` };
  switch (scheme) {
    case "file":
      try {
        return { ok: true, source: new IcsFileSource(fileURLToPath(url)) };
      } catch {
        return { ok: false, message: "the source is not a valid local file URL" };
      }
    case "http":
    case "https":
    case "webcal":
      if (url.hostname === "") return { ok: false, message: `the ${scheme} URL has no host` };
      return { ok: true, source: new IcsFeedSource(url, options) };
    case "caldav+http":
    case "caldav+https": {
      const http = parseUrl(spec.slice("caldav+".length));
      if (http === undefined || http.hostname === "") {
        return { ok: false, message: `the source is not a valid ${scheme} URL` };
      }
      if (http.username !== "" || http.password !== "") {
        return {
          ok: false,
          message:
            "put the CalDAV user name and password in ALLY_CALDAV_USER and ALLY_CALDAV_PASSWORD, not in the URL",
        };
      }
      const username = env.ALLY_CALDAV_USER ?? "";
      const password = env.ALLY_CALDAV_PASSWORD ?? "";
      if (username === "" || password === "") {
        return {
          ok: false,
          message: "a CalDAV source needs ALLY_CALDAV_USER and ALLY_CALDAV_PASSWORD to be set",
        };
      }
      return { ok: true, source: new CalDavSource(http, { username, password }, options) };
    }
    default:
      return {
        ok: false,
        message: `unknown source scheme "${scheme}:" (use a file path, http(s)://, caldav+https:// or caldav+http://)`,
      };
  }
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
