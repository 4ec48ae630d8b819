/**
 * Data-subject requests on pages: the public form for people without an account (a code by
 * email, then the request goes to each controller), a member's own requests under their
 * account, and an organisation's privacy queue for its admins, with deadlines and flags.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { DeadlineFlag } from "../../privacy/deadlines.js";
import {
  answerRequest,
  fileMemberRequest,
  listOwnRequests,
  listQueue,
  type PrivacyRequestView,
} from "../../privacy/requests/commands.js";
import { downloadExport } from "../../privacy/requests/export-links.js";
import type { FiledRequest } from "../../privacy/requests/file.js";
import {
  completeInput,
  KIND_LABELS,
  memberRequestInput,
  publicRequestInput,
  REQUEST_KINDS,
  verifyInput,
} from "../../privacy/requests/schemas.js";
import { startPublicRequest, verifyPublicRequest } from "../../privacy/requests/verification.js";
import { defineRoute, type PageRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import {
  type FormValues,
  formFailure,
  formValues,
  INVALID_FORM,
  parseForm,
  requireActor,
} from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;

const KIND_OPTIONS = REQUEST_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }));
const JURISDICTION_OPTIONS = [
  { value: "gdpr", label: "European Union, UK or elsewhere (GDPR: one month)" },
  { value: "ccpa", label: "California (CCPA: 45 days)" },
];
const FLAG_LABELS: Record<DeadlineFlag, string> = {
  paused: "Waiting for identity check",
  "on-time": "On time",
  "near-due": "Due within 7 days",
  overdue: "Overdue",
};

const day = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString().slice(0, 10));

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} session={c.get("session")} csrfToken={c.get("csrfToken")} narrow>
      {body}
    </Page>,
    status,
  );
}

function RequestFields({ values, errors }: { values: FormValues; errors?: FieldErrors }) {
  return (
    <>
      <Field
        name="kind"
        label="What you ask for"
        options={KIND_OPTIONS}
        value={values.kind}
        errors={errors}
      />
      <Field
        name="jurisdiction"
        label="Where you live"
        options={JURISDICTION_OPTIONS}
        value={values.jurisdiction}
        errors={errors}
        hint="This decides the deadline for the answer."
      />
      <Field
        name="details"
        label="Details (optional)"
        multiline
        value={values.details}
        errors={errors}
        hint="For a correction: what is wrong and what is right."
      />
    </>
  );
}

function PublicForm({ c, values, errors }: { c: C; values: FormValues; errors?: FieldErrors }) {
  return (
    <>
      <h1>Ask about your data</h1>
      <p>
        If a company used Ally to schedule your interviews, you can ask for a copy of your data,
        have it corrected or deleted, or have its use restricted. We send a code to the address to
        check that it is yours.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/privacy/request" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="email"
          label="Your email address"
          type="email"
          autocomplete="email"
          required
          value={values.email}
          errors={errors}
        />
        <RequestFields values={values} errors={errors} />
        <button type="submit">Send me a code</button>
      </form>
      <p>
        Have an Ally account? <a href="/app/account/privacy">Ask from your account</a> instead.
      </p>
    </>
  );
}

function CodeForm({
  c,
  verification,
  errors,
}: {
  c: C;
  verification: string;
  errors?: FieldErrors;
}) {
  return (
    <>
      <h1>Enter your code</h1>
      <p>We sent a six-digit code to your address. It works for 15 minutes.</p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/privacy/request/verify" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <input type="hidden" name="verification" value={verification} />
        <Field
          name="code"
          label="Code"
          inputmode="numeric"
          autocomplete="one-time-code"
          required
          errors={errors}
        />
        <button type="submit">Confirm my request</button>
      </form>
    </>
  );
}

function Filed({ filed }: { filed: FiledRequest[] }) {
  return (
    <>
      <h1>Your request is filed</h1>
      <Notice tone="good">We emailed you a confirmation.</Notice>
      <p>It goes to the controller of your data, who answers it:</p>
      <ul>
        {filed.map((f) => (
          <li>
            {f.controllerName} — answer due by {day(f.dueAt)}
          </li>
        ))}
      </ul>
      <p>
        A company that recorded you as a candidate is the controller of that data; Ally processes it
        on the company's behalf.
      </p>
    </>
  );
}

function RequestTable({
  requests,
  c,
  answerable,
}: {
  requests: PrivacyRequestView[];
  c: C;
  answerable: boolean;
}) {
  if (requests.length === 0) return <p>No requests.</p>;
  return (
    // On a phone the table may scroll sideways: the region takes focus so keys can scroll it.
    <section class="table-wrap" aria-label="Privacy requests" tabindex={0}>
      <table>
        <thead>
          <tr>
            <th>Received</th>
            {answerable ? <th>Person</th> : null}
            <th>Request</th>
            <th>Due</th>
            <th>Status</th>
            {answerable ? <th>Answer</th> : null}
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr>
              <td>{day(r.receivedAt)}</td>
              {answerable ? <td>{r.email}</td> : null}
              <td>
                {KIND_LABELS[r.kind]}
                {r.details ? <div class="hint">{r.details}</div> : null}
              </td>
              <td>
                {day(r.dueAt)}
                {r.extended ? " (extended)" : ""}
              </td>
              <td>{r.flag === null ? r.status : `${r.status}: ${FLAG_LABELS[r.flag]}`}</td>
              {answerable ? (
                <td>
                  {r.status === "open" ? (
                    <form method="post" action="/app/privacy/requests/answer" class="actions">
                      <Csrf token={c.get("csrfToken")} />
                      <input type="hidden" name="request" value={r.id} />
                      <button type="submit" name="action" value="complete">
                        Mark done
                      </button>
                      {r.extended ? null : (
                        <button type="submit" name="action" value="extend">
                          Extend
                        </button>
                      )}
                      <button type="submit" name="action" value="refuse">
                        Refuse
                      </button>
                    </form>
                  ) : (
                    day(r.completedAt)
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Declares privacy pages on `app`: `page(method, path, access, summary, handler)`. */
const privacyPages =
  (app: OpenAPIHono<AppEnv>, routes: RouteTable) =>
  (
    method: "GET" | "POST",
    path: string,
    access: PageRoute["access"],
    summary: string,
    handler: PageRoute["handler"],
  ) =>
    defineRoute(app, routes, { method, path, kind: "page", access, summary, handler });

