/**
 * Marketing lists and their subscribers. A person is on a list only with recorded marketing
 * consent: either they asked to join and confirmed by the signed link sent to their address
 * (double opt-in: the consent is given by email), or an admin added them and stated where the
 * consent was given. An address that opted out of the scope cannot be added back by an admin;
 * only the person's own confirmed request lifts the suppression.
 */
import { z } from "zod";
import { AppError } from "../errors.js";
import { newId } from "../ids.js";
import { enqueueMail } from "../mail/outbox.js";
import { recordAudit } from "../privacy/audit-log.js";
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import { normaliseAddress } from "./keys.js";
import { inScope, organisationOf, type Scope, scopeField, scopeOfRow } from "./scope.js";
import { isSuppressed, liftSuppression } from "./suppression.js";
import type { ConsentMethod } from "./tables.js";

/** How long a confirmation link works: seven days; an unconfirmed request is purged then. */
export const CONFIRM_TTL_MS = 7 * 86_400_000;

export interface MarketingList {
  id: string;
  name: string;
  description: string;
  subscribers: number;
  pending: number;
  createdAt: number;
}

export interface Subscriber {
  id: string;
  email: string;
  name: string;
  consentMethod: ConsentMethod;
  consentSource: string;
  consentAt: number | null;
  confirmedAt: number | null;
}

export const listInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name is required")
    .max(120, "Name must be at most 120 characters"),
  description: z
    .string()
    .trim()
    .max(1000, "Description must be at most 1,000 characters")
    .default(""),
});

const email = z
  .string({ error: "Email is required" })
  .trim()
  .min(1, "Email is required")
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email("Email must be an email address"));
const name = z.string().trim().max(200, "Name must be at most 200 characters").default("");

export const subscriberInput = z.object({
  email,
  name,
  consentSource: z
    .string({ error: "Consent source is required" })
    .trim()
    .min(5, "Consent source must say where and how the person agreed (at least 5 characters)")
    .max(500, "Consent source must be at most 500 characters"),
});

export const joinInput = z.object({
  email,
  name,
  consent: z.literal("yes", { error: "Tick the box to agree to receive these emails" }),
});

export async function createList(
  handle: AnyHandle,
  scope: Scope,
  input: z.input<typeof listInput>,
  byUserId: string | null,
  now: number,
): Promise<{ id: string }> {
  const parsed = listInput.parse(input);
  const id = newId("mkl");
  await marketingDb(handle)
    .insertInto("marketing_lists")
    .values({
      id,
      organisation_id: organisationOf(scope),
      name: parsed.name,
      description: parsed.description,
      created_by: byUserId,
      created_at: now,
    })
    .execute();
  return { id };
}

export async function listsOf(handle: AnyHandle, scope: Scope): Promise<MarketingList[]> {
  const db = marketingDb(handle);
  const lists = await db
    .selectFrom("marketing_lists")
    .selectAll()
    .where(inScope(scope))
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const counts = await db
    .selectFrom("marketing_subscribers")
    .select((eb) => [
      "list_id",
      eb.fn.countAll<string | number>().as("all"),
      eb.fn.count<string | number>("confirmed_at").as("confirmed"),
    ])
    .where(inScope(scope))
    .groupBy("list_id")
    .execute();
  const byList = new Map(counts.map((c) => [c.list_id, c]));
  return lists.map((l) => {
    const count = byList.get(l.id);
    const confirmed = Number(count?.confirmed ?? 0);
    return {
      id: l.id,
      name: l.name,
      description: l.description,
      subscribers: confirmed,
      pending: Number(count?.all ?? 0) - confirmed,
      createdAt: Number(l.created_at),
    };
  });
}

/** The list, in this scope only. @throws AppError NOT_FOUND */
export async function listOf(
  handle: AnyHandle,
  scope: Scope,
  listId: string,
): Promise<MarketingList> {
  const list = (await listsOf(handle, scope)).find((l) => l.id === listId);
  if (list === undefined) throw new AppError("NOT_FOUND", "No such marketing list.");
  return list;
}

