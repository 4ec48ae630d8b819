/**
 * The interview-request API end to end, on every database: a recruiter's API token creates a
 * request, reads its options (with warnings), offers them, books one (twice with one key: one
 * booking), sees the next request refused with SLOT_TAKEN and fresh options, reschedules and
 * cancels; the OpenAPI document describes the routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InterviewRequest, Option, OptionsAnswer } from "../../src/booking/schemas.js";
import type { BookingResult } from "../../src/booking/service.js";
import type { Store } from "../../src/store/database.js";
import { createApp } from "../../src/web/app.js";
import { type FeedServer, startFeedServer } from "../calendar/connectors/feed-server.js";
import { buildWorld, META, type World } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";
import { type BookingOrg, buildBookingOrg, buildRequest } from "./factories.js";

for (const database of await testDatabases()) {
  describe(`the interview-request API on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let world: World;
    let feeds: FeedServer;
    let app: ReturnType<typeof createApp>["app"];
    let org: BookingOrg;
    let token: string;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      world = buildWorld(store);
      ({ app } = createApp(world.deps));
      feeds = await startFeedServer();
      // Dana is busy Wed 2 Dec 2026 09:00–12:00 UTC.
      org = await buildBookingOrg(world, store, feeds, {
        busy: { dana: [["20261202T090000Z", "20261202T120000Z"]] },
      });
      token = (await world.accounts.createApiToken(org.recruiter.actor, "tests", META)).token;
    }, 60_000);
    afterAll(async () => {
      await feeds?.close();
      await drop?.();
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const response = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };

    it("creates, offers, books once per key, refuses taken time, reschedules and cancels", async () => {
      const created = await call("POST", "/api/v1/interview-requests", buildRequest(org));
      expect(created.status).toBe(201);
      const request = created.json as unknown as InterviewRequest;
      expect(request).toMatchObject({ status: "draft", timeZone: "UTC", booking: null });
      const second = (await call("POST", "/api/v1/interview-requests", buildRequest(org)))
        .json as unknown as InterviewRequest;

      const options = await call("GET", `/api/v1/interview-requests/${request.id}/options`);
      expect(options.status).toBe(200);
      const answer = options.json as unknown as OptionsAnswer;
      expect(answer.warnings).toEqual([]);
      expect(answer.explanation).toBeNull();
      for (const option of answer.options) {
        expect(
          Date.parse(option.endsAt) <= Date.parse("2026-12-02T09:00:00Z") ||
            Date.parse(option.startsAt) >= Date.parse("2026-12-02T12:00:00Z"),
        ).toBe(true);
      }

      const offeredSecond = await call("POST", `/api/v1/interview-requests/${second.id}/offer`, {});
      expect(offeredSecond.status).toBe(200);
      expect(offeredSecond.json.status).toBe("awaiting_candidate");

      const option = answer.options[0] as Option;
      const body = { optionId: option.id, idempotencyKey: "http-book-0001" };
      const [one, two] = await Promise.all([
        call("POST", `/api/v1/interview-requests/${request.id}/book`, body),
        call("POST", `/api/v1/interview-requests/${request.id}/book`, body),
      ]);
      expect([one.status, two.status], JSON.stringify([one.json, two.json]).slice(0, 600)).toEqual([
        200, 200,
      ]);
      const booked = one.json as unknown as BookingResult;
      expect((two.json as unknown as BookingResult).booking.id).toBe(booked.booking.id);
      expect(booked.request.status).toBe("scheduled");

      // The second request's candidate was offered the same time: it is gone now.
      const stale = (offeredSecond.json as unknown as InterviewRequest).offeredOptions?.find(
        (o) => o.startsAt === option.startsAt,
      ) as Option;
      const taken = await call("POST", `/api/v1/interview-requests/${second.id}/book`, {
        optionId: stale.id,
        idempotencyKey: "http-book-0002",
      });
      expect(taken.status).toBe(409);
      const error = taken.json.error as { code: string; detail: { options: Option[] } };
      expect(error.code).toBe("SLOT_TAKEN");
      expect(error.detail.options.length).toBeGreaterThan(0);
      expect(error.detail.options.map((o) => o.startsAt)).not.toContain(option.startsAt);

      const later = answer.options[1] as Option;
      const moved = await call("POST", `/api/v1/interview-requests/${request.id}/reschedule`, {
        optionId: later.id,
        idempotencyKey: "http-move-0001",
      });
      expect(moved.status).toBe(200);
      expect((moved.json as unknown as BookingResult).booking).toMatchObject({
        icalUid: booked.booking.icalUid,
        sequence: 1,
      });

      const cancelled = await call("POST", `/api/v1/interview-requests/${request.id}/cancel`, {
        reason: "Role filled",
      });
      expect(cancelled.status).toBe(200);
      expect(cancelled.json).toMatchObject({
        status: "cancelled",
        booking: { status: "cancelled", sequence: 2 },
      });

      const listed = await call("GET", "/api/v1/interview-requests?status=cancelled");
      expect((listed.json.interviewRequests as InterviewRequest[]).map((r) => r.id)).toEqual([
        request.id,
      ]);
      const badStatus = await call("GET", "/api/v1/interview-requests?status=lost");
      expect(badStatus.status).toBe(422);
      expect(badStatus.json).toMatchObject({ error: { field: "status" } });
    });

    it("describes the routes in the OpenAPI document", async () => {
      const doc = (await (await app.request("/api/openapi.json")).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      expect(
        Object.keys(doc.paths)
          .filter((p) => p.includes("interview-requests"))
          .sort(),
      ).toEqual([
        "/api/v1/interview-requests",
        "/api/v1/interview-requests/{requestId}",
        "/api/v1/interview-requests/{requestId}/book",
        "/api/v1/interview-requests/{requestId}/cancel",
        "/api/v1/interview-requests/{requestId}/offer",
        "/api/v1/interview-requests/{requestId}/options",
        "/api/v1/interview-requests/{requestId}/reschedule",
        "/api/v1/interview-requests/{requestId}/send",
      ]);
    });
  });
}
