/**
 * Testimonials on pages: an organisation's admins ask a person by name and email, see every
 * testimonial with its status and history, publish the version the person consented to, change
 * the text (which asks the person again) or decline; the person, on their signed link, writes
 * the text, sees exactly what would be published, consents with an unticked box and a button,
 * and removes it with one click. The home page shows what is published (`PublishedQuotes`).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { invalid } from "../../errors.js";
import type { StepKind, TestimonialStatus } from "../../testimonials/lifecycle.js";
import type { Content } from "../../testimonials/schemas.js";
import { versionInput } from "../../testimonials/schemas.js";
import type {
  PersonView,
  PublishedTestimonial,
  StepView,
  Testimonials,
  TestimonialView,
} from "../../testimonials/service.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { type FormValues, formFailure, formValues, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;

const service = (c: C): Testimonials => c.get("deps").testimonials;

export const STATUS_LABELS: Record<TestimonialStatus, string> = {
  requested: "Asked, waiting for the person",
  drafted: "Written, waiting for the person's consent",
  consented: "Consented, waiting for you to publish",
  published: "Published on the home page",
  declined: "Declined",
  removed: "Removed by the person",
};

const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

function stepText(step: StepView): string {
  const by = step.memberName ?? "a member";
  const v = step.version === null ? "" : ` (version ${step.version})`;
  switch (step.kind) {
    case "requested":
      return `Asked by ${by}`;
    case "link-sent":
      return "Email with a link sent to the person";
    case "viewed":
      return `Opened by the person${v}`;
    case "written":
      return `Written by the person${v}`;
    case "edited":
      return `Changed by ${by}${v}: the person's consent is needed again`;
    case "consented":
      return `Consent to publish given by the person${v}`;
    case "published":
      return `Published by ${by}${v}`;
    case "declined":
      return `Declined by ${by}; the text was deleted`;
    case "removed":
      return "Removed by the person; the text was deleted";
  }
}

/** The quote as the home page shows it: the person's words, the name and role they chose. */
export function Quote({ content }: { content: Content }) {
  const by = [content.role, content.company].filter(Boolean).join(", ");
  return (
    <figure class="quote">
      <blockquote>
        <p>{content.quote}</p>
      </blockquote>
      <figcaption>
        — {content.displayName}
        {by === "" ? null : <span>, {by}</span>}
      </figcaption>
    </figure>
  );
}

