/**
 * The account's life on every database: a member edits their own details (a new email is used
 * only once confirmed from that address), an owner edits the organisation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccountsService } from "../../src/accounts/service.js";
import { listAudit } from "../../src/privacy/audit-log.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  linkTokenFromMail,
  META,
  send,
  T0,
  unique,
  viaSession,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("the account's life on $dialect", (database) => {
  let world: World;
  let accounts: AccountsService;

  beforeAll(async () => {
    world = await createWorld(database);
    accounts = world.deps.accounts;
  });
  afterAll(async () => {
    await world?.drop();
  });
  beforeEach(() => {
    world.clock.set(T0);
  });

  const mailsTo = (email: string, kind: string) =>
    world.store.db
      .selectFrom("outbox")
      .select(["kind", "text_body"])
      .where("to_address", "=", email)
      .where("kind", "=", kind)
      .execute();

  describe("a member's own details", () => {
    it("saves the member's name, telephone and postal address, and clears the optional ones", async () => {
      const { recruiter } = await createOrganisation(world);
      const outcome = await accounts.updateProfile(
        recruiter.actor,
        {
          name: "Rita Recruiter",
          email: recruiter.email,
          phone: "+44 20 7946 0000",
          postalAddress: "2 Low Road, Leeds",
        },
        META,
      );
      expect(outcome).toBe("saved");
      expect(await accounts.getProfile(recruiter.actor)).toEqual({
        name: "Rita Recruiter",
        email: recruiter.email,
        phone: "+44 20 7946 0000",
        postalAddress: "2 Low Road, Leeds",
        pendingEmail: null,
      });
      await accounts.updateProfile(
        recruiter.actor,
        { name: "Rita Recruiter", email: recruiter.email, phone: "", postalAddress: "" },
        META,
      );
      expect(await accounts.getProfile(recruiter.actor)).toMatchObject({
        phone: "",
        postalAddress: "",
      });
      const audit = await listAudit(world.store.db, recruiter.orgId);
      expect(audit.some((a) => a.action === "account-updated" && a.target === "profile")).toBe(
        true,
      );
    });

    it("keeps the old email until the link mailed to the new address is opened", async () => {
      const { recruiter } = await createOrganisation(world);
      const newEmail = `new-${unique()}@elsewhere.example`;
      const outcome = await accounts.updateProfile(
        recruiter.actor,
        { name: recruiter.name, email: newEmail, phone: "", postalAddress: "" },
        META,
      );
      expect(outcome).toBe("confirm-new-email");
      expect(await accounts.getProfile(recruiter.actor)).toMatchObject({
        email: recruiter.email,
        pendingEmail: newEmail,
      });
      // Until confirmed, the old address still signs in and the new one does not.
      await expect(
        accounts.signIn({ email: newEmail, password: recruiter.password }, META),
      ).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
      await accounts.signIn({ email: recruiter.email, password: recruiter.password }, META);
      expect(await mailsTo(recruiter.email, "change-email-notice")).toHaveLength(1);

      const token = await linkTokenFromMail(world, newEmail, "change-email");
      expect(await accounts.confirmEmailChange(token, META)).toEqual({ email: newEmail });
      expect(await accounts.getProfile(recruiter.actor)).toMatchObject({
        email: newEmail,
        pendingEmail: null,
      });
      await accounts.signIn({ email: newEmail, password: recruiter.password }, META);
      await expect(accounts.confirmEmailChange(token, META)).rejects.toMatchObject({
        code: "TOKEN_INVALID",
      });
    });

    it("refuses a confirmation link after 48 hours", async () => {
      const { interviewer } = await createOrganisation(world);
      const newEmail = `late-${unique()}@elsewhere.example`;
      await accounts.updateProfile(
        interviewer.actor,
        { name: interviewer.name, email: newEmail, phone: "", postalAddress: "" },
        META,
      );
      const token = await linkTokenFromMail(world, newEmail, "change-email");
      world.clock.set(T0 + 48 * 3_600_000);
      await expect(accounts.confirmEmailChange(token, META)).rejects.toMatchObject({
        code: "TOKEN_INVALID",
      });
      expect((await accounts.getProfile(interviewer.actor)).email).toBe(interviewer.email);
    });

    it("refuses an email another account uses, when asked and when confirmed", async () => {
      const first = await createOrganisation(world);
      const second = await createOrganisation(world);
      await expect(
        accounts.updateProfile(
          first.recruiter.actor,
          { name: "R", email: second.owner.email, phone: "", postalAddress: "" },
          META,
        ),
      ).rejects.toMatchObject({ code: "EMAIL_TAKEN", field: "email" });

      const wanted = `wanted-${unique()}@elsewhere.example`;
      await accounts.updateProfile(
        first.admin.actor,
        { name: "A", email: wanted, phone: "", postalAddress: "" },
        META,
      );
      await accounts.updateProfile(
        second.admin.actor,
        { name: "B", email: wanted, phone: "", postalAddress: "" },
        META,
      );
      await accounts.confirmEmailChange(
        await linkTokenFromMail(world, wanted, "change-email"),
        META,
      );
      // The first link to the same address is the older one; the second admin took it.
      const firstLink = await world.store.db
        .selectFrom("outbox")
        .select("text_body")
        .where("to_address", "=", wanted)
        .where("kind", "=", "change-email")
        .orderBy("id", "asc")
        .executeTakeFirstOrThrow();
      const token = decodeURIComponent(/token=([^\s&]+)/.exec(firstLink.text_body)?.[1] ?? "");
      await expect(accounts.confirmEmailChange(token, META)).rejects.toMatchObject({
        code: "EMAIL_TAKEN",
      });
      expect((await accounts.getProfile(first.admin.actor)).email).toBe(first.admin.email);
    });

    it("shows and saves the details through the page and the API", async () => {
      const { recruiter } = await createOrganisation(world);
      const page = await send(world.ally, "GET", "/app/account/profile", {
        as: viaSession(recruiter),
      });
      expect(page.status).toBe(200);
      expect(page.text).toContain(recruiter.email);
      const saved = await send(world.ally, "POST", "/app/account/profile", {
        as: viaSession(recruiter),
        form: {
          name: "Page Name",
          email: recruiter.email,
          phone: "+33 1 23 45 67 89",
          postalAddress: "3 rue de Paris",
        },
      });
      expect(saved.status).toBe(200);
      const api = await send(world.ally, "GET", "/api/v1/me/profile", {
        as: viaSession(recruiter),
      });
      expect(api.json()).toMatchObject({
        name: "Page Name",
        phone: "+33 1 23 45 67 89",
        postalAddress: "3 rue de Paris",
      });
    });

    it("answers a bad confirmation link with 400 and changes nothing", async () => {
      const answer = await send(world.ally, "POST", "/confirm-email-change", {
        form: { token: "not-a-token" },
      });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain("invalid");
    });
  });

  describe("the organisation's details", () => {
    it("lets an owner rename the organisation", async () => {
      const { owner } = await createOrganisation(world);
      await accounts.updateOrganisation(owner.actor, { name: "Renamed Ltd" }, META);
      expect(await accounts.getOrganisation(owner.actor)).toMatchObject({ name: "Renamed Ltd" });
    });

    it("refuses an admin renaming the organisation, on the service, the API and the page", async () => {
      const { admin, owner } = await createOrganisation(world);
      await expect(
        accounts.updateOrganisation(admin.actor, { name: "Hijacked" }, META),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      const api = await send(world.ally, "PATCH", "/api/v1/organisation", {
        as: viaSession(admin),
        json: { name: "Hijacked" },
      });
      expect(api.status).toBe(403);
      const page = await send(world.ally, "POST", "/app/organisation", {
        as: viaSession(admin),
        form: { name: "Hijacked" },
      });
      expect(page.status).toBe(403);
      expect((await accounts.getOrganisation(owner.actor)).name).not.toBe("Hijacked");
    });
  });
});
