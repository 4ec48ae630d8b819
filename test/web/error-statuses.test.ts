/**
 * Errors say what happened, and pages and the API say it with the same status: every code has
 * one status in src/web/errors.ts, the calendar connectors' and the secrets store's errors are
 * folded into the same codes, and the same domain error reached through a page and through the
 * API answers alike (both take the status from the one table).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorError } from "../../src/calendar/connectors/types.js";
import { AppError, ERROR_CODES } from "../../src/errors.js";
import { SecretsError } from "../../src/secrets/errors.js";
import { HTTP_STATUS, statusOf, toAppError } from "../../src/web/errors.js";
import { testDatabases } from "../support/databases.js";
import {
  type Answer,
  addMember,
  createWorld,
  META,
  type Person,
  send,
  signUpOwner,
  snapshot,
  viaSession,
  viaToken,
  type World,
} from "../support/web-world.js";

describe("the status table", () => {
  it("gives every error code an error status, and knows no other code", () => {
    for (const code of ERROR_CODES) {
      expect(HTTP_STATUS[code], code).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[code], code).toBeLessThan(600);
    }
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_CODES].sort());
  });

  it("answers a rate limit with 429", () => {
    expect(HTTP_STATUS.RATE_LIMITED).toBe(429);
  });

  it("folds every calendar connector error into a code of its own, keeping the wait it was asked for", () => {
    for (const code of [
      "CALENDAR_UNREACHABLE",
      "CALENDAR_AUTH_FAILED",
      "CALENDAR_NOT_FOUND",
      "CALENDAR_INVALID",
      "CALENDAR_RATE_LIMITED",
    ] as const) {
      const folded = toAppError(new ConnectorError(code, "calendar.example.com said no"));
      expect(folded).toBeInstanceOf(AppError);
      expect((folded as AppError).code).toBe(code);
      expect((folded as AppError).message).toBe("calendar.example.com said no");
    }
    const slowDown = toAppError(
      new ConnectorError("CALENDAR_RATE_LIMITED", "slow down", { retryAfterMs: 2500 }),
    ) as AppError;
    expect(slowDown.detail).toEqual({ retryAfterSeconds: 3 });
    expect(statusOf(new ConnectorError("CALENDAR_UNREACHABLE", "no answer"))).toBe(502);
  });

  it("folds a secrets error into SECRET_UNREADABLE without repeating its key details", () => {
    const cause = new SecretsError("MASTER_KEY_MISSING", "key version 7 is not configured");
    const folded = toAppError(cause) as AppError;
    expect(folded.code).toBe("SECRET_UNREADABLE");
    expect(folded.message).not.toContain("version 7");
    expect(folded.cause).toBe(cause);
    expect(statusOf(cause)).toBe(500);
  });

  it("leaves bugs as they are, answered as 500", () => {
    const bug = new TypeError("undefined is not a function");
    expect(toAppError(bug)).toBe(bug);
    expect(statusOf(bug)).toBe(500);
  });
});

const [database] = await testDatabases();

describe("the same domain error through a page and through the API", () => {
  let world: World;
  let owner: Person;
  let token: string;

  beforeAll(async () => {
    world = await createWorld(database as NonNullable<typeof database>);
    owner = await signUpOwner(world);
    token = (
      await world.deps.accounts.createApiToken(owner.actor, "parity", META, ["read", "write"])
    ).token;
  });
  afterAll(async () => {
    await world?.drop();
  });

  /** The API answer's status and code; the page's status. */
  async function expectSameAnswer(
    code: keyof typeof HTTP_STATUS,
    api: () => Promise<Answer>,
    page: () => Promise<Answer>,
  ) {
    const before = await snapshot(world);
    const viaApi = await api();
    const viaPage = await page();
    expect(viaApi.json()).toMatchObject({ error: { code } });
    expect(viaApi.status).toBe(HTTP_STATUS[code]);
    expect(viaPage.status).toBe(HTTP_STATUS[code]);
    expect(await snapshot(world)).toEqual(before);
  }

  it("refuses to invite someone who is already a member with ALREADY_MEMBER on both", async () => {
    const member = await addMember(world, owner, "recruiter");
    await expectSameAnswer(
      "ALREADY_MEMBER",
      () =>
        send(world.ally, "POST", "/api/v1/invitations", {
          as: viaToken(token),
          json: { email: member.email, role: "interviewer" },
        }),
      () =>
        send(world.ally, "POST", "/app/members/invite", {
          as: viaSession(owner),
          form: { email: member.email, role: "interviewer" },
        }),
    );
  });

  it("refuses to demote the last owner with LAST_OWNER on both", async () => {
    await expectSameAnswer(
      "LAST_OWNER",
      () =>
        send(world.ally, "PATCH", `/api/v1/members/${owner.userId}`, {
          as: viaToken(token),
          json: { role: "admin" },
        }),
      () =>
        send(world.ally, "POST", `/app/members/${owner.userId}/role`, {
          as: viaSession(owner),
          form: { role: "admin" },
        }),
    );
  });

  it("refuses to delete a pool a loop template uses with IN_USE on both", async () => {
    const pool = await world.deps.hiring.createPool(owner.actor, {
      name: "Backend panel",
      memberIds: [owner.userId],
    });
    await world.deps.hiring.createLoopTemplate(owner.actor, {
      name: "Backend loop",
      order: "fixed",
      maxGapMinutes: 30,
      sessions: [{ name: "Systems", durationMinutes: 45, poolId: pool.id, count: 1 }],
    });
    await expectSameAnswer(
      "IN_USE",
      () => send(world.ally, "DELETE", `/api/v1/pools/${pool.id}`, { as: viaToken(token) }),
      () =>
        send(world.ally, "POST", `/app/pools/${pool.id}/delete`, {
          as: viaSession(owner),
          form: { confirm: "yes" },
        }),
    );
  });

  it("answers a page's rate limit with the table's 429 and Retry-After, as the API would", async () => {
    const target = await signUpOwner(world);
    let last: Answer | undefined;
    for (let attempt = 0; attempt <= 5; attempt++) {
      last = await send(world.ally, "POST", "/login", {
        form: { email: target.email, password: `wrong password ${attempt}` },
      });
    }
    expect(last?.status).toBe(HTTP_STATUS.RATE_LIMITED);
    expect(last?.status).toBe(429);
    expect(last?.headers.get("retry-after")).toMatch(/^\d+$/);
  });
});
