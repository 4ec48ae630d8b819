/**
 * Testimonials: an organisation's admins ask a person for one by email; the person writes it on
 * their signed link, sees exactly what would be published and consents (an unticked box and a
 * button) to that exact version; an admin then publishes that version or declines; the person
 * removes it with one click, at once. Every use case is one command and one transaction: the
 * lifecycle's step (lifecycle.ts, compare-and-set on the row it read, so two tabs cannot both
 * act on one state), its record in `testimonial_steps`, and its mail in the outbox.
 *
 * A member can change nothing the person did not consent to: a member's edit is a new version,
 * which takes the testimonial off the home page until the person agrees to it afresh. On
 * removal or decline the text is deleted in the same transaction; what stays is the record of
 * the steps (retention.ts).
 */
import { requirePermission } from "../accounts/permissions.js";
import { membersByUserIds, organisationName } from "../accounts/reads.js";
import type { Actor } from "../accounts/types.js";
import type { Clock } from "../clock.js";
import { AppError, conflict, notFound } from "../errors.js";
import { newId, type OrgId } from "../ids.js";
import { enqueueMail } from "../mail/outbox.js";
import { DEFAULT_MAIL_LIMITS, type MailLimits } from "../mail/send-limits.js";
import { hasObjected } from "../privacy/restriction.js";
import type { Tombstones } from "../privacy/tombstones.js";
import { type AnyHandle, type TestimonialsDb, testimonialsDb } from "./db.js";
import {
  allowedSteps,
  isPublished,
  next,
  type StepKind,
  type TestimonialState,
  type TestimonialStep,
} from "./lifecycle.js";
import { issueLink, resolveLink } from "./links.js";
import {
  changedMail,
  consentedMail,
  publishedMail,
  removedMail,
  requestMail,
  type TestimonialMail,
} from "./mail.js";
import { type Content, contentInput, parse, type RequestInput, requestInput } from "./schemas.js";
import type { RecordedStep, TestimonialsTable } from "./tables.js";

export interface TestimonialsDeps {
  db: AnyHandle;
  clock: Clock;
  mailFrom: string;
  /** Where links point and whose home page shows the testimonials, e.g. `https://ally.example.com`. */
  publicUrl: string;
  mailLimits?: MailLimits;
  /** Erased people are not asked again. */
  tombstones?: Tombstones;
}

export interface StepView {
  kind: RecordedStep;
  actor: "person" | "member";
  /** The member's name, when a member acted (and is still a member). */
  memberName: string | null;
  version: number | null;
  /** RFC 3339. */
  at: string;
}

/** A testimonial as its organisation's admins see it. */
export interface TestimonialView {
  id: string;
  personName: string;
  personEmail: string;
  state: TestimonialState;
  published: boolean;
  content: Content | null;
  /** What a member may do now (edit, publish, decline). */
  allowed: StepKind[];
  createdAt: string;
  updatedAt: string;
  steps: StepView[];
}

/** A testimonial as the person sees it on their link. */
export interface PersonView {
  organisation: string;
  personName: string;
  state: TestimonialState;
  published: boolean;
  content: Content | null;
  /** What the person may do now (write, consent, remove). */
  allowed: StepKind[];
}

/** What the home page shows: only what the person consented to, nothing else about them. */
export interface PublishedTestimonial {
  id: string;
  quote: string;
  displayName: string;
  role: string | null;
  company: string | null;
}

type Row = TestimonialsTable;
type Who = { actor: "person" } | { actor: "member"; userId: string };

const iso = (ms: number) => new Date(ms).toISOString();
const stateOf = (row: Row): TestimonialState => ({
  status: row.status,
  version: row.version,
  consentedVersion: row.consented_version,
});
const contentOf = (row: Row): Content | null =>
  row.quote === null || row.display_name === null
    ? null
    : { quote: row.quote, displayName: row.display_name, role: row.role, company: row.company };

const RECORDED: Record<TestimonialStep["kind"], RecordedStep> = {
  view: "viewed",
  write: "written",
  edit: "edited",
  consent: "consented",
  publish: "published",
  decline: "declined",
  remove: "removed",
};

