/**
 * The recruiter's interview requests: a dashboard by status with time to schedule, a form for
 * a new request (from a loop template or ad-hoc sessions), and a request's page with its
 * options (or why none fit, and which calendars cannot be trusted), "Send to candidate",
 * booking on the candidate's behalf, cancelling, and the timeline.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Temporal } from "temporal-polyfill";
import { memberNames } from "../../accounts/names.js";
import { can } from "../../accounts/permissions.js";
import type { Actor } from "../../accounts/service.js";
import { newSecretToken } from "../../accounts/tokens.js";
import { DEFAULT_CANDIDATE_HOURS, WEEKDAYS } from "../../booking/candidate-hours.js";
import { explanationInWords } from "../../booking/explanation-words.js";
import { allowedActions } from "../../booking/lifecycle.js";
import { groupByDay, timesOf, usableZone } from "../../booking/present.js";
import type {
  InterviewRequest,
  InterviewRequestInput,
  OptionsAnswer,
  RequestEvent,
} from "../../booking/schemas.js";
import type { BookingService } from "../../booking/service.js";
import type { RequestStatus } from "../../booking/tables.js";
import { optionViews } from "../booking-adapter.js";
import type { OptionView } from "../booking-view.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, INVALID_FORM, requireActor } from "../forms.js";
import {
  Csrf,
  ErrorSummary,
  Field,
  type FieldErrors,
  type FieldProps,
  Notice,
  SaveOrCancel,
} from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";
import { AllyAddressNote } from "./assistant-pages.js";
import { OptionRadios } from "./book-pages.js";
import { allFormValues, errorsForRows, formNumber, one } from "./hiring-form-helpers.js";
import { requestListPage } from "./request-list-page.js";

type C = Context<AppEnv>;
const frame = sectionFrame("/app/requests");
const SESSION_ROWS = 3;

export const STATUS_LABEL: Record<RequestStatus, string> = {
  draft: "Draft",
  awaiting_candidate: "Waiting for the candidate",
  scheduled: "Scheduled",
  rescheduling: "Rescheduling",
  cancelled: "Cancelled",
  completed: "Completed",
};

/** "2 d 3 h", "45 min": how long a request took to schedule. */
export function durationText(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const when = (instant: string, zone: string) => {
  const local = Temporal.Instant.from(instant).toZonedDateTimeISO(zone);
  return `${local.toPlainDate().toString()} ${local.toPlainTime().toString().slice(0, 5)}`;
};

/** The request form's values as the service's input; a bad date is a field error here. */
function requestInput(
  values: Map<string, string[]>,
  candidateZone: string | null,
): { input: InterviewRequestInput; rowOf: number[] } | { errors: FieldErrors } {
  const zoneText = one(values, "timeZone").trim();
  const zone = zoneText === "" ? (candidateZone ?? "UTC") : zoneText;
  const errors: FieldErrors = {};
  if (!usableZone(zone)) {
    errors.timeZone = "Time zone must be an IANA time zone name such as Europe/Berlin";
  }
  const day = (name: string, label: string) => {
    const text = one(values, name).trim();
    try {
      return Temporal.PlainDate.from(text);
    } catch {
      errors[name] = `${label} must be a date such as 2026-12-02`;
      return undefined;
    }
  };
  const first = day("windowStart", "First day");
  const last = day("windowEnd", "Last day");
  if (Object.keys(errors).length > 0 || first === undefined || last === undefined) {
    return { errors };
  }
  const startOf = (date: Temporal.PlainDate) =>
    date.toZonedDateTime({ timeZone: zone }).toInstant().toString();
  const rowOf: number[] = [];
  const sessions: NonNullable<InterviewRequestInput["sessions"]> = [];
  for (let row = 0; row < SESSION_ROWS; row++) {
    const name = one(values, `sessions.${row}.name`).trim();
    const duration = one(values, `sessions.${row}.durationMinutes`);
    const interviewerIds = values.get(`sessions.${row}.interviewerIds`) ?? [];
    const poolId = one(values, `sessions.${row}.poolId`).trim();
    const count = one(values, `sessions.${row}.count`);
    if (name === "" && duration.trim() === "" && interviewerIds.length === 0 && poolId === "") {
      continue;
    }
    rowOf.push(row);
    sessions.push({
      name,
      durationMinutes: formNumber(duration) as number,
      ...(interviewerIds.length > 0 ? { interviewerIds } : {}),
      ...(poolId !== "" ? { poolId } : {}),
      ...(poolId !== "" ? { count: (formNumber(count) ?? 1) as number } : {}),
    });
  }
  const optional = (name: string) => {
    const text = one(values, name).trim();
    return text === "" ? null : text;
  };
  // The candidate's hours: the default (08:00–20:00 on weekdays) unless the form changes them.
  const hoursFrom = one(values, "candidateHours.start").trim() || DEFAULT_CANDIDATE_HOURS.start;
  const hoursUntil = one(values, "candidateHours.end").trim() || DEFAULT_CANDIDATE_HOURS.end;
  const weekends = one(values, "candidateHours.weekends") === "yes";
  const candidateHours =
    hoursFrom === DEFAULT_CANDIDATE_HOURS.start &&
    hoursUntil === DEFAULT_CANDIDATE_HOURS.end &&
    !weekends
      ? undefined
      : {
          start: hoursFrom,
          end: hoursUntil,
          days: weekends ? [...WEEKDAYS] : [...DEFAULT_CANDIDATE_HOURS.days],
        };
  return {
    rowOf,
    input: {
      candidateId: one(values, "candidateId"),
      jobId: one(values, "jobId"),
      loopTemplateId: optional("loopTemplateId"),
      ...(sessions.length > 0 ? { sessions } : {}),
      windowStart: startOf(first),
      windowEnd: startOf(last.add({ days: 1 })),
      timeZone: zoneText === "" ? null : zoneText,
      ...(candidateHours === undefined ? {} : { candidateHours }),
      location: optional("location"),
      videoLink: optional("videoLink"),
      notes: optional("notes"),
    },
  };
}

async function NewRequestForm({
  c,
  actor,
  values,
  errors,
}: {
  c: C;
  actor: Actor;
  values: Map<string, string[]>;
  errors?: FieldErrors | undefined;
}) {
  const { hiring, accounts } = c.get("deps");
  const [candidates, jobs, templates, pools, members] = await Promise.all([
    hiring.listCandidates(actor),
    hiring.listJobs(actor),
    hiring.listLoopTemplates(actor),
    hiring.listPools(actor),
    accounts.listMembers(actor),
  ]);
  const v = (name: string) => one(values, name);
  /** A field of this form with what was sent and its error. */
  const FormField = (props: Omit<FieldProps, "value" | "errors">) => (
    <Field {...props} value={v(props.name)} errors={errors} />
  );
  const choose = (label: string) => [{ value: "", label }];
  return (
    <form method="post" action="/app/requests" class="stack card" novalidate>
      <Csrf token={c.get("csrfToken")} />
      <FormField
        name="candidateId"
        label="Candidate"
        options={[
          ...choose("Choose a candidate"),
          ...candidates.map((x) => ({ value: x.id, label: `${x.name} (${x.email})` })),
        ]}
        required
      />
      <FormField
        name="jobId"
        label="Job"
        options={[...choose("Choose a job"), ...jobs.map((x) => ({ value: x.id, label: x.title }))]}
        required
      />
      <FormField
        name="loopTemplateId"
        label="Loop template"
        hint="Its sessions are used unless you fill in sessions below."
        options={[
          ...choose("None: the sessions below"),
          ...templates.map((x) => ({ value: x.id, label: x.name })),
        ]}
      />
      {Array.from({ length: SESSION_ROWS }, (_, row) => {
        const ticked = new Set(values.get(`sessions.${row}.interviewerIds`) ?? []);
        const prefix = `sessions.${row}`;
        return (
          <fieldset class="session-row">
            <legend>Session {row + 1}</legend>
            <FormField name={`${prefix}.name`} label="Name" />
            <FormField name={`${prefix}.durationMinutes`} label="Minutes" inputmode="numeric" />
            <fieldset>
              <legend>Interviewers</legend>
              {errors?.[`${prefix}.interviewerIds`] ? (
                <span class="error-text" id={`field-${prefix}.interviewerIds-error`}>
                  {errors[`${prefix}.interviewerIds`]}
                </span>
              ) : null}
              <div class="checks">
                {members.map((m, i) => {
                  const id =
                    i === 0 ? `field-${prefix}.interviewerIds` : `${prefix}-member-${m.userId}`;
                  return (
                    <div class="check">
                      <input
                        type="checkbox"
                        id={id}
                        name={`${prefix}.interviewerIds`}
                        value={m.userId}
                        checked={ticked.has(m.userId)}
                        aria-invalid={errors?.[`${prefix}.interviewerIds`] ? "true" : undefined}
                      />
                      <label for={id}>{m.name}</label>
                    </div>
                  );
                })}
              </div>
            </fieldset>
            <FormField
              name={`${prefix}.poolId`}
              label="Or a pool"
              options={[
                ...choose("No pool"),
                ...pools.map((p) => ({ value: p.id, label: p.name })),
              ]}
            />
            <FormField
              name={`${prefix}.count`}
              label="From the pool, how many"
              inputmode="numeric"
            />
          </fieldset>
        );
      })}
      <div class="inline">
        <FormField name="windowStart" label="First day" type="date" required />
        <FormField name="windowEnd" label="Last day" type="date" required />
      </div>
      <FormField
        name="timeZone"
        label="Candidate's time zone"
        hint="Blank: the candidate's saved zone. Days above are read in it."
      />
      <fieldset class="stack">
        <legend>Candidate's hours, in their zone</legend>
        <p class="hint">Options are offered only inside these hours.</p>
        <div class="inline">
          <Field
            name="candidateHours.start"
            label="From"
            type="time"
            value={v("candidateHours.start") || DEFAULT_CANDIDATE_HOURS.start}
            errors={errors}
          />
          <Field
            name="candidateHours.end"
            label="Until"
            type="time"
            value={v("candidateHours.end") || DEFAULT_CANDIDATE_HOURS.end}
            errors={errors}
          />
        </div>
        <div class="check">
          <input
            type="checkbox"
            id="field-candidateHours.weekends"
            name="candidateHours.weekends"
            value="yes"
            checked={v("candidateHours.weekends") === "yes"}
          />
          <label for="field-candidateHours.weekends">Weekends too</label>
        </div>
      </fieldset>
      <FormField name="location" label="Location" />
      <FormField name="videoLink" label="Video link" type="url" inputmode="url" />
      <FormField name="notes" label="Notes (not shown to the candidate)" multiline />
      <SaveOrCancel label={"Create request"} cancelHref={"/app/requests"} />
    </form>
  );
}

function OptionsList({
  options,
  zone,
  error,
}: {
  options: OptionView[];
  zone: string;
  error?: string | undefined;
}) {
  return (
    <OptionRadios
      options={options}
      zone={zone}
      error={error}
      detail={(option) => (
        <span class="hint">
          {option.sessions.map((s) => (
            <span class="option-session">
              {s.name} {timesOf(s, zone)} with {s.interviewers.join(", ")}
            </span>
          ))}
        </span>
      )}
    />
  );
}

const eventText: Record<string, string> = {
  created: "created the request",
  offered: "sent the options to the candidate",
  booked: "booked the interview",
  rescheduled: "moved the interview",
  cancelled: "cancelled",
  "times-proposed": "said none of the times work and proposed their own",
};

function Timeline({
  events,
  names,
  zone,
}: {
  events: RequestEvent[];
  names: Map<string, string>;
  zone: string;
}) {
  return (
    <ol class="timeline">
      {events.map((event) => {
        const who =
          event.actor.kind === "candidate"
            ? "The candidate"
            : event.actor.kind === "system"
              ? "Ally"
              : (names.get(event.actor.id ?? "") ?? "A member");
        const ranges = Array.isArray(event.detail.ranges)
          ? (event.detail.ranges as Array<{ start: string; end: string }>)
          : [];
        const message = typeof event.detail.message === "string" ? event.detail.message : null;
        return (
          <li>
            <time datetime={event.at}>{when(event.at, zone)}</time> {who}{" "}
            {eventText[event.kind] ?? event.kind}
            {ranges.length > 0 ? (
              <ul>
                {ranges.map((r) => (
                  <li>{`${when(r.start, zone)} – ${when(r.end, zone)}`}</li>
                ))}
              </ul>
            ) : null}
            {message ? <p class="mail-body">{message}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}

/** The booked interview as an option, to show like the options were. */
async function bookedView(
  store: Parameters<typeof optionViews>[0],
  actor: Actor,
  request: InterviewRequest,
): Promise<OptionView[]> {
  return request.booking?.status === "active"
    ? await optionViews(store, actor.orgId, [
        {
          id: request.booking.id,
          startsAt: request.booking.sessions[0]?.startsAt ?? request.windowStart,
          endsAt: request.booking.sessions.at(-1)?.endsAt ?? request.windowEnd,
          score: 0,
          sessions: request.booking.sessions,
        },
      ])
    : [];
}

/** The request's facts: status, window, sessions, place and notes. */
function RequestFacts({ request }: { request: InterviewRequest }) {
  const zone = request.timeZone;
  return (
    <dl class="card facts">
      <dt>Status</dt>
      <dd>{STATUS_LABEL[request.status]}</dd>
      <dt>Window</dt>
      <dd>
        {when(request.windowStart, zone)} to {when(request.windowEnd, zone)} ({zone})
      </dd>
      <dt>Sessions</dt>
      <dd>{request.sessions.map((s) => `${s.name} (${s.durationMinutes} min)`).join(", ")}</dd>
      {request.location ? (
        <>
          <dt>Location</dt>
          <dd>{request.location}</dd>
        </>
      ) : null}
      {request.videoLink ? (
        <>
          <dt>Video link</dt>
          <dd>{request.videoLink}</dd>
        </>
      ) : null}
      {request.notes ? (
        <>
          <dt>Notes</dt>
          <dd class="mail-body">{request.notes}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Why the options are what they are, and what would help, in words. */
function WhyOptions({ why }: { why: ReturnType<typeof explanationInWords> }) {
  return (
    <div class="card">
      <p>{why.headline}</p>
      <ul>
        {why.reasons.map((text) => (
          <li>{text}</li>
        ))}
      </ul>
      {why.changes.length > 0 ? (
        <>
          <p>What would help:</p>
          <ul>
            {why.changes.map((text) => (
              <li>{text}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** Sending the options to the candidate (when the request may still be sent), and booking one. */
function SendOrBook({
  id,
  request,
  canSend,
  options,
  csrf,
  errors,
}: {
  id: string;
  request: InterviewRequest;
  canSend: boolean;
  options: OptionView[];
  csrf: string;
  errors: FieldErrors | undefined;
}) {
  const zone = request.timeZone;
  return (
    <>
      {canSend ? (
        <form method="post" action={`/app/requests/${id}/offer`} class="actions">
          <Csrf token={csrf} />
          <button type="submit">
            {request.status === "awaiting_candidate"
              ? "Send a new link to the candidate"
              : "Send to candidate"}
          </button>
        </form>
      ) : null}
      <form method="post" action={`/app/requests/${id}/book`} class="stack card" novalidate>
        <Csrf token={csrf} />
        <input type="hidden" name="key" value={newSecretToken()} />
        <OptionsList options={options} zone={zone} error={errors?.option} />
        <div class="actions">
          <button type="submit" class="secondary">
            Book on the candidate's behalf
          </button>
        </div>
      </form>
    </>
  );
}

/** Cancelling the request, with an optional reason and a confirmation. */
function CancelRequestForm({
  id,
  csrf,
  errors,
}: {
  id: string;
  csrf: string;
  errors: FieldErrors | undefined;
}) {
  return (
    <form
      method="post"
      action={`/app/requests/${id}/cancel`}
      class="stack card danger-zone"
      novalidate
    >
      <Csrf token={csrf} />
      <h2>Cancel this request</h2>
      <Field name="reason" label="Reason (optional)" errors={errors} multiline />
      {errors?.confirm ? (
        <span class="error-text" id="field-confirm-error">
          {errors.confirm}
        </span>
      ) : null}
      <div class="check">
        <input
          type="checkbox"
          id="field-confirm"
          name="confirm"
          value="yes"
          aria-invalid={errors?.confirm ? "true" : undefined}
          aria-describedby={errors?.confirm ? "field-confirm-error" : undefined}
        />
        <label for="field-confirm">
          Yes, cancel it: the candidate's link stops working and booked time is released.
        </label>
      </div>
      <div class="actions">
        <button type="submit" class="danger">
          Cancel the request
        </button>
      </div>
    </form>
  );
}

async function requestPage(
  c: C,
  actor: Actor,
  id: string,
  notice?: { errors?: FieldErrors; message?: string; good?: string },
) {
  const { booking, hiring, store } = c.get("deps");
  const request = await booking.getRequest(actor, id);
  const [candidate, job, events, answers] = await Promise.all([
    hiring.getCandidate(actor, request.candidateId),
    hiring.getJob(actor, request.jobId),
    booking.timeline(actor, id),
    booking.answers(actor, id),
  ]);
  const allowed = allowedActions(request);
  // Options are shown while the request may still be sent or booked.
  const open = allowed.includes("send") || allowed.includes("book");
  const answer: OptionsAnswer | undefined = open ? await booking.options(actor, id) : undefined;
  const options = answer ? await optionViews(store, actor.orgId, answer.options) : [];
  const booked = await bookedView(store, actor, request);
  const names = await memberNames(store.db, actor.orgId, [
    ...events.flatMap((e) => (e.actor.id ? [e.actor.id] : [])),
    ...(answer?.explanation?.blockers ?? []).flatMap((b) => (b.participant ? [b.participant] : [])),
    ...(answer?.explanation?.relaxations ?? []).flatMap((r) =>
      r.participant ? [r.participant] : [],
    ),
  ]);
  const why = answer?.explanation
    ? explanationInWords(answer.explanation, {
        names,
        sessions: request.sessions,
        timeZone: request.timeZone,
      })
    : undefined;
  const write = can(actor.role, "candidates:write");
  const zone = request.timeZone;
  const csrf = c.get("csrfToken");
  const errors = notice?.errors;
  return frame(
    c,
    `Interview: ${candidate.name}`,
    <>
      {notice?.good ? <Notice tone="good">{notice.good}</Notice> : null}
      <h1>
        {candidate.name}: {job.title}
      </h1>
      <ErrorSummary errors={errors} message={notice?.message} />
      <RequestFacts request={request} />
      {booked[0] ? (
        <>
          <h2>Booked</h2>
          <div class="card">
            <OptionsListStatic option={booked[0]} zone={zone} />
          </div>
          <h2>Answers to the invitations</h2>
          <AnswersTable answers={answers} request={request} candidate={candidate} zone={zone} />
        </>
      ) : null}
      {answer && answer.warnings.length > 0 ? (
        <div class="notice" role="status">
          <h2>Calendars that may be out of date</h2>
          <ul>
            {answer.warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {answer ? (
        <>
          <h2>Options ({zone})</h2>
          {why ? <WhyOptions why={why} /> : null}
          {write && options.length > 0 ? (
            <SendOrBook
              id={id}
              request={request}
              canSend={allowed.includes("send")}
              options={options}
              csrf={csrf}
              errors={errors}
            />
          ) : options.length > 0 ? (
            <OptionsList options={options} zone={zone} />
          ) : null}
        </>
      ) : null}
      {write && allowed.includes("cancel") ? (
        <CancelRequestForm id={id} csrf={csrf} errors={errors} />
      ) : null}
      <h2>Timeline</h2>
      <Timeline events={events} names={names} zone={zone} />
    </>,
    false,
  );
}

/** What each attendee answered from their calendar, per session. */
function AnswersTable(props: {
  answers: Awaited<ReturnType<BookingService["answers"]>>;
  request: InterviewRequest;
  candidate: { name: string; email: string };
  zone: string;
}) {
  const { answers, request, candidate, zone } = props;
  return (
    <>
      {answers.length === 0 ? (
        <p>No one has answered from their calendar yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <caption class="visually-hidden">Answers to the invitations</caption>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Attendee</th>
                <th scope="col">Answer</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {answers.map((a) => (
                <tr>
                  <td data-label="Session">
                    {request.sessions[a.sessionIndex]?.name ?? `Session ${a.sessionIndex + 1}`}
                  </td>
                  <td data-label="Attendee">
                    {a.email === candidate.email.toLowerCase()
                      ? `${candidate.name} (candidate)`
                      : a.email}
                  </td>
                  <td data-label="Answer">
                    {ANSWER_LABEL[a.partstat] ?? a.partstat}
                    {a.current ? "" : " (to an earlier time)"}
                  </td>
                  <td data-label="When">{when(a.at, zone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const ANSWER_LABEL: Record<string, string> = {
  ACCEPTED: "Accepted",
  DECLINED: "Declined",
  TENTATIVE: "Maybe",
  "NEEDS-ACTION": "No answer yet",
};

function OptionsListStatic({ option, zone }: { option: OptionView; zone: string }) {
  return (
    <ul>
      {option.sessions.map((s) => (
        <li>
          {groupByDay([s], zone)[0]?.heading}: {s.name} {timesOf(s, zone)} with{" "}
          {s.interviewers.join(", ")}
        </li>
      ))}
    </ul>
  );
}

/** The key a service error without a field is shown under: the page's summary heading. */
const NO_FIELD = "form";

/**
 * A request action's expected failure as the request page shows it: an error without a field
 * heads the summary, one on `optionId` marks the options; the status is the table's.
 */
function actionFailure(c: C, error: unknown) {
  const failed = formFailure(c, error, NO_FIELD);
  const { [NO_FIELD]: message, optionId, ...rest } = failed.errors;
  const errors = optionId === undefined ? rest : { ...rest, option: optionId };
  return {
    notice: message === undefined ? { errors } : { message },
    status: failed.status,
  };
}

const requestRoute = {
  kind: "page" as const,
  objectParam: "requestId",
  objectKind: "interview-request" as const,
};

/**
 * Declares request actions on `app`: `action(path, summary, run)` runs one; an expected failure
 * shows the request page with the reason.
 */
const requestActions =
  (app: OpenAPIHono<AppEnv>, routes: RouteTable) =>
  (
    path: string,
    summary: string,
    run: (
      c: C,
      actor: Actor,
      id: string,
      values: Map<string, string[]>,
    ) => Promise<FieldErrors | string>,
  ) => {
    defineRoute(app, routes, {
      method: "POST",
      path,
      ...requestRoute,
      access: { permission: "candidates:write" },
      summary,
      handler: async (c) => {
        const actor = requireActor(c);
        const id = c.req.param("requestId") as string;
        const values = await allFormValues(c);
        try {
          const outcome = await run(c, actor, id, values);
          if (typeof outcome === "string")
            return c.redirect(`/app/requests/${id}?done=${outcome}`, 303);
          return c.html(await requestPage(c, actor, id, { errors: outcome }), INVALID_FORM);
        } catch (error) {
          const failed = actionFailure(c, error);
          return c.html(await requestPage(c, actor, id, failed.notice), failed.status);
        }
      },
    });
  };

export function registerRequestPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerRequestListPages(app, routes);
  registerRequestPage(app, routes);
  registerRequestActions(app, routes);
}

/** The organisation's interview requests, and making a new one. */
function registerRequestListPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/requests",
    kind: "page",
    access: { permission: "candidates:read" },
    summary: "Interview requests by status, filtered and sorted",
    handler: (c) => requestListPage(c),
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/requests/new",
    kind: "page",
    access: { permission: "candidates:write" },
    summary: "New interview request form",
    handler: async (c) => {
      const actor = requireActor(c);
      return c.html(
        frame(
          c,
          "New interview request",
          <>
            <h1>New interview request</h1>
            <AllyAddressNote c={c} />
            <NewRequestForm c={c} actor={actor} values={new Map()} />
          </>,
        ),
      );
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/requests",
    kind: "page",
    access: { permission: "candidates:write" },
    summary: "Creates an interview request",
    handler: async (c) => {
      const actor = requireActor(c);
      const values = await allFormValues(c);
      const again = (errors: FieldErrors, status: ContentfulStatusCode) =>
        c.html(
          frame(
            c,
            "New interview request",
            <>
              <h1>New interview request</h1>
              <ErrorSummary errors={errors} />
              <NewRequestForm c={c} actor={actor} values={values} errors={errors} />
            </>,
          ),
          status,
        );
      const { hiring, booking } = c.get("deps");
      const candidateId = one(values, "candidateId");
      const candidate = candidateId
        ? (await hiring.listCandidates(actor)).find((x) => x.id === candidateId)
        : undefined;
      const read = requestInput(values, candidate?.timeZone ?? null);
      if ("errors" in read) return again(read.errors, INVALID_FORM);
      try {
        const request = await booking.createRequest(actor, read.input);
        return c.redirect(`/app/requests/${request.id}`, 303);
      } catch (error) {
        const failed = formFailure(c, error);
        const errors = errorsForRows(
          failed.errors,
          "sessions",
          read.rowOf,
          "name",
          (row) => `Session ${row + 1}`,
        );
        return again(errors, failed.status);
      }
    },
  });
}

/** One interview request's page. */
function registerRequestPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/requests/:requestId",
    ...requestRoute,
    access: { permission: "candidates:read" },
    summary: "An interview request",
    handler: async (c) => {
      const actor = requireActor(c);
      const done = c.req.query("done");
      const good =
        done === "sent"
          ? "Sent: the candidate has an email with a link to choose a time."
          : done === "booked"
            ? "Booked."
            : done === "cancelled"
              ? "Cancelled."
              : undefined;
      return c.html(
        await requestPage(c, actor, c.req.param("requestId"), good ? { good } : undefined),
      );
    },
  });
}

/** A request's actions: send it to the candidate, book an option for them, cancel it. */
function registerRequestActions(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const action = requestActions(app, routes);
  action(
    "/app/requests/:requestId/offer",
    "Sends the options to the candidate",
    async (c, actor, id) => {
      await c.get("deps").booking.sendToCandidate(actor, id);
      return "sent";
    },
  );

  action(
    "/app/requests/:requestId/book",
    "Books an option on the candidate's behalf",
    async (c, actor, id, values) => {
      const optionId = one(values, "option").trim();
      if (optionId === "") return { option: "Choose one of the options to book." };
      const key = one(values, "key").trim();
      await c.get("deps").booking.book(actor, id, { optionId, idempotencyKey: key });
      return "booked";
    },
  );

  action(
    "/app/requests/:requestId/cancel",
    "Cancels an interview request",
    async (c, actor, id, values) => {
      if (one(values, "confirm") !== "yes") {
        return { confirm: "Tick the box to confirm that you want to cancel this request." };
      }
      const reason = one(values, "reason").trim();
      await c.get("deps").booking.cancel(actor, id, { reason: reason === "" ? null : reason });
      return "cancelled";
    },
  );
}
