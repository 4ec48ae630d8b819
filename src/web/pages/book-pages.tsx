/**
 * The candidate's booking pages, opened from the signed link in their email: no account and no
 * session. The link is the capability: an unknown or tampered link is a 404, an expired or
 * revoked one a 410, each saying how to get a new one. Forms carry a token bound to the link
 * (not a cookie), and a booking carries an idempotency key made when the page was rendered, so
 * a double submit books once.
 *
 * Times show in the candidate's zone: the one they picked (remembered in a cookie scoped to the
 * link), else their saved zone. Without scripts everything works by plain GET and POST; with
 * them, a small same-origin script picks the browser's zone on the first visit and shows
 * progress while a booking is sent.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { newSecretToken } from "../../accounts/tokens.js";
import { addToCalendarLinks } from "../../booking/add-to-calendar.js";
import { CALENDAR_URL_FIELD, type FittedOptions } from "../../booking/candidate-calendar.js";
import {
  type BookingLink,
  type LinkProblem,
  linkFormToken,
  linkFormTokenMatches,
} from "../../booking/links.js";
import {
  groupByDay,
  readWeekGrid,
  timesOf,
  usableZone,
  weekGrid,
  zoneChoices,
} from "../../booking/present.js";
import { AppError } from "../../errors.js";
import type {
  CandidateBooking,
  CandidatePageView,
  OptionView,
  SessionView,
} from "../booking-view.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { HTTP_STATUS } from "../errors.js";
import { formFailure, INVALID_FORM } from "../forms.js";
import { ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { allFormValues, one } from "./hiring-form-helpers.js";

type C = Context<AppEnv>;

export const BOOK_ZONE_COOKIE = "ally_book_zone";
export const BOOK_SCRIPT = "/assets/book.js";
const ZONE_COOKIE_SECONDS = 60 * 24 * 3600;

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} narrow bare script={BOOK_SCRIPT}>
      {body}
    </Page>,
    status,
  );
}

/**
 * What a link that opens nothing answers. These are states of the link, not errors of a use
 * case: an unknown link is not found (the table's NOT_FOUND); an expired or revoked one is gone
 * for good, 410, which no error code stands for.
 */
const problemText: Record<
  LinkProblem,
  { status: ContentfulStatusCode; title: string; text: string }
> = {
  unknown: {
    status: HTTP_STATUS.NOT_FOUND,
    title: "This link does not work",
    text: "The address may be incomplete: links in emails sometimes break across lines. Open the link from the email again, or copy the whole address.",
  },
  expired: {
    status: 410,
    title: "This link has expired",
    text: "Links to choose a time work for two weeks.",
  },
  revoked: {
    status: 410,
    title: "This link is no longer in use",
    text: "A newer link was sent to you, or the interview was cancelled. Use the link in the most recent email.",
  },
};

function linkProblemPage(c: C, problem: LinkProblem) {
  const about = problemText[problem];
  return frame(
    c,
    about.title,
    <>
      <h1>{about.title}</h1>
      <p>{about.text}</p>
      <p>
        To get a new link, reply to the email you received from us, or write to the recruiter who
        contacted you: they can send you a fresh one in a moment.
      </p>
    </>,
    about.status,
  );
}

/** The link's request, or the page that says why the link opens nothing. */
async function openLink(c: C): Promise<{ token: string; link: BookingLink } | Response> {
  const token = c.req.param("token") ?? "";
  const resolution = await c.get("deps").bookingLinks.resolve(token);
  if (!resolution.ok) return linkProblemPage(c, resolution.problem);
  return { token, link: resolution.link };
}

function port(c: C): CandidateBooking {
  return c.get("deps").candidateBooking;
}

/** The zone to show: chosen now (and remembered for this link), remembered, or the default. */
function zoneFor(c: C, token: string, fallback: string, chosen?: string): string {
  const asked = chosen ?? c.req.query("zone");
  if (usableZone(asked)) {
    setCookie(c, BOOK_ZONE_COOKIE, asked, {
      path: `/book/${token}`,
      sameSite: "Lax",
      httpOnly: true,
      secure: c.get("deps").config.http.secureCookies,
      maxAge: ZONE_COOKIE_SECONDS,
    });
    return asked;
  }
  const remembered = getCookie(c, BOOK_ZONE_COOKIE);
  return usableZone(remembered) ? remembered : fallback;
}