/** What the commands share: the dependencies, the handle, mail limits, where links point. */
interface Ctx {
  deps: TestimonialsDeps;
  clock: Clock;
  db: TestimonialsDb;
  limits: MailLimits;
  linkUrl: (token: string) => string;
}

async function rowOf(trx: TestimonialsDb, orgId: OrgId, id: string): Promise<Row> {
  const row = await trx
    .selectFrom("testimonials")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (row === undefined) throw notFound("testimonial");
  return row;
}

async function record(trx: TestimonialsDb, row: Row, kind: RecordedStep, who: Who, at: number) {
  await trx
    .insertInto("testimonial_steps")
    .values({
      testimonial_id: row.id,
      organisation_id: row.organisation_id,
      kind,
      actor: who.actor,
      actor_user_id: who.actor === "member" ? who.userId : null,
      version: kind === "requested" || kind === "link-sent" ? null : row.version,
      at,
    })
    .execute();
}

/** Queues mail to the person with a fresh link; false when the outbox would not send it. */
async function mailPerson(
  ctx: Ctx,
  trx: TestimonialsDb,
  row: Row,
  make: (link: string) => TestimonialMail,
  at: number,
): Promise<boolean> {
  const token = await issueLink(trx, { id: row.id, organisationId: row.organisation_id }, at);
  const mail = make(ctx.linkUrl(token));
  const sent = await enqueueMail(
    trx,
    {
      organisationId: row.organisation_id as OrgId,
      kind: mail.kind,
      to: row.person_email,
      subject: mail.subject,
      text: mail.text,
    },
    at,
    ctx.deps.mailFrom,
    ctx.limits,
  );
  if (sent.messageId !== null) await record(trx, row, "link-sent", { actor: "person" }, at);
  return sent.messageId !== null;
}

/**
 * Applies one lifecycle step to the row: the new state (compare-and-set against the state it
 * was read in), the content change, the step's record. Returns the row after it.
 * @throws AppError CONFLICT when the lifecycle refuses the step or the row moved meanwhile
 */
async function apply(
  ctx: Ctx,
  trx: TestimonialsDb,
  row: Row,
  step: TestimonialStep,
  who: Who,
  content?: Content,
): Promise<{ row: Row; changed: boolean }> {
  const result = next(stateOf(row), step);
  if (!result.ok) throw conflict(result.reason);
  const at = ctx.clock.now();
  if (!result.changed) {
    if (step.kind === "view") await recordView(trx, row, at);
    return { row, changed: false };
  }
  const ends = result.state.status === "removed" || result.state.status === "declined";
  const after: Row = {
    ...row,
    status: result.state.status,
    version: result.state.version,
    consented_version: result.state.consentedVersion,
    updated_at: at,
    ...(content === undefined
      ? {}
      : {
          quote: content.quote,
          display_name: content.displayName,
          role: content.role,
          company: content.company,
        }),
    // The text goes with the testimonial: removed or declined, nothing of it is kept.
    ...(ends ? { quote: null, display_name: null, role: null, company: null, ended_at: at } : {}),
  };
  const updated = await trx
    .updateTable("testimonials")
    .set({
      status: after.status,
      version: after.version,
      consented_version: after.consented_version,
      quote: after.quote,
      display_name: after.display_name,
      role: after.role,
      company: after.company,
      updated_at: after.updated_at,
      ended_at: after.ended_at,
    })
    .where("id", "=", row.id)
    .where("status", "=", row.status)
    .where("version", "=", row.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) {
    throw conflict("This testimonial changed a moment ago: reload the page and try again.");
  }
  await record(trx, after, RECORDED[step.kind], who, at);
  return { row: after, changed: true };
}

/** A view is recorded once in a row: the first opening after anything else happened. */
async function recordView(trx: TestimonialsDb, row: Row, at: number) {
  const last = await trx
    .selectFrom("testimonial_steps")
    .select("kind")
    .where("testimonial_id", "=", row.id)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (last?.kind !== "viewed") await record(trx, row, "viewed", { actor: "person" }, at);
}