const ownPage = async (
  c: C,
  values: FormValues,
  errors?: FieldErrors,
  status: ContentfulStatusCode = 200,
) => {
  const session = c.get("session");
  const requests = await listOwnRequests(c.get("deps").privacy, session?.userEmail ?? "");
  return frame(
    c,
    "Your data",
    <>
      <h1>Your data and your rights</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action="/app/account/privacy" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <RequestFields values={values} errors={errors} />
        <button type="submit">Send the request</button>
      </form>
      <h2>Your requests</h2>
      <RequestTable requests={requests} c={c} answerable={false} />
    </>,
    status,
  );
};

const queuePage = async (c: C, errors?: FieldErrors, status: ContentfulStatusCode = 200) => {
  const actor = requireActor(c);
  const requests = await listQueue(c.get("deps").privacy, { organisationId: actor.orgId });
  return frame(
    c,
    "Privacy requests",
    <>
      <h1>Privacy requests</h1>
      <p>
        People's requests about the candidate data your organisation holds: you are its controller.
        Answer within the deadline; extend once, with notice, when a request is complex.
      </p>
      <ErrorSummary errors={errors} />
      <RequestTable requests={requests} c={c} answerable />
    </>,
    status,
  );
};

export function registerPrivacyRequestPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerPublicPrivacyPages(app, routes);
  registerOwnPrivacyPages(app, routes);
  registerPrivacyQueuePages(app, routes);
}

