/**
 * The email assistant's pages: open escalations (the message, Ally's reading, the suggested
 * action; approve, edit then approve, or dismiss), and the organisation's Ally address and
 * review mode.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { z } from "zod";
import type { Assistant } from "../../assistant/coordinator.js";
import type { EscalationDraft, EscalationEdit } from "../../assistant/escalations.js";
import type { Escalation } from "../../assistant/store.js";
import { AppError } from "../../errors.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, formValues, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;

const MESSAGE_MAX = 5000;
/** Line endings as browsers send them, folded, and the ends trimmed. */
const folded = (text: string) => text.replace(/\r\n?/g, "\n").trim();

const escalationForm = z
  .object({
    escalationId: z
      .string({ error: "Escalation is required" })
      .trim()
      .min(1, "Escalation is required")
      .max(100, "Escalation must be the id of an open escalation"),
    /** Another time to book instead of the suggested one (edit and approve). */
    optionId: z.string().trim().max(100, "Choose one of the times listed").optional(),
    /** The candidate's message in the recruiter's words; unchanged from `draft` means Ally's. */
    message: z
      .string()
      .max(MESSAGE_MAX, `Message must be at most ${MESSAGE_MAX} characters`)
      .optional(),
    draft: z
      .string()
      .max(MESSAGE_MAX * 2)
      .optional(),
  })
  .superRefine((form, issues) => {
    if (form.message !== undefined && form.draft !== undefined && folded(form.message) === "") {
      issues.addIssue({
        code: "custom",
        path: ["message"],
        message: "Message cannot be empty: write to the candidate, or approve Ally's words",
      });
    }
  });

/** The recruiter's changes in a submitted form: only what differs from Ally's suggestion. */
function editOf(form: z.infer<typeof escalationForm>): EscalationEdit {
  const edit: EscalationEdit = {};
  if (form.optionId !== undefined && form.optionId !== "") edit.optionId = form.optionId;
  if (form.message !== undefined && folded(form.message) !== folded(form.draft ?? "")) {
    edit.message = folded(form.message);
  }
  return edit;
}

const settingsForm = z.object({
  reviewMode: z.enum(["on", "off"], { error: 'Review mode must be "on" or "off"' }),
  followUpsMax: z.coerce
    .number({ error: "Follow-ups must be a number from 0 to 2" })
    .int("Follow-ups must be a whole number")
    .min(0, "Follow-ups must be at least 0")
    .max(2, "Follow-ups must be at most 2"),
});

function assistantOf(c: C): Assistant {
  const assistant = c.get("deps").assistant;
  if (assistant === undefined)
    throw new AppError("NOT_FOUND", "The email assistant is not set up.");
  return assistant;
}

const when = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 16).replace("T", " ");

/** The suggestion in words. */
function suggestionText(suggested: unknown): string {
  const parsed = z
    .object({
      kind: z.string(),
      optionId: z.string().optional(),
      options: z.array(z.unknown()).optional(),
    })
    .safeParse(suggested);
  if (!parsed.success) return "None: answer the candidate yourself, then dismiss.";
  switch (parsed.data.kind) {
    case "book":
      return `Book the option the candidate picked (${parsed.data.optionId ?? ""}).`;
    case "move":
      return `Move the interview to ${parsed.data.optionId ?? "the chosen option"}.`;
    case "offer":
      return `Send ${parsed.data.options?.length ?? 0} time(s) to the candidate.`;
    case "confirm-cancel":
      return "Ask the candidate to confirm the cancellation.";
    case "cancel":
      return "Cancel the interview.";
    case "interviewer-unavailable":
      return "The interviewer cannot make it: replace them from the pool, or tell the recruiter (the candidate's time stays).";
    default:
      return parsed.data.kind;
  }
}

function readingText(reading: unknown): string {
  const parsed = z.object({ intent: z.string(), confidence: z.number() }).safeParse(reading);
  if (!parsed.success) return "—";
  return `${parsed.data.intent} (confidence ${parsed.data.confidence.toFixed(2)})`;
}

/**
 * The form to edit a suggestion before approving it: another time, the candidate's message in
 * the recruiter's words. The escalation whose edit was refused keeps what was typed, opens, and
 * owns the field ids the error summary links to.
 */
