/**
 * Pages for loop templates: list, create, view and edit, delete. The form works without
 * scripts: it shows a fixed number of session rows (at least four), rows left empty are
 * ignored, and errors name the row's field (`sessions.1.durationMinutes`).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { can, requirePermission } from "../../accounts/permissions.js";
import {
  type Job,
  type LoopTemplate,
  loopTemplateInput,
  MAX_TEMPLATE_SESSIONS,
  type Pool,
} from "../../hiring/schemas.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import {
  Csrf,
  DeleteForm,
  ErrorSummary,
  Field,
  type FieldErrors,
  SaveOrCancel,
} from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";
import { registerDeleteRoute } from "./delete-route.js";
import { allFormValues, errorsForRows, formNumber, one } from "./hiring-form-helpers.js";

type C = Context<AppEnv>;

const MIN_ROWS = 4;

interface SessionRow {
  name: string;
  durationMinutes: string;
  poolId: string;
  count: string;
}

interface TemplateForm {
  name: string;
  jobId: string;
  order: string;
  maxGapMinutes: string;
  sessions: SessionRow[];
}

const blankRow = (): SessionRow => ({ name: "", durationMinutes: "", poolId: "", count: "1" });

function formFromTemplate(template: LoopTemplate | undefined): TemplateForm {
  if (template === undefined) {
    return { name: "", jobId: "", order: "fixed", maxGapMinutes: "30", sessions: [] };
  }
  return {
    name: template.name,
    jobId: template.jobId ?? "",
    order: template.order,
    maxGapMinutes: String(template.maxGapMinutes),
    sessions: template.sessions.map((s) => ({
      name: s.name,
      durationMinutes: String(s.durationMinutes),
      poolId: s.poolId,
      count: String(s.count),
    })),
  };
}

async function readForm(c: C): Promise<TemplateForm> {
  const values = await allFormValues(c);
  const sessions: SessionRow[] = [];
  for (let row = 0; row < MAX_TEMPLATE_SESSIONS; row++) {
    sessions.push({
      name: one(values, `sessions.${row}.name`),
      durationMinutes: one(values, `sessions.${row}.durationMinutes`),
      poolId: one(values, `sessions.${row}.poolId`),
      count: one(values, `sessions.${row}.count`),
    });
  }
  return {
    name: one(values, "name"),
    jobId: one(values, "jobId"),
    order: one(values, "order"),
    maxGapMinutes: one(values, "maxGapMinutes"),
    sessions,
  };
}

const isBlank = (row: SessionRow) =>
  row.name.trim() === "" && row.durationMinutes.trim() === "" && row.poolId === "";

/** The input for the service, and which page row each submitted session came from. */
function toInput(form: TemplateForm) {
  const rowOf: number[] = [];
  const sessions = form.sessions.flatMap((row, index) => {
    if (isBlank(row)) return [];
    rowOf.push(index);
    return [
      {
        name: row.name,
        durationMinutes: formNumber(row.durationMinutes),
        poolId: row.poolId,
        count: formNumber(row.count),
      },
    ];
  });
  const input = {
    name: form.name,
    jobId: form.jobId,
    order: form.order === "" ? undefined : form.order,
    maxGapMinutes: formNumber(form.maxGapMinutes),
    sessions,
  };
  return { input, rowOf };
}

function rowErrors(errors: FieldErrors, rowOf: number[]): FieldErrors {
  const mapped = errorsForRows(errors, "sessions", rowOf, "name", (row) => `Session ${row + 1}`);
  const whole = mapped.sessions;
  if (whole !== undefined) {
    delete mapped.sessions;
    mapped["sessions.0.name"] ??= whole;
  }
  return mapped;
}