/** The public privacy request: its form, its code, and the access package it downloads. */
function registerPublicPrivacyPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = privacyPages(app, routes);
  page("GET", "/privacy/request", "public", "The public privacy request form", (c) =>
    frame(
      c,
      "Ask about your data",
      <PublicForm c={c} values={{ kind: "access", jurisdiction: "gdpr" }} />,
    ),
  );

  page("POST", "/privacy/request", "public", "Sends a privacy request's code", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(publicRequestInput, {
      ...values,
      details: values.details || undefined,
    });
    if (!parsed.ok) {
      return frame(
        c,
        "Ask about your data",
        <PublicForm c={c} values={values} errors={parsed.errors} />,
        INVALID_FORM,
      );
    }
    try {
      const { verificationId } = await startPublicRequest(
        c.get("deps").privacy,
        parsed.value,
        c.get("meta").ip,
      );
      return frame(c, "Enter your code", <CodeForm c={c} verification={verificationId} />);
    } catch (error) {
      const failed = formFailure(c, error, "email");
      return frame(
        c,
        "Ask about your data",
        <PublicForm c={c} values={values} errors={failed.errors} />,
        failed.status,
      );
    }
  });

  page("GET", "/privacy/export", "public", "Downloads an access package (once)", async (c) => {
    const zip = await downloadExport(c.get("deps").privacy, c.req.query("token") ?? "");
    c.header("Cache-Control", "no-store");
    return c.body(zip.slice().buffer, 200, {
      "Content-Type": "application/zip",
      "Content-Disposition": 'attachment; filename="your-data.zip"',
    });
  });

  page(
    "POST",
    "/privacy/request/verify",
    "public",
    "Confirms a privacy request with its code",
    async (c) => {
      const values = await formValues(c);
      const parsed = parseForm(verifyInput, values);
      const verification = /^pv_[A-Za-z0-9_-]{8,64}$/.test(values.verification ?? "")
        ? (values.verification as string)
        : "";
      if (!parsed.ok) {
        return frame(
          c,
          "Enter your code",
          <CodeForm c={c} verification={verification} errors={parsed.errors} />,
          INVALID_FORM,
        );
      }
      try {
        const filed = await verifyPublicRequest(
          c.get("deps").privacy,
          parsed.value.verification,
          parsed.value.code,
        );
        return frame(c, "Request filed", <Filed filed={filed} />);
      } catch (error) {
        const failed = formFailure(c, error, "code");
        return frame(
          c,
          "Enter your code",
          <CodeForm c={c} verification={verification} errors={failed.errors} />,
          failed.status,
        );
      }
    },
  );
}

/** A member's own privacy requests. */
function registerOwnPrivacyPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = privacyPages(app, routes);
  page("GET", "/app/account/privacy", "member", "Own privacy requests", (c) =>
    ownPage(c, { kind: "access", jurisdiction: "gdpr" }),
  );

  page(
    "POST",
    "/app/account/privacy",
    "member",
    "Files a privacy request about oneself",
    async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const parsed = parseForm(memberRequestInput, {
        ...values,
        details: values.details || undefined,
      });
      if (!parsed.ok) return ownPage(c, values, parsed.errors, INVALID_FORM);
      await fileMemberRequest(
        c.get("deps").privacy,
        { userId: actor.userId, email: c.get("session")?.userEmail ?? "" },
        parsed.value,
      );
      return c.redirect("/app/account/privacy", 303);
    },
  );
}

/** The queue of privacy requests the organisation has to answer. */
function registerPrivacyQueuePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = privacyPages(app, routes);
  page(
    "GET",
    "/app/privacy/requests",
    { permission: "members:manage" },
    "The organisation's privacy queue",
    (c) => queuePage(c),
  );

  page(
    "POST",
    "/app/privacy/requests/answer",
    { permission: "members:manage" },
    "Completes, extends or refuses a privacy request",
    async (c) => {
      const actor = requireActor(c);
      const parsed = parseForm(completeInput, await formValues(c));
      if (!parsed.ok) return queuePage(c, parsed.errors, INVALID_FORM);
      try {
        await answerRequest(
          c.get("deps").privacy,
          { organisationId: actor.orgId },
          { requestId: parsed.value.request, action: parsed.value.action, byUserId: actor.userId },
        );
      } catch (error) {
        const failed = formFailure(c, error, "request");
        return queuePage(c, failed.errors, failed.status);
      }
      return c.redirect("/app/privacy/requests", 303);
    },
  );
}
