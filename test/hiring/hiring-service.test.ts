/**
 * The hiring service on every dialect: CRUD for candidates, pools, loop templates and
 * interviewer profiles; organisations kept apart; roles; validation without partial writes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/accounts/service.js";
import { AppError, type ErrorCode } from "../../src/errors.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";
import {
  buildCandidate,
  buildOrganisation,
  buildPool,
  buildProfile,
  buildTemplate,
  buildWorld,
  NOW,
  type Organisation,
  type SignedIn,
  type World,
} from "./factories.js";

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function expectError(
  promise: Promise<unknown>,
  code: ErrorCode,
  field?: string,
): Promise<AppError> {
  const error = await failure(promise);
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
  return error;
}

for (const database of await testDatabases()) {
  describe(`hiring service on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let orgA: Organisation;
    let orgB: Organisation;
    let ownerA: Actor;
    let recruiterA: SignedIn;
    let interviewerA: SignedIn;
    let interviewerA2: SignedIn;
    let ownerB: Actor;
    let interviewerB: SignedIn;

    beforeAll(async () => {
      const created = await database.create();
      store = created.store;
      drop = created.drop;
      world = buildWorld(store);
      orgA = await buildOrganisation(world, store, { company: "Acme" });
      orgB = await buildOrganisation(world, store, { company: "Globex" });
      ownerA = orgA.owner.actor;
      ownerB = orgB.owner.actor;
      recruiterA = await orgA.add("recruiter", "Rita Recruiter");
      interviewerA = await orgA.add("interviewer", "Ivan Interviewer");
      interviewerA2 = await orgA.add("interviewer", "Ines Interviewer");
      interviewerB = await orgB.add("interviewer", "Bob Elsewhere");
    });
    afterAll(async () => {
      await drop?.();
    });

    const count = async (table: "candidates" | "pools" | "pool_members" | "loop_templates") =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );

    describe("candidates", () => {
      it("creates, lists, reads, updates and deletes a candidate", async () => {
        const { hiring } = world;
        const created = await hiring.createCandidate(
          recruiterA.actor,
          buildCandidate({ name: "Ada Lovelace", email: "ADA@Example.org", phone: "" }),
        );
        expect(created).toMatchObject({
          name: "Ada Lovelace",
          email: "ada@example.org",
          phone: null,
          timeZone: "America/Los_Angeles",
          createdAt: "2026-12-01T14:00:00.000Z",
        });
        expect((await hiring.listCandidates(ownerA)).map((c) => c.id)).toContain(created.id);
        expect(await hiring.getCandidate(ownerA, created.id)).toEqual(created);

        // Tue 1 Dec 2026, 14:01 UTC
        world.clock.set(NOW + 60_000);
        const updated = await hiring.updateCandidate(ownerA, created.id, {
          name: "Ada King",
          email: "ada@example.org",
          timeZone: "",
          notes: null,
        });
        expect(updated).toMatchObject({
          name: "Ada King",
          timeZone: null,
          notes: null,
          updatedAt: "2026-12-01T14:01:00.000Z",
        });

        await hiring.deleteCandidate(ownerA, created.id);
        await expectError(hiring.getCandidate(ownerA, created.id), "NOT_FOUND");
      });

      it("refuses an unknown time zone for a candidate, naming the field", async () => {
        const before = await count("candidates");
        const error = await expectError(
          world.hiring.createCandidate(ownerA, buildCandidate({ timeZone: "Mars/Olympus" })),
          "VALIDATION_FAILED",
          "timeZone",
        );
        expect(error.message).toMatch(/IANA/);
        expect(await count("candidates")).toBe(before);
      });

      it("refuses a candidate without a name or with a malformed email", async () => {
        await expectError(
          world.hiring.createCandidate(ownerA, buildCandidate({ name: "  " })),
          "VALIDATION_FAILED",
          "name",
        );
        await expectError(
          world.hiring.createCandidate(ownerA, buildCandidate({ email: "not-an-email" })),
          "VALIDATION_FAILED",
          "email",
        );
      });

      it("hides candidates from interviewers, even their existence", async () => {
        const candidate = await world.hiring.createCandidate(ownerA, buildCandidate());
        await expectError(world.hiring.listCandidates(interviewerA.actor), "FORBIDDEN");
        await expectError(world.hiring.getCandidate(interviewerA.actor, candidate.id), "FORBIDDEN");
        await expectError(
          world.hiring.createCandidate(interviewerA.actor, buildCandidate()),
          "FORBIDDEN",
        );
        await expectError(
          world.hiring.deleteCandidate(interviewerA.actor, candidate.id),
          "FORBIDDEN",
        );
        expect((await world.hiring.getCandidate(ownerA, candidate.id)).id).toBe(candidate.id);
      });

      it("keeps another organisation's candidates out of reach", async () => {
        const candidate = await world.hiring.createCandidate(ownerA, buildCandidate());
        expect((await world.hiring.listCandidates(ownerB)).map((c) => c.id)).not.toContain(
          candidate.id,
        );
        await expectError(world.hiring.getCandidate(ownerB, candidate.id), "NOT_FOUND");
        await expectError(
          world.hiring.updateCandidate(ownerB, candidate.id, buildCandidate({ name: "Taken" })),
          "NOT_FOUND",
        );
        await expectError(world.hiring.deleteCandidate(ownerB, candidate.id), "NOT_FOUND");
        expect((await world.hiring.getCandidate(ownerA, candidate.id)).name).toBe(candidate.name);
      });
    });

    describe("interviewer pools", () => {
      it("creates a pool of members, ordered by name, and replaces its members", async () => {
        const { hiring } = world;
        const pool = await hiring.createPool(
          recruiterA.actor,
          buildPool([interviewerA.actor.userId, interviewerA2.actor.userId, ownerA.userId], {
            name: "Backend",
          }),
        );
        expect(pool.name).toBe("Backend");
        // Ines, Ivan, Owner …: by name.
        expect(pool.memberIds).toEqual([
          interviewerA2.actor.userId,
          interviewerA.actor.userId,
          ownerA.userId,
        ]);
        const updated = await hiring.updatePool(ownerA, pool.id, {
          name: "Backend interviewers",
          memberIds: [interviewerA.actor.userId, interviewerA.actor.userId],
        });
        expect(updated).toMatchObject({
          name: "Backend interviewers",
          memberIds: [interviewerA.actor.userId],
        });
        expect((await hiring.listPools(interviewerA.actor)).map((p) => p.id)).toContain(pool.id);
        await hiring.deletePool(ownerA, pool.id);
        await expectError(hiring.getPool(ownerA, pool.id), "NOT_FOUND");
      });

      it("refuses a member of another organisation as a field error and writes nothing", async () => {
        const pools = await count("pools");
        const members = await count("pool_members");
        const error = await expectError(
          world.hiring.createPool(
            ownerB,
            buildPool([interviewerB.actor.userId, interviewerA.actor.userId]),
          ),
          "VALIDATION_FAILED",
          "memberIds.1",
        );
        expect(error.message).not.toContain(interviewerA.name);
        expect(await count("pools")).toBe(pools);
        expect(await count("pool_members")).toBe(members);
      });

      it("answers the same for an unknown user id as for another organisation's", async () => {
        const foreign = await failure(
          world.hiring.createPool(ownerB, buildPool([interviewerA.actor.userId])),
        );
        const unknown = await failure(world.hiring.createPool(ownerB, buildPool(["user_nobody"])));
        expect(foreign.message).toBe(unknown.message);
        expect(foreign.field).toBe(unknown.field);
      });

      it("leaves a pool untouched when an update names a foreign member", async () => {
        const pool = await world.hiring.createPool(
          ownerA,
          buildPool([interviewerA.actor.userId], { name: "Frontend" }),
        );
        await expectError(
          world.hiring.updatePool(ownerA, pool.id, {
            name: "Renamed",
            memberIds: [interviewerB.actor.userId],
          }),
          "VALIDATION_FAILED",
          "memberIds.0",
        );
        expect(await world.hiring.getPool(ownerA, pool.id)).toMatchObject({
          name: "Frontend",
          memberIds: [interviewerA.actor.userId],
        });
      });

      it("keeps another organisation's pools out of reach", async () => {
        const pool = await world.hiring.createPool(ownerA, buildPool([interviewerA.actor.userId]));
        expect((await world.hiring.listPools(ownerB)).map((p) => p.id)).not.toContain(pool.id);
        await expectError(world.hiring.getPool(ownerB, pool.id), "NOT_FOUND");
        await expectError(
          world.hiring.updatePool(ownerB, pool.id, { name: "Mine", memberIds: [] }),
          "NOT_FOUND",
        );
        await expectError(world.hiring.deletePool(ownerB, pool.id), "NOT_FOUND");
        expect((await world.hiring.getPool(ownerA, pool.id)).memberIds).toEqual([
          interviewerA.actor.userId,
        ]);
      });

      it("lets interviewers read pools but not create, change or delete them", async () => {
        const pool = await world.hiring.createPool(ownerA, buildPool([]));
        expect((await world.hiring.getPool(interviewerA.actor, pool.id)).id).toBe(pool.id);
        await expectError(world.hiring.createPool(interviewerA.actor, buildPool([])), "FORBIDDEN");
        await expectError(
          world.hiring.updatePool(interviewerA.actor, pool.id, buildPool([])),
          "FORBIDDEN",
        );
        await expectError(world.hiring.deletePool(interviewerA.actor, pool.id), "FORBIDDEN");
      });
    });

    describe("loop templates", () => {
      let twoPerson: string;
      beforeAll(async () => {
        twoPerson = (
          await world.hiring.createPool(
            ownerA,
            buildPool([interviewerA.actor.userId, interviewerA2.actor.userId], { name: "Pair" }),
          )
        ).id;
      });

      it("creates, reads, updates and deletes a template with sessions in order", async () => {
        const { hiring } = world;
        const job = await hiring.createJob(ownerA, {
          title: "Engineer",
          department: null,
          location: null,
          description: null,
        });
        const template = await hiring.createLoopTemplate(
          recruiterA.actor,
          buildTemplate(twoPerson, { name: "Engineer onsite", jobId: job.id, order: "any" }),
        );
        expect(template).toMatchObject({
          name: "Engineer onsite",
          jobId: job.id,
          order: "any",
          maxGapMinutes: 15,
          sessions: [
            { name: "Coding", durationMinutes: 60, poolId: twoPerson, count: 1 },
            { name: "System design", durationMinutes: 45, poolId: twoPerson, count: 2 },
          ],
        });
        expect(await hiring.getLoopTemplate(interviewerA.actor, template.id)).toEqual(template);
        const updated = await hiring.updateLoopTemplate(ownerA, template.id, {
          name: "Short onsite",
          maxGapMinutes: 0,
          sessions: [{ name: "Chat", durationMinutes: 30, poolId: twoPerson, count: 1 }],
        });
        expect(updated).toMatchObject({
          name: "Short onsite",
          jobId: null,
          order: "fixed",
          maxGapMinutes: 0,
          sessions: [{ name: "Chat", durationMinutes: 30, poolId: twoPerson, count: 1 }],
        });
        expect((await hiring.listLoopTemplates(ownerA)).map((t) => t.id)).toContain(template.id);
        await hiring.deleteLoopTemplate(ownerA, template.id);
        await expectError(hiring.getLoopTemplate(ownerA, template.id), "NOT_FOUND");
      });

      it("refuses a session that needs more interviewers than its pool has", async () => {
        const before = await count("loop_templates");
        const error = await expectError(
          world.hiring.createLoopTemplate(
            ownerA,
            buildTemplate(twoPerson, {
              sessions: [
                { name: "Coding", durationMinutes: 60, poolId: twoPerson, count: 2 },
                { name: "Panel", durationMinutes: 60, poolId: twoPerson, count: 3 },
              ],
            }),
          ),
          "VALIDATION_FAILED",
          "sessions.1.count",
        );
        expect(error.message).toMatch(/2 members/);
        expect(await count("loop_templates")).toBe(before);
      });

      it("refuses a pool of another organisation as if it did not exist", async () => {
        const foreignPool = await world.hiring.createPool(
          ownerB,
          buildPool([interviewerB.actor.userId]),
        );
        const before = await count("loop_templates");
        await expectError(
          world.hiring.createLoopTemplate(
            ownerA,
            buildTemplate(twoPerson, {
              sessions: [
                { name: "Coding", durationMinutes: 60, poolId: twoPerson, count: 1 },
                { name: "Culture", durationMinutes: 30, poolId: foreignPool.id, count: 1 },
              ],
            }),
          ),
          "VALIDATION_FAILED",
          "sessions.1.poolId",
        );
        const unknown = await failure(
          world.hiring.createLoopTemplate(
            ownerA,
            buildTemplate(twoPerson, {
              sessions: [
                { name: "Coding", durationMinutes: 60, poolId: twoPerson, count: 1 },
                { name: "Culture", durationMinutes: 30, poolId: "pool_nothing", count: 1 },
              ],
            }),
          ),
        );
        expect(unknown.field).toBe("sessions.1.poolId");
        expect(await count("loop_templates")).toBe(before);
      });

      it("refuses a job of another organisation", async () => {
        const foreignJob = await world.hiring.createJob(ownerB, {
          title: "Spy",
          department: null,
          location: null,
          description: null,
        });
        await expectError(
          world.hiring.createLoopTemplate(
            ownerA,
            buildTemplate(twoPerson, { jobId: foreignJob.id }),
          ),
          "VALIDATION_FAILED",
          "jobId",
        );
      });

      it("names the session field at fault for durations and gaps out of range", async () => {
        await expectError(
          world.hiring.createLoopTemplate(
            ownerA,
            buildTemplate(twoPerson, {
              sessions: [
                { name: "Coding", durationMinutes: 60, poolId: twoPerson, count: 1 },
                { name: "Marathon", durationMinutes: 481, poolId: twoPerson, count: 1 },
              ],
            }),
          ),
          "VALIDATION_FAILED",
          "sessions.1.durationMinutes",
        );
        await expectError(
          world.hiring.createLoopTemplate(ownerA, buildTemplate(twoPerson, { maxGapMinutes: 241 })),
          "VALIDATION_FAILED",
          "maxGapMinutes",
        );
        await expectError(
          world.hiring.createLoopTemplate(ownerA, buildTemplate(twoPerson, { sessions: [] })),
          "VALIDATION_FAILED",
          "sessions",
        );
      });

      it("leaves a template untouched when an update fails validation", async () => {
        const template = await world.hiring.createLoopTemplate(ownerA, buildTemplate(twoPerson));
        await expectError(
          world.hiring.updateLoopTemplate(ownerA, template.id, {
            name: "Bigger",
            sessions: [{ name: "Panel", durationMinutes: 60, poolId: twoPerson, count: 5 }],
          }),
          "VALIDATION_FAILED",
          "sessions.0.count",
        );
        expect(await world.hiring.getLoopTemplate(ownerA, template.id)).toEqual(template);
      });

      it("will not shrink or delete a pool below what a template needs", async () => {
        const pool = await world.hiring.createPool(
          ownerA,
          buildPool([interviewerA.actor.userId, interviewerA2.actor.userId]),
        );
        const template = await world.hiring.createLoopTemplate(
          ownerA,
          buildTemplate(pool.id, { name: "Needs two" }),
        );
        await expectError(
          world.hiring.updatePool(ownerA, pool.id, {
            name: "Smaller",
            memberIds: [interviewerA.actor.userId],
          }),
          "VALIDATION_FAILED",
          "memberIds",
        );
        expect((await world.hiring.getPool(ownerA, pool.id)).memberIds).toHaveLength(2);
        await expectError(world.hiring.deletePool(ownerA, pool.id), "IN_USE");
        await world.hiring.deleteLoopTemplate(ownerA, template.id);
        await world.hiring.deletePool(ownerA, pool.id);
      });

      it("keeps another organisation's templates out of reach", async () => {
        const template = await world.hiring.createLoopTemplate(ownerA, buildTemplate(twoPerson));
        expect((await world.hiring.listLoopTemplates(ownerB)).map((t) => t.id)).not.toContain(
          template.id,
        );
        await expectError(world.hiring.getLoopTemplate(ownerB, template.id), "NOT_FOUND");
        const foreignPool = await world.hiring.createPool(
          ownerB,
          buildPool([interviewerB.actor.userId]),
        );
        await expectError(
          world.hiring.updateLoopTemplate(
            ownerB,
            template.id,
            buildTemplate(foreignPool.id, {
              sessions: [{ name: "X", durationMinutes: 30, poolId: foreignPool.id, count: 1 }],
            }),
          ),
          "NOT_FOUND",
        );
        await expectError(world.hiring.deleteLoopTemplate(ownerB, template.id), "NOT_FOUND");
        expect(await world.hiring.getLoopTemplate(ownerA, template.id)).toEqual(template);
      });

      it("lets interviewers read templates but not create them", async () => {
        await expectError(
          world.hiring.createLoopTemplate(interviewerA.actor, buildTemplate(twoPerson)),
          "FORBIDDEN",
        );
        expect(Array.isArray(await world.hiring.listLoopTemplates(interviewerA.actor))).toBe(true);
      });

      it("forbids interviewers to create jobs", async () => {
        await expectError(
          world.hiring.createJob(interviewerA.actor, {
            title: "Sneaky",
            department: null,
            location: null,
            description: null,
          }),
          "FORBIDDEN",
        );
      });
    });

    describe("interviewer profiles", () => {
      it("suggests UTC, Monday to Friday 09:00–17:00 until a profile is saved", async () => {
        const profile = await world.hiring.getInterviewerProfile(
          interviewerA2.actor,
          interviewerA2.actor.userId,
        );
        expect(profile).toEqual({
          userId: interviewerA2.actor.userId,
          timeZone: "UTC",
          workingHours: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" }],
          perDayLimit: null,
          perWeekLimit: null,
          saved: false,
          updatedAt: null,
        });
      });

      it("lets a member save and replace their own profile", async () => {
        const me = interviewerA.actor;
        // Tue 1 Dec 2026, 14:05 UTC
        world.clock.set(NOW + 5 * 60_000);
        const saved = await world.hiring.putInterviewerProfile(me, me.userId, buildProfile());
        expect(saved).toMatchObject({
          timeZone: "Europe/Berlin",
          workingHours: [
            { days: ["MO", "TU", "WE", "TH"], start: "08:30", end: "16:30" },
            { days: ["FR"], start: "09:00", end: "12:00" },
          ],
          perDayLimit: 3,
          perWeekLimit: 10,
          saved: true,
          updatedAt: "2026-12-01T14:05:00.000Z",
        });
        const replaced = await world.hiring.putInterviewerProfile(
          me,
          me.userId,
          buildProfile({
            timeZone: "Asia/Kolkata",
            // Days in any order come back Monday first; a night shift runs past midnight.
            workingHours: [{ days: ["SU", "SA"], start: "22:00", end: "06:00" }],
            perDayLimit: null,
            perWeekLimit: 0,
          }),
        );
        expect(replaced).toMatchObject({
          timeZone: "Asia/Kolkata",
          workingHours: [{ days: ["SA", "SU"], start: "22:00", end: "06:00" }],
          perDayLimit: null,
          perWeekLimit: 0,
        });
        expect(await world.hiring.getInterviewerProfile(ownerA, me.userId)).toEqual(replaced);
      });

      it("lets a recruiter edit anyone's profile but not an interviewer someone else's", async () => {
        const target = interviewerA2.actor.userId;
        await world.hiring.putInterviewerProfile(recruiterA.actor, target, buildProfile());
        await expectError(
          world.hiring.putInterviewerProfile(interviewerA.actor, target, buildProfile()),
          "FORBIDDEN",
        );
      });

      it("treats members of other organisations as unknown", async () => {
        await expectError(
          world.hiring.getInterviewerProfile(ownerB, interviewerA.actor.userId),
          "NOT_FOUND",
        );
        await expectError(
          world.hiring.putInterviewerProfile(ownerB, interviewerA.actor.userId, buildProfile()),
          "NOT_FOUND",
        );
      });

      it("refuses a bad zone, a bad HH:MM, no days and negative limits, saving nothing", async () => {
        const me = recruiterA.actor;
        const cases: Array<[Parameters<typeof buildProfile>[0], string]> = [
          [{ timeZone: "Europe/Atlantis" }, "timeZone"],
          [{ timeZone: "+01:00" }, "timeZone"],
          [
            { workingHours: [{ days: ["MO"], start: "9:00", end: "17:00" }] },
            "workingHours.0.start",
          ],
          [
            {
              workingHours: [
                { days: ["MO"], start: "09:00", end: "17:00" },
                { days: ["TU"], start: "09:00", end: "24:30" },
              ],
            },
            "workingHours.1.end",
          ],
          [{ workingHours: [{ days: [], start: "09:00", end: "17:00" }] }, "workingHours.0.days"],
          [
            { workingHours: [{ days: ["XX" as "MO"], start: "09:00", end: "17:00" }] },
            "workingHours.0.days.0",
          ],
          [
            { workingHours: [{ days: ["MO"], start: "09:00", end: "09:00" }] },
            "workingHours.0.end",
          ],
          [{ perDayLimit: -1 }, "perDayLimit"],
          [{ perWeekLimit: 1.5 }, "perWeekLimit"],
        ];
        for (const [overrides, field] of cases) {
          await expectError(
            world.hiring.putInterviewerProfile(me, me.userId, buildProfile(overrides)),
            "VALIDATION_FAILED",
            field,
          );
        }
        expect((await world.hiring.getInterviewerProfile(me, me.userId)).saved).toBe(false);
      });
    });
  });
}