async function stepsOf(handle: TestimonialsDb, orgId: OrgId, ids: string[]) {
  if (ids.length === 0) return new Map<string, StepView[]>();
  const rows = await handle
    .selectFrom("testimonial_steps")
    .selectAll()
    .where("organisation_id", "=", orgId)
    .where("testimonial_id", "in", ids)
    .orderBy("id")
    .execute();
  const members = await membersByUserIds(
    handle,
    orgId,
    rows.flatMap((r) => (r.actor_user_id === null ? [] : [r.actor_user_id])),
  );
  const byId = new Map<string, StepView[]>();
  for (const r of rows) {
    const list = byId.get(r.testimonial_id) ?? [];
    list.push({
      kind: r.kind,
      actor: r.actor,
      memberName: r.actor_user_id === null ? null : (members.get(r.actor_user_id)?.name ?? null),
      version: r.version,
      at: iso(Number(r.at)),
    });
    byId.set(r.testimonial_id, list);
  }
  return byId;
}

const viewOf = (row: Row, steps: StepView[]): TestimonialView => ({
  id: row.id,
  personName: row.person_name,
  personEmail: row.person_email,
  state: stateOf(row),
  published: isPublished(stateOf(row)),
  content: contentOf(row),
  allowed: allowedSteps(stateOf(row), "member"),
  createdAt: iso(Number(row.created_at)),
  updatedAt: iso(Number(row.updated_at)),
  steps,
});

const personViewOf = (row: Row, organisation: string): PersonView => ({
  organisation,
  personName: row.person_name,
  state: stateOf(row),
  published: isPublished(stateOf(row)),
  content: contentOf(row),
  allowed: allowedSteps(stateOf(row), "person"),
});

async function orgName(handle: AnyHandle, orgId: string) {
  return (await organisationName(handle, orgId)) ?? "The organisation";
}

/** Runs `work` on the testimonial a link opens, in one transaction. */
async function onLink<T>(
  ctx: Ctx,
  token: string,
  work: (trx: TestimonialsDb, row: Row, organisation: string) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction().execute(async (trx) => {
    const opened = await resolveLink(trx, token);
    if (opened === undefined) throw notFound("testimonial");
    const row = await rowOf(trx, opened.orgId, opened.testimonialId);
    return work(trx, row, await orgName(trx, row.organisation_id));
  });
}

/** Runs `work` on one of the actor's organisation's testimonials, in one transaction. */
async function asMember<T>(
  ctx: Ctx,
  actor: Actor,
  id: string,
  work: (trx: TestimonialsDb, row: Row, organisation: string) => Promise<T>,
): Promise<T> {
  requirePermission(actor.role, "testimonials:manage");
  return ctx.db.transaction().execute(async (trx) => {
    const row = await rowOf(trx, actor.orgId, id);
    return work(trx, row, await orgName(trx, actor.orgId));
  });
}

const member = (actor: Actor): Who => ({ actor: "member", userId: actor.userId });

/**
 * Asks a person for a testimonial: the request, its first step and the email with the link.
 * @throws AppError VALIDATION_FAILED (name, email), PERSON_ERASED, CONFLICT (restricted or
 *   objected: Ally does not ask them), RATE_LIMITED
 */
