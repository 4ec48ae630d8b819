/** The privacy policy, every earlier version of it, and the ways to reach us about privacy. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { enqueueMail } from "../../mail/outbox.js";
import { contactInput, submitContactMessage } from "../../privacy/complaints.js";
import { ANSWER_DAYS, type DataMapView, policyDocument } from "../../privacy/policy/document.js";
import type { Block, Inline } from "../../privacy/policy/markdown.js";
import {
  latestPolicyVersion,
  POLICY_VERSIONS,
  policyVersion,
} from "../../privacy/policy/versions.js";
import {
  acceptPolicy,
  policyAwaitingAcceptance,
  publishedPolicyVersion,
} from "../../privacy/policy-publication.js";
import { dataMap } from "../../store/schema.js";
import { defineRoute, type PageRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import {
  type FormValues,
  formFailure,
  formValues,
  INVALID_FORM,
  parseForm,
  requireActor,
  safeNext,
} from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;

export const PRIVACY_PATH = "/privacy";

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} session={c.get("session")} csrfToken={c.get("csrfToken")} narrow>
      {body}
    </Page>,
    status,
  );
}

function InlineText({ inlines }: { inlines: Inline[] }) {
  return (
    <>
      {inlines.map((inline) =>
        inline.kind === "strong" ? (
          <strong>{inline.text}</strong>
        ) : inline.kind === "link" ? (
          <a href={inline.href}>{inline.text}</a>
        ) : (
          inline.text
        ),
      )}
    </>
  );
}

/** Policy blocks as elements; every text is escaped by the JSX renderer. */
export function PolicyBlocks({ blocks }: { blocks: Block[] }) {
  return (
    <>
      {blocks.map((block) => {
        if (block.kind === "paragraph")
          return (
            <p>
              <InlineText inlines={block.inlines} />
            </p>
          );
        if (block.kind === "list")
          return (
            <ul>
              {block.items.map((item) => (
                <li>
                  <InlineText inlines={item} />
                </li>
              ))}
            </ul>
          );
        const content = <InlineText inlines={block.inlines} />;
        if (block.level === 1) return <h1 id={block.id}>{content}</h1>;
        if (block.level === 2) return <h2 id={block.id}>{content}</h2>;
        return <h3 id={block.id}>{content}</h3>;
      })}
    </>
  );
}

function VersionList({ current }: { current: number }) {
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">Versions and what changed</h2>
      <ol reversed>
        {[...POLICY_VERSIONS].reverse().map((v) => (
          <li>
            <a
              href={`${PRIVACY_PATH}/v/${v.version}`}
              aria-current={v.version === current ? "page" : undefined}
            >
              Version {v.version}
            </a>{" "}
            (in force from {v.effectiveOn}): {v.summary}
          </li>
        ))}
      </ol>
    </section>
  );
}

function policyPage(c: C, version: number) {
  const blocks = policyDocument(
    version,
    c.get("deps").config.privacy,
    dataMap as unknown as DataMapView,
  );
  const latest = latestPolicyVersion().version;
  return frame(
    c,
    "Privacy policy",
    <>
      {version === latest ? null : (
        <p class="notice">
          This is version {version}, no longer in force.{" "}
          <a href={PRIVACY_PATH}>Read the current version</a>.
        </p>
      )}
      <PolicyBlocks blocks={blocks} />
      <VersionList current={version} />
    </>,
  );
}

export const ACCEPT_PATH = `${PRIVACY_PATH}/accept`;

/**
 * Until a signed-in member accepts the published version of the policy, the app's pages send
 * them to the page that asks them to (API calls and other methods pass).
 */