function zonePicked(c: C): boolean {
  return usableZone(c.req.query("zone")) || usableZone(getCookie(c, BOOK_ZONE_COOKIE));
}

const FormToken = ({ token }: { token: string }) => (
  <input type="hidden" name="_form" value={linkFormToken(token)} />
);

/** The zone picker: a GET form, so it works without scripts; the script may submit it once. */
function ZonePicker({
  c,
  action,
  zone,
  at,
  defaultZone,
}: {
  c: C;
  action: string;
  zone: string;
  at: string;
  defaultZone: string;
}) {
  return (
    <form
      method="get"
      action={action}
      class="inline zone-picker"
      data-zone-picked={zonePicked(c) ? "yes" : "no"}
    >
      <div class="field">
        <label for="field-zone">Show times in</label>
        <select id="field-zone" name="zone">
          {zoneChoices(at, [zone, defaultZone]).map((choice) => (
            <option value={choice.value} selected={choice.value === zone}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="secondary">
        Show times
      </button>
    </form>
  );
}

/** Where a session happens, with the video call as a link to join. */
function SessionPlace({ session }: { session: SessionView }) {
  const video = session.videoLink;
  if (video === null || !/^https?:\/\//i.test(video)) return <>{session.format}</>;
  return (
    <>
      {session.location === null ? "Video call: " : `At ${session.location}, or by video: `}
      <a href={video} rel="noopener noreferrer">
        {video}
      </a>
    </>
  );
}

/**
 * Ways to put the booked sessions in the candidate's own calendar: one file with them all, and
 * each session in Google Calendar or Outlook.
 */
function AddToCalendar({
  token,
  view,
  option,
}: {
  token: string;
  view: CandidatePageView;
  option: OptionView;
}) {
  const place = view.sessions[0]?.videoLink ?? view.sessions[0]?.location ?? null;
  const details = `${view.jobTitle} at ${view.organisationName}. ${view.sessions[0]?.format ?? ""}`;
  return (
    <section class="card" aria-labelledby="add-to-calendar">
      <h2 id="add-to-calendar">Add it to your calendar</h2>
      <p>
        <a class="button secondary" href={`/book/${token}/interview.ics`} download="interview.ics">
          Download for any calendar (.ics)
        </a>
      </p>
      <ul>
        {option.sessions.map((session) => {
          const links = addToCalendarLinks({
            title: `Interview: ${session.name} (${view.organisationName})`,
            startsAt: session.startsAt,
            endsAt: session.endsAt,
            details,
            location: place,
          });
          const label = option.sessions.length > 1 ? ` ${session.name}` : "";
          return (
            <li>
              <a href={links.google} rel="noopener noreferrer" target="_blank">
                Add{label} to Google Calendar
              </a>
              {" · "}
              <a href={links.outlook} rel="noopener noreferrer" target="_blank">
                Add{label} to Outlook
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function SessionsSummary({ view }: { view: CandidatePageView }) {
  return (
    <div class="card">
      <h2>{view.jobTitle}</h2>
      <p>
        {view.organisationName} would like to interview you
        {view.sessions.length > 1
          ? ` in ${view.sessions.length} sessions, one after another.`
          : "."}
      </p>
      <ul>
        {view.sessions.map((session) => (
          <li>
            <strong>{session.name}</strong>, {session.durationMinutes} minutes
            {session.interviewers.length > 0 ? ` with ${session.interviewers.join(", ")}` : ""}.{" "}
            <SessionPlace session={session} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function OptionDetail({ option, zone }: { option: OptionView; zone: string }) {
  if (option.sessions.length <= 1) {
    const names = option.sessions[0]?.interviewers ?? [];
    return names.length > 0 ? <span class="hint">with {names.join(", ")}</span> : null;
  }
  return (
    <span class="hint">
      {option.sessions.map((session) => (
        <span class="option-session">
          {session.name} {timesOf(session, zone)}
          {session.interviewers.length > 0 ? ` with ${session.interviewers.join(", ")}` : ""}
        </span>
      ))}
    </span>
  );
}

/**
 * One radio button per option, grouped by day (a fieldset and legend each), with the option
 * field's error above them; `detail` follows each option's times in its label.
 */
export function OptionRadios({
  options,
  zone,
  selected,
  error,
  detail,
}: {
  options: OptionView[];
  zone: string;
  selected?: string | undefined;
  error?: string | undefined;
  detail: (option: OptionView) => Child;
}) {
  let first = true;
  return (
    <>
      {error ? (
        <span class="error-text" id="field-option-error">
          {error}
        </span>
      ) : null}
      {groupByDay(options, zone).map((day) => (
        <fieldset class="day">
          <legend>{day.heading}</legend>
          {day.options.map(({ option, times }) => {
            const id = first ? "field-option" : `option-${option.id}`;
            first = false;
            return (
              <div class="check option">
                <input
                  type="radio"
                  name="option"
                  id={id}
                  value={option.id}
                  checked={option.id === selected}
                  aria-invalid={error ? "true" : undefined}
                  aria-describedby={error ? "field-option-error" : undefined}
                />
                <label for={id}>
                  <span class="option-time">{times}</span>
                  {detail(option)}
                </label>
              </div>
            );
          })}
        </fieldset>
      ))}
    </>
  );
}

type CalendarState = FittedOptions<OptionView>["calendar"];

const times = (n: number) => (n === 1 ? "1 time is" : `${n} times are`);

/**
 * "Check these times against your calendar": the form to paste a calendar's secret address, or,
 * once one is connected, what it hid (or why it could not be read) and a button to disconnect.
 */
function CalendarCheck({
  token,
  calendar,
  address,
  errors,
}: {
  token: string;
  calendar: CalendarState;
  address?: string | undefined;
  errors?: FieldErrors | undefined;
}) {
  const base = `/book/${token}`;
  return (
    <section class="card calendar-check" aria-labelledby="calendar-check-title">
      <h2 id="calendar-check-title">Check these times against your calendar</h2>
      {calendar === null ? (
        <form method="post" action={`${base}/calendar`} class="stack" novalidate>
          <FormToken token={token} />
          <Field
            name={CALENDAR_URL_FIELD}
            label="Your calendar's secret address"
            hint={
              'Google Calendar: Settings, your calendar, "Secret address in iCal format". Outlook: a published calendar\'s ICS link. Apple: a public calendar link (webcal:// works). We read it only to hide the times you are busy, and forget it when you disconnect.'
            }
            type="url"
            inputmode="url"
            autocomplete="off"
            value={address}
            errors={errors}
          />
          <div class="actions">
            <button type="submit" class="secondary">
              Check my calendar
            </button>
          </div>
        </form>
      ) : (
        <>
          {calendar.problem !== null ? (
            <Notice>
              We could not read your calendar at {calendar.label} just now, so all the times are
              shown: {calendar.problem}.
            </Notice>
          ) : calendar.hidden > 0 ? (
            <Notice>
              {times(calendar.hidden)} hidden because your calendar shows you busy then.
            </Notice>
          ) : (
            <p>Your calendar at {calendar.label} shows you free for all of these times.</p>
          )}
          <form method="post" action={`${base}/calendar/disconnect`} class="inline">
            <FormToken token={token} />
            <button type="submit" class="secondary">
              Disconnect my calendar
            </button>
          </form>
        </>
      )}
    </section>
  );
}

/** The options as radio buttons, and the Confirm button. */
function OptionsForm({
  token,
  action,
  options,
  zone,
  selected,
  errors,
  submitLabel,
}: {
  token: string;
  action: string;
  options: OptionView[];
  zone: string;
  selected?: string | undefined;
  errors?: FieldErrors | undefined;
  submitLabel: string;
}) {
  return (
    <form method="post" action={action} class="stack booking-form" novalidate>
      <FormToken token={token} />
      {/* Made when the page was rendered: a second submit of this page books nothing twice. */}
      <input type="hidden" name="key" value={newSecretToken()} />
      <input type="hidden" name="zone" value={zone} />
      <OptionRadios
        options={options}
        zone={zone}
        selected={selected}
        error={errors?.option}
        detail={(option) => (
          <>
            {" "}
            <OptionDetail option={option} zone={zone} />
          </>
        )}
      />
      <p class="hint">Times are shown in {zone}.</p>
      <div class="actions">
        <button type="submit" data-busy-label="Booking…">
          {submitLabel}
        </button>
      </div>
      <p class="progress" aria-live="polite" role="status" />
    </form>
  );
}

function BookedTimes({ option, zone }: { option: OptionView; zone: string }) {
  const days = groupByDay([option], zone);
  return (
    <div class="card">
      {days.map((day) => (
        <p>
          <strong>{day.heading}</strong>, {day.options[0]?.times} ({zone})
        </p>
      ))}
      {option.sessions.length > 0 ? (
        <ul>
          {option.sessions.map((session) => (
            <li>
              {session.name}: {timesOf(session, zone)}
              {session.interviewers.length > 0 ? ` with ${session.interviewers.join(", ")}` : ""}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

interface ChoosingProps {
  c: C;
  token: string;
  view: CandidatePageView;
  options: OptionView[];
  zone: string;
  selected?: string | undefined;
  errors?: FieldErrors | undefined;
  taken?: boolean;
  reschedule?: boolean;
  /** The candidate's connected calendar and what it hid; null when none is connected. */
  calendar: CalendarState;
  /** What was typed in the calendar form, shown again with its error. */
  address?: string | undefined;
}

function ChoosingPage({
  c,
  token,
  view,
  options,
  zone,
  selected,
  errors,
  taken,
  reschedule,
  calendar,
  address,
}: ChoosingProps) {
  const base = `/book/${token}`;
  const at =
    options[0]?.startsAt ??
    view.booked?.startsAt ??
    new Date(c.get("deps").clock.now()).toISOString();
  return (
    <>
      <h1>
        {taken
          ? "That time was just taken"
          : reschedule
            ? "Choose a new time"
            : `Choose a time, ${view.candidateName}`}
      </h1>
      {taken ? (
        <div class="error-summary" role="alert" tabindex={-1} autofocus>
          <h2>Someone booked that time a moment ago</h2>
          <p>Here are the times that are open now. Please choose again.</p>
        </div>
      ) : (
        <ErrorSummary errors={errors} />
      )}
      {reschedule && view.booked ? (
        <>
          <p>Your interview is booked for:</p>
          <BookedTimes option={view.booked} zone={zone} />
          <p>Choosing a new time moves it; the old time is released.</p>
        </>
      ) : (
        <SessionsSummary view={view} />
      )}
      <ZonePicker
        c={c}
        action={reschedule ? `${base}/reschedule` : base}
        zone={zone}
        at={at}
        defaultZone={view.defaultZone}
      />
      <CalendarCheck token={token} calendar={calendar} address={address} errors={errors} />
      {options.length === 0 ? (
        <p>
          {calendar !== null && calendar.hidden > 0
            ? "Your calendar shows you busy at every time on offer."
            : "No times are open right now."}
        </p>
      ) : (
        <OptionsForm
          token={token}
          action={reschedule ? `${base}/reschedule` : `${base}/book`}
          options={options}
          zone={zone}
          selected={selected}
          errors={errors}
          submitLabel={reschedule ? "Move my interview" : "Confirm"}
        />
      )}
      <p>
        <a href={`${base}/other`}>None of these work for me</a>
      </p>
    </>
  );
}

/** Confirmation: what is booked, and how to move or cancel it. */
function ScheduledPage({
  token,
  view,
  zone,
  notice,
}: {
  token: string;
  view: CandidatePageView;
  zone: string;
  notice?: string | undefined;
}) {
  const base = `/book/${token}`;
  return (
    <>
      {notice ? <Notice tone="good">{notice}</Notice> : null}
      <h1>Your interview is booked</h1>
      {view.booked ? <BookedTimes option={view.booked} zone={zone} /> : null}
      <SessionsSummary view={view} />
      <p>We have sent the details to you and to your interviewers.</p>
      {view.booked ? <AddToCalendar token={token} view={view} option={view.booked} /> : null}
      <div class="actions">
        <a class="button secondary" href={`${base}/reschedule`}>
          Choose another time
        </a>
        <a class="button secondary" href={`${base}/cancel`}>
          Cancel the interview
        </a>
      </div>
    </>
  );
}

function closedBody(view: CandidatePageView) {
  return (
    <>
      <h1>
        {view.status === "cancelled" ? "This interview was cancelled" : "Nothing to choose here"}
      </h1>
      <p>If you think this is a mistake, reply to the email you received from us.</p>
    </>
  );
}

const bookedNotice: Record<string, string> = {
  booked: "Done: your interview is booked.",
  moved: "Done: your interview has moved to the new time.",
};

/**
 * Declares pages on a booking link on `app`: `linkPage(method, path, summary, run)`, where `run`
 * has the link; a link that opens nothing says why.
 */
const linkPages =
  (app: OpenAPIHono<AppEnv>, routes: RouteTable) =>
  (
    method: "GET" | "POST",
    path: string,
    summary: string,
    run: (c: C, token: string, link: BookingLink) => Promise<Response>,
  ) => {
    defineRoute(app, routes, {
      method,
      path,
      kind: "page",
      access: "public",
      objectParam: "token",
      objectKind: "booking-link",
      summary,
      handler: async (c) => {
        const opened = await openLink(c);
        if (opened instanceof Response) return opened;
        return run(c, opened.token, opened.link);
      },
    });
  };

/** Reads a booking form; refuses one without this link's form token. */
async function bookingForm(c: C, token: string) {
  const values = await allFormValues(c);
  if (!linkFormTokenMatches(token, one(values, "_form"))) {
    throw new AppError(
      "CSRF_FAILED",
      "The form has expired. Go back, reload the page and try again.",
    );
  }
  return values;
}

/** Where the calendar forms go back to: the page that offers times, if one does. */
const timesPage = (token: string, view: CandidatePageView) =>
  view.status === "scheduled" ? `/book/${token}/reschedule` : `/book/${token}`;

const gridPage = (
  token: string,
  view: CandidatePageView,
  zone: string,
  values: Map<string, string[]>,
  errors?: FieldErrors,
) => {
  const ticked = new Set(values.get("ticked") ?? []);
  let first = true;
  return (
    <>
      <h1>Tell us when suits you</h1>
      <ErrorSummary errors={errors} />
      <p>
        Tick the parts of the days when you could take the interview, or tell us in your own words.
        Times are in {zone}.
      </p>
      <form method="post" action={`/book/${token}/other`} class="stack" novalidate>
        <FormToken token={token} />
        <input type="hidden" name="zone" value={zone} />
        {errors?.ticked ? (
          <span class="error-text" id="field-ticked-error">
            {errors.ticked}
          </span>
        ) : null}
        {weekGrid(view.grid.firstDate, view.grid.days).map((day) => (
          <fieldset class="day">
            <legend>{day.legend}</legend>
            <div class="checks">
              {day.parts.map((part) => {
                const id = first ? "field-ticked" : `tick-${part.value.replace("/", "-")}`;
                first = false;
                return (
                  <div class="check">
                    <input
                      type="checkbox"
                      name="ticked"
                      id={id}
                      value={part.value}
                      checked={ticked.has(part.value)}
                      aria-invalid={errors?.ticked ? "true" : undefined}
                      aria-describedby={errors?.ticked ? "field-ticked-error" : undefined}
                    />
                    <label for={id}>
                      {part.label} <span class="hint">{part.hours}</span>
                    </label>
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
        <Field
          name="text"
          label="Anything else about your times"
          hint={'For example: "any afternoon after the 10th" or "not Fridays".'}
          value={one(values, "text")}
          errors={errors}
          multiline
        />
        <div class="actions">
          <button type="submit">Send my times</button>
          <a href={`/book/${token}`}>Back to the times on offer</a>
        </div>
      </form>
    </>
  );
};

const cancelPage = (token: string, view: CandidatePageView, zone: string, errors?: FieldErrors) => (
  <>
    <h1>Cancel your interview?</h1>
    <ErrorSummary errors={errors} />
    {view.booked ? <BookedTimes option={view.booked} zone={zone} /> : null}
    <form method="post" action={`/book/${token}/cancel`} class="stack card danger-zone" novalidate>
      <FormToken token={token} />
      <Field
        name="reason"
        label="Reason (optional)"
        hint="The recruiter sees this."
        errors={errors}
        multiline
      />
      <div class="actions">
        <button type="submit" class="danger">
          Yes, cancel the interview
        </button>
        <a href={`/book/${token}`}>No, keep it</a>
      </div>
    </form>
  </>
);

export function registerBookPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerLinkPages(app, routes);
  registerChoicePages(app, routes);
  registerCandidateCalendarPages(app, routes);
  registerOwnTimesPages(app, routes);
  registerCancelPages(app, routes);
}

/** The booking link's page, and the booked interview as a calendar file. */
function registerLinkPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const linkPage = linkPages(app, routes);
  linkPage("GET", "/book/:token", "The candidate's booking page", async (c, token, link) => {
    const view = await port(c).view(link);
    const zone = zoneFor(c, token, view.defaultZone);
    if (view.status === "scheduled") {
      return frame(
        c,
        "Your interview is booked",
        <ScheduledPage
          token={token}
          view={view}
          zone={zone}
          notice={bookedNotice[c.req.query("done") ?? ""]}
        />,
      );
    }
    if (view.status !== "choosing") return frame(c, "Your interview", closedBody(view));
    const fitted = await port(c).fitCalendar(link, view.options, zone);
    return frame(
      c,
      "Choose a time",
      <ChoosingPage
        c={c}
        token={token}
        view={view}
        options={fitted.options}
        calendar={fitted.calendar}
        zone={zone}
      />,
    );
  });

  linkPage(
    "GET",
    "/book/:token/interview.ics",
    "The booked interview as an iCalendar file for the candidate's calendar",
    async (c, token, link) => {
      const ics = await port(c).calendarFile(link);
      // Nothing booked (yet, or any more): the page says what there is to do.
      if (ics === null) return c.redirect(`/book/${token}`, 303);
      return c.body(ics, 200, {
        "content-type": "text/calendar; charset=utf-8",
        "content-disposition": 'attachment; filename="interview.ics"',
        "cache-control": "private, no-store",
      });
    },
  );
}

/** Booking a time, and moving a booking to a new one. */
function registerChoicePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const linkPage = linkPages(app, routes);
  for (const mode of ["book", "reschedule"] as const) {
    const path = `/book/:token/${mode}`;
    const summary =
      mode === "book" ? "Books the chosen time" : "Moves the booking to the chosen time";
    linkPage("POST", path, summary, async (c, token, link) => {
      const values = await bookingForm(c, token);
      const booking = port(c);
      const view = await booking.view(link);
      const zone = zoneFor(c, token, view.defaultZone, one(values, "zone"));
      const optionId = one(values, "option").trim();
      const key = one(values, "key").trim();
      const reschedule = mode === "reschedule";
      const shown = async () => (reschedule ? booking.rescheduleOptions(link) : view.options);
      /** The choosing page again, titled `title`, with what went wrong. */
      const again = async (
        title: string,
        props: Pick<ChoosingProps, "view" | "options" | "errors" | "selected" | "taken">,
        status: ContentfulStatusCode,
      ) => {
        const fitted = await booking.fitCalendar(link, props.options, zone);
        return frame(
          c,
          title,
          <ChoosingPage
            c={c}
            token={token}
            zone={zone}
            reschedule={reschedule}
            {...props}
            options={fitted.options}
            calendar={fitted.calendar}
          />,
          status,
        );
      };
      if (optionId === "" || key.length < 8 || key.length > 200) {
        const errors: FieldErrors =
          optionId === ""
            ? { option: "Choose one of the times." }
            : { option: "The form was incomplete. Please choose your time again." };
        return again("Choose a time", { view, options: await shown(), errors }, INVALID_FORM);
      }
      const answer = reschedule
        ? await booking.reschedule(link, optionId, key)
        : await booking.book(link, optionId, key);
      if (!answer.ok && !answer.taken) {
        const now = await booking.view(link);
        // Booked already (another tab, another key): the confirmation says so.
        if (!reschedule && now.status === "scheduled") return c.redirect(`/book/${token}`, 303);
        return again(
          "Choose a time",
          { view: now, options: await shown(), errors: { option: answer.message } },
          HTTP_STATUS[answer.code],
        );
      }
      if (!answer.ok) {
        return again(
          "That time was just taken",
          {
            view,
            options: answer.options,
            selected: answer.options.some((o) => o.id === optionId) ? optionId : undefined,
            taken: true,
          },
          HTTP_STATUS.SLOT_TAKEN,
        );
      }
      return c.redirect(`/book/${token}?done=${reschedule ? "moved" : "booked"}`, 303);
    });
  }

  linkPage(
    "GET",
    "/book/:token/reschedule",
    "Fresh times to move a booking to",
    async (c, token, link) => {
      const booking = port(c);
      const view = await booking.view(link);
      const zone = zoneFor(c, token, view.defaultZone);
      if (view.status !== "scheduled") return c.redirect(`/book/${token}`, 303);
      const fitted = await booking.fitCalendar(link, await booking.rescheduleOptions(link), zone);
      return frame(
        c,
        "Choose a new time",
        <ChoosingPage
          c={c}
          token={token}
          view={view}
          options={fitted.options}
          calendar={fitted.calendar}
          zone={zone}
          reschedule
        />,
      );
    },
  );
}

/** Connecting the candidate's calendar to hide their busy times, and disconnecting it. */
function registerCandidateCalendarPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const linkPage = linkPages(app, routes);
  linkPage(
    "POST",
    "/book/:token/calendar",
    "Connects the candidate's calendar to hide the times they are busy",
    async (c, token, link) => {
      const values = await bookingForm(c, token);
      const booking = port(c);
      const view = await booking.view(link);
      if (view.status !== "choosing" && view.status !== "scheduled") {
        return c.redirect(`/book/${token}`, 303);
      }
      const zone = zoneFor(c, token, view.defaultZone);
      const address = one(values, CALENDAR_URL_FIELD);
      try {
        await booking.connectCalendar(link, address, zone);
      } catch (error) {
        if (!(error instanceof AppError) || error.field !== CALENDAR_URL_FIELD) throw error;
        const failed = formFailure(c, error, CALENDAR_URL_FIELD);
        const reschedule = view.status === "scheduled";
        const options = reschedule ? await booking.rescheduleOptions(link) : view.options;
        return frame(
          c,
          reschedule ? "Choose a new time" : "Choose a time",
          <ChoosingPage
            c={c}
            token={token}
            view={view}
            options={options}
            calendar={null}
            zone={zone}
            reschedule={reschedule}
            address={address}
            errors={failed.errors}
          />,
          failed.status,
        );
      }
      return c.redirect(timesPage(token, view), 303);
    },
  );

  linkPage(
    "POST",
    "/book/:token/calendar/disconnect",
    "Disconnects the candidate's calendar",
    async (c, token, link) => {
      await bookingForm(c, token);
      const booking = port(c);
      await booking.disconnectCalendar(link);
      return c.redirect(timesPage(token, await booking.view(link)), 303);
    },
  );
}

/** The candidate's own times, when none offered suits them. */
function registerOwnTimesPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const linkPage = linkPages(app, routes);
  linkPage(
    "GET",
    "/book/:token/other",
    "The candidate's own times: the week grid",
    async (c, token, link) => {
      const view = await port(c).view(link);
      const zone = zoneFor(c, token, view.defaultZone);
      return frame(c, "Tell us when suits you", gridPage(token, view, zone, new Map()));
    },
  );
  linkPage(
    "POST",
    "/book/:token/other",
    "Sends the candidate's own times",
    async (c, token, link) => {
      const values = await bookingForm(c, token);
      const booking = port(c);
      const view = await booking.view(link);
      const zone = zoneFor(c, token, view.defaultZone, one(values, "zone"));
      const read = readWeekGrid({
        ticked: values.get("ticked") ?? [],
        text: one(values, "text"),
        zone,
        firstDate: view.grid.firstDate,
        days: view.grid.days,
      });
      if (!read.ok) {
        return frame(
          c,
          "Tell us when suits you",
          gridPage(token, view, zone, values, { [read.field]: read.message }),
          INVALID_FORM,
        );
      }
      await booking.proposeTimes(link, read.value);
      return frame(
        c,
        "Thank you",
        <>
          <h1>Thank you</h1>
          <p>
            We have your times and will write to you with options that fit them. You do not need to
            do anything now.
          </p>
        </>,
      );
    },
  );
}

/** Cancelling the interview. */
function registerCancelPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const linkPage = linkPages(app, routes);
  linkPage(
    "GET",
    "/book/:token/cancel",
    "Asks the candidate to confirm cancelling",
    async (c, token, link) => {
      const view = await port(c).view(link);
      const zone = zoneFor(c, token, view.defaultZone);
      return frame(c, "Cancel your interview", cancelPage(token, view, zone));
    },
  );
  linkPage("POST", "/book/:token/cancel", "Cancels the interview", async (c, token, link) => {
    const values = await bookingForm(c, token);
    const reason = one(values, "reason").trim();
    if (reason.length > 2000) {
      const view = await port(c).view(link);
      const zone = zoneFor(c, token, view.defaultZone);
      return frame(
        c,
        "Cancel your interview",
        cancelPage(token, view, zone, { reason: "Please keep the reason under 2000 characters." }),
        INVALID_FORM,
      );
    }
    await port(c).cancel(link, reason === "" ? null : reason);
    return frame(
      c,
      "Interview cancelled",
      <>
        <h1>Your interview is cancelled</h1>
        <p>We have told the recruiter and your interviewers. This link no longer works.</p>
        <p>
          If you would like to find another time later, reply to the email you received from us.
        </p>
      </>,
    );
  });
}