async function requestTestimonial(
  ctx: Ctx,
  actor: Actor,
  input: RequestInput,
): Promise<{ id: string }> {
  requirePermission(actor.role, "testimonials:manage");
  const value = parse(requestInput, input);
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const where = { orgId: actor.orgId, channel: "testimonial-request" };
    if (await ctx.deps.tombstones?.refuseRecontact(trx, value.email, where, now)) {
      throw new AppError(
        "PERSON_ERASED",
        "This person's data was erased at their request: they cannot be asked again.",
        { field: "email" },
      );
    }
    if (await hasObjected(trx, value.email)) {
      throw new AppError(
        "CONFLICT",
        "This person objected to marketing: Ally does not ask them for a testimonial.",
        { field: "email" },
      );
    }
    const row: Row = {
      id: newId("tml"),
      organisation_id: actor.orgId,
      person_name: value.name,
      person_email: value.email,
      requested_by: actor.userId,
      status: "requested",
      version: 0,
      consented_version: null,
      quote: null,
      display_name: null,
      role: null,
      company: null,
      created_at: now,
      updated_at: now,
      ended_at: null,
    };
    await trx.insertInto("testimonials").values(row).execute();
    await record(trx, row, "requested", member(actor), now);
    const [memberName, organisation] = [
      (await membersByUserIds(trx, actor.orgId, [actor.userId])).get(actor.userId)?.name ??
        "Someone",
      await orgName(trx, actor.orgId),
    ];
    const sent = await mailPerson(
      ctx,
      trx,
      row,
      (link) =>
        requestMail({
          personName: value.name,
          memberName,
          organisation,
          publicUrl: ctx.deps.publicUrl,
          link,
        }),
      now,
    );
    if (!sent) {
      throw new AppError(
        "CONFLICT",
        "Ally cannot email this person now (they restricted the use of their data, or too much mail went to them): nothing was sent.",
        { field: "email" },
      );
    }
    return { id: row.id };
  });
}

/** The organisation's side: ask, list, read, publish, decline, change. */
function memberCommands(ctx: Ctx) {
  return {
    request: (actor: Actor, input: RequestInput) => requestTestimonial(ctx, actor, input),

    /** The organisation's testimonials, newest first, each with its steps. */
    async list(actor: Actor): Promise<TestimonialView[]> {
      requirePermission(actor.role, "testimonials:manage");
      const rows = await ctx.db
        .selectFrom("testimonials")
        .selectAll()
        .where("organisation_id", "=", actor.orgId)
        .orderBy("created_at", "desc")
        .orderBy("id")
        .execute();
      const steps = await stepsOf(
        ctx.db,
        actor.orgId,
        rows.map((r) => r.id),
      );
      return rows.map((row) => viewOf(row, steps.get(row.id) ?? []));
    },

    /** One testimonial of the organisation, with its steps. @throws AppError NOT_FOUND */
    async get(actor: Actor, id: string): Promise<TestimonialView> {
      requirePermission(actor.role, "testimonials:manage");
      const row = await rowOf(ctx.db, actor.orgId, id);
      const steps = await stepsOf(ctx.db, actor.orgId, [id]);
      return viewOf(row, steps.get(id) ?? []);
    },

    /**
     * Publishes the version the member was shown, which must be the one the person consented to.
     * @throws AppError NOT_FOUND, CONFLICT
     */
    async publish(actor: Actor, id: string, version: number): Promise<void> {
      await asMember(ctx, actor, id, async (trx, row, organisation) => {
        const done = await apply(ctx, trx, row, { kind: "publish", version }, member(actor));
        const content = contentOf(done.row);
        if (!done.changed || content === null) return;
        const at = ctx.clock.now();
        await mailPerson(
          ctx,
          trx,
          done.row,
          (link) => publishedMail({ organisation, publicUrl: ctx.deps.publicUrl, content, link }),
          at,
        );
      });
    },

    /** Declines (or takes down) the testimonial; its text is deleted. @throws AppError NOT_FOUND, CONFLICT */
    async decline(actor: Actor, id: string): Promise<void> {
      await asMember(ctx, actor, id, async (trx, row) => {
        await apply(ctx, trx, row, { kind: "decline" }, member(actor));
      });
    },

    /**
     * A member's change to the text: a new version, off the home page until the person agrees
     * to it; the person is emailed. `seenVersion` is the version the member edited.
     * @throws AppError NOT_FOUND, CONFLICT, VALIDATION_FAILED
     */
    async edit(actor: Actor, id: string, seenVersion: number, input: unknown): Promise<void> {
      const content = parse(contentInput, input);
      await asMember(ctx, actor, id, async (trx, row, organisation) => {
        if (row.version !== seenVersion) {
          throw conflict("The text changed since you opened it: reload the page.");
        }
        const done = await apply(ctx, trx, row, { kind: "edit" }, member(actor), content);
        await mailPerson(
          ctx,
          trx,
          done.row,
          (link) => changedMail({ organisation, link }),
          ctx.clock.now(),
        );
      });
    },
  };
}