function TemplateFormView(props: {
  c: C;
  template?: LoopTemplate;
  jobs: Job[];
  pools: Pool[];
  values: TemplateForm;
  errors?: FieldErrors;
}) {
  const { c, template, jobs, pools, values, errors } = props;
  const filled = values.sessions.filter((row) => !isBlank(row)).length;
  const rowCount = Math.min(
    MAX_TEMPLATE_SESSIONS,
    Math.max(MIN_ROWS, filled + 1, values.sessions.findLastIndex((r) => !isBlank(r)) + 2),
  );
  const rows = Array.from({ length: rowCount }, (_, i) => values.sessions[i] ?? blankRow());
  const jobOptions = [{ value: "", label: "No particular job" }].concat(
    jobs.map((job) => ({ value: job.id, label: job.title })),
  );
  const poolOptions = [{ value: "", label: "Choose a pool" }].concat(
    pools.map((pool) => ({
      value: pool.id,
      label: `${pool.name} (${pool.memberIds.length} member${pool.memberIds.length === 1 ? "" : "s"})`,
    })),
  );
  const orderError = errors?.order;
  return (
    <form
      method="post"
      action={template ? `/app/templates/${template.id}` : "/app/templates"}
      class="stack card"
      novalidate
    >
      <Csrf token={c.get("csrfToken")} />
      <Field name="name" label="Name" value={values.name} errors={errors} required />
      <Field name="jobId" label="Job" value={values.jobId} errors={errors} options={jobOptions} />
      <fieldset aria-describedby={orderError ? "field-order-error" : undefined}>
        <legend>Order of the sessions</legend>
        {orderError ? (
          <span class="error-text" id="field-order-error">
            {orderError}
          </span>
        ) : null}
        <div class="checks">
          <div class="check">
            <input
              type="radio"
              id="field-order"
              name="order"
              value="fixed"
              checked={values.order !== "any"}
            />
            <label for="field-order">In the order listed</label>
          </div>
          <div class="check">
            <input
              type="radio"
              id="field-order-any"
              name="order"
              value="any"
              checked={values.order === "any"}
            />
            <label for="field-order-any">In any order</label>
          </div>
        </div>
      </fieldset>
      <Field
        name="maxGapMinutes"
        label="Longest gap between sessions, in minutes"
        hint="From 0 to 240."
        type="number"
        inputmode="numeric"
        value={values.maxGapMinutes}
        errors={errors}
        required
      />
      <h2>Sessions</h2>
      <p class="hint">
        Fill in one row per session. Rows left empty are ignored; save and reopen the template to
        get more rows (up to {MAX_TEMPLATE_SESSIONS}).
      </p>
      {rows.map((row, i) => (
        <fieldset class="session-row">
          <legend>Session {i + 1}</legend>
          <Field
            name={`sessions.${i}.name`}
            label={`Session ${i + 1} name`}
            value={row.name}
            errors={errors}
          />
          <Field
            name={`sessions.${i}.durationMinutes`}
            label={`Session ${i + 1} duration in minutes`}
            hint="From 5 to 480."
            type="number"
            inputmode="numeric"
            value={row.durationMinutes}
            errors={errors}
          />
          <Field
            name={`sessions.${i}.poolId`}
            label={`Session ${i + 1} interviewers from pool`}
            value={row.poolId}
            errors={errors}
            options={poolOptions}
          />
          <Field
            name={`sessions.${i}.count`}
            label={`Session ${i + 1} number of interviewers`}
            type="number"
            inputmode="numeric"
            value={row.count}
            errors={errors}
          />
        </fieldset>
      ))}
      <SaveOrCancel
        label={template ? "Save changes" : "Create template"}
        cancelHref={"/app/templates"}
      />
    </form>
  );
}

const frame = sectionFrame("/app/templates");
const choices = async (c: C) => {
  const actor = requireActor(c);
  const { hiring } = c.get("deps");
  return { jobs: await hiring.listJobs(actor), pools: await hiring.listPools(actor) };
};

const newPage = async (c: C, values: TemplateForm, errors?: FieldErrors) => {
  const { jobs, pools } = await choices(c);
  return frame(
    c,
    "New loop template",
    <>
      <h1>New loop template</h1>
      <ErrorSummary errors={errors} />
      {pools.length === 0 ? (
        <p>
          Sessions draw their interviewers from pools: <a href="/app/pools/new">create a pool</a>{" "}
          first.
        </p>
      ) : null}
      <TemplateFormView c={c} jobs={jobs} pools={pools} values={values} errors={errors} />
    </>,
  );
};

const templatePage = async (
  c: C,
  template: LoopTemplate,
  values: TemplateForm,
  errors?: FieldErrors,
) => {
  const actor = requireActor(c);
  const { jobs, pools } = await choices(c);
  const poolNames = new Map(pools.map((pool) => [pool.id, pool.name]));
  return frame(
    c,
    template.name,
    <>
      <h1>{template.name}</h1>
      <ErrorSummary errors={errors} />
      {can(actor.role, "hiring:write") ? (
        <>
          <TemplateFormView
            c={c}
            template={template}
            jobs={jobs}
            pools={pools}
            values={values}
            errors={errors}
          />
          <DeleteForm
            action={`/app/templates/${template.id}/delete`}
            what="this template"
            csrfToken={c.get("csrfToken")}
            errors={errors}
          />
        </>
      ) : (
        <div class="card">
          <p>
            {template.order === "fixed"
              ? "Sessions run in the order listed"
              : "Sessions run in any order"}
            , with gaps of at most {template.maxGapMinutes} minutes.
          </p>
          <ol>
            {template.sessions.map((s) => (
              <li>
                {`${s.name}: ${s.durationMinutes} min, ${s.count} from ${poolNames.get(s.poolId) ?? "a pool"}`}
              </li>
            ))}
          </ol>
        </div>
      )}
    </>,
  );
};
const oneTemplate = { objectParam: "templateId", objectKind: "loop-template" as const };

