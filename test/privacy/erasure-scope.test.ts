/**
 * Whose erasure it is: a customer (the controller of its candidates' data) erases a candidate
 * from its own organisation only; another customer's record of the same person stays. And a
 * tombstone outlives a master key rotation.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { fixedClock } from "../../src/clock.js";
import { erasePerson } from "../../src/privacy/erasure.js";
import { createTombstones } from "../../src/privacy/tombstones.js";
import { keyringOf } from "../../src/secrets/keyring.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";
import { appError } from "../support/failures.js";
import {
  createOrganisation,
  MASTER_KEY,
  type Organisation,
  T0,
  testConfig,
  type World,
} from "../support/web-world.js";

const SAM = { name: "Samira Scoped", email: "samira.scoped@home.example", phone: "+1 555 0199" };

function candidateInput(email = SAM.email) {
  return { name: SAM.name, email, phone: SAM.phone, timeZone: null, notes: null };
}

const databases = await testDatabases();

describe.each(databases)("erasure for one organisation on $dialect", (database: TestDatabase) => {
  let world: World;
  let dataDir: string;
  let orgA: Organisation;
  let orgB: Organisation;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ally-erasure-scope-"));
    const { store, url, drop } = await database.create();
    const clock = fixedClock(T0);
    const config = testConfig({ DATABASE_URL: url, DATA_DIR: dataDir });
    const deps = buildDeps(config, store, clock, MASTER_KEY);
    world = { store, url, clock, config, deps, ally: undefined as never, drop };
    orgA = await createOrganisation(world);
    orgB = await createOrganisation(world);
  }, 60_000);

  afterAll(async () => {
    await world?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("erases the candidate from the asking organisation and leaves another customer's record", async () => {
    const inA = await world.deps.hiring.createCandidate(orgA.owner.actor, candidateInput());
    const inB = await world.deps.hiring.createCandidate(orgB.owner.actor, candidateInput());

    const proof = await erasePerson(world.deps.erasure, {
      email: SAM.email,
      orgId: orgA.owner.orgId,
      actorUserId: orgA.admin.userId,
    });

    expect(proof.organisationId).toBe(orgA.owner.orgId);
    expect(proof.tables.candidates).toEqual({ deleted: 0, anonymised: 1 });
    expect(await world.deps.hiring.getCandidate(orgA.owner.actor, inA.id)).toMatchObject({
      name: "a candidate",
      email: "",
    });
    expect(await world.deps.hiring.getCandidate(orgB.owner.actor, inB.id)).toMatchObject({
      name: SAM.name,
      email: SAM.email,
    });
  });

  it("refuses the person again in that organisation only", async () => {
    const refused = await appError(
      world.deps.hiring.createCandidate(orgA.recruiter.actor, candidateInput()),
    );
    expect(refused.code).toBe("PERSON_ERASED");
    const other = await world.deps.hiring.createCandidate(
      orgA.recruiter.actor,
      candidateInput("someone.else@home.example"),
    );
    const renamed = await appError(
      world.deps.hiring.updateCandidate(orgA.recruiter.actor, other.id, candidateInput()),
    );
    expect(renamed.code).toBe("PERSON_ERASED");
    const again = await world.deps.hiring.createCandidate(orgB.recruiter.actor, candidateInput());
    expect(again.email).toBe(SAM.email);
    // Inbound mail is not tied to an organisation when stored: only an erasure from all of
    // Ally refuses it.
    expect(await world.deps.tombstones.isErased(world.store.db, SAM.email)).toBe(false);
    expect(await world.deps.tombstones.isErased(world.store.db, SAM.email, orgA.owner.orgId)).toBe(
      true,
    );
  });

  it("records who asked for the erasure and which proof it made, without the address", async () => {
    const entries = await world.store.db
      .selectFrom("audit_log")
      .select(["actor_user_id", "target"])
      .where("action", "=", "erasure")
      .execute();
    const proofs = await world.store.db.selectFrom("erasure_proofs").select("id").execute();
    expect(entries).toEqual([{ actor_user_id: orgA.admin.userId, target: proofs[0]?.id }]);
  });

  it("still knows an erased address after the master key is rotated, while the old key is listed", async () => {
    const v1 = { version: 1, key: MASTER_KEY };
    const v2 = { version: 2, key: Buffer.alloc(32, 9) };
    const before = createTombstones(keyringOf([v1]));
    await before.record(world.store.db, "rotated@home.example", null, T0);
    const after = createTombstones(keyringOf([v2, v1]));
    expect(await after.isErased(world.store.db, "Rotated@Home.Example")).toBe(true);
    const onlyNew = createTombstones(keyringOf([v2]));
    expect(await onlyNew.isErased(world.store.db, "rotated@home.example")).toBe(false);
  });
});
