/** cc intake: the interview a recruiter's email asks for, or the one question to ask them. */
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import {
  durationIn,
  type IntakeContext,
  type IntakeMail,
  intake,
  windowIn,
} from "../../src/assistant/intake.js";

// Thu 3 Dec 2026, 10:00 in London
const NOW = Temporal.Instant.from("2026-12-03T10:00:00Z");

function context(overrides: Partial<IntakeContext> = {}): IntakeContext {
  return {
    ownAddresses: ["ally@ally.example.com", "@ally.example.com"],
    jobs: [
      { id: "job_staff", title: "Staff Engineer" },
      { id: "job_design", title: "Product Designer" },
    ],
    members: [
      { userId: "u_rita", name: "Rita Moreno", email: "rita@acme.example" },
      { userId: "u_priya", name: "Priya Shah", email: "priya@acme.example" },
      { userId: "u_tom", name: "Tom Berg", email: "tom@acme.example" },
      { userId: "u_tom2", name: "Tom Okafor", email: "tokafor@acme.example" },
    ],
    defaults: { jobId: null, interviewerIds: ["u_priya"], durationMinutes: 60, windowDays: 10 },
    now: NOW,
    timeZone: "Europe/London",
    ...overrides,
  };
}

function mail(overrides: Partial<IntakeMail> = {}): IntakeMail {
  return {
    fromAddress: "rita@acme.example",
    to: [{ address: "dana.reyes@example.org", name: "Dana Reyes" }],
    cc: [{ address: "ally@ally.example.com", name: "Ally" }],
    subject: "Your interview for Staff Engineer",
    text: "Hi Dana,\n\nGreat talking today! You'll meet Priya Shah for 45 minutes next week. I've copied Ally, who will find a time.\n\nRita",
    ...overrides,
  };
}

describe("cc intake", () => {
  it("takes the candidate from To, the job and interviewer from the text, duration and window", () => {
    expect(intake(mail(), context())).toEqual({
      ok: true,
      notes: [],
      plan: {
        candidate: { email: "dana.reyes@example.org", name: "Dana Reyes" },
        jobId: "job_staff",
        interviewerIds: ["u_priya"],
        durationMinutes: 45,
        windowStart: "2026-12-07T00:00:00Z",
        windowEnd: "2026-12-12T00:00:00Z",
      },
    });
  });

  it("uses the recruiter's defaults where the text names nothing", () => {
    const result = intake(
      mail({ subject: "Hello", text: "Hi Dana, Ally will find us a time." }),
      context({
        defaults: {
          jobId: "job_design",
          interviewerIds: ["u_tom"],
          durationMinutes: 30,
          windowDays: 7,
        },
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      plan: {
        jobId: "job_design",
        interviewerIds: ["u_tom"],
        durationMinutes: 30,
        windowStart: "2026-12-04T10:00:00Z",
        windowEnd: "2026-12-11T10:00:00Z",
      },
    });
  });

  it("takes the candidate from a forwarded message when Ally is the only recipient", () => {
    const result = intake(
      mail({
        to: [{ address: "ally@ally.example.com", name: "Ally" }],
        cc: [],
        text: "Please set up the Staff Engineer interview with Priya Shah.\n\n---------- Forwarded message ---------\nFrom: Dana Reyes <dana.reyes@example.org>\nDate: Wed, 2 Dec 2026\nSubject: Availability\nTo: Rita <rita@acme.example>\n\nHappy to interview!",
      }),
      context(),
    );
    expect(result).toMatchObject({
      ok: true,
      plan: { candidate: { email: "dana.reyes@example.org" } },
    });
  });

  it("asks one question naming everything missing or ambiguous", () => {
    const result = intake(
      mail({
        to: [
          { address: "dana@example.org", name: "" },
          { address: "sam@example.net", name: "" },
        ],
        subject: "Interviews",
        text: "Staff Engineer or Product Designer, with Tom.",
      }),
      context(),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing).toHaveLength(3);
    expect(result.question).toContain("dana@example.org, sam@example.net");
    expect(result.question).toContain("Staff Engineer or Product Designer");
    expect(result.question).toContain("by tom");
  });

  it("never takes a colleague or Ally itself for the candidate", () => {
    const result = intake(
      mail({
        to: [
          { address: "tom@acme.example", name: "Tom" },
          { address: "ally+x@ally.example.com", name: "" },
        ],
      }),
      context(),
    );
    expect(result).toMatchObject({ ok: false });
  });

  it("reads durations and windows in the recruiter's words", () => {
    expect(durationIn("a 30-minute call")).toBe(30);
    expect(durationIn("about an hour")).toBe(60);
    expect(durationIn("1.5 hours on site")).toBe(90);
    expect(durationIn("soon")).toBeNull();
    expect(windowIn("within 5 days", NOW, "UTC")?.end.toString()).toBe("2026-12-08T10:00:00Z");
    expect(windowIn("this week please", NOW, "Europe/London")?.end.toString()).toBe(
      "2026-12-05T00:00:00Z",
    );
    expect(windowIn("whenever", NOW, "UTC")).toBeNull();
  });
});
