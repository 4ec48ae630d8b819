/**
 * Surveys: the candidate's survey page, opened from the signed link in their email (no account;
 * plain forms with the anonymous CSRF cookie, no script), and the results page for recruiters
 * and admins, with the organisation's survey settings for admins.
 *
 * The candidate answers once: the first answer stands, and a second submit (a reload, a second
 * tab) is told it was already answered. An unknown link is a 404, an expired one a 410.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { can } from "../../accounts/permissions.js";
import {
  answerSurvey,
  openSurvey,
  optOutOfSurveys,
  type SurveyLinkProblem,
  type SurveyView,
  surveyAnswerInput,
} from "../../surveys/answers.js";
import {
  formatCnps,
  type GroupResult,
  MIN_GROUP_ANSWERS,
  type Question,
} from "../../surveys/cnps.js";
import { surveyReport } from "../../surveys/results.js";
import {
  type SurveySettings,
  saveSurveySettings,
  surveySettings,
  surveySettingsInput,
} from "../../surveys/settings.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { type FormValues, formValues, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { CnpsChart } from "./survey-chart.js";

type C = Context<AppEnv>;

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} narrow bare>
      {body}
    </Page>,
    status,
  );
}

const problemText: Record<
  SurveyLinkProblem,
  { status: ContentfulStatusCode; title: string; text: string }
> = {
  unknown: {
    status: 404,
    title: "This link does not work",
    text: "The address may be incomplete: links in emails sometimes break across lines. Open the link from the email again, or copy the whole address.",
  },
  expired: {
    status: 410,
    title: "This survey has closed",
    text: "Survey links work for 30 days after they are sent. Thank you all the same: you will not be asked about this interview again.",
  },
};

function problemPage(c: C, problem: SurveyLinkProblem) {
  const about = problemText[problem];
  return frame(
    c,
    about.title,
    <>
      <h1>{about.title}</h1>
      <p>{about.text}</p>
    </>,
    about.status,
  );
}

const QUESTION_TEXT: Record<Question, { label: string; low: string; high: string }> = {
  scheduling: {
    label: "How easy was it to schedule your interview?",
    low: "1 = very hard",
    high: "5 = very easy",
  },
  preparation: {
    label: "How well prepared were your interviewers?",
    low: "1 = not at all",
    high: "5 = very well",
  },
  clarity: {
    label: "How clear was the process to you?",
    low: "1 = not at all",
    high: "5 = completely",
  },
};

/** A radio group of whole numbers, its ends labelled; the first radio carries the field's id. */
function Scale({
  name,
  legend,
  from,
  to,
  low,
  high,
  value,
  errors,
  required,
}: {
  name: string;
  legend: string;
  from: number;
  to: number;
  low: string;
  high: string;
  value: string | undefined;
  errors: FieldErrors;
  required?: boolean;
}) {
  const error = errors[name];
  const hintId = `field-${name}-hint`;
  const describedBy = [hintId, error ? `field-${name}-error` : ""].filter(Boolean).join(" ");
  const numbers = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return (
    <fieldset aria-describedby={describedBy}>
      <legend>
        {legend}
        {required ? "" : " (optional)"}
      </legend>
      <span class="hint" id={hintId}>
        {low}, {high}
      </span>
      {error ? (
        <span class="error-text" id={`field-${name}-error`}>
          {error}
        </span>
      ) : null}
      <div class="checks scale">
        {numbers.map((n) => {
          const id = n === from ? `field-${name}` : `field-${name}-${n}`;
          return (
            <div class="check">
              <input
                type="radio"
                id={id}
                name={name}
                value={String(n)}
                checked={value === String(n)}
                required={required && n === from}
                aria-invalid={error ? "true" : undefined}
              />
              <label for={id}>{String(n)}</label>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

function SurveyForm({
  c,
  token,
  survey,
  values,
  errors,
}: {
  c: C;
  token: string;
  survey: SurveyView;
  values: FormValues;
  errors: FieldErrors;
}) {
  return (
    <>
      <h1>How was your interview?</h1>
      <p>
        You interviewed with {survey.organisationName} for {survey.jobTitle}. Your answers help them
        do better; they go to {survey.organisationName}, with your interview, and are kept two
        years.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action={`/survey/${token}`} class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Scale
          name="nps"
          legend={`How likely are you to recommend applying to ${survey.organisationName} to a friend?`}
          from={0}
          to={10}
          low="0 = not at all likely"
          high="10 = extremely likely"
          value={values.nps}
          errors={errors}
          required
        />
        {(Object.keys(QUESTION_TEXT) as Question[]).map((question) => (
          <Scale
            name={question}
            legend={QUESTION_TEXT[question].label}
            from={1}
            to={5}
            low={QUESTION_TEXT[question].low}
            high={QUESTION_TEXT[question].high}
            value={values[question]}
            errors={errors}
          />
        ))}
        <Field
          name="comment"
          label="Anything else you would like to tell them? (optional)"
          multiline
          value={values.comment}
          errors={errors}
          hint="Please leave out anything you would not want the company to read."
        />
        <div class="actions">
          <button type="submit">Send my answers</button>
        </div>
      </form>
      <OptOut c={c} token={token} />
    </>
  );
}

function OptOut({ c, token }: { c: C; token: string }) {
  return (
    <form method="post" action={`/survey/${token}/opt-out`} class="card">
      <Csrf token={c.get("csrfToken")} />
      <p>Rather not be asked? This stops all further surveys from this company to you.</p>
      <button type="submit" class="secondary">
        Don't ask me again
      </button>
    </form>
  );
}

function thanks(c: C, token: string, survey: SurveyView, already: boolean) {
  return frame(
    c,
    "Thank you",
    <>
      <h1>{already ? "Thanks, you already answered" : "Thank you for your answers"}</h1>
      <Notice tone="good">
        {already
          ? "Your first answer is the one we keep; nothing was changed."
          : `Your answers went to ${survey.organisationName}.`}
      </Notice>
      {survey.optedOut ? (
        <p>You will not be asked to answer surveys from {survey.organisationName} again.</p>
      ) : (
        <OptOut c={c} token={token} />
      )}
    </>,
  );
}

/** Radio groups left empty arrive absent: null for the optional ones. */
function answerValues(values: FormValues) {
  const optional = (name: string) =>
    values[name] === undefined || values[name] === "" ? null : values[name];
  return {
    // An empty value is no answer (zod would read "" as 0).
    nps: values.nps === undefined || values.nps.trim() === "" ? undefined : values.nps,
    scheduling: optional("scheduling"),
    preparation: optional("preparation"),
    clarity: optional("clarity"),
    comment: values.comment ?? null,
  };
}

function registerSurveyPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/survey/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "survey-link",
    summary: "The candidate's experience survey",
    handler: async (c) => {
      const token = c.req.param("token");
      const link = await openSurvey(c.get("deps").store.db, token, c.get("deps").clock.now());
      if (!link.ok) return problemPage(c, link.problem);
      if (link.survey.answeredAt !== null) return thanks(c, token, link.survey, true);
      return frame(
        c,
        "How was your interview?",
        <SurveyForm c={c} token={token} survey={link.survey} values={{}} errors={{}} />,
      );
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/survey/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "survey-link",
    summary: "Answers the candidate's experience survey",
    handler: async (c) => {
      const token = c.req.param("token");
      const { store, clock } = c.get("deps");
      const link = await openSurvey(store.db, token, clock.now());
      if (!link.ok) return problemPage(c, link.problem);
      const values = await formValues(c);
      const parsed = parseForm(surveyAnswerInput, answerValues(values));
      if (!parsed.ok) {
        return frame(
          c,
          "How was your interview?",
          <SurveyForm
            c={c}
            token={token}
            survey={link.survey}
            values={values}
            errors={parsed.errors}
          />,
          INVALID_FORM,
        );
      }
      const done = await answerSurvey(store.db, token, parsed.value, clock.now());
      if (done.outcome === "unknown" || done.outcome === "expired")
        return problemPage(c, done.outcome);
      return thanks(c, token, link.survey, done.outcome === "already-answered");
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/survey/:token/opt-out",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "survey-link",
    summary: "Stops further surveys to the candidate",
    handler: async (c) => {
      const token = c.req.param("token");
      const { store, clock } = c.get("deps");
      const link = await openSurvey(store.db, token, clock.now());
      if (!link.ok) return problemPage(c, link.problem);
      const done = await optOutOfSurveys(store.db, token, clock.now());
      if (done.outcome !== "opted-out") return problemPage(c, done.outcome);
      return frame(
        c,
        "You will not be asked again",
        <>
          <h1>You will not be asked again</h1>
          <Notice tone="good">
            {link.survey.organisationName} will send you no more surveys about your interviews.
          </Notice>
          {link.survey.answeredAt === null ? (
            <p>
              <a href={`/survey/${token}`}>Answer this one after all</a>
            </p>
          ) : null}
        </>,
      );
    },
  });
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 100)}%`);
const average = (value: number | null | undefined) => (value == null ? "–" : value.toFixed(1));

function GroupTable({
  caption,
  column,
  groups,
  nameOf,
}: {
  caption: string;
  column: string;
  groups: GroupResult[];
  nameOf: (key: string) => string;
}) {
  if (groups.length === 0) return <p>No surveys sent yet.</p>;
  return (
    <div class="table-wrap">
      <table class="stacked">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{column}</th>
            <th scope="col">Sent</th>
            <th scope="col">Answered</th>
            <th scope="col">Response rate</th>
            <th scope="col">cNPS</th>
            <th scope="col">Promoters / passives / detractors</th>
            <th scope="col">Scheduling</th>
            <th scope="col">Prepared</th>
            <th scope="col">Clear</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr>
              <th scope="row" data-label={column}>
                {nameOf(group.key)}
              </th>
              <td data-label="Sent">{group.sent}</td>
              <td data-label="Answered">{group.answered}</td>
              <td data-label="Response rate">{percent(group.responseRate)}</td>
              {group.withheld ? (
                <td data-label="Results" colspan={5}>
                  Not shown: fewer than {MIN_GROUP_ANSWERS} answers
                </td>
              ) : (
                <>
                  <td data-label="cNPS">{formatCnps(group.nps?.cnps ?? null)}</td>
                  <td data-label="Promoters / passives / detractors">
                    {group.nps
                      ? `${group.nps.promoters} / ${group.nps.passives} / ${group.nps.detractors}`
                      : "–"}
                  </td>
                  <td data-label="Scheduling">{average(group.averages?.scheduling)}</td>
                  <td data-label="Prepared">{average(group.averages?.preparation)}</td>
                  <td data-label="Clear">{average(group.averages?.clarity)}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SettingsForm({
  c,
  settings,
  values,
  errors,
}: {
  c: C;
  settings: SurveySettings;
  values?: FormValues;
  errors?: FieldErrors;
}) {
  const ticked = (name: "candidateSurveys" | "interviewerReminders") =>
    values === undefined ? settings[name] : values[name] === "yes";
  return (
    <form method="post" action="/app/surveys/settings" class="stack card">
      <h2>Settings</h2>
      <ErrorSummary errors={errors} />
      <Csrf token={c.get("csrfToken")} />
      <div class="check">
        <input
          type="checkbox"
          id="field-candidateSurveys"
          name="candidateSurveys"
          value="yes"
          checked={ticked("candidateSurveys")}
        />
        <label for="field-candidateSurveys">Ask candidates how their interview went</label>
      </div>
      <Field
        name="delayHours"
        label="Hours after the interview to send the survey"
        inputmode="numeric"
        value={values?.delayHours ?? settings.delayHours}
        errors={errors}
        hint="From 0 to 168 (a week). Candidates who restricted the use of their data, objected, or asked not to be surveyed are never sent one."
      />
      <div class="check">
        <input
          type="checkbox"
          id="field-interviewerReminders"
          name="interviewerReminders"
          value="yes"
          checked={ticked("interviewerReminders")}
        />
        <label for="field-interviewerReminders">
          Remind interviewers to write their feedback once the interview ends
        </label>
      </div>
      <div class="actions">
        <button type="submit">Save settings</button>
      </div>
    </form>
  );
}

async function resultsPage(
  c: C,
  form?: { values: FormValues; errors: FieldErrors },
  saved = false,
) {
  const actor = requireActor(c);
  const { store } = c.get("deps");
  const report = await surveyReport(store.db, actor);
  const { results } = report;
  const overall = results.overall;
  const settings = await surveySettings(store.db, actor.orgId);
  return (
    <Page
      title="Surveys"
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/surveys"
    >
      <h1>Candidate surveys</h1>
      {saved ? <Notice tone="good">Settings saved.</Notice> : null}
      <p>
        Candidates are asked after each interview how likely they are to recommend applying here (0
        to 10). cNPS is the percentage of promoters (9–10) minus the percentage of detractors (0–6),
        from −100 to +100. An interviewer's results are shown only from {MIN_GROUP_ANSWERS} answers,
        so that no answer can be traced to a candidate.
      </p>
      <div class="card">
        <h2>All interviews</h2>
        <p>
          <strong>cNPS {formatCnps(overall.nps?.cnps ?? null)}</strong> from {overall.answered}{" "}
          {overall.answered === 1 ? "answer" : "answers"} to {overall.sent}{" "}
          {overall.sent === 1 ? "survey" : "surveys"} ({percent(overall.responseRate)} answered):{" "}
          {counted(overall.nps?.promoters ?? 0, "promoter")},{" "}
          {counted(overall.nps?.passives ?? 0, "passive")},{" "}
          {counted(overall.nps?.detractors ?? 0, "detractor")}. Averages out of 5: scheduling{" "}
          {average(overall.averages?.scheduling)}, interviewers prepared{" "}
          {average(overall.averages?.preparation)}, process clear{" "}
          {average(overall.averages?.clarity)}.
        </p>
      </div>
      <h2>cNPS by month</h2>
      <CnpsChart months={results.byMonth} />
      <h2>By job</h2>
      <GroupTable
        caption="Survey results by job"
        column="Job"
        groups={results.byJob}
        nameOf={(key) => report.jobTitles.get(key) ?? key}
      />
      <h2>By interviewer</h2>
      <GroupTable
        caption="Survey results by interviewer"
        column="Interviewer"
        groups={results.byInterviewer}
        nameOf={(key) => report.interviewerNames.get(key) ?? "A former member"}
      />
      <h2>Recent comments</h2>
      {report.comments.length === 0 ? (
        <p>No comments yet.</p>
      ) : (
        <ul class="comments">
          {report.comments.map((comment) => (
            <li>
              <blockquote>{comment.text}</blockquote>
              <span class="hint">
                {comment.jobTitle}, {comment.month}, answered {comment.nps} out of 10
              </span>
            </li>
          ))}
        </ul>
      )}
      {can(actor.role, "members:manage") ? (
        <SettingsForm c={c} settings={settings} {...(form === undefined ? {} : form)} />
      ) : null}
    </Page>
  );
}

export function registerSurveyPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerSurveyPage(app, routes);
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/surveys",
    kind: "page",
    access: { permission: "candidates:read" },
    summary: "Candidate survey results",
    handler: async (c) => c.html(await resultsPage(c, undefined, c.req.query("saved") === "1")),
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/surveys/settings",
    kind: "page",
    access: { permission: "members:manage" },
    summary: "Saves the organisation's survey settings",
    handler: async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const delay = (values.delayHours ?? "").trim();
      const parsed = parseForm(surveySettingsInput, {
        candidateSurveys: values.candidateSurveys === "yes",
        delayHours: /^-?\d+$/.test(delay) ? Number(delay) : delay,
        interviewerReminders: values.interviewerReminders === "yes",
      });
      if (!parsed.ok)
        return c.html(await resultsPage(c, { values, errors: parsed.errors }), INVALID_FORM);
      const { store, clock } = c.get("deps");
      await saveSurveySettings(store.db, actor, parsed.value, clock.now());
      return c.redirect("/app/surveys?saved=1", 303);
    },
  });
}