export async function subscribersOf(
  handle: AnyHandle,
  scope: Scope,
  listId: string,
): Promise<Subscriber[]> {
  await listOf(handle, scope, listId);
  const rows = await marketingDb(handle)
    .selectFrom("marketing_subscribers")
    .selectAll()
    .where(inScope(scope))
    .where("list_id", "=", listId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    consentMethod: r.consent_method,
    consentSource: r.consent_source,
    consentAt: r.consent_at === null ? null : Number(r.consent_at),
    confirmedAt: r.confirmed_at === null ? null : Number(r.confirmed_at),
  }));
}

/**
 * An admin adds a person who consented elsewhere, stating where. Refused (CONFLICT) for an
 * address that opted out: only the person's own confirmed request brings them back.
 */
export async function addSubscriber(
  handle: AnyHandle,
  keys: MarketingKeys,
  scope: Scope,
  listId: string,
  input: z.input<typeof subscriberInput>,
  byUserId: string | null,
  now: number,
): Promise<{ id: string }> {
  const parsed = subscriberInput.parse(input);
  await listOf(handle, scope, listId);
  if (await isSuppressed(handle, keys, scope, parsed.email)) {
    throw new AppError(
      "CONFLICT",
      "This address opted out of your promotional email. Only the person can subscribe again, with the list's sign-up link.",
      { field: "email" },
    );
  }
  const db = marketingDb(handle);
  const hash = keys.addressHash(parsed.email);
  const existing = await db
    .selectFrom("marketing_subscribers")
    .select("id")
    .where("list_id", "=", listId)
    .where("email_hash", "in", keys.addressHashes(parsed.email))
    .executeTakeFirst();
  if (existing !== undefined) {
    throw new AppError("CONFLICT", "This address is already on the list.", { field: "email" });
  }
  const id = newId("mks");
  await db
    .insertInto("marketing_subscribers")
    .values({
      id,
      organisation_id: organisationOf(scope),
      list_id: listId,
      email: normaliseAddress(parsed.email),
      email_hash: hash,
      name: parsed.name,
      consent_method: "admin",
      consent_source: parsed.consentSource,
      consent_at: now,
      confirmed_at: now,
      added_by: byUserId,
      created_at: now,
    })
    .execute();
  await recordAudit(
    db,
    {
      organisationId: organisationOf(scope),
      actorUserId: byUserId,
      action: "marketing-consent",
      target: `admin ${listId}`,
    },
    now,
  );
  return { id };
}

export interface JoinDeps {
  keys: MarketingKeys;
  publicUrl: string;
  mailFrom: string;
}

/**
 * A person asks to join a list (its public sign-up page): a pending subscription and an email
 * with a signed confirmation link. Nothing is sent to them until they confirm. Asking again
 * sends a fresh link; an address already confirmed gets no mail (the page says the same either
 * way, so it tells no one who is subscribed).
 */
