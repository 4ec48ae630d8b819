/**
 * An interviewer's scheduling profile: time zone, working hours and limits. A member edits
 * their own; owners, admins and recruiters edit anyone's in the organisation; everyone else
 * sees it read-only. Working hours are a few rows of days, start and end ("HH:MM").
 */

import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { forbidden } from "../../errors.js";
import { type InterviewerProfile, interviewerProfileInput } from "../../hiring/schemas.js";
import { currentZones } from "../../hiring/zone-names.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { allFormValues, errorsForRows, formNumber, one } from "./hiring-form-helpers.js";

type C = Context<AppEnv>;

const MIN_ROWS = 3;
const MAX_ROWS = 7;
const DAYS = [
  ["MO", "Monday"],
  ["TU", "Tuesday"],
  ["WE", "Wednesday"],
  ["TH", "Thursday"],
  ["FR", "Friday"],
  ["SA", "Saturday"],
  ["SU", "Sunday"],
] as const;
const dayName = new Map<string, string>(DAYS);

interface HoursRow {
  days: string[];
  start: string;
  end: string;
}

interface ProfileForm {
  timeZone: string;
  hours: HoursRow[];
  perDayLimit: string;
  perWeekLimit: string;
}

const blankRow = (): HoursRow => ({ days: [], start: "", end: "" });
const isBlank = (row: HoursRow) =>
  row.days.length === 0 && row.start.trim() === "" && row.end.trim() === "";

function formFromProfile(profile: InterviewerProfile): ProfileForm {
  return {
    timeZone: profile.timeZone,
    hours: profile.workingHours.map((span) => ({ ...span, days: [...span.days] })),
    perDayLimit: profile.perDayLimit === null ? "" : String(profile.perDayLimit),
    perWeekLimit: profile.perWeekLimit === null ? "" : String(profile.perWeekLimit),
  };
}

async function readForm(c: C): Promise<ProfileForm> {
  const values = await allFormValues(c);
  const hours: HoursRow[] = [];
  for (let row = 0; row < MAX_ROWS; row++) {
    hours.push({
      days: values.get(`workingHours.${row}.days`) ?? [],
      start: one(values, `workingHours.${row}.start`),
      end: one(values, `workingHours.${row}.end`),
    });
  }
  return {
    timeZone: one(values, "timeZone"),
    hours,
    perDayLimit: one(values, "perDayLimit"),
    perWeekLimit: one(values, "perWeekLimit"),
  };
}

function toInput(form: ProfileForm) {
  const rowOf: number[] = [];
  const workingHours = form.hours.flatMap((row, index) => {
    if (isBlank(row)) return [];
    rowOf.push(index);
    return [{ days: row.days, start: row.start, end: row.end }];
  });
  const limit = (text: string) => formNumber(text) ?? null;
  return {
    input: {
      timeZone: form.timeZone,
      workingHours,
      perDayLimit: limit(form.perDayLimit),
      perWeekLimit: limit(form.perWeekLimit),
    },
    rowOf,
  };
}

function HoursFieldset(props: { row: HoursRow; index: number; errors?: FieldErrors }) {
  const { row, index, errors } = props;
  const prefix = `workingHours.${index}`;
  const daysError = errors?.[`${prefix}.days`];
  const chosen = new Set(row.days);
  return (
    <fieldset class="hours-row">
      <legend>Working hours {index + 1}</legend>
      <fieldset aria-describedby={daysError ? `field-${prefix}.days-error` : undefined}>
        <legend>Days of working hours {index + 1}</legend>
        {daysError ? (
          <span class="error-text" id={`field-${prefix}.days-error`}>
            {daysError}
          </span>
        ) : null}
        <div class="checks">
          {DAYS.map(([code, name], d) => {
            const id = d === 0 ? `field-${prefix}.days` : `field-${prefix}.days-${code}`;
            return (
              <div class="check">
                <input
                  type="checkbox"
                  id={id}
                  name={`${prefix}.days`}
                  value={code}
                  checked={chosen.has(code)}
                />
                <label for={id}>{name}</label>
              </div>
            );
          })}
        </div>
      </fieldset>
      <div class="inline">
        <Field
          name={`${prefix}.start`}
          label={`Working hours ${index + 1} from`}
          hint="HH:MM, 24-hour clock"
          value={row.start}
          errors={errors}
        />
        <Field
          name={`${prefix}.end`}
          label={`Working hours ${index + 1} until`}
          hint="HH:MM; 24:00 is midnight"
          value={row.end}
          errors={errors}
        />
      </div>
    </fieldset>
  );
}

