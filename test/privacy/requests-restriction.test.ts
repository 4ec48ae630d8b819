/**
 * Restriction stops outbound paths (GDPR art. 18): once a candidate's restriction request is
 * completed, the outbox queues no mail to them (but still answers their privacy requests), and
 * their interview requests offer and book no time. Lifting it restores both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESTRICTED_WARNING } from "../../src/booking/options.js";
import { mintOrgId } from "../../src/ids.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { liftPersonFlag, setPersonFlag } from "../../src/privacy/restriction.js";
import { testDatabases } from "../support/databases.js";
import { makeRequest, sendRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  unique,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("restriction on $dialect", (database) => {
  let world: World;
  let org: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world, "Restriction Ltd");
  });
  afterAll(async () => {
    await world?.drop();
  });

  const queuedTo = async (email: string) =>
    world.store.db.selectFrom("outbox").select("kind").where("to_address", "=", email).execute();

  it("queues no mail to a restricted address, whatever its case, but still answers their privacy requests", async () => {
    const email = `restricted-${unique()}@example.com`;
    await setPersonFlag(world.store.db, email, "restricted", T0, null);
    const message = (kind: string, to: string) => ({
      organisationId: mintOrgId(org.owner.orgId),
      kind,
      to,
      subject: "Hello",
      text: "Hello.",
    });
    for (const kind of ["interview-invitation", "booking-link", "interview-reminder"]) {
      const sent = await enqueueMail(world.store.db, message(kind, email.toUpperCase()), T0);
      expect(sent).toEqual({ messageId: null, notSent: "restricted" });
    }
    expect(await queuedTo(email.toUpperCase())).toEqual([]);
    const answer = await enqueueMail(world.store.db, message("privacy-request-answer", email), T0);
    expect(answer.messageId).not.toBeNull();
    const someoneElse = `free-${unique()}@example.com`;
    expect(
      (await enqueueMail(world.store.db, message("booking-link", someoneElse), T0)).messageId,
    ).not.toBeNull();
  });

  it("offers and books no time for a restricted candidate, and sends them no link, until the restriction is lifted", async () => {
    const { request, candidateEmail } = await makeRequest(world, org);
    const before = await world.deps.booking.options(org.owner.actor, request.id);
    expect(before.options.length).toBeGreaterThan(0);

    await setPersonFlag(world.store.db, candidateEmail, "restricted", T0, null);
    const during = await world.deps.booking.options(org.owner.actor, request.id);
    expect(during).toMatchObject({ options: [], warnings: [RESTRICTED_WARNING] });
    const booking = world.deps.booking.book(org.owner.actor, request.id, {
      optionId: before.options[0]?.id as string,
      idempotencyKey: `idempotency-key-${unique()}`,
    });
    await expect(booking).rejects.toMatchObject({ code: "SLOT_TAKEN" });
    await sendRequest(world, org.owner, request.id).catch(() => undefined);
    expect(await queuedTo(candidateEmail)).toEqual([]);

    await liftPersonFlag(world.store.db, candidateEmail, "restricted");
    const after = await world.deps.booking.options(org.owner.actor, request.id);
    expect(after.options.length).toBeGreaterThan(0);
  });
});
