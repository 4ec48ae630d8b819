/**
 * Stored JSON is validated, never cast: `JSON.parse(text) as T` trusts whatever a row (or a
 * provider) holds. Everything parsed goes through a zod schema (src/store/stored-json.ts
 * `parseStoredJson` for stored values). This guard scans src/ and fails on any `JSON.parse(…) as`
 * outside the allow-list below, and on an allow-list entry that no longer matches (so it only
 * shrinks).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseStoredJson, StoredJsonError } from "../../src/store/stored-json.js";

const root = resolve(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function unwrap(node: ts.Expression): ts.Expression {
  return ts.isParenthesizedExpression(node) ? unwrap(node.expression) : node;
}

function isJsonParse(node: ts.Expression): boolean {
  const inner = unwrap(node);
  return (
    ts.isCallExpression(inner) &&
    ts.isPropertyAccessExpression(inner.expression) &&
    ts.isIdentifier(inner.expression.expression) &&
    inner.expression.expression.text === "JSON" &&
    inner.expression.name.text === "parse"
  );
}

/** Lines (1-based) where a `JSON.parse(…)` result is cast with `as` or `<T>`. */
function castJsonParses(text: string, fileName = "file.ts"): number[] {
  const kind = fileName.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const lines: number[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) &&
      isJsonParse(node.expression)
    ) {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
    node.forEachChild(visit);
  };
  visit(source);
  return lines;
}

let scanned: Map<string, number[]> | undefined;

/** Each file of src/ with cast JSON.parse results, and their lines (scanned once). */
function castsInSrc(): Map<string, number[]> {
  if (scanned !== undefined) return scanned;
  const found = new Map<string, number[]>();
  for (const file of sourceFiles(join(root, "src"))) {
    const lines = castJsonParses(readFileSync(file, "utf8"), file);
    if (lines.length > 0) found.set(relative(root, file), lines);
  }
  scanned = found;
  return found;
}

describe("stored JSON", () => {
  it("finds a cast JSON.parse however it is written, and not a validated one", () => {
    const text = [
      "const a = JSON.parse(row.payload) as Payload;",
      "const b = (JSON.parse(\n  await box.open(row.credentials),\n) as { url: string }).url;",
      "const c = <string[]>JSON.parse(text);",
      "const d = parseStoredJson(schema, text, 'x');",
      "const e: unknown = JSON.parse(text);",
      "const f = schema.parse(JSON.parse(text));",
    ].join("\n");
    expect(castJsonParses(text)).toEqual([1, 2, 5]);
  });

  it("casts no JSON.parse result anywhere in src", () => {
    const casts = [...castsInSrc()].map(([file, lines]) => `${file}:${lines.join(",")}`);
    expect(
      casts,
      "validate with parseStoredJson (src/store/stored-json.ts) or a zod schema",
    ).toEqual([]);
  });
});

describe("parseStoredJson", () => {
  const schema = z.object({ url: z.string() });

  it("returns the value when the stored text matches the schema", () => {
    expect(
      parseStoredJson(
        schema,
        '{"url":"https://cal.example"}',
        "calendar_connections.credentials of cal_1",
      ),
    ).toEqual({
      url: "https://cal.example",
    });
  });

  it("names what was stored when the text is not JSON", () => {
    expect(() => parseStoredJson(schema, "{not json", "scheduled_jobs.payload of 7")).toThrow(
      "stored scheduled_jobs.payload of 7 is not valid: it is not JSON",
    );
  });

  it("names what was stored and where it differs when the shape is wrong, without its content", () => {
    let caught: unknown;
    try {
      parseStoredJson(
        schema,
        '{"url":42,"password":"hunter2"}',
        "calendar_connections.credentials of cal_1",
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoredJsonError);
    expect((caught as StoredJsonError).what).toBe("calendar_connections.credentials of cal_1");
    expect((caught as Error).message).toMatch(
      /^stored calendar_connections\.credentials of cal_1 is not valid: .* at url$/,
    );
    expect((caught as Error).message).not.toContain("hunter2");
    expect((caught as Error).message).not.toContain("42");
  });
});
