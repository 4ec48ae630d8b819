/**
 * An API token's "last used" is kept to the minute: a token in steady use is written at most
 * once a minute, not on every request (each write was one more statement per API call).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createWorld,
  META,
  type Person,
  signUpOwner,
  T0,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("an API token's last use on $dialect", (database) => {
  let world: World;
  let owner: Person;

  beforeAll(async () => {
    world = await createWorld(database);
    owner = await signUpOwner(world);
  });
  afterAll(async () => {
    await world?.drop();
  });

  async function lastUsed(name: string): Promise<number | null | undefined> {
    const tokens = await world.deps.accounts.listApiTokens(owner.actor);
    return tokens.find((t) => t.name === name)?.lastUsedAt;
  }

  it("is written on first use, kept for the next minute, and written again after it", async () => {
    world.clock.set(T0);
    const { token } = await apiTokenFor(world, owner, "steady use");
    expect(await lastUsed("steady use")).toBeNull();
    expect(await world.deps.accounts.authenticateApiToken(token)).toMatchObject({
      userId: owner.userId,
    });
    expect(await lastUsed("steady use")).toBe(T0);
    world.clock.advance(59_999);
    expect(await world.deps.accounts.authenticateApiToken(token)).toBeDefined();
    expect(await lastUsed("steady use")).toBe(T0);
    world.clock.advance(1);
    expect(await world.deps.accounts.authenticateApiToken(token)).toBeDefined();
    expect(await lastUsed("steady use")).toBe(T0 + 60_000);
  });

  it("still refuses a revoked token, whenever it was last used", async () => {
    world.clock.set(T0);
    const { token, info } = await apiTokenFor(world, owner, "revoked");
    expect(await world.deps.accounts.authenticateApiToken(token)).toBeDefined();
    await world.deps.accounts.revokeApiToken(owner.actor, info.id, META);
    expect(await world.deps.accounts.authenticateApiToken(token)).toBeUndefined();
  });
});