function EditForm(props: {
  escalation: Escalation;
  draft: EscalationDraft;
  csrf: string;
  failed?: { errors: FieldErrors; values: Record<string, string> } | undefined;
}) {
  const { escalation: e, draft, failed } = props;
  const ids = (name: string) => (failed === undefined ? `field-${name}-${e.id}` : `field-${name}`);
  const error = (name: string) => failed?.errors[name];
  const invalidAttrs = (name: string) =>
    error(name) === undefined
      ? {}
      : { "aria-invalid": "true", "aria-describedby": `${ids(name)}-error` };
  const chosen = failed?.values.optionId ?? draft.chosen ?? "";
  const message = failed?.values.message ?? draft.message ?? "";
  return (
    <details open={failed !== undefined}>
      <summary>Edit before approving</summary>
      <form method="post" action="/app/assistant/escalations/approve">
        <Csrf token={props.csrf} />
        <input type="hidden" name="escalationId" value={e.id} />
        {draft.choices.length === 0 ? null : (
          <div class="field">
            <label for={ids("optionId")}>Time to book</label>
            {error("optionId") === undefined ? null : (
              <span class="error-text" id={`${ids("optionId")}-error`}>
                {error("optionId")}
              </span>
            )}
            <select id={ids("optionId")} name="optionId" {...invalidAttrs("optionId")}>
              {draft.choices.map((o) => (
                <option value={o.id} selected={o.id === chosen}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {draft.message === null ? null : (
          <div class="field">
            <label for={ids("message")}>Message to the candidate</label>
            <span class="hint" id={`${ids("message")}-hint`}>
              Sent as written; [booking link] becomes the candidate's link.
            </span>
            {error("message") === undefined ? null : (
              <span class="error-text" id={`${ids("message")}-error`}>
                {error("message")}
              </span>
            )}
            <textarea
              id={ids("message")}
              name="message"
              rows={8}
              maxlength={MESSAGE_MAX}
              {...invalidAttrs("message")}
            >
              {message}
            </textarea>
            <input type="hidden" name="draft" value={draft.message} />
          </div>
        )}
        <button type="submit">Approve with changes</button>
      </form>
    </details>
  );
}

async function EscalationsPage(props: {
  c: C;
  errors?: FieldErrors;
  notice?: string;
  /** The escalation whose form was refused, with what was typed. */
  failed?: { escalationId: string; values: Record<string, string> };
}) {
  const { c } = props;
  const actor = requireActor(c);
  const assistant = assistantOf(c);
  const escalations: Escalation[] = await assistant.openEscalations(actor);
  const drafts = await assistant.drafts(actor);
  const settings = await assistant.settings(actor.orgId);
  const csrf = c.get("csrfToken");
  return (
    <Page title="Ally's escalations" session={c.get("session")} csrfToken={csrf} current="/app">
      <h1>Ally's escalations</h1>
      <ErrorSummary errors={props.errors} />
      {props.notice === undefined ? null : <Notice tone="good">{props.notice}</Notice>}
      <p>
        Messages Ally did not act on alone. Ally's address for your organisation is{" "}
        <code>{settings.address}</code>; review mode is{" "}
        <strong>{settings.reviewMode ? "on" : "off"}</strong> (
        <a href="/app/assistant/settings">settings</a>).
      </p>
      {escalations.length === 0 ? (
        <p>Nothing is waiting for you.</p>
      ) : (
        <ul class="cards">
          {escalations.map((e) => (
            <li>
              <article aria-labelledby={`esc-${e.id}`}>
                <h2 id={`esc-${e.id}`}>{e.reason}</h2>
                <p>
                  Received {when(e.createdAt)} UTC
                  {e.requestId === null ? null : (
                    <>
                      {" "}
                      · <a href={`/app/requests/${e.requestId}`}>the request</a>
                    </>
                  )}
                </p>
                <blockquote class="mail-body">{e.messageText.slice(0, 2000)}</blockquote>
                <p>Ally's reading: {readingText(e.reading)}</p>
                <p>Suggested: {suggestionText(e.suggested)}</p>
                <form
                  method="post"
                  action="/app/assistant/escalations/approve"
                  style="display:inline"
                >
                  <Csrf token={csrf} />
                  <input type="hidden" name="escalationId" value={e.id} />
                  <button type="submit">Approve</button>
                </form>{" "}
                <form
                  method="post"
                  action="/app/assistant/escalations/dismiss"
                  style="display:inline"
                >
                  <Csrf token={csrf} />
                  <input type="hidden" name="escalationId" value={e.id} />
                  <button type="submit" class="secondary">
                    Dismiss
                  </button>
                </form>{" "}
                {e.requestId === null ? null : (
                  <a href={`/app/requests/${e.requestId}`}>Act on the request yourself</a>
                )}
                {(() => {
                  const draft = drafts.get(e.id);
                  if (draft === undefined) return null;
                  if (draft.choices.length === 0 && draft.message === null) return null;
                  const failed =
                    props.failed?.escalationId === e.id
                      ? { errors: props.errors ?? {}, values: props.failed.values }
                      : undefined;
                  return <EditForm escalation={e} draft={draft} csrf={csrf} failed={failed} />;
                })()}
              </article>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}

async function SettingsPage(props: { c: C; errors?: FieldErrors; saved?: boolean }) {
  const { c } = props;
  const actor = requireActor(c);
  const settings = await assistantOf(c).settings(actor.orgId);
  const csrf = c.get("csrfToken");
  return (
    <Page title="Ally by email" session={c.get("session")} csrfToken={csrf} current="/app">
      <h1>Ally by email</h1>
      <ErrorSummary errors={props.errors} />
      {props.saved ? <Notice tone="good">Saved.</Notice> : null}
      <p>
        Copy <strong>{settings.address}</strong> on an email to a candidate (or forward their email
        to it) and Ally finds a time with them by email.
      </p>
      <form method="post" action="/app/assistant/settings">
        <Csrf token={csrf} />
        <fieldset>
          <legend>Review mode</legend>
          <label>
            <input type="radio" name="reviewMode" value="on" checked={settings.reviewMode} /> On:
            every message Ally would send waits for your approval
          </label>
          <label>
            <input type="radio" name="reviewMode" value="off" checked={!settings.reviewMode} /> Off:
            Ally acts when it is sure, and asks you when it is not
          </label>
        </fieldset>
        <label for="field-followUpsMax">Follow-ups to a quiet candidate (0 to 2)</label>
        <input
          id="field-followUpsMax"
          name="followUpsMax"
          type="number"
          min="0"
          max="2"
          value={String(settings.followUpsMax)}
          aria-invalid={props.errors?.followUpsMax === undefined ? undefined : "true"}
        />
        <button type="submit">Save</button>
      </form>
    </Page>
  );
}

export function registerAssistantPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/assistant/escalations",
    kind: "page",
    access: { permission: "candidates:read" },
    summary: "Ally's open escalations",
    handler: async (c) => c.html(await EscalationsPage({ c })),
  });

  for (const verb of ["approve", "dismiss"] as const) {
    defineRoute(app, routes, {
      method: "POST",
      path: `/app/assistant/escalations/${verb}`,
      kind: "page",
      access: { permission: "candidates:write" },
      summary: verb === "approve" ? "Approves Ally's suggestion" : "Dismisses an escalation",
      handler: async (c) => {
        const actor = requireActor(c);
        const values = await formValues(c);
        const typed = {
          escalationId: String(values.escalationId ?? ""),
          values: {
            ...(typeof values.optionId === "string" ? { optionId: values.optionId } : {}),
            ...(typeof values.message === "string" ? { message: values.message } : {}),
          },
        };
        const parsed = parseForm(escalationForm, values);
        if (!parsed.ok) {
          return c.html(
            await EscalationsPage({ c, errors: parsed.errors, failed: typed }),
            INVALID_FORM,
          );
        }
        const { escalationId } = parsed.value;
        try {
          if (verb === "approve") {
            await assistantOf(c).approve(actor, escalationId, editOf(parsed.value));
          } else await assistantOf(c).dismiss(actor, escalationId);
        } catch (error) {
          if (error instanceof AppError && error.code === "NOT_FOUND") {
            // Unknown, resolved or another organisation's: alike, not found.
            const errors = { escalationId: "No open escalation with this id." };
            return c.html(await EscalationsPage({ c, errors }), 404);
          }
          const failed = formFailure(c, error, "escalationId");
          return c.html(
            await EscalationsPage({ c, errors: failed.errors, failed: typed }),
            failed.status,
          );
        }
        return c.redirect("/app/assistant/escalations", 303);
      },
    });
  }

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/assistant/settings",
    kind: "page",
    access: "member",
    summary: "Ally's address and review mode",
    handler: async (c) => c.html(await SettingsPage({ c, saved: c.req.query("saved") === "1" })),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/assistant/settings",
    kind: "page",
    access: { permission: "members:manage" },
    summary: "Changes Ally's review mode and follow-ups",
    handler: async (c) => {
      const actor = requireActor(c);
      const parsed = parseForm(settingsForm, await formValues(c));
      if (!parsed.ok) return c.html(await SettingsPage({ c, errors: parsed.errors }), INVALID_FORM);
      await assistantOf(c).saveSettings(actor, {
        reviewMode: parsed.value.reviewMode === "on",
        followUpsMax: parsed.value.followUpsMax,
      });
      return c.redirect("/app/assistant/settings?saved=1", 303);
    },
  });
}

/** One line for the new-request page: the other way to start a request, by email. */
export async function AllyAddressNote({ c }: { c: C }) {
  const assistant = c.get("deps").assistant;
  if (assistant === undefined) return null;
  const settings = await assistant.settings(requireActor(c).orgId);
  return (
    <p>
      Or copy <strong>{settings.address}</strong> on your email to the candidate, and Ally arranges
      the interview by email (review mode {settings.reviewMode ? "on" : "off"};{" "}
      <a href="/app/assistant/settings">Ally by email</a>).
    </p>
  );
}
