/**
 * Deadline notices on a fixed clock, through the job queue as the server runs it: a candidate's
 * GDPR request verified on Tue 1 Dec 2026 14:00 UTC is due Fri 1 Jan 2027 14:00 UTC; from Fri 25
 * Dec 14:00 it is near due, from 1 Jan overdue. The organisation's owners and admins (not its
 * recruiters) are emailed once for each state however often the sweep runs; a member's request
 * (the operator's) goes to the privacy contact; an answered request is not chased. The queue
 * flags the same states.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answerersFor,
  DEADLINE_NOTICE_JOB,
  DEADLINE_SWEEP_EVERY_MS,
  DEADLINE_SWEEP_JOB,
  deadlineNoticeHandler,
  deadlineSweepHandler,
  scheduleDeadlineSweep,
} from "../../src/app/privacy-deadlines.js";
import { runNextJob } from "../../src/jobs/scheduled-jobs.js";
import {
  answerRequest,
  fileMemberRequest,
  listQueue,
} from "../../src/privacy/requests/commands.js";
import {
  startPublicRequest,
  verifyPublicRequest,
} from "../../src/privacy/requests/verification.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  unique,
  type World,
} from "../support/web-world.js";

const DAY_MS = 86_400_000;
// Fri 25 Dec 2026 14:00 UTC: seven days before the deadline.
const NEAR_DUE_FROM = Date.UTC(2026, 11, 25, 14, 0, 0);
// Fri 1 Jan 2027 14:00 UTC: one month after Tue 1 Dec 2026 14:00.
const DUE = Date.UTC(2027, 0, 1, 14, 0, 0);

const databases = await testDatabases();

describe.each(databases)("privacy deadline notices on $dialect", (database) => {
  let world: World;
  let org: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world, "Deadline Works");
  });
  afterAll(async () => {
    await world?.drop();
  });

  /** Runs every due job, the sweep and the notices it schedules, as the worker would. */
  async function runJobs(): Promise<void> {
    const deps = {
      db: world.store.db,
      clock: world.clock,
      handlers: {
        [DEADLINE_SWEEP_JOB]: deadlineSweepHandler({ db: world.store.db, clock: world.clock }),
        [DEADLINE_NOTICE_JOB]: deadlineNoticeHandler(
          world.deps.privacy,
          answerersFor(world.config.privacy.privacyContact),
        ),
      },
    };
    while (await runNextJob(deps)) {
      // one job per turn
    }
  }

  /** Advances the clock to `at` in sweep-sized steps, running the jobs at each. */
  async function liveUntil(at: number): Promise<void> {
    while (world.clock.now() < at) {
      world.clock.set(Math.min(at, world.clock.now() + DEADLINE_SWEEP_EVERY_MS));
      await runJobs();
    }
  }

  async function notices(kind: string) {
    return world.store.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "text_body"])
      .where("kind", "=", kind)
      .orderBy("to_address")
      .execute();
  }

  async function candidateRequest(email: string): Promise<string> {
    await world.deps.hiring.createCandidate(org.owner.actor, { name: "Dee Deadline", email });
    const { verificationId } = await startPublicRequest(
      world.deps.privacy,
      { email, kind: "access", jurisdiction: "gdpr" },
      "198.51.100.7",
    );
    const mail = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-code")
      .executeTakeFirstOrThrow();
    const code = /(\d{6})/.exec(mail.subject)?.[1] ?? "";
    const [filed] = await verifyPublicRequest(world.deps.privacy, verificationId, code);
    if (filed === undefined) throw new Error("not filed");
    return filed.id;
  }

  it("tells the owners and admins once when near due and once when overdue, and flags both on the queue", async () => {
    world.clock.set(T0);
    const email = `dee-${unique()}@example.com`;
    const requestId = await candidateRequest(email);
    // An answered request is not chased.
    const answeredEmail = `done-${unique()}@example.com`;
    const answeredId = await candidateRequest(answeredEmail);
    await answerRequest(
      world.deps.privacy,
      { organisationId: org.owner.orgId },
      { requestId: answeredId, action: "complete", byUserId: org.owner.userId },
    );
    await scheduleDeadlineSweep(world.store.db, T0, T0);

    await liveUntil(NEAR_DUE_FROM - 1);
    expect(await notices("privacy-deadline-near-due")).toEqual([]);
    const early = await listQueue(world.deps.privacy, { organisationId: org.owner.orgId });
    expect(early.find((r) => r.id === requestId)?.flag).toBe("on-time");

    await liveUntil(NEAR_DUE_FROM + 2 * DAY_MS);
    const near = await notices("privacy-deadline-near-due");
    expect(near.map((n) => n.to_address).sort()).toEqual([org.owner.email, org.admin.email].sort());
    expect(near[0]?.subject).toBe("A privacy request is due by 2027-01-01");
    expect(near[0]?.text_body).toContain("A copy of my data (access)");
    expect(near[0]?.text_body).not.toContain(email);
    const flagged = await listQueue(world.deps.privacy, { organisationId: org.owner.orgId });
    expect(flagged.find((r) => r.id === requestId)?.flag).toBe("near-due");

    await liveUntil(DUE + 3 * DAY_MS);
    expect(await notices("privacy-deadline-near-due")).toHaveLength(2);
    const overdue = await notices("privacy-deadline-overdue");
    expect(overdue.map((n) => n.to_address).sort()).toEqual(
      [org.owner.email, org.admin.email].sort(),
    );
    expect(overdue[0]?.subject).toBe("A privacy request is overdue (it was due 2027-01-01)");
    const late = await listQueue(world.deps.privacy, { organisationId: org.owner.orgId });
    expect(late.find((r) => r.id === requestId)?.flag).toBe("overdue");
    expect(late.find((r) => r.id === answeredId)?.flag).toBeNull();
  });

  it("tells the operator's privacy contact about an account holder's request", async () => {
    const start = DUE + 10 * DAY_MS;
    world.clock.set(start);
    await fileMemberRequest(
      world.deps.privacy,
      { userId: org.interviewer.userId, email: org.interviewer.email },
      { kind: "erasure", jurisdiction: "ccpa" },
    );
    // 45 days on; the sweep runs again from where the first test left it.
    await scheduleDeadlineSweep(world.store.db, start, start, false);
    await liveUntil(start + 46 * DAY_MS);
    const toOperator = (await notices("privacy-deadline-overdue")).filter(
      (n) => n.to_address === world.config.privacy.privacyContact,
    );
    expect(toOperator).toHaveLength(1);
    expect(toOperator[0]?.text_body).toContain("the operator's privacy queue");
    const nearToOperator = (await notices("privacy-deadline-near-due")).filter(
      (n) => n.to_address === world.config.privacy.privacyContact,
    );
    expect(nearToOperator).toHaveLength(1);
  });
});
