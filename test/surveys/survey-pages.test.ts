/**
 * The survey pages over HTTP, on every database. The candidate opens the link from the email
 * (no account, no script), answers 0–10 and the three 1–5 questions; the first answer stands,
 * and a second submit says it was already answered; a bad answer is refused naming the field;
 * an unknown link is a 404, an expired one a 410; "don't ask me again" is recorded. Recruiters
 * and admins see the results of their own organisation only (cNPS with counts, by job, by
 * interviewer from three answers, by month as SVG and as a table, recent comments); admins
 * set the delay.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import { factories } from "../support/object-factories.js";
import {
  anonymous,
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  snapshot,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

const DAY = 86_400_000;

for (const database of await testDatabases()) {
  describe(`survey pages on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;
    let other: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world, "Acme Rockets");
      other = await createOrganisation(world, "Other Widgets");
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const surveyLink = async (within = org) => {
      const make = factories["survey-link"];
      if (make === null) throw new Error("no survey-link factory");
      return (await make(world, within, within.owner)).id;
    };
    const answer = (token: string, form: Record<string, string>) =>
      send(world.ally, "POST", `/survey/${token}`, { as: anonymous, form });

    it("shows the survey: a 0–10 radio group with labelled ends, three 1–5 questions and a comment, without scripts", async () => {
      world.clock.set(T0);
      const token = await surveyLink();
      const page = await send(world.ally, "GET", `/survey/${token}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain("How likely are you to recommend applying to Acme Rockets");
      expect(page.text).toContain("0 = not at all likely, 10 = extremely likely");
      for (const n of [0, 5, 10])
        expect(page.text).toMatch(new RegExp(`type="radio"[^>]*name="nps"[^>]*value="${n}"`));
      for (const question of ["scheduling", "preparation", "clarity"]) {
        expect(page.text).toContain(`name="${question}"`);
      }
      expect(page.text).toContain('name="comment"');
      expect(page.text).toContain("Don&#39;t ask me again");
      expect(page.text).not.toContain("<script");
    });

    it("keeps the first answer and tells a second submit it was already answered", async () => {
      world.clock.set(T0);
      const token = await surveyLink();
      const first = await answer(token, {
        nps: "10",
        scheduling: "5",
        preparation: "4",
        comment: "Smooth.",
      });
      expect(first.status).toBe(200);
      expect(first.text).toContain("Thank you for your answers");
      const again = await answer(token, { nps: "0", comment: "Changed my mind." });
      expect(again.status).toBe(200);
      expect(again.text).toContain("Thanks, you already answered");
      const reopened = await send(world.ally, "GET", `/survey/${token}`);
      expect(reopened.text).toContain("Thanks, you already answered");
      const rows = await world.store.db
        .selectFrom("survey_responses")
        .selectAll()
        .where("comment", "in", ["Smooth.", "Changed my mind."])
        .execute();
      expect(rows.map((r) => [Number(r.nps), r.scheduling, r.clarity, r.comment])).toEqual([
        [10, 5, null, "Smooth."],
      ]);
    });

    it("refuses an answer without the 0–10 question or out of range, naming the field, and stores nothing", async () => {
      world.clock.set(T0);
      const token = await surveyLink();
      const forms: Array<Record<string, string>> = [
        { comment: "No score." },
        { nps: "11" },
        { nps: "7", scheduling: "9" },
      ];
      for (const form of forms) {
        const before = await snapshot(world);
        const refused = await answer(token, form);
        expect(refused.status).toBe(422);
        const field = "scheduling" in form ? "scheduling" : "nps";
        expect(refused.text).toContain(`href="#field-${field}"`);
        expect(await snapshot(world)).toEqual(before);
      }
    });

    it("answers 404 to an unknown link and 410 to one past its 30 days", async () => {
      world.clock.set(T0);
      const token = await surveyLink();
      expect((await send(world.ally, "GET", `/survey/sv_${"A".repeat(43)}`)).status).toBe(404);
      const expiresAt = Number(
        (
          await world.store.db
            .selectFrom("survey_invitations")
            .select("expires_at")
            .where("status", "=", "sent")
            .orderBy("created_at", "desc")
            .executeTakeFirstOrThrow()
        ).expires_at,
      );
      world.clock.set(expiresAt + DAY);
      const closed = await send(world.ally, "GET", `/survey/${token}`);
      expect(closed.status).toBe(410);
      expect(closed.text).toContain("This survey has closed");
      expect((await answer(token, { nps: "8" })).status).toBe(410);
      world.clock.set(T0);
    });

    it("records “don't ask me again” for the candidate in this organisation", async () => {
      world.clock.set(T0);
      const token = await surveyLink();
      const done = await send(world.ally, "POST", `/survey/${token}/opt-out`, { as: anonymous });
      expect(done.status).toBe(200);
      expect(done.text).toContain("You will not be asked again");
      const optOuts = await world.store.db
        .selectFrom("survey_opt_outs")
        .select("organisation_id")
        .where("organisation_id", "=", org.owner.orgId)
        .execute();
      expect(optOuts).toHaveLength(1);
    });

    it("shows recruiters their organisation's results, each interviewer only from three answers", async () => {
      world.clock.set(T0);
      const fresh = await createOrganisation(world, "Results Ltd");
      const tokens = [await surveyLink(fresh), await surveyLink(fresh)];
      await answer(tokens[0] as string, {
        nps: "10",
        scheduling: "5",
        comment: "Loved the panel.",
      });
      await answer(tokens[1] as string, { nps: "3", scheduling: "2" });
      const page = await send(world.ally, "GET", "/app/surveys", {
        as: viaSession(fresh.recruiter),
      });
      expect(page.status).toBe(200);
      // One promoter and one detractor of two answers: 50% − 50% = 0.
      expect(page.text).toContain("cNPS 0</strong> from 2 answers to 2 surveys (100% answered)");
      expect(page.text).toContain("Not shown: fewer than 3 answers");
      expect(page.text).toContain('role="img"');
      expect(page.text).toContain("<caption>cNPS by month</caption>");
      expect(page.text).toContain("Loved the panel.");

      const third = await surveyLink(fresh);
      await answer(third, { nps: "9" });
      const shown = await send(world.ally, "GET", "/app/surveys", {
        as: viaSession(fresh.recruiter),
      });
      // Two promoters and one detractor of three: 67% − 33% = +33.
      expect(shown.text).toContain("cNPS +33</strong> from 3 answers");
      expect(shown.text).not.toContain("Not shown: fewer than 3 answers");
      expect(shown.text).toContain(fresh.owner.name);

      const elsewhere = await send(world.ally, "GET", "/app/surveys", {
        as: viaSession(other.admin),
      });
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.text).not.toContain("Loved the panel.");
      expect(elsewhere.text).not.toContain(fresh.owner.name);
      expect(elsewhere.text).toContain("No surveys sent yet.");

      const interviewer = await send(world.ally, "GET", "/app/surveys", {
        as: viaSession(fresh.interviewer),
      });
      expect(interviewer.status).toBe(403);
    });

    it("lets admins set the delay and turn reminders off, and no one else", async () => {
      const form = { candidateSurveys: "yes", delayHours: "4" };
      const refused = await send(world.ally, "POST", "/app/surveys/settings", {
        as: viaSession(org.recruiter),
        form,
      });
      expect(refused.status).toBe(403);
      const saved = await send(world.ally, "POST", "/app/surveys/settings", {
        as: viaSession(org.admin),
        form,
      });
      expect(saved.status).toBe(303);
      const row = await world.store.db
        .selectFrom("survey_settings")
        .selectAll()
        .where("organisation_id", "=", org.owner.orgId)
        .executeTakeFirstOrThrow();
      expect([
        Number(row.candidate_surveys),
        Number(row.delay_hours),
        Number(row.interviewer_reminders),
      ]).toEqual([1, 4, 0]);
      const page = await send(world.ally, "GET", "/app/surveys?saved=1", {
        as: viaSession(org.admin),
      });
      expect(page.text).toContain("Settings saved.");
      expect(page.text).toMatch(/id="field-delayHours"[^>]*value="4"/);
    });
  });
}
