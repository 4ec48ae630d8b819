/**
 * Data-subject requests on every database: a candidate's public request is verified by an
 * emailed code and filed with each organisation holding their records; admins answer from
 * their queue (restriction and objection set the person's flags); deadlines are snapshotted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import {
  answerRequest,
  fileMemberRequest,
  listOwnRequests,
  listQueue,
} from "../../src/privacy/requests/commands.js";
import type { PrivacyRequestDeps } from "../../src/privacy/requests/deps.js";
import {
  CODE_ATTEMPTS,
  CODE_LIFETIME_MS,
  startPublicRequest,
  verifyPublicRequest,
} from "../../src/privacy/requests/verification.js";
import { hasObjected, isRestricted } from "../../src/privacy/restriction.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  unique,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

/** The six-digit code in the newest code mail to `email`, as the person reads it. */
async function codeFromMail(world: World, email: string): Promise<string> {
  const row = await world.store.db
    .selectFrom("outbox")
    .select("subject")
    .where("to_address", "=", email)
    .where("kind", "=", "privacy-request-code")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return /(\d{6})/.exec(row.subject)?.[1] as string;
}

async function codeError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return (error as AppError).code;
}

describe.each(databases)("privacy requests on $dialect", (database) => {
  let world: World;
  let deps: PrivacyRequestDeps;
  let acme: Organisation;
  let globex: Organisation;
  let other: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    deps = world.deps.privacy;
    acme = await createOrganisation(world, "Acme Privacy Ltd");
    globex = await createOrganisation(world, "Globex Privacy Ltd");
    other = await createOrganisation(world, "Uninvolved Ltd");
  });
  afterAll(async () => {
    await world?.drop();
  });
  beforeEach(() => {
    world.clock.set(T0);
  });

  async function candidateAtBoth(): Promise<string> {
    const email = `cand-${unique()}@example.com`;
    for (const org of [acme, globex]) {
      await world.deps.hiring.createCandidate(org.owner.actor, {
        name: "Cara Candidate",
        email: email.toUpperCase(), // recorded by a recruiter in another case
      });
    }
    return email;
  }

  it("files a verified request with every organisation holding the candidate, and tells them who the controllers are", async () => {
    const email = await candidateAtBoth();
    const { verificationId } = await startPublicRequest(
      deps,
      { email, kind: "access", jurisdiction: "gdpr" },
      "198.51.100.7",
    );
    // Nothing is filed before the code is entered.
    expect(await listOwnRequests(deps, email)).toEqual([]);
    world.clock.advance(10 * 60_000); // verified ten minutes later: those minutes do not count
    const filed = await verifyPublicRequest(deps, verificationId, await codeFromMail(world, email));
    expect(filed.map((f) => f.controllerName).sort()).toEqual([acme.name, globex.name].sort());
    const acmeQueue = await listQueue(deps, { organisationId: acme.owner.orgId });
    const request = acmeQueue.find((r) => r.email === email);
    // Received Tue 1 Dec 2026 14:00 UTC, verified 14:10: due Fri 1 Jan 2027 14:10 UTC.
    expect(request).toMatchObject({
      kind: "access",
      status: "open",
      receivedAt: T0,
      dueAt: Date.UTC(2027, 0, 1, 14, 10),
      policyVersion: "1",
      flag: "on-time",
    });
    expect(
      (await listQueue(deps, { organisationId: other.owner.orgId })).some((r) => r.email === email),
    ).toBe(false);
    const told = await world.store.db
      .selectFrom("outbox")
      .select("text_body")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-received")
      .executeTakeFirstOrThrow();
    expect(told.text_body).toContain(acme.name);
    expect(told.text_body).toContain(globex.name);
  });

  it("refuses a wrong code, and after five tries refuses even the right one", async () => {
    const email = await candidateAtBoth();
    const { verificationId } = await startPublicRequest(
      deps,
      { email, kind: "erasure", jurisdiction: "gdpr" },
      "198.51.100.8",
    );
    const code = await codeFromMail(world, email);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < CODE_ATTEMPTS; i++) {
      expect(await codeError(verifyPublicRequest(deps, verificationId, wrong))).toBe(
        "TOKEN_INVALID",
      );
    }
    expect(await codeError(verifyPublicRequest(deps, verificationId, code))).toBe("TOKEN_INVALID");
    expect(await listOwnRequests(deps, email)).toEqual([]);
  });

  it("refuses a code after fifteen minutes, and a code used once", async () => {
    const email = await candidateAtBoth();
    const first = await startPublicRequest(
      deps,
      { email, kind: "access", jurisdiction: "gdpr" },
      undefined,
    );
    const code = await codeFromMail(world, email);
    world.clock.advance(CODE_LIFETIME_MS);
    expect(await codeError(verifyPublicRequest(deps, first.verificationId, code))).toBe(
      "TOKEN_INVALID",
    );
    const second = await startPublicRequest(
      deps,
      { email, kind: "access", jurisdiction: "gdpr" },
      undefined,
    );
    const again = await codeFromMail(world, email);
    await verifyPublicRequest(deps, second.verificationId, again);
    expect(await codeError(verifyPublicRequest(deps, second.verificationId, again))).toBe(
      "TOKEN_INVALID",
    );
  });

  it("limits requests per address and per network within an hour", async () => {
    const email = `limited-${unique()}@example.com`;
    for (let i = 0; i < 3; i++) {
      await startPublicRequest(deps, { email, kind: "access", jurisdiction: "gdpr" }, undefined);
    }
    expect(
      await codeError(
        startPublicRequest(deps, { email, kind: "access", jurisdiction: "gdpr" }, undefined),
      ),
    ).toBe("RATE_LIMITED");
    world.clock.advance(3_600_001);
    await startPublicRequest(deps, { email, kind: "access", jurisdiction: "gdpr" }, undefined);

    const network = "192.0.2.";
    for (let i = 0; i < 10; i++) {
      await startPublicRequest(
        deps,
        { email: `n${i}-${unique()}@example.com`, kind: "access", jurisdiction: "gdpr" },
        `${network}${i + 1}`,
      );
    }
    expect(
      await codeError(
        startPublicRequest(
          deps,
          { email: `n-${unique()}@example.com`, kind: "access", jurisdiction: "gdpr" },
          `${network}200`, // the same /24
        ),
      ),
    ).toBe("RATE_LIMITED");
  });

  it("marks the person restricted when an admin completes a restriction request, and objected for an objection", async () => {
    const email = await candidateAtBoth();
    for (const kind of ["restriction", "objection"] as const) {
      const { verificationId } = await startPublicRequest(
        deps,
        { email, kind, jurisdiction: "gdpr" },
        undefined,
      );
      await verifyPublicRequest(deps, verificationId, await codeFromMail(world, email));
    }
    expect(await isRestricted(world.store.db, email)).toBe(false);
    const queue = await listQueue(deps, { organisationId: acme.admin.orgId });
    for (const request of queue.filter((r) => r.email === email)) {
      const answered = await answerRequest(
        deps,
        { organisationId: acme.admin.orgId },
        { requestId: request.id, action: "complete", byUserId: acme.admin.userId },
      );
      expect(answered.status).toBe("completed");
    }
    expect(await isRestricted(world.store.db, email.toUpperCase())).toBe(true);
    expect(await hasObjected(world.store.db, email)).toBe(true);
  });

  it("does not let another organisation answer a request, and answers a request once", async () => {
    const email = await candidateAtBoth();
    const { verificationId } = await startPublicRequest(
      deps,
      { email, kind: "access", jurisdiction: "gdpr" },
      undefined,
    );
    await verifyPublicRequest(deps, verificationId, await codeFromMail(world, email));
    const request = (await listQueue(deps, { organisationId: acme.owner.orgId })).find(
      (r) => r.email === email,
    );
    if (request === undefined) throw new Error("not filed");
    const answer = {
      requestId: request.id,
      action: "complete" as const,
      byUserId: other.owner.userId,
    };
    expect(
      await codeError(answerRequest(deps, { organisationId: other.owner.orgId }, answer)),
    ).toBe("NOT_FOUND");
    expect(await codeError(answerRequest(deps, "operator", answer))).toBe("NOT_FOUND");
    await answerRequest(deps, { organisationId: acme.owner.orgId }, answer);
    expect(await codeError(answerRequest(deps, { organisationId: acme.owner.orgId }, answer))).toBe(
      "CONFLICT",
    );
  });

  it("extends a deadline by two months once, telling the person, and flags near-due and overdue requests", async () => {
    const email = await candidateAtBoth();
    const { verificationId } = await startPublicRequest(
      deps,
      { email, kind: "rectification", jurisdiction: "gdpr" },
      undefined,
    );
    await verifyPublicRequest(deps, verificationId, await codeFromMail(world, email));
    const controller = { organisationId: globex.owner.orgId };
    const find = async () => (await listQueue(deps, controller)).find((r) => r.email === email);
    world.clock.set(Date.UTC(2026, 11, 26, 14)); // Sat 26 Dec 2026: due Fri 1 Jan 2027
    expect((await find())?.flag).toBe("near-due");
    world.clock.set(Date.UTC(2027, 0, 2));
    expect((await find())?.flag).toBe("overdue");
    world.clock.set(Date.UTC(2026, 11, 20));
    const request = await find();
    if (request === undefined) throw new Error("not filed");
    const extended = await answerRequest(deps, controller, {
      requestId: request.id,
      action: "extend",
      byUserId: globex.owner.userId,
    });
    expect(extended.dueAt).toBe(Date.UTC(2027, 2, 1, 14)); // Mon 1 Mar 2027
    expect(await find()).toMatchObject({
      extended: true,
      dueAt: Date.UTC(2027, 2, 1, 14),
      flag: "on-time",
    });
    expect(
      await codeError(
        answerRequest(deps, controller, {
          requestId: request.id,
          action: "extend",
          byUserId: globex.owner.userId,
        }),
      ),
    ).toBe("CONFLICT");
  });

  it("files a signed-in member's own request with the operator, verified at once", async () => {
    const member = acme.recruiter;
    const filed = await fileMemberRequest(
      deps,
      { userId: member.userId, email: member.email },
      { kind: "portability", jurisdiction: "ccpa" },
    );
    expect(filed).toEqual([
      expect.objectContaining({ organisationId: null, dueAt: T0 + 45 * 86_400_000 }),
    ]);
    const operatorQueue = await listQueue(deps, "operator");
    expect(operatorQueue.find((r) => r.id === filed[0]?.id)).toMatchObject({
      status: "open",
      verifiedAt: T0,
      jurisdiction: "ccpa",
    });
  });
});
