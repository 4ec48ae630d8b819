/** Which failures mean "the database is unreachable just now" rather than "this statement is wrong". */
import { describe, expect, it } from "vitest";
import { databaseUnavailable } from "../../src/store/database.js";

function pgError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("databaseUnavailable", () => {
  it.each([
    [
      "a terminated backend (57P01)",
      pgError("terminating connection due to administrator command", "57P01"),
    ],
    ["a server in recovery (57P03)", pgError("the database system is starting up", "57P03")],
    ["a connection exception (08006)", pgError("connection failure", "08006")],
    ["too many connections (53300)", pgError("sorry, too many clients already", "53300")],
    ["a refused socket", pgError("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["a socket that died", new Error("Connection terminated unexpectedly")],
    [
      "a client already broken",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    ["a pool with no connection to give", new Error("timeout exceeded when trying to connect")],
  ])("answers DATABASE_UNAVAILABLE for %s", (_, error) => {
    const mapped = databaseUnavailable(error);
    expect(mapped?.code).toBe("DATABASE_UNAVAILABLE");
    expect(mapped?.cause).toBe(error);
  });

  it.each([
    ["a unique violation", pgError("duplicate key value violates unique constraint", "23505")],
    ["a serialization failure", pgError("could not serialize access", "40001")],
    [
      "a SQLite constraint",
      pgError("UNIQUE constraint failed: users.email", "SQLITE_CONSTRAINT_UNIQUE"),
    ],
    ["a bug", new TypeError("Cannot read properties of undefined")],
    ["a thrown string", "boom"],
  ])("leaves %s alone", (_, error) => {
    expect(databaseUnavailable(error)).toBeUndefined();
  });
});
