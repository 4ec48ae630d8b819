/**
 * Pages for the hiring module: jobs (list, create, edit, delete) here; candidates, pools, loop
 * templates and interviewer profiles in the hiring-*-pages.tsx files registered below.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { can } from "../../accounts/permissions.js";
import { type Job, jobInput } from "../../hiring/schemas.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import {
  type FormValues,
  formFailure,
  formValues,
  INVALID_FORM,
  parseForm,
  requireActor,
} from "../forms.js";
import {
  Csrf,
  DeleteForm,
  ErrorSummary,
  Field,
  type FieldErrors,
  Page,
  SaveOrCancel,
} from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { registerDeleteRoute } from "./delete-route.js";
import { registerCandidatePages } from "./hiring-candidate-pages.js";
import { registerPoolPages } from "./hiring-pool-pages.js";
import { registerProfilePages } from "./hiring-profile-pages.js";
import { registerTemplatePages } from "./hiring-template-pages.js";

type C = Context<AppEnv>;

function JobForm({
  c,
  job,
  values,
  errors,
}: {
  c: C;
  job?: Job;
  values: FormValues;
  errors?: FieldErrors;
}) {
  const action = job ? `/app/jobs/${job.id}` : "/app/jobs";
  return (
    <form method="post" action={action} class="stack card" novalidate>
      <Csrf token={c.get("csrfToken")} />
      <Field
        name="title"
        label="Title"
        value={values.title ?? job?.title}
        errors={errors}
        required
      />
      <Field
        name="department"
        label="Department"
        value={values.department ?? job?.department}
        errors={errors}
      />
      <Field
        name="location"
        label="Location"
        value={values.location ?? job?.location}
        errors={errors}
      />
      <Field
        name="description"
        label="Description"
        value={values.description ?? job?.description}
        errors={errors}
        multiline
      />
      <SaveOrCancel label={job ? "Save changes" : "Create job"} cancelHref={"/app/jobs"} />
    </form>
  );
}

const newJobPage = (c: C, values: FormValues, errors?: FieldErrors) => (
  <Page
    title="New job"
    session={c.get("session")}
    csrfToken={c.get("csrfToken")}
    current="/app/jobs"
    narrow
  >
    <h1>New job</h1>
    <ErrorSummary errors={errors} />
    <JobForm c={c} values={values} errors={errors} />
  </Page>
);

const jobPage = (c: C, job: Job, values: FormValues, errors?: FieldErrors) => {
  const write = can(requireActor(c).role, "hiring:write");
  return (
    <Page
      title={job.title}
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/jobs"
      narrow
    >
      <h1>{job.title}</h1>
      <ErrorSummary errors={errors} />
      {write ? (
        <>
          <JobForm c={c} job={job} values={values} errors={errors} />
          <DeleteForm
            action={`/app/jobs/${job.id}/delete`}
            what="this job"
            csrfToken={c.get("csrfToken")}
            errors={errors}
          />
        </>
      ) : (
        <div class="card">
          <p>{job.department ?? ""}</p>
          <p>{job.location ?? ""}</p>
          <p>{job.description ?? ""}</p>
        </div>
      )}
    </Page>
  );
};
const jobRoute = { objectParam: "jobId", objectKind: "job" as const };

export function registerHiringPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerJobListPage(app, routes);
  registerNewJobPages(app, routes);
  registerOneJobPages(app, routes);
  registerCandidatePages(app, routes);
  registerPoolPages(app, routes);
  registerTemplatePages(app, routes);
  registerProfilePages(app, routes);
}

/** The organisation's jobs. */
function registerJobListPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/jobs",
    kind: "page",
    access: { permission: "hiring:read" },
    summary: "Jobs",
    handler: async (c) => {
      const actor = requireActor(c);
      const jobs = await c.get("deps").hiring.listJobs(actor);
      const write = can(actor.role, "hiring:write");
      return c.html(
        <Page
          title="Jobs"
          session={c.get("session")}
          csrfToken={c.get("csrfToken")}
          current="/app/jobs"
        >
          <h1>Jobs</h1>
          {write ? (
            <p>
              <a class="button" href="/app/jobs/new">
                New job
              </a>
            </p>
          ) : null}
          {jobs.length === 0 ? (
            <p>No jobs yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Department</th>
                    <th scope="col">Location</th>
                  </tr>
                </thead>
                <tbody>
                  {jobs.map((job) => (
                    <tr>
                      <td>
                        <a href={`/app/jobs/${job.id}`}>{job.title}</a>
                      </td>
                      <td>{job.department ?? ""}</td>
                      <td>{job.location ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Page>,
      );
    },
  });
}

/** Making a new job. */
function registerNewJobPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/jobs/new",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "New job form",
    handler: (c) => {
      requireActor(c);
      return c.html(newJobPage(c, {}));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/jobs",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "Creates a job",
    handler: async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const parsed = parseForm(jobInput, values);
      if (!parsed.ok) return c.html(newJobPage(c, values, parsed.errors), INVALID_FORM);
      const job = await c.get("deps").hiring.createJob(actor, parsed.value);
      return c.redirect(`/app/jobs/${job.id}`, 303);
    },
  });
}

/** One job: seeing, changing and deleting it. */
function registerOneJobPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/jobs/:jobId",
    kind: "page",
    access: { permission: "hiring:read" },
    summary: "A job",
    ...jobRoute,
    handler: async (c) => {
      const actor = requireActor(c);
      const job = await c.get("deps").hiring.getJob(actor, c.req.param("jobId"));
      return c.html(jobPage(c, job, {}));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/jobs/:jobId",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "Updates a job",
    ...jobRoute,
    handler: async (c) => {
      const actor = requireActor(c);
      const { hiring } = c.get("deps");
      const job = await hiring.getJob(actor, c.req.param("jobId"));
      const values = await formValues(c);
      const parsed = parseForm(jobInput, values);
      if (!parsed.ok) return c.html(jobPage(c, job, values, parsed.errors), INVALID_FORM);
      try {
        await hiring.updateJob(actor, job.id, parsed.value);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(jobPage(c, job, values, failed.errors), failed.status);
      }
      return c.redirect(`/app/jobs/${job.id}`, 303);
    },
  });
  registerDeleteRoute(app, routes, {
    listPath: "/app/jobs",
    param: "jobId",
    objectKind: "job",
    permission: "hiring:write",
    summary: "Deletes a job",
    remove: (c, actor, id) => c.get("deps").hiring.deleteJob(actor, id),
    page: async (c, actor, id, errors) =>
      jobPage(c, await c.get("deps").hiring.getJob(actor, id), {}, errors),
  });
}
