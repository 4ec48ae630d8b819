/**
 * Promotional email. For an organisation's admins: its lists (create one), a list's
 * subscribers with how and when each consented, adding one with the consent's source, writing
 * and sending a message, and how far each send has gone. For anyone, through signed links: a
 * list's sign-up page (double opt-in), the confirmation page, the unsubscribe page (RFC 8058:
 * a GET shows a button and changes nothing; a POST unsubscribes) and the open beacon.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { AppError } from "../../errors.js";
import { joinInput, listInput, type Subscriber, subscriberInput } from "../../marketing/lists.js";
import { BEACON_GIF } from "../../marketing/opens.js";
import { messageInput, type SendProgress } from "../../marketing/send.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, formValues, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;
type Values = Record<string, string>;

const when = (epochMs: number | null) =>
  epochMs === null ? "—" : `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;

const admin = (c: C) => c.get("deps").marketing.forActor(requireActor(c));

async function ListsPage(props: { c: C; errors?: FieldErrors; values?: Values }) {
  const { c } = props;
  const lists = await admin(c).lists();
  const csrf = c.get("csrfToken");
  return (
    <Page title="Marketing" session={c.get("session")} csrfToken={csrf} current="/app/marketing">
      <h1>Marketing</h1>
      <ErrorSummary errors={props.errors} />
      <p>
        Lists of people who agreed to hear from you: your talent community. Only people who
        confirmed by email, or whose consent you record with its source, receive your messages;
        every message carries a one-click unsubscribe, and an address that opted out is never mailed
        again.
      </p>
      {lists.length === 0 ? (
        <p>No lists yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <caption class="visually-hidden">Your marketing lists</caption>
            <thead>
              <tr>
                <th scope="col">List</th>
                <th scope="col">Subscribers</th>
                <th scope="col">Awaiting confirmation</th>
              </tr>
            </thead>
            <tbody>
              {lists.map((list) => (
                <tr>
                  <td data-label="List">
                    <a href={`/app/marketing/lists/${list.id}`}>{list.name}</a>
                  </td>
                  <td data-label="Subscribers">{list.subscribers}</td>
                  <td data-label="Awaiting confirmation">{list.pending}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>New list</h2>
      <form method="post" action="/app/marketing/lists" class="stack card">
        <Csrf token={csrf} />
        <Field name="name" label="Name" required value={props.values?.name} errors={props.errors} />
        <Field
          name="description"
          label="What subscribers will receive"
          hint="Shown on the list's sign-up page and in the confirmation email."
          multiline
          value={props.values?.description}
          errors={props.errors}
        />
        <div class="actions">
          <button type="submit">Create list</button>
        </div>
      </form>
    </Page>
  );
}

function SendsTable({ sends }: { sends: SendProgress[] }) {
  return (
    <>
      {sends.length === 0 ? (
        <p>Nothing sent yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <caption class="visually-hidden">Messages sent to this list and their progress</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Started</th>
                <th scope="col">Queued</th>
                <th scope="col">Skipped</th>
                <th scope="col">Waiting</th>
                <th scope="col">Opened</th>
              </tr>
            </thead>
            <tbody>
              {sends.map((s) => (
                <tr>
                  <td data-label="Subject">{s.subject}</td>
                  <td data-label="Started">{when(s.createdAt)}</td>
                  <td data-label="Queued">
                    {s.queued} of {s.total}
                    {s.finishedAt === null ? " (sending)" : " (done)"}
                  </td>
                  <td data-label="Skipped">{s.skipped}</td>
                  <td data-label="Waiting">{s.pending}</td>
                  <td data-label="Opened">{s.opens}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function SubscribersTable({ subscribers }: { subscribers: Subscriber[] }) {
  return (
    <>
      {subscribers.length === 0 ? (
        <p>No one yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="stacked">
            <caption class="visually-hidden">Subscribers and their consent</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Consent</th>
                <th scope="col">Source</th>
                <th scope="col">Consented at</th>
              </tr>
            </thead>
            <tbody>
              {subscribers.map((s) => (
                <tr>
                  <td data-label="Email">{s.email}</td>
                  <td data-label="Name">{s.name || "—"}</td>
                  <td data-label="Consent">
                    {s.confirmedAt === null
                      ? "awaiting confirmation"
                      : s.consentMethod === "admin"
                        ? "added by an admin"
                        : "confirmed by email"}
                  </td>
                  <td data-label="Source">{s.consentSource}</td>
                  <td data-label="Consented at">{when(s.consentAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

interface ListPageProps {
  c: C;
  listId: string;
  errors?: FieldErrors;
  values?: Values;
  notice?: string;
}

async function ListPage(props: ListPageProps) {
  const { c, listId } = props;
  const commands = admin(c);
  const list = await commands.list(listId);
  const subscribers = await commands.subscribers(listId);
  const sends = await commands.progress(listId);
  const csrf = c.get("csrfToken");
  const joinUrl = `${c.get("deps").config.http.publicUrl}/m/join/${list.id}`;
  return (
    <Page title={list.name} session={c.get("session")} csrfToken={csrf} current="/app/marketing">
      <p>
        <a href="/app/marketing">Marketing</a>
      </p>
      <h1>{list.name}</h1>
      <ErrorSummary errors={props.errors} />
      {props.notice === undefined ? null : <Notice tone="good">{props.notice}</Notice>}
      {list.description === "" ? null : <p>{list.description}</p>}
      <p>
        Sign-up page to share (people confirm by email before they are added):{" "}
        <a href={joinUrl}>
          <code>{joinUrl}</code>
        </a>
      </p>

      <h2>Send a message</h2>
      <form method="post" action={`/app/marketing/lists/${list.id}/messages`} class="stack card">
        <Csrf token={csrf} />
        <p>
          Goes to the {list.subscribers} confirmed subscriber(s), as plain text and simple HTML
          (paragraphs and links), with an unsubscribe link. It is queued in batches.
        </p>
        <Field
          name="subject"
          label="Subject"
          required
          value={props.values?.subject}
          errors={props.errors}
        />
        <Field
          name="text"
          label="Message"
          hint="Plain text; leave a blank line between paragraphs. Web addresses become links."
          multiline
          required
          value={props.values?.text}
          errors={props.errors}
        />
        <div class="actions">
          <button type="submit">Send to the list</button>
        </div>
      </form>

      <h2>Sent messages</h2>
      <SendsTable sends={sends} />

      <h2>Subscribers</h2>
      <SubscribersTable subscribers={subscribers} />

      <h2>Add a subscriber</h2>
      <form method="post" action={`/app/marketing/lists/${list.id}/subscribers`} class="stack card">
        <Csrf token={csrf} />
        <p>
          Only someone who agreed to receive your promotional email. Someone who unsubscribed can
          only come back through the sign-up page.
        </p>
        <Field
          name="email"
          label="Email"
          type="email"
          required
          autocomplete="off"
          value={props.values?.email}
          errors={props.errors}
        />
        <Field
          name="name"
          label="Name (optional)"
          value={props.values?.name}
          errors={props.errors}
        />
        <Field
          name="consentSource"
          label="Where and how they consented"
          hint='For example: "Ticked the box on our careers fair sign-up sheet, 14 Nov 2026".'
          required
          value={props.values?.consentSource}
          errors={props.errors}
        />
        <div class="actions">
          <button type="submit">Add subscriber</button>
        </div>
      </form>
    </Page>
  );
}

function registerAdminPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const access = { permission: "marketing:manage" } as const;
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/marketing",
    kind: "page",
    access,
    summary: "Marketing lists",
    handler: async (c) => c.html(await ListsPage({ c })),
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/marketing/lists",
    kind: "page",
    access,
    summary: "Creates a marketing list",
    handler: async (c) => {
      const values = await formValues(c);
      const parsed = parseForm(listInput, values);
      if (!parsed.ok)
        return c.html(await ListsPage({ c, errors: parsed.errors, values }), INVALID_FORM);
      const { id } = await admin(c).createList(parsed.value);
      return c.redirect(`/app/marketing/lists/${id}`, 303);
    },
  });
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/marketing/lists/:listId",
    kind: "page",
    access,
    objectParam: "listId",
    objectKind: "marketing-list",
    summary: "A marketing list: subscribers, sends, new message",
    handler: async (c) => {
      const notice = {
        sent: "The message is being sent: the counts below show how far it has gone.",
        added: "Subscriber added.",
      }[c.req.query("done") ?? ""];
      return c.html(
        await ListPage({
          c,
          listId: c.req.param("listId"),
          ...(notice === undefined ? {} : { notice }),
        }),
      );
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/marketing/lists/:listId/subscribers",
    kind: "page",
    access,
    objectParam: "listId",
    objectKind: "marketing-list",
    summary: "Adds a subscriber with a stated consent source",
    handler: async (c) => {
      const listId = c.req.param("listId");
      const values = await formValues(c);
      const parsed = parseForm(subscriberInput, values);
      if (!parsed.ok) {
        await admin(c).list(listId);
        return c.html(await ListPage({ c, listId, errors: parsed.errors, values }), INVALID_FORM);
      }
      try {
        await admin(c).addSubscriber(listId, parsed.value);
      } catch (error) {
        const failed = formFailure(c, error, "email");
        return c.html(await ListPage({ c, listId, errors: failed.errors, values }), failed.status);
      }
      return c.redirect(`/app/marketing/lists/${listId}?done=added`, 303);
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/marketing/lists/:listId/messages",
    kind: "page",
    access,
    objectParam: "listId",
    objectKind: "marketing-list",
    summary: "Sends a promotional message to a list",
    handler: async (c) => {
      const listId = c.req.param("listId");
      const values = await formValues(c);
      const parsed = parseForm(messageInput, values);
      if (!parsed.ok) {
        await admin(c).list(listId);
        return c.html(await ListPage({ c, listId, errors: parsed.errors, values }), INVALID_FORM);
      }
      await admin(c).send(listId, parsed.value);
      return c.redirect(`/app/marketing/lists/${listId}?done=sent`, 303);
    },
  });
}

async function JoinPage(props: {
  c: C;
  listId: string;
  errors?: FieldErrors;
  values?: Values;
  sent?: boolean;
}) {
  const { c } = props;
  const list = await c.get("deps").marketing.publicList(props.listId);
  const csrf = c.get("csrfToken");
  return (
    <Page title={`Sign up: ${list.name}`} csrfToken={csrf} narrow>
      <h1>{list.name}</h1>
      {list.description === "" ? null : <p>{list.description}</p>}
      <ErrorSummary errors={props.errors} />
      {props.sent ? (
        <Notice tone="good">
          Check your inbox: we sent a link to confirm. Nothing is sent to you until you confirm.
        </Notice>
      ) : (
        <form method="post" action={`/m/join/${list.id}`} class="stack card">
          <Csrf token={csrf} />
          <Field
            name="email"
            label="Email"
            type="email"
            required
            autocomplete="email"
            value={props.values?.email}
            errors={props.errors}
          />
          <Field
            name="name"
            label="Name (optional)"
            autocomplete="name"
            value={props.values?.name}
            errors={props.errors}
          />
          <div class="field">
            {props.errors?.consent ? (
              <span class="error-text" id="field-consent-error">
                {props.errors.consent}
              </span>
            ) : null}
            <label class="check">
              <input
                type="checkbox"
                id="field-consent"
                name="consent"
                value="yes"
                aria-invalid={props.errors?.consent ? "true" : undefined}
                aria-describedby={props.errors?.consent ? "field-consent-error" : undefined}
              />{" "}
              I agree to receive promotional email from this list. I can unsubscribe at any time.
            </label>
          </div>
          <div class="actions">
            <button type="submit">Sign up</button>
          </div>
        </form>
      )}
    </Page>
  );
}

const linkGone = () =>
  new AppError("NOT_FOUND", "This link is not valid: it may have been mistyped.");

function registerPublicPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/m/join/:listId",
    kind: "page",
    access: "public",
    objectParam: "listId",
    objectKind: "marketing-list",
    summary: "A marketing list's sign-up page",
    handler: async (c) => c.html(await JoinPage({ c, listId: c.req.param("listId") })),
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/m/join/:listId",
    kind: "page",
    access: "public",
    objectParam: "listId",
    objectKind: "marketing-list",
    summary: "Asks to join a marketing list (a confirmation link is emailed)",
    handler: async (c) => {
      const listId = c.req.param("listId");
      const values = await formValues(c);
      const parsed = parseForm(joinInput, values);
      if (!parsed.ok) {
        return c.html(await JoinPage({ c, listId, errors: parsed.errors, values }), INVALID_FORM);
      }
      await c.get("deps").marketing.join(listId, parsed.value);
      return c.html(await JoinPage({ c, listId, sent: true }));
    },
  });
  defineRoute(app, routes, {
    method: "GET",
    path: "/m/confirm/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "marketing-confirmation",
    summary: "The page of a subscription's confirmation link (changes nothing)",
    handler: async (c) => {
      const token = c.req.param("token");
      const found = await c.get("deps").marketing.confirmation(token);
      if (!found.ok) throw linkGone();
      const csrf = c.get("csrfToken");
      return c.html(
        <Page title="Confirm your subscription" csrfToken={csrf} narrow>
          <h1>Confirm: emails from “{found.listName}”</h1>
          <form method="post" action={`/m/confirm/${token}`} class="stack card">
            <Csrf token={csrf} />
            <p>
              Press Confirm to receive promotional email from this list. You can unsubscribe at any
              time.
            </p>
            <div class="actions">
              <button type="submit">Confirm</button>
            </div>
          </form>
        </Page>,
      );
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/m/confirm/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "marketing-confirmation",
    summary: "Confirms a subscription (records the consent)",
    handler: async (c) => {
      const confirmed = await c.get("deps").marketing.confirm(c.req.param("token"));
      if (!confirmed.ok) throw linkGone();
      return c.html(
        <Page title="Subscribed" narrow>
          <h1>You are subscribed</h1>
          <Notice tone="good">
            You will receive “{confirmed.listName}”. Every message has a link to unsubscribe.
          </Notice>
        </Page>,
      );
    },
  });
  registerUnsubscribe(app, routes);
}

/** RFC 8058: GET shows a button and changes nothing; POST unsubscribes. */
function registerUnsubscribe(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/u/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "unsubscribe-link",
    summary: "The unsubscribe page (a button; a GET changes nothing)",
    handler: async (c) => {
      const token = c.req.param("token");
      const link = await c.get("deps").marketing.unsubscribeLink(token);
      if (!link.ok) throw linkGone();
      return c.html(
        <Page title="Unsubscribe" narrow>
          <h1>Unsubscribe</h1>
          {link.subscribed ? (
            <form method="post" action={`/u/${token}`} class="stack card">
              <p>
                Press the button to receive no more promotional email from “{link.listName}” or any
                other list of the same sender.
              </p>
              <div class="actions">
                <button type="submit">Unsubscribe</button>
              </div>
            </form>
          ) : (
            <Notice>You are not subscribed: no promotional email is sent to you.</Notice>
          )}
        </Page>,
      );
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/u/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "unsubscribe-link",
    summary: "Unsubscribes (one-click, RFC 8058, or the page's button)",
    handler: async (c) => {
      const values = await formValues(c);
      // RFC 8058 3.2: a mail client's one-click POST carries "List-Unsubscribe=One-Click".
      const method = values["List-Unsubscribe"] === "One-Click" ? "one-click" : "link";
      const done = await c.get("deps").marketing.unsubscribe(c.req.param("token"), method);
      if (!done.ok) throw linkGone();
      return c.html(
        <Page title="Unsubscribed" narrow>
          <h1>You are unsubscribed</h1>
          <Notice tone="good">
            No more promotional email will be sent to you by this sender. To receive it again, sign
            up on a list's page and confirm by email.
          </Notice>
        </Page>,
      );
    },
  });
  defineRoute(app, routes, {
    method: "GET",
    path: "/m/o/:token",
    kind: "page",
    access: "public",
    objectParam: "token",
    objectKind: "open-beacon",
    summary: "An open beacon (1×1 image) of a promotional message",
    handler: async (c) => {
      const counted = await c.get("deps").marketing.open(c.req.param("token"));
      return c.body(new Uint8Array(BEACON_GIF), counted ? 200 : 404, {
        "Content-Type": "image/gif",
        "Cache-Control": "no-store",
      });
    },
  });
}

export function registerMarketingPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerAdminPages(app, routes);
  registerPublicPages(app, routes);
}