/** The person's side, on their signed link: read, write, consent, remove. */
function personCommands(ctx: Ctx) {
  return {
    /** What the link opens, without recording a view (a form shown again with its errors). */
    async peek(token: string): Promise<PersonView> {
      return onLink(ctx, token, async (_trx, row, organisation) => personViewOf(row, organisation));
    },

    /** What the link opens, recording that the person viewed it. @throws AppError NOT_FOUND */
    async openLink(token: string): Promise<PersonView> {
      return onLink(ctx, token, async (trx, row, organisation) => {
        await apply(ctx, trx, row, { kind: "view" }, { actor: "person" });
        return personViewOf(row, organisation);
      });
    },

    /**
     * The person saves their text: a new version, shown to them for consent. An unchanged text
     * makes no new version.
     * @throws AppError NOT_FOUND, CONFLICT, VALIDATION_FAILED
     */
    async write(token: string, input: unknown): Promise<PersonView> {
      const content = parse(contentInput, input);
      return onLink(ctx, token, async (trx, row, organisation) => {
        const current = contentOf(row);
        if (current !== null && JSON.stringify(current) === JSON.stringify(content)) {
          return personViewOf(row, organisation);
        }
        const done = await apply(ctx, trx, row, { kind: "write" }, { actor: "person" }, content);
        return personViewOf(done.row, organisation);
      });
    },

    /**
     * The person's consent to publish `version`, the one they were shown; a confirmation with
     * the one-click removal link follows.
     * @throws AppError NOT_FOUND, CONFLICT (the text changed: read it again)
     */
    async consent(token: string, version: number): Promise<PersonView> {
      return onLink(ctx, token, async (trx, row, organisation) => {
        const done = await apply(ctx, trx, row, { kind: "consent", version }, { actor: "person" });
        const content = contentOf(done.row);
        if (done.changed && content !== null) {
          await mailPerson(
            ctx,
            trx,
            done.row,
            (link) => consentedMail({ organisation, content, version, link }),
            ctx.clock.now(),
          );
        }
        return personViewOf(done.row, organisation);
      });
    },

    /**
     * Removes the testimonial at once, whatever its state: off the home page, its text deleted.
     * Removing twice is the same as once. @throws AppError NOT_FOUND
     */
    async remove(token: string): Promise<PersonView> {
      return onLink(ctx, token, async (trx, row, organisation) => {
        const done = await apply(ctx, trx, row, { kind: "remove" }, { actor: "person" });
        if (done.changed) {
          const mail = removedMail({ organisation });
          await enqueueMail(
            trx,
            {
              organisationId: row.organisation_id as OrgId,
              kind: mail.kind,
              to: row.person_email,
              subject: mail.subject,
              text: mail.text,
            },
            ctx.clock.now(),
            ctx.deps.mailFrom,
            ctx.limits,
          );
        }
        return personViewOf(done.row, organisation);
      });
    },
  };
}

export function createTestimonials(deps: TestimonialsDeps) {
  const ctx: Ctx = {
    deps,
    clock: deps.clock,
    db: testimonialsDb(deps.db),
    limits: deps.mailLimits ?? DEFAULT_MAIL_LIMITS,
    linkUrl: (token) => `${deps.publicUrl}/testimonial/${token}`,
  };
  return {
    ...memberCommands(ctx),
    ...personCommands(ctx),
    /** Published testimonials for the home page, newest publication first. */
    async published(limit = 6): Promise<PublishedTestimonial[]> {
      const rows = await ctx.db
        .selectFrom("testimonials")
        .select(["id", "quote", "display_name", "role", "company"])
        .where("status", "=", "published")
        // Consent to the exact current version, checked again where the page reads.
        .whereRef("consented_version", "=", "version")
        .where("quote", "is not", null)
        .where("display_name", "is not", null)
        .orderBy("updated_at", "desc")
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        quote: r.quote ?? "",
        displayName: r.display_name ?? "",
        role: r.role,
        company: r.company,
      }));
    },
  };
}

export type Testimonials = ReturnType<typeof createTestimonials>;