export const policyAcceptanceGate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const actor = c.get("actor");
  if (c.req.method !== "GET" || actor === undefined || actor.via !== "session") return next();
  const due = await policyAwaitingAcceptance(c.get("deps").store.db, actor.userId);
  if (due === undefined) return next();
  const url = new URL(c.req.url);
  return c.redirect(`${ACCEPT_PATH}?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
};

function AcceptPage({
  c,
  version,
  next,
  errors,
}: {
  c: C;
  version: number;
  next: string;
  errors?: FieldErrors;
}) {
  const meta = policyVersion(version);
  return (
    <>
      <h1>Our privacy policy has changed</h1>
      <ErrorSummary errors={errors} />
      <p>
        Version {version} is in force from {meta?.effectiveOn}. What changed: {meta?.summary}
      </p>
      <p>
        <a href={`${PRIVACY_PATH}/v/${version}`}>Read version {version}</a>
      </p>
      <form
        method="post"
        action={`${ACCEPT_PATH}?next=${encodeURIComponent(next)}`}
        class="stack card"
      >
        <Csrf token={c.get("csrfToken")} />
        <input type="hidden" name="version" value={String(version)} />
        <div class="actions">
          <button type="submit">I have read it and accept it</button>
        </div>
      </form>
      <p class="hint">
        If you do not accept it, you may close your account or write to{" "}
        {c.get("deps").config.privacy.privacyContact}.
      </p>
    </>
  );
}

function ContactForm({ c, values, errors }: { c: C; values: FormValues; errors?: FieldErrors }) {
  return (
    <>
      <h1>Contact us about privacy</h1>
      <p>
        Ask a question, make a request about your data or send a complaint. We acknowledge it at
        once by email and answer within {ANSWER_DAYS} days. You can also write to{" "}
        {c.get("deps").config.privacy.privacyContact}.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action={`${PRIVACY_PATH}/contact`} class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="name"
          label="Your name"
          value={values.name}
          errors={errors}
          autocomplete="name"
          required
        />
        <Field
          name="email"
          label="Your email"
          type="email"
          value={values.email}
          errors={errors}
          autocomplete="email"
          required
        />
        <Field
          name="topic"
          label="What is it about?"
          value={values.topic ?? "question"}
          errors={errors}
          options={[
            { value: "question", label: "A question" },
            { value: "request", label: "A request about my data" },
            { value: "complaint", label: "A complaint" },
          ]}
          required
        />
        <Field
          name="message"
          label="Your message"
          value={values.message}
          errors={errors}
          multiline
          required
        />
        <div class="actions">
          <button type="submit">Send</button>
        </div>
      </form>
    </>
  );
}

export function registerPrivacyPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = <P extends string>(
    method: "GET" | "POST",
    path: P,
    summary: string,
    handler: PageRoute<P>["handler"],
  ) => defineRoute(app, routes, { method, path, kind: "page", access: "public", summary, handler });

  page("GET", PRIVACY_PATH, "The privacy policy in force", (c) =>
    policyPage(c, latestPolicyVersion().version),
  );
  // One static route per version (a version is no organisation's object, so no path parameter):
  // a version that does not exist is simply not found.
  for (const { version } of POLICY_VERSIONS) {
    page("GET", `${PRIVACY_PATH}/v/${version}`, `Version ${version} of the privacy policy`, (c) =>
      policyPage(c, version),
    );
  }

  page("GET", `${PRIVACY_PATH}/contact`, "The privacy contact and complaints form", (c) =>
    frame(c, "Contact us about privacy", <ContactForm c={c} values={{}} />),
  );
  page("POST", `${PRIVACY_PATH}/contact`, "Send a privacy question or complaint", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(contactInput, values);
    const title = "Contact us about privacy";
    if (!parsed.ok)
      return frame(
        c,
        title,
        <ContactForm c={c} values={values} errors={parsed.errors} />,
        INVALID_FORM,
      );
    const { config, store, clock } = c.get("deps");
    try {
      const { id, dueAt } = await submitContactMessage(
        {
          db: store.db,
          now: clock.now(),
          settings: config.privacy,
          mail: (trx, message, now) => enqueueMail(trx, message, now, config.mail.from),
        },
        parsed.value,
      );
      return frame(
        c,
        "Message received",
        <>
          <h1>We received your message</h1>
          <Notice tone="good">
            Your reference is P-{id}. We sent an acknowledgment to {parsed.value.email} and will
            answer by {new Date(dueAt).toISOString().slice(0, 10)}.
          </Notice>
        </>,
      );
    } catch (error) {
      const failed = formFailure(c, error, "message");
      return frame(
        c,
        title,
        <ContactForm c={c} values={values} errors={failed.errors} />,
        failed.status,
      );
    }
  });

  defineRoute(app, routes, {
    method: "GET",
    path: ACCEPT_PATH,
    kind: "page",
    access: "member",
    summary: "Asks the member to accept the privacy policy in force",
    handler: async (c) => {
      const actor = requireActor(c);
      const next = safeNext(c.req.query("next"));
      const due = await policyAwaitingAcceptance(c.get("deps").store.db, actor.userId);
      if (due === undefined) return c.redirect(next, 303);
      return frame(c, "Privacy policy changed", <AcceptPage c={c} version={due} next={next} />);
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: ACCEPT_PATH,
    kind: "page",
    access: "member",
    summary: "Records that the member accepted the privacy policy in force",
    handler: async (c) => {
      const actor = requireActor(c);
      const next = safeNext(c.req.query("next"));
      const { store, clock } = c.get("deps");
      const values = await formValues(c);
      const version = /^[1-9]\d{0,5}$/.test(values.version ?? "") ? Number(values.version) : 0;
      const published = await publishedPolicyVersion(store.db);
      if (published === undefined) return c.redirect(next, 303);
      try {
        await acceptPolicy(store.db, actor.userId, version, clock.now());
      } catch (error) {
        const failed = formFailure(c, error, "version");
        return frame(
          c,
          "Privacy policy changed",
          <AcceptPage c={c} version={published} next={next} errors={failed.errors} />,
          failed.status,
        );
      }
      return c.redirect(next, 303);
    },
  });
}