export async function requestSubscription(
  handle: AnyHandle,
  deps: JoinDeps,
  listId: string,
  input: z.input<typeof joinInput>,
  now: number,
): Promise<void> {
  const parsed = joinInput.parse(input);
  const db = marketingDb(handle);
  const list = await db
    .selectFrom("marketing_lists")
    .selectAll()
    .where("id", "=", listId)
    .executeTakeFirst();
  if (list === undefined) throw new AppError("NOT_FOUND", "No such marketing list.");
  const scope = scopeOfRow(list.organisation_id);
  const hashes = deps.keys.addressHashes(parsed.email);
  const existing = await db
    .selectFrom("marketing_subscribers")
    .select(["id", "confirmed_at"])
    .where("list_id", "=", listId)
    .where("email_hash", "in", hashes)
    .executeTakeFirst();
  if (existing?.confirmed_at !== undefined && existing.confirmed_at !== null) return;
  let subscriberId = existing?.id;
  if (subscriberId === undefined) {
    subscriberId = newId("mks");
    await db
      .insertInto("marketing_subscribers")
      .values({
        id: subscriberId,
        organisation_id: list.organisation_id,
        list_id: listId,
        email: normaliseAddress(parsed.email),
        email_hash: deps.keys.addressHash(parsed.email),
        name: parsed.name,
        consent_method: "double-opt-in",
        consent_source: `sign-up page of "${list.name}", confirmed by email link`,
        consent_at: null,
        confirmed_at: null,
        added_by: null,
        created_at: now,
      })
      .execute();
  } else {
    // A fresh request restarts the link's time.
    await db
      .updateTable("marketing_subscribers")
      .set({ created_at: now, name: parsed.name })
      .where("id", "=", subscriberId)
      .execute();
  }
  const expiresAt = Math.floor((now + CONFIRM_TTL_MS) / 1000);
  const token = deps.keys.sign("c", [scopeField(scope), subscriberId, String(expiresAt)]);
  const link = `${deps.publicUrl}/m/confirm/${token}`;
  await enqueueMail(
    db,
    {
      organisationId: organisationOf(scope),
      kind: "marketing-confirm",
      to: normaliseAddress(parsed.email),
      subject: `Confirm: emails from "${list.name}"`,
      text: [
        `Someone, hopefully you, asked to receive "${list.name}" at this address.`,
        list.description === "" ? "" : `\n${list.description}\n`,
        `To confirm, open this link within 7 days and press Confirm:\n${link}`,
        "",
        "If it was not you, ignore this email: nothing will be sent to you.",
      ].join("\n"),
    },
    now,
    deps.mailFrom,
  );
}

export type Confirmation =
  | { ok: true; listName: string; scope: Scope }
  | { ok: false; problem: "unknown" | "expired" };

/** What a confirmation link is for, without changing anything (the page before the button). */
export async function confirmationOf(
  handle: AnyHandle,
  keys: MarketingKeys,
  token: string,
  now: number,
): Promise<Confirmation & { subscriberId?: string }> {
  const fields = keys.verify("c", token);
  const [, subscriberId, expires] = fields ?? [];
  if (subscriberId === undefined || expires === undefined) return { ok: false, problem: "unknown" };
  if (Number(expires) * 1000 < now) return { ok: false, problem: "expired" };
  const row = await marketingDb(handle)
    .selectFrom("marketing_subscribers")
    .innerJoin("marketing_lists", "marketing_lists.id", "marketing_subscribers.list_id")
    .select(["marketing_lists.name as list_name", "marketing_subscribers.organisation_id"])
    .where("marketing_subscribers.id", "=", subscriberId)
    .executeTakeFirst();
  if (row === undefined) return { ok: false, problem: "unknown" };
  return {
    ok: true,
    listName: row.list_name,
    scope: scopeOfRow(row.organisation_id),
    subscriberId,
  };
}

/**
 * The person confirms by the signed link (a POST from the page's button, never the GET a link
 * scanner makes): their consent is recorded, and their earlier opt-out of the scope is lifted.
 */
export async function confirmSubscription(
  handle: AnyHandle,
  keys: MarketingKeys,
  token: string,
  now: number,
): Promise<Confirmation> {
  const found = await confirmationOf(handle, keys, token, now);
  if (!found.ok || found.subscriberId === undefined) return found;
  const db = marketingDb(handle);
  const row = await db
    .selectFrom("marketing_subscribers")
    .select(["email", "confirmed_at", "list_id"])
    .where("id", "=", found.subscriberId)
    .executeTakeFirstOrThrow();
  if (row.confirmed_at === null) {
    await liftSuppression(db, found.scope, keys.addressHashes(row.email));
    await db
      .updateTable("marketing_subscribers")
      .set({ confirmed_at: now, consent_at: now })
      .where("id", "=", found.subscriberId)
      .execute();
    await recordAudit(
      db,
      {
        organisationId: organisationOf(found.scope),
        actorUserId: null,
        action: "marketing-consent",
        target: `double-opt-in ${row.list_id}`,
      },
      now,
    );
  }
  return { ok: true, listName: found.listName, scope: found.scope };
}
