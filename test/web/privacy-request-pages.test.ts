/**
 * The privacy request pages end to end, in process: a candidate asks on the public form, enters
 * the emailed code and is told who the controllers are; the organisation's admin sees the
 * request in the privacy queue with its deadline and completes it; a member asks from their
 * account and sees their own requests.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listQueue } from "../../src/privacy/requests/commands.js";
import { EXPORT_LINK_LIFETIME_MS } from "../../src/privacy/requests/export-links.js";
import { isRestricted } from "../../src/privacy/restriction.js";
import { testDatabases } from "../support/databases.js";
import {
  anonymous,
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  unique,
  viaSession,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("privacy request pages on $dialect", (database) => {
  let world: World;
  let org: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world, "Pages Privacy Ltd");
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("takes a candidate's request with the emailed code, names the controller, and puts it in the admin's queue to complete", async () => {
    const email = `page-asker-${unique()}@example.com`;
    await world.deps.hiring.createCandidate(org.owner.actor, { name: "Page Asker", email });
    const form = await send(world.ally, "GET", "/privacy/request");
    expect(form.status).toBe(200);

    const asked = await send(world.ally, "POST", "/privacy/request", {
      as: anonymous,
      form: { email, kind: "restriction", jurisdiction: "gdpr", details: "" },
    });
    expect(asked.status).toBe(200);
    const verification = /name="verification" value="([^"]+)"/.exec(asked.text)?.[1] as string;
    const mail = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-code")
      .executeTakeFirstOrThrow();
    const code = /(\d{6})/.exec(mail.subject)?.[1] as string;

    const wrong = await send(world.ally, "POST", "/privacy/request/verify", {
      form: { verification, code: code === "000000" ? "111111" : "000000" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("4 tries left");

    const filed = await send(world.ally, "POST", "/privacy/request/verify", {
      form: { verification, code },
    });
    expect(filed.status).toBe(200);
    expect(filed.text).toContain(org.name);
    // Tue 1 Dec 2026 + one month
    expect(filed.text).toContain("2027-01-01");

    const queue = await send(world.ally, "GET", "/app/privacy/requests", {
      as: viaSession(org.admin),
    });
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(email);
    expect(queue.text).toContain("open: On time");
    const requestId = new RegExp(
      `${email.replace(/[.]/g, "\\.")}[\\s\\S]*?name="request" value="([^"]+)"`,
    ).exec(queue.text)?.[1] as string;

    const recruiterQueue = await send(world.ally, "GET", "/app/privacy/requests", {
      as: viaSession(org.recruiter),
    });
    expect(recruiterQueue.status).toBe(403);

    const done = await send(world.ally, "POST", "/app/privacy/requests/answer", {
      as: viaSession(org.admin),
      form: { request: requestId, action: "complete" },
    });
    expect(done.status).toBe(303);
    expect(await isRestricted(world.store.db, email)).toBe(true);
  });

  it("erases a candidate when the admin completes their verified erasure request, and keeps them from coming back", async () => {
    const email = `erase-asker-${unique()}@example.com`;
    const candidate = await world.deps.hiring.createCandidate(org.owner.actor, {
      name: "Erin Erasable",
      email,
    });
    const asked = await send(world.ally, "POST", "/privacy/request", {
      as: anonymous,
      form: { email, kind: "erasure", jurisdiction: "gdpr", details: "" },
    });
    const verification = /name="verification" value="([^"]+)"/.exec(asked.text)?.[1] as string;
    const mail = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-code")
      .executeTakeFirstOrThrow();
    const code = /(\d{6})/.exec(mail.subject)?.[1] as string;
    await send(world.ally, "POST", "/privacy/request/verify", { form: { verification, code } });
    const queue = await listQueue(world.deps.privacy, { organisationId: org.admin.orgId });
    const request = queue.find((r) => r.email === email && r.kind === "erasure");
    if (request === undefined) throw new Error("the erasure request was not filed");

    const done = await send(world.ally, "POST", "/app/privacy/requests/answer", {
      as: viaSession(org.admin),
      form: { request: request.id, action: "complete" },
    });
    expect(done.status).toBe(303);

    const kept = await world.store.db
      .selectFrom("candidates")
      .select(["name", "email"])
      .where("id", "=", candidate.id)
      .executeTakeFirst();
    expect(kept?.email ?? "").not.toContain("erase-asker");
    expect(kept?.name ?? "").not.toContain("Erin");
    const proofs = await world.store.db
      .selectFrom("erasure_proofs")
      .select("id")
      .where("organisation_id", "=", org.admin.orgId)
      .execute();
    expect(proofs.length).toBeGreaterThan(0);
    await expect(
      world.deps.hiring.createCandidate(org.owner.actor, { name: "Erin Again", email }),
    ).rejects.toMatchObject({ code: "PERSON_ERASED" });
  });

  it("lets a member ask about their own data from their account and lists it there", async () => {
    const member = org.interviewer;
    const filed = await send(world.ally, "POST", "/app/account/privacy", {
      as: viaSession(member),
      form: { kind: "portability", jurisdiction: "ccpa", details: "All of it, please." },
    });
    expect(filed.status).toBe(303);
    const page = await send(world.ally, "GET", "/app/account/privacy", { as: viaSession(member) });
    expect(page.status).toBe(200);
    expect(page.text).toContain("All of it, please.");
    // Tue 1 Dec 2026 + 45 days: Fri 15 Jan 2027
    expect(page.text).toContain("2027-01-15");
  });

  async function askForAccess(email: string): Promise<string> {
    const asked = await send(world.ally, "POST", "/privacy/request", {
      form: { email, kind: "access", jurisdiction: "gdpr", details: "" },
    });
    const verification = /name="verification" value="([^"]+)"/.exec(asked.text)?.[1] as string;
    const mail = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-code")
      .executeTakeFirstOrThrow();
    const code = /(\d{6})/.exec(mail.subject)?.[1] as string;
    await send(world.ally, "POST", "/privacy/request/verify", { form: { verification, code } });
    const queue = await listQueue(world.deps.privacy, { organisationId: org.admin.orgId });
    const request = queue.find((r) => r.email === email);
    if (request === undefined) throw new Error("not filed");
    const done = await send(world.ally, "POST", "/app/privacy/requests/answer", {
      as: viaSession(org.admin),
      form: { request: request.id, action: "complete" },
    });
    expect(done.status).toBe(303);
    const link = await world.store.db
      .selectFrom("outbox")
      .select("text_body")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-export-link")
      .executeTakeFirstOrThrow();
    const url = new URL(/(http\S+)/.exec(link.text_body)?.[1] as string);
    return `${url.pathname}${url.search}`;
  }

  it("mails a completed access request a download that works once, holding the organisation's records", async () => {
    const email = `access-asker-${unique()}@example.com`;
    await world.deps.hiring.createCandidate(org.owner.actor, { name: "Ada Access", email });
    const path = await askForAccess(email);
    const download = await world.ally.app.request(path);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/zip");
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.subarray(0, 4).toString("hex")).toBe("504b0304");
    expect(bytes.toString("utf8")).toContain("Ada Access");
    expect(bytes.toString("utf8")).toContain(`Candidate records kept by ${org.name}`);
    const again = await send(world.ally, "GET", path);
    expect(again.status).toBe(404);
    expect(again.text).toContain("expired or was already used");
  });

  it("says the data is gone when a download link is opened after the person was erased", async () => {
    const email = `gone-asker-${unique()}@example.com`;
    await world.deps.hiring.createCandidate(org.owner.actor, { name: "Gil Gone", email });
    const path = await askForAccess(email);
    expect((await world.ally.app.request(path)).status).toBe(200);

    const asked = await send(world.ally, "POST", "/privacy/request", {
      form: { email, kind: "erasure", jurisdiction: "gdpr", details: "" },
    });
    const verification = /name="verification" value="([^"]+)"/.exec(asked.text)?.[1] as string;
    const codes = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-code")
      .orderBy("id", "desc")
      .execute();
    const code = /(\d{6})/.exec(codes[0]?.subject ?? "")?.[1] as string;
    await send(world.ally, "POST", "/privacy/request/verify", { form: { verification, code } });
    const queue = await listQueue(world.deps.privacy, { organisationId: org.admin.orgId });
    const erasure = queue.find((r) => r.email === email && r.kind === "erasure");
    if (erasure === undefined) throw new Error("the erasure request was not filed");
    await send(world.ally, "POST", "/app/privacy/requests/answer", {
      as: viaSession(org.admin),
      form: { request: erasure.id, action: "complete" },
    });

    const gone = await send(world.ally, "GET", path);
    expect(gone.status).toBe(409);
    expect(gone.text).toContain("Your data is gone");
    expect(gone.text).not.toContain("expired or was already used");
  });

  it("refuses a download link after seven days", async () => {
    const email = `late-asker-${unique()}@example.com`;
    await world.deps.hiring.createCandidate(org.owner.actor, { name: "Lou Late", email });
    const path = await askForAccess(email);
    world.clock.advance(EXPORT_LINK_LIFETIME_MS);
    expect((await send(world.ally, "GET", path)).status).toBe(404);
  });
});