export function registerTemplatePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerTemplateListPage(app, routes);
  registerNewTemplatePages(app, routes);
  registerOneTemplatePages(app, routes);
}

/** The organisation's loop templates. */
function registerTemplateListPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/templates",
    kind: "page",
    access: { permission: "hiring:read" },
    summary: "Loop templates",
    handler: async (c) => {
      const actor = requireActor(c);
      const templates = await c.get("deps").hiring.listLoopTemplates(actor);
      const { jobs } = await choices(c);
      const jobTitles = new Map(jobs.map((job) => [job.id, job.title]));
      return c.html(
        frame(
          c,
          "Loop templates",
          <>
            <h1>Loop templates</h1>
            {can(actor.role, "hiring:write") ? (
              <p>
                <a class="button" href="/app/templates/new">
                  New loop template
                </a>
              </p>
            ) : null}
            {templates.length === 0 ? (
              <p>No loop templates yet.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Loop templates</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Job</th>
                      <th scope="col">Sessions</th>
                      <th scope="col">Interview time</th>
                    </tr>
                  </thead>
                  <tbody>
                    {templates.map((t) => (
                      <tr>
                        <td>
                          <a href={`/app/templates/${t.id}`}>{t.name}</a>
                        </td>
                        <td>{t.jobId === null ? "" : (jobTitles.get(t.jobId) ?? "")}</td>
                        <td>{t.sessions.length}</td>
                        <td>{`${t.sessions.reduce((sum, s) => sum + s.durationMinutes, 0)} min`}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>,
          false,
        ),
      );
    },
  });
}

/** Making a new loop template. */
function registerNewTemplatePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/templates/new",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "New loop template form",
    handler: async (c) => {
      requirePermission(requireActor(c).role, "hiring:write");
      return c.html(await newPage(c, formFromTemplate(undefined)));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/templates",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "Creates a loop template",
    handler: async (c) => {
      const actor = requireActor(c);
      requirePermission(actor.role, "hiring:write");
      const values = await readForm(c);
      const { input, rowOf } = toInput(values);
      const parsed = parseForm(loopTemplateInput, input);
      if (!parsed.ok)
        return c.html(await newPage(c, values, rowErrors(parsed.errors, rowOf)), INVALID_FORM);
      try {
        const template = await c.get("deps").hiring.createLoopTemplate(actor, parsed.value);
        return c.redirect(`/app/templates/${template.id}`, 303);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(await newPage(c, values, rowErrors(failed.errors, rowOf)), failed.status);
      }
    },
  });
}

/** One loop template: seeing, changing and deleting it. */
function registerOneTemplatePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/templates/:templateId",
    kind: "page",
    access: { permission: "hiring:read" },
    summary: "A loop template",
    ...oneTemplate,
    handler: async (c) => {
      const template = await c
        .get("deps")
        .hiring.getLoopTemplate(requireActor(c), c.req.param("templateId"));
      return c.html(await templatePage(c, template, formFromTemplate(template)));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/templates/:templateId",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "Updates a loop template",
    ...oneTemplate,
    handler: async (c) => {
      const actor = requireActor(c);
      const { hiring } = c.get("deps");
      const template = await hiring.getLoopTemplate(actor, c.req.param("templateId"));
      requirePermission(actor.role, "hiring:write");
      const values = await readForm(c);
      const { input, rowOf } = toInput(values);
      const parsed = parseForm(loopTemplateInput, input);
      if (!parsed.ok) {
        return c.html(
          await templatePage(c, template, values, rowErrors(parsed.errors, rowOf)),
          INVALID_FORM,
        );
      }
      try {
        await hiring.updateLoopTemplate(actor, template.id, parsed.value);
      } catch (error) {
        const failed = formFailure(c, error);
        const errors = rowErrors(failed.errors, rowOf);
        return c.html(await templatePage(c, template, values, errors), failed.status);
      }
      return c.redirect(`/app/templates/${template.id}`, 303);
    },
  });
  registerDeleteRoute(app, routes, {
    listPath: "/app/templates",
    param: "templateId",
    objectKind: "loop-template",
    permission: "hiring:write",
    summary: "Deletes a loop template",
    remove: (c, actor, id) => c.get("deps").hiring.deleteLoopTemplate(actor, id),
    page: async (c, actor, id, errors) => {
      const template = await c.get("deps").hiring.getLoopTemplate(actor, id);
      return templatePage(c, template, formFromTemplate(template), errors);
    },
  });
}
