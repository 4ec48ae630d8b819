/**
 * A request's lifecycle as one table: which actions each status allows (what the request page
 * shows as buttons), and the REQUEST_NOT_OPEN refusal a command gives for the rest.
 */
import { describe, expect, it } from "vitest";
import {
  allowedActions,
  type RequestAction,
  refusalOf,
  requireAllowed,
} from "../../src/booking/lifecycle.js";
import type { RequestStatus } from "../../src/booking/tables.js";
import { AppError } from "../../src/errors.js";

const active = { status: "active" as const };

describe("a request's lifecycle", () => {
  it.each<[RequestStatus, { status: "active" | "cancelled" } | null, RequestAction[]]>([
    ["draft", null, ["send", "book", "cancel"]],
    ["awaiting_candidate", null, ["send", "book", "cancel", "proposeTimes"]],
    ["scheduled", active, ["reschedule", "cancel", "proposeTimes"]],
    ["rescheduling", active, ["reschedule", "cancel", "proposeTimes"]],
    ["scheduled", { status: "cancelled" }, ["cancel", "proposeTimes"]],
    ["cancelled", { status: "cancelled" }, []],
    ["completed", active, []],
  ])("allows a %s request (booking %o) exactly %o", (status, booking, actions) => {
    expect(allowedActions({ status, booking })).toEqual(actions);
  });

  it("refuses what the table does not allow with REQUEST_NOT_OPEN and words for the person", () => {
    const error = refusalOf({ status: "scheduled", booking: active }, "book");
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe("REQUEST_NOT_OPEN");
    expect(error?.message).toBe("This interview is already booked; reschedule it instead.");
    expect(error?.detail).toEqual({ status: "scheduled", action: "book" });
    expect(() => requireAllowed({ status: "completed", booking: active }, "cancel")).toThrow(
      "This interview has already taken place.",
    );
  });

  it("lets through what the table allows", () => {
    expect(refusalOf({ status: "draft", booking: null }, "send")).toBeUndefined();
    expect(() =>
      requireAllowed({ status: "rescheduling", booking: active }, "reschedule"),
    ).not.toThrow();
  });
});