/** The home page's section: nothing at all when nothing is published. */
export function PublishedQuotes({ items }: { items: PublishedTestimonial[] }) {
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="testimonials-title">
      <h2 id="testimonials-title">What people say</h2>
      <div class="grid">
        {items.map((item) => (
          <div class="card">
            <Quote content={item} />
          </div>
        ))}
      </div>
    </section>
  );
}

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200, bare = false) {
  return c.html(
    <Page
      title={title}
      session={bare ? undefined : c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/testimonials"
      narrow={bare}
      bare={bare}
    >
      {body}
    </Page>,
    status,
  );
}

function ContentFields({ values, errors }: { values: FormValues; errors?: FieldErrors }) {
  return (
    <>
      <Field
        name="quote"
        label="Testimonial"
        multiline
        value={values.quote}
        errors={errors}
        hint="10 to 600 characters, in your own words."
        required
      />
      <Field
        name="displayName"
        label="Name shown"
        value={values.displayName}
        errors={errors}
        hint="As you want it shown, e.g. your first name."
        autocomplete="name"
        required
      />
      <Field
        name="role"
        label="Role (optional)"
        value={values.role}
        errors={errors}
        autocomplete="organization-title"
      />
      <Field
        name="company"
        label="Company (optional)"
        value={values.company}
        errors={errors}
        autocomplete="organization"
      />
    </>
  );
}

const valuesOf = (content: Content | null, fallbackName = ""): FormValues => ({
  quote: content?.quote ?? "",
  displayName: content?.displayName ?? fallbackName,
  role: content?.role ?? "",
  company: content?.company ?? "",
});

// ---- the admins' pages ----

function ListPage(props: {
  c: C;
  items: TestimonialView[];
  values?: FormValues;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { c, items } = props;
  return (
    <>
      <h1>Testimonials</h1>
      {props.notice ? <Notice tone="good">{props.notice}</Notice> : null}
      <ErrorSummary errors={props.errors} />
      <p>
        Ask a candidate or a customer contact for a few words. Nothing is published until they write
        it, see exactly what would be shown and consent; you then publish it or decline. They can
        remove it at any time with one click.
      </p>
      <form method="post" action="/app/testimonials" class="stack card" novalidate>
        <h2>Ask for a testimonial</h2>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="name"
          label="Their name"
          value={props.values?.name}
          errors={props.errors}
          autocomplete="off"
          required
        />
        <Field
          name="email"
          label="Their email"
          type="email"
          value={props.values?.email}
          errors={props.errors}
          autocomplete="off"
          required
        />
        <div class="actions">
          <button type="submit">Send the request</button>
        </div>
      </form>
      <h2>Asked so far</h2>
      {items.length === 0 ? (
        <p>No testimonials yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Status</th>
                <th scope="col">Last step</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const last = item.steps.at(-1);
                return (
                  <tr>
                    <td data-label="Person">
                      <a href={`/app/testimonials/${item.id}`}>{item.personName}</a>
                      <br />
                      {item.personEmail}
                    </td>
                    <td data-label="Status">{STATUS_LABELS[item.state.status]}</td>
                    <td data-label="Last step">
                      {last === undefined ? "—" : `${stepText(last)}, ${when(last.at)}`}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ActionForms(props: {
  c: C;
  item: TestimonialView;
  values: FormValues;
  errors?: FieldErrors;
}) {
  const { c, item } = props;
  const can = (step: StepKind) => item.allowed.includes(step);
  const base = `/app/testimonials/${item.id}`;
  return (
    <>
      {can("publish") ? (
        <form method="post" action={`${base}/publish`} class="stack card">
          <h2>Publish</h2>
          <Csrf token={c.get("csrfToken")} />
          <input type="hidden" name="version" value={String(item.state.version)} />
          <p>
            The person consented to version {item.state.version}, shown above. It appears on the
            home page as it is.
          </p>
          <div class="actions">
            <button type="submit">Publish version {item.state.version}</button>
          </div>
        </form>
      ) : null}
      {can("edit") ? (
        <form method="post" action={`${base}/edit`} class="stack card" novalidate>
          <h2>Suggest a change</h2>
          <Csrf token={c.get("csrfToken")} />
          <input type="hidden" name="version" value={String(item.state.version)} />
          <p class="hint">
            A change is a new version: it is off the home page until the person reads it and
            consents again. They are emailed.
          </p>
          <ContentFields values={props.values} errors={props.errors} />
          <div class="actions">
            <button type="submit" class="secondary">
              Save the change and ask the person
            </button>
          </div>
        </form>
      ) : null}
      {can("decline") ? (
        <form method="post" action={`${base}/decline`} class="stack card danger-zone">
          <h2>Decline</h2>
          <Csrf token={c.get("csrfToken")} />
          {props.errors?.confirm ? (
            <span class="error-text" id="field-confirm-error">
              {props.errors.confirm}
            </span>
          ) : null}
          <div class="check">
            <input
              type="checkbox"
              id="field-confirm"
              name="confirm"
              value="yes"
              aria-invalid={props.errors?.confirm ? "true" : undefined}
              aria-describedby={props.errors?.confirm ? "field-confirm-error" : undefined}
            />
            <label for="field-confirm">
              Yes, decline: take it off the home page and delete its text.
            </label>
          </div>
          <div class="actions">
            <button type="submit" class="danger">
              Decline
            </button>
          </div>
        </form>
      ) : null}
    </>
  );
}

function DetailPage(props: {
  c: C;
  item: TestimonialView;
  values?: FormValues;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { c, item } = props;
  return (
    <>
      <p>
        <a href="/app/testimonials">All testimonials</a>
      </p>
      <h1>Testimonial from {item.personName}</h1>
      {props.notice ? <Notice tone="good">{props.notice}</Notice> : null}
      <ErrorSummary errors={props.errors} />
      <dl class="card facts">
        <dt>Person</dt>
        <dd>
          {item.personName} ({item.personEmail})
        </dd>
        <dt>Status</dt>
        <dd>{STATUS_LABELS[item.state.status]}</dd>
        <dt>Text version</dt>
        <dd>
          {item.state.version === 0 ? "Not written yet" : String(item.state.version)}
          {item.state.consentedVersion === null
            ? ""
            : item.state.consentedVersion === item.state.version
              ? " (the person consented to it)"
              : ` (the person consented to version ${item.state.consentedVersion}, not this one)`}
        </dd>
      </dl>
      {item.content === null ? null : (
        <section class="card" aria-labelledby="current-text">
          <h2 id="current-text">
            {item.published ? "As published" : "The current text, as it would be published"}
          </h2>
          <Quote content={item.content} />
        </section>
      )}
      <ActionForms
        c={c}
        item={item}
        values={props.values ?? valuesOf(item.content)}
        errors={props.errors}
      />
      <h2>History</h2>
      <ol class="timeline">
        {item.steps.map((step) => (
          <li>
            <time datetime={step.at}>{when(step.at)}</time>: {stepText(step)}
          </li>
        ))}
      </ol>
    </>
  );
}

const ADMIN_NOTICES: Record<string, string> = {
  requested: "Sent: the person has an email with their link.",
  published: "Published: it is on the home page now.",
  declined: "Declined: it is off the home page and its text is deleted.",
  edited: "Saved as a new version: the person is asked to consent to it.",
};

function registerAdminPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const access = { permission: "testimonials:manage" } as const;
  const one = { objectParam: "testimonialId", objectKind: "testimonial" as const };

  const list = async (
    c: C,
    extra: Omit<Parameters<typeof ListPage>[0], "c" | "items">,
    status?: ContentfulStatusCode,
  ) =>
    frame(
      c,
      "Testimonials",
      <ListPage c={c} items={await service(c).list(requireActor(c))} {...extra} />,
      status,
    );

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/testimonials",
    kind: "page",
    access,
    summary: "Testimonials: the request form and every testimonial with its status",
    handler: (c) => list(c, { notice: ADMIN_NOTICES[c.req.query("done") ?? ""] }),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/testimonials",
    kind: "page",
    access,
    summary: "Asks a person for a testimonial by email",
    handler: async (c) => {
      const values = await formValues(c);
      try {
        const made = await service(c).request(requireActor(c), {
          name: values.name ?? "",
          email: values.email ?? "",
        });
        return c.redirect(`/app/testimonials/${made.id}?done=requested`, 303);
      } catch (error) {
        const failed = formFailure(c, error, "email");
        return list(c, { values, errors: failed.errors }, failed.status);
      }
    },
  });

  const detail = async (
    c: C,
    id: string,
    extra: Omit<Parameters<typeof DetailPage>[0], "c" | "item"> = {},
    status?: ContentfulStatusCode,
  ) => {
    const item = await service(c).get(requireActor(c), id);
    return frame(
      c,
      `Testimonial from ${item.personName}`,
      <DetailPage c={c} item={item} {...extra} />,
      status,
    );
  };

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/testimonials/:testimonialId",
    kind: "page",
    access,
    ...one,
    summary: "One testimonial: its text, history and what an admin may do",
    handler: (c) =>
      detail(c, c.req.param("testimonialId"), { notice: ADMIN_NOTICES[c.req.query("done") ?? ""] }),
  });

  const action = (
    path: string,
    summary: string,
    run: (c: C, id: string, values: FormValues) => Promise<string>,
  ) =>
    defineRoute(app, routes, {
      method: "POST",
      path: `/app/testimonials/:testimonialId/${path}`,
      kind: "page",
      access,
      ...one,
      summary,
      handler: async (c) => {
        const id = c.req.param("testimonialId");
        const values = await formValues(c);
        try {
          const done = await run(c, id, values);
          return c.redirect(`/app/testimonials/${id}?done=${done}`, 303);
        } catch (error) {
          const failed = formFailure(c, error, path === "decline" ? "confirm" : "quote");
          return detail(
            c,
            id,
            { errors: failed.errors, values: path === "edit" ? values : undefined },
            failed.status,
          );
        }
      },
    });

  const versionOf = (values: FormValues) => {
    const parsed = versionInput.safeParse(values.version);
    return parsed.success ? parsed.data : -1;
  };

  action("publish", "Publishes the version the person consented to", async (c, id, values) => {
    await service(c).publish(requireActor(c), id, versionOf(values));
    return "published";
  });
  action(
    "edit",
    "Changes the text: a new version the person must consent to",
    async (c, id, values) => {
      await service(c).edit(requireActor(c), id, versionOf(values), values);
      return "edited";
    },
  );
  action("decline", "Declines the testimonial and deletes its text", async (c, id, values) => {
    if (values.confirm !== "yes") {
      throw invalid("confirm", "Tick the box to confirm that you decline it.");
    }
    await service(c).decline(requireActor(c), id);
    return "declined";
  });
}

// ---- the person's pages, on their signed link ----

function ConsentForm({
  c,
  token,
  view,
  error,
}: {
  c: C;
  token: string;
  view: PersonView;
  error?: string | undefined;
}) {
  const host = new URL(c.get("deps").config.http.publicUrl).host;
  return (
    <form method="post" action={`/testimonial/${token}/consent`} class="stack card">
      <Csrf token={c.get("csrfToken")} />
      <input type="hidden" name="version" value={String(view.state.version)} />
      {error ? (
        <span class="error-text" id="field-consent-error">
          {error}
        </span>
      ) : null}
      <div class="check">
        <input
          type="checkbox"
          id="field-consent"
          name="consent"
          value="yes"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "field-consent-error" : undefined}
        />
        <label for="field-consent">
          I agree that {view.organisation} publishes this testimonial, exactly as shown above, on
          the home page of {host}. I can remove it at any time.
        </label>
      </div>
      <div class="actions">
        <button type="submit">Publish with my consent</button>
      </div>
    </form>
  );
}

function RemoveForm({ c, token }: { c: C; token: string }) {
  return (
    <form method="post" action={`/testimonial/${token}/remove`} class="stack card danger-zone">
      <h2>Remove it</h2>
      <Csrf token={c.get("csrfToken")} />
      <p>One click removes it at once, wherever it is shown, and deletes its text.</p>
      <div class="actions">
        <button type="submit" class="danger">
          Remove my testimonial
        </button>
      </div>
    </form>
  );
}

function statusNotice(view: PersonView): string | undefined {
  switch (view.state.status) {
    case "consented":
      return `You agreed to publish version ${view.state.consentedVersion}. ${view.organisation} publishes it once they have read it.`;
    case "published":
      return "Your testimonial is on the home page, exactly as shown.";
    case "drafted":
      return view.state.consentedVersion === null
        ? undefined
        : "The text changed since you agreed to it: it is not shown until you agree to this version.";
    default:
      return undefined;
  }
}

const PERSON_NOTICES: Record<string, string> = {
  saved: "Saved. Read it below as it would be published, then agree if you want it published.",
  consented:
    "Thank you: your consent is recorded. We emailed you a confirmation with a link to remove it.",
};

function PersonPage(props: {
  c: C;
  token: string;
  view: PersonView;
  values?: FormValues;
  errors?: FieldErrors;
  notice?: string;
}) {
  const { c, token, view } = props;
  if (view.state.status === "removed" || view.state.status === "declined") {
    return (
      <>
        <h1>
          {view.state.status === "removed"
            ? "Your testimonial was removed"
            : "Nothing will be published"}
        </h1>
        {props.notice ? <Notice tone="good">{props.notice}</Notice> : null}
        <p>
          {view.state.status === "removed"
            ? "It is not shown anywhere, and its text is deleted. There is nothing more to do."
            : `${view.organisation} decided not to publish it, and its text is deleted.`}
        </p>
      </>
    );
  }
  const status = statusNotice(view);
  const can = (step: StepKind) => view.allowed.includes(step);
  return (
    <>
      <h1>Your testimonial for {view.organisation}</h1>
      {props.notice ? <Notice tone="good">{props.notice}</Notice> : null}
      {status ? <Notice>{status}</Notice> : null}
      <ErrorSummary errors={props.errors} />
      {view.content === null ? null : (
        <section class="card" aria-labelledby="preview-title" id="preview">
          <h2 id="preview-title">
            {view.published ? "As it is published" : "Exactly what would be published"}
          </h2>
          <Quote content={view.content} />
          <p class="hint">
            Shown on the home page with nothing else about you: not your email, not who asked.
          </p>
        </section>
      )}
      {can("consent") && view.content !== null ? (
        <ConsentForm c={c} token={token} view={view} error={props.errors?.consent} />
      ) : null}
      <form method="post" action={`/testimonial/${token}/write`} class="stack card" novalidate>
        <h2>{view.content === null ? "Write it" : "Change it"}</h2>
        <Csrf token={c.get("csrfToken")} />
        {view.content === null ? null : (
          <p class="hint">A change needs your consent again before it is shown.</p>
        )}
        <ContentFields
          values={props.values ?? valuesOf(view.content, view.personName)}
          errors={props.errors}
        />
        <div class="actions">
          <button type="submit" class={view.content === null ? undefined : "secondary"}>
            Save and preview
          </button>
        </div>
      </form>
      <RemoveForm c={c} token={token} />
    </>
  );
}

function registerPersonPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const linkPage = (
    method: "GET" | "POST",
    path: string,
    summary: string,
    handler: (c: C, token: string) => Promise<Response>,
  ) =>
    defineRoute(app, routes, {
      method,
      path,
      kind: "page",
      access: "public",
      objectParam: "token",
      objectKind: "testimonial-link",
      summary,
      handler: (c) => handler(c, c.req.param("token") ?? ""),
    });

  const page = (
    c: C,
    token: string,
    view: PersonView,
    extra: Omit<Parameters<typeof PersonPage>[0], "c" | "token" | "view"> = {},
    status?: ContentfulStatusCode,
  ) => {
    // The link is the credential: the page must not be cached or sent on as a referrer.
    c.header("Cache-Control", "no-store");
    return frame(
      c,
      "Your testimonial",
      <PersonPage c={c} token={token} view={view} {...extra} />,
      status,
      true,
    );
  };

  linkPage("GET", "/testimonial/:token", "The person's testimonial page", async (c, token) =>
    page(c, token, await service(c).openLink(token), {
      notice: PERSON_NOTICES[c.req.query("done") ?? ""],
    }),
  );

  linkPage(
    "POST",
    "/testimonial/:token/write",
    "Saves the person's text as a new version",
    async (c, token) => {
      const values = await formValues(c);
      try {
        await service(c).write(token, values);
        return c.redirect(`/testimonial/${token}?done=saved#preview`, 303);
      } catch (error) {
        const failed = formFailure(c, error, "quote");
        return page(
          c,
          token,
          await service(c).peek(token),
          { values, errors: failed.errors },
          failed.status,
        );
      }
    },
  );

  linkPage(
    "POST",
    "/testimonial/:token/consent",
    "Records the person's consent to the version shown",
    async (c, token) => {
      const values = await formValues(c);
      try {
        if (values.consent !== "yes") {
          throw invalid(
            "consent",
            "Tick the box to agree, or leave the page: nothing is published without it.",
          );
        }
        const parsed = versionInput.safeParse(values.version);
        await service(c).consent(token, parsed.success ? parsed.data : -1);
        return c.redirect(`/testimonial/${token}?done=consented`, 303);
      } catch (error) {
        const failed = formFailure(c, error, "consent");
        return page(
          c,
          token,
          await service(c).peek(token),
          { errors: failed.errors },
          failed.status,
        );
      }
    },
  );

  linkPage(
    "GET",
    "/testimonial/:token/remove",
    "One button that removes the testimonial",
    async (c, token) => {
      const view = await service(c).openLink(token);
      c.header("Cache-Control", "no-store");
      if (view.state.status === "removed") return page(c, token, view);
      return frame(
        c,
        "Remove your testimonial",
        <>
          <h1>Remove your testimonial?</h1>
          {view.content === null ? null : <Quote content={view.content} />}
          <form
            method="post"
            action={`/testimonial/${token}/remove`}
            class="stack card danger-zone"
          >
            <Csrf token={c.get("csrfToken")} />
            <p>It goes at once, wherever it is shown, and its text is deleted.</p>
            <div class="actions">
              <button type="submit" class="danger" autofocus>
                Remove my testimonial
              </button>
              <a href={`/testimonial/${token}`}>Keep it</a>
            </div>
          </form>
        </>,
        200,
        true,
      );
    },
  );

  linkPage(
    "POST",
    "/testimonial/:token/remove",
    "Removes the testimonial at once",
    async (c, token) => {
      await service(c).remove(token);
      return c.redirect(`/testimonial/${token}`, 303);
    },
  );
}

export function registerTestimonialPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerAdminPages(app, routes);
  registerPersonPages(app, routes);
}
