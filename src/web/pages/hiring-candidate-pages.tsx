/** Pages for candidates: list, create, view and edit, delete. Recruiters and up only. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requirePermission } from "../../accounts/permissions.js";
import { type Candidate, candidateInput } from "../../hiring/schemas.js";
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
  SaveOrCancel,
} from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";
import { registerDeleteRoute } from "./delete-route.js";

type C = Context<AppEnv>;

function CandidateForm(props: {
  c: C;
  candidate?: Candidate;
  values: FormValues;
  errors?: FieldErrors;
}) {
  const { c, candidate, values, errors } = props;
  return (
    <form
      method="post"
      action={candidate ? `/app/candidates/${candidate.id}` : "/app/candidates"}
      class="stack card"
      novalidate
    >
      <Csrf token={c.get("csrfToken")} />
      <Field
        name="name"
        label="Name"
        value={values.name ?? candidate?.name}
        errors={errors}
        autocomplete="off"
        required
      />
      <Field
        name="email"
        label="Email"
        type="email"
        inputmode="email"
        autocomplete="off"
        value={values.email ?? candidate?.email}
        errors={errors}
        required
      />
      <Field
        name="phone"
        label="Telephone (optional)"
        type="tel"
        inputmode="tel"
        autocomplete="off"
        value={values.phone ?? candidate?.phone}
        errors={errors}
      />
      <Field
        name="timeZone"
        label="Time zone (optional)"
        hint="Where the candidate is, as an IANA name such as Europe/London or America/Chicago."
        value={values.timeZone ?? candidate?.timeZone}
        errors={errors}
      />
      <Field
        name="notes"
        label="Notes (optional)"
        value={values.notes ?? candidate?.notes}
        errors={errors}
        multiline
      />
      <SaveOrCancel
        label={candidate ? "Save changes" : "Add candidate"}
        cancelHref={"/app/candidates"}
      />
    </form>
  );
}

const frame = sectionFrame("/app/candidates");

const newPage = (c: C, values: FormValues, errors?: FieldErrors) =>
  frame(
    c,
    "Add a candidate",
    <>
      <h1>Add a candidate</h1>
      <ErrorSummary errors={errors} />
      <CandidateForm c={c} values={values} errors={errors} />
    </>,
  );

const candidatePage = (c: C, candidate: Candidate, values: FormValues, errors?: FieldErrors) =>
  frame(
    c,
    candidate.name,
    <>
      <h1>{candidate.name}</h1>
      <ErrorSummary errors={errors} />
      <CandidateForm c={c} candidate={candidate} values={values} errors={errors} />
      <DeleteForm
        action={`/app/candidates/${candidate.id}/delete`}
        what="this candidate"
        csrfToken={c.get("csrfToken")}
        errors={errors}
      />
    </>,
  );
const one = { objectParam: "candidateId", objectKind: "candidate" as const };

export function registerCandidatePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerCandidateListPage(app, routes);
  registerNewCandidatePages(app, routes);
  registerOneCandidatePages(app, routes);
}

/** The organisation's candidates. */
function registerCandidateListPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/candidates",
    kind: "page",
    access: { permission: "candidates:read" },
    summary: "Candidates",
    handler: async (c) => {
      const actor = requireActor(c);
      const candidates = await c.get("deps").hiring.listCandidates(actor);
      return c.html(
        frame(
          c,
          "Candidates",
          <>
            <h1>Candidates</h1>
            <p>
              <a class="button" href="/app/candidates/new">
                Add a candidate
              </a>
            </p>
            {candidates.length === 0 ? (
              <p>No candidates yet.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Candidates</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Email</th>
                      <th scope="col">Time zone</th>
                    </tr>
                  </thead>
                  <tbody>
                    {candidates.map((candidate) => (
                      <tr>
                        <td>
                          <a href={`/app/candidates/${candidate.id}`}>{candidate.name}</a>
                        </td>
                        <td>{candidate.email}</td>
                        <td>{candidate.timeZone ?? "Not given"}</td>
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

/** Adding a candidate. */
function registerNewCandidatePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/candidates/new",
    kind: "page",
    access: { permission: "candidates:write" },
    summary: "New candidate form",
    handler: (c) => {
      requirePermission(requireActor(c).role, "candidates:write");
      return c.html(newPage(c, {}));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/candidates",
    kind: "page",
    access: { permission: "candidates:write" },
    summary: "Adds a candidate",
    handler: async (c) => {
      const actor = requireActor(c);
      requirePermission(actor.role, "candidates:write");
      const values = await formValues(c);
      const parsed = parseForm(candidateInput, values);
      if (!parsed.ok) return c.html(newPage(c, values, parsed.errors), INVALID_FORM);
      try {
        const candidate = await c.get("deps").hiring.createCandidate(actor, parsed.value);
        return c.redirect(`/app/candidates/${candidate.id}`, 303);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(newPage(c, values, failed.errors), failed.status);
      }
    },
  });
}

/** One candidate: seeing, changing and deleting them. */
function registerOneCandidatePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/candidates/:candidateId",
    kind: "page",
    access: { permission: "candidates:read" },
    summary: "A candidate",
    ...one,
    handler: async (c) => {
      const actor = requireActor(c);
      const candidate = await c.get("deps").hiring.getCandidate(actor, c.req.param("candidateId"));
      return c.html(candidatePage(c, candidate, {}));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/candidates/:candidateId",
    kind: "page",
    access: { permission: "candidates:write" },
    summary: "Updates a candidate",
    ...one,
    handler: async (c) => {
      const actor = requireActor(c);
      const { hiring } = c.get("deps");
      const candidate = await hiring.getCandidate(actor, c.req.param("candidateId"));
      requirePermission(actor.role, "candidates:write");
      const values = await formValues(c);
      const parsed = parseForm(candidateInput, values);
      if (!parsed.ok)
        return c.html(candidatePage(c, candidate, values, parsed.errors), INVALID_FORM);
      try {
        await hiring.updateCandidate(actor, candidate.id, parsed.value);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(candidatePage(c, candidate, values, failed.errors), failed.status);
      }
      return c.redirect(`/app/candidates/${candidate.id}`, 303);
    },
  });
  registerDeleteRoute(app, routes, {
    listPath: "/app/candidates",
    param: "candidateId",
    objectKind: "candidate",
    permission: "candidates:write",
    summary: "Deletes a candidate",
    remove: (c, actor, id) => c.get("deps").hiring.deleteCandidate(actor, id),
    page: async (c, actor, id, errors) =>
      candidatePage(c, await c.get("deps").hiring.getCandidate(actor, id), {}, errors),
  });
}
