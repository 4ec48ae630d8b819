/**
 * The inbound-parse webhook, over HTTP in process, on every database: a provider posting with
 * the mailbox's id and key (HTTP Basic) or an HMAC signature stores the message once, for the
 * mailbox's own address; a wrong key, an unknown mailbox, a bad signature, a member's API token
 * or nothing at all is refused alike and stores nothing; a message over the limit is refused on
 * its field.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { fixedClock } from "../../src/clock.js";
import { createApp } from "../../src/web/app.js";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createOrganisation,
  MASTER_KEY,
  type Organisation,
  send,
  T0,
  testConfig,
  viaToken,
  type World,
} from "../support/web-world.js";

const PATH = "/api/v1/inbound-mail";
const MAX_BYTES = 64 * 1024;

function message(messageId: string, body = "Tuesday at 10 suits me."): string {
  return [
    "Return-Path: <dana@example.org>",
    "From: Dana Ortiz <dana@example.org>",
    "To: hiring@acme.example",
    "Subject: Re: Your interview",
    `Message-ID: ${messageId}`,
    "",
    body,
    "",
  ].join("\r\n");
}

const basic = (id: string, key: string) =>
  `Basic ${Buffer.from(`${id}:${key}`, "utf8").toString("base64")}`;

describe.each(await testDatabases())("the inbound-mail webhook on $dialect", (database) => {
  let world: World;
  let org: Organisation;
  let other: Organisation;
  let mailbox: { id: string; key: string };

  beforeAll(async () => {
    const { store, url, drop } = await database.create();
    const clock = fixedClock(T0);
    const config = testConfig({ DATABASE_URL: url, MAILBOX_MAX_BYTES: String(MAX_BYTES) });
    const deps = buildDeps(config, store, clock, MASTER_KEY);
    world = { store, url, clock, config, deps, ally: createApp(deps), drop };
    org = await createOrganisation(world, "Acme Hiring");
    other = await createOrganisation(world, "Other Ltd");
    const made = await deps.mailboxes.createWebhook(
      { orgId: org.owner.actor.orgId, mayManage: true },
      { label: "", address: "Hiring@Acme.example" },
    );
    mailbox = { id: made.connection.id, key: made.key };
  });
  afterAll(async () => {
    await world?.drop();
  });
  beforeEach(async () => {
    await world.store.db.deleteFrom("inbound_mail").execute();
  });

  const stored = () =>
    world.store.db.selectFrom("inbound_mail").selectAll().orderBy("id").execute();

  it("stores a posted message once for the mailbox's address, however often it is posted", async () => {
    for (const expected of [true, false]) {
      const answer = await send(world.ally, "POST", PATH, {
        headers: { authorization: basic(mailbox.id, mailbox.key) },
        json: { raw: message("<post-1@example.org>") },
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.json()).toEqual({ stored: expected, messageId: "<post-1@example.org>" });
    }
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      envelope_from: "dana@example.org",
      subject: "Re: Your interview",
    });
    expect(JSON.parse(rows[0]?.envelope_to ?? "[]")).toEqual(["hiring@acme.example"]);
    const [listed] = await world.deps.mailboxes.list({
      orgId: org.owner.actor.orgId,
      mayManage: true,
    });
    expect(listed?.lastPolledAt).toBe(new Date(T0).toISOString());
  });

  it("takes base64 and an HMAC signature of the raw message instead of the key", async () => {
    const raw = message("<signed@example.org>");
    const signature = `sha256=${createHmac("sha256", mailbox.key).update(raw).digest("hex")}`;
    const answer = await send(world.ally, "POST", PATH, {
      headers: { "x-ally-mailbox": mailbox.id, "x-ally-signature": signature },
      json: {
        raw: Buffer.from(raw).toString("base64"),
        encoding: "base64",
        envelope: { from: "" },
      },
    });
    expect(answer.status, answer.text).toBe(200);
    const [row] = await stored();
    expect(row?.message_id).toBe("<signed@example.org>");
    // The provider's empty MAIL FROM (a bounce) is kept: Ally never answers it.
    expect(row?.envelope_from).toBe("");
  });

  it("refuses a wrong key, an unknown mailbox, a bad signature, an API token or no credentials alike", async () => {
    const raw = message("<forged@example.org>");
    const token = (await apiTokenFor(world, org.owner)).token;
    const attempts: Array<Record<string, string>> = [
      { authorization: basic(mailbox.id, "not the key at all, but long enough to look real") },
      { authorization: basic("mbx_unknown", mailbox.key) },
      { authorization: "Basic !!!" },
      {
        "x-ally-mailbox": mailbox.id,
        "x-ally-signature": `sha256=${createHmac("sha256", "another key").update(raw).digest("hex")}`,
      },
      { "x-ally-mailbox": mailbox.id, "x-ally-signature": "sha256=abc" },
      {},
    ];
    for (const headers of attempts) {
      const answer = await send(world.ally, "POST", PATH, { headers, json: { raw } });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
      expect(answer.text).not.toContain(mailbox.key);
    }
    const withToken = await send(world.ally, "POST", PATH, { as: viaToken(token), json: { raw } });
    expect(withToken.status).toBe(401);
    expect(await stored()).toEqual([]);
  });

  it("does not let one organisation's key post to another organisation's mailbox", async () => {
    const theirs = await world.deps.mailboxes.createWebhook(
      { orgId: other.owner.actor.orgId, mayManage: true },
      { label: "", address: "jobs@other.example" },
    );
    const answer = await send(world.ally, "POST", PATH, {
      headers: { authorization: basic(theirs.connection.id, mailbox.key) },
      json: { raw: message("<crossed@example.org>") },
    });
    expect(answer.status).toBe(401);
    expect(await stored()).toEqual([]);
  });

  it("refuses a message over the limit on its raw field, and an empty one, storing nothing", async () => {
    const big = message("<big@example.org>", "x".repeat(MAX_BYTES));
    const bigBase64 = Buffer.from(big).toString("base64");
    for (const body of [{ raw: big }, { raw: bigBase64, encoding: "base64" }, { raw: "" }]) {
      const answer = await send(world.ally, "POST", PATH, {
        headers: { authorization: basic(mailbox.id, mailbox.key) },
        json: body,
      });
      expect(answer.status, answer.text).toBe(422);
      expect(answer.json()).toMatchObject({ error: { code: "VALIDATION_FAILED", field: "raw" } });
    }
    const huge = await send(world.ally, "POST", PATH, {
      headers: { authorization: basic(mailbox.id, mailbox.key) },
      json: { raw: "x".repeat(MAX_BYTES * 2) },
    });
    expect(huge.status).toBe(422);
    expect(await stored()).toEqual([]);
  });
});