function ProfileFormView(props: {
  c: C;
  userId: string;
  values: ProfileForm;
  errors?: FieldErrors;
}) {
  const { c, userId, values, errors } = props;
  const rowCount = Math.min(
    MAX_ROWS,
    Math.max(MIN_ROWS, values.hours.findLastIndex((r) => !isBlank(r)) + 2),
  );
  const rows = Array.from({ length: rowCount }, (_, i) => values.hours[i] ?? blankRow());
  return (
    <form method="post" action={`/app/interviewers/${userId}`} class="stack card" novalidate>
      <Csrf token={c.get("csrfToken")} />
      <Field
        name="timeZone"
        label="Time zone"
        hint="Start typing a city or a zone, such as London or America/New_York. Working hours and limits are read in it."
        value={values.timeZone}
        errors={errors}
        list="zone-names"
        autocomplete="off"
        required
      />
      <datalist id="zone-names">
        {currentZones().map((zone) => (
          <option value={zone} />
        ))}
      </datalist>
      <h2>Working hours</h2>
      <p class="hint">
        Interviews are only offered inside these hours. Rows left empty are ignored; an end at or
        before the start runs past midnight.
      </p>
      {rows.map((row, index) => (
        <HoursFieldset row={row} index={index} errors={errors} />
      ))}
      <h2>Limits</h2>
      <Field
        name="perDayLimit"
        label="Most interviews per day"
        hint="Leave empty for no limit."
        type="number"
        inputmode="numeric"
        value={values.perDayLimit}
        errors={errors}
      />
      <Field
        name="perWeekLimit"
        label="Most interviews per week"
        hint="Monday to Sunday. Leave empty for no limit."
        type="number"
        inputmode="numeric"
        value={values.perWeekLimit}
        errors={errors}
      />
      <div class="actions">
        <button type="submit">Save profile</button>
      </div>
    </form>
  );
}

function ProfileSummary({ profile }: { profile: InterviewerProfile }) {
  return (
    <div class="card">
      <p>Time zone: {profile.timeZone}</p>
      <ul>
        {profile.workingHours.map((span) => (
          <li>
            {`${span.days.map((d) => dayName.get(d) ?? d).join(", ")}: ${span.start}–${span.end}`}
          </li>
        ))}
      </ul>
      <p>Most interviews per day: {profile.perDayLimit ?? "no limit"}</p>
      <p>Most interviews per week: {profile.perWeekLimit ?? "no limit"}</p>
    </div>
  );
}

export function registerProfilePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const profilePage = async (
    c: C,
    userId: string,
    values?: ProfileForm,
    errors?: FieldErrors,
    saved?: boolean,
  ) => {
    const actor = requireActor(c);
    const { hiring, accounts } = c.get("deps");
    const profile = await hiring.getInterviewerProfile(actor, userId);
    const member = await accounts.getMember(actor, userId);
    const own = userId === actor.userId;
    const title = own ? "Your interviewer profile" : `${member.name}: interviewer profile`;
    return (
      <Page
        title={title}
        session={c.get("session")}
        csrfToken={c.get("csrfToken")}
        current={own ? "/app" : "/app/members"}
        narrow
      >
        <h1>{title}</h1>
        {saved ? <Notice tone="good">Profile saved.</Notice> : null}
        {!profile.saved ? (
          <Notice>
            {own ? "You have" : `${member.name} has`} not saved a profile yet: these are suggested
            defaults (UTC, Monday to Friday 09:00–17:00).
          </Notice>
        ) : null}
        <ErrorSummary errors={errors} />
        {hiring.canEditInterviewerProfile(actor, userId) ? (
          <ProfileFormView
            c={c}
            userId={userId}
            values={values ?? formFromProfile(profile)}
            errors={errors}
          />
        ) : (
          <ProfileSummary profile={profile} />
        )}
      </Page>
    );
  };

  const oneMember = { objectParam: "userId", objectKind: "member" as const };
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/interviewers/:userId",
    kind: "page",
    access: "member",
    summary: "An interviewer's profile",
    ...oneMember,
    handler: async (c) =>
      c.html(
        await profilePage(
          c,
          c.req.param("userId"),
          undefined,
          undefined,
          c.req.query("saved") === "1",
        ),
      ),
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/interviewers/:userId",
    kind: "page",
    access: "member",
    summary: "Saves an interviewer's profile (one's own, or anyone's with profiles:edit-any)",
    ...oneMember,
    handler: async (c) => {
      const actor = requireActor(c);
      const userId = c.req.param("userId");
      const { hiring } = c.get("deps");
      // Not found for other organisations first, then not allowed.
      await hiring.getInterviewerProfile(actor, userId);
      if (!hiring.canEditInterviewerProfile(actor, userId)) throw forbidden();
      const values = await readForm(c);
      const { input, rowOf } = toInput(values);
      const parsed = parseForm(interviewerProfileInput, input);
      const mapErrors = (errors: FieldErrors) =>
        errorsForRows(errors, "workingHours", rowOf, "days", (row) => `Working hours ${row + 1}`);
      if (!parsed.ok) {
        return c.html(await profilePage(c, userId, values, mapErrors(parsed.errors)), INVALID_FORM);
      }
      try {
        await hiring.putInterviewerProfile(actor, userId, parsed.value);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(
          await profilePage(c, userId, values, mapErrors(failed.errors)),
          failed.status,
        );
      }
      return c.redirect(`/app/interviewers/${userId}?saved=1`, 303);
    },
  });
}
