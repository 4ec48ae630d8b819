/**
 * No function over 150 lines, tables of data excepted (`scripts/check-modules.ts`,
 * `longFunctions` and `checkFunctionLengths`): on a small project written to a temporary
 * folder, and on Ally itself.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkFunctionLengths, longFunctions } from "../../scripts/check-modules.js";

let folders: string[] = [];
afterEach(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  folders = [];
});

const noExceptions = { tableAccess: [], cycles: [], longFunctions: [] };

function project(files: Record<string, string>, allowed: object = noExceptions) {
  const root = mkdtempSync(join(tmpdir(), "ally-function-length-"));
  folders.push(root);
  const all = { ...files, "scripts/module-boundaries.json": JSON.stringify(allowed) };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** `count` lines of statements, one per line. */
const statements = (count: number) =>
  Array.from({ length: count }, (_, i) => `  total += ${i};`).join("\n");

/** A function of exactly `lines` lines, from its first line to its closing brace. */
const functionOf = (name: string, lines: number) =>
  `export function ${name}() {\n  let total = 0;\n${statements(lines - 4)}\n  return total;\n}`;

describe("function length", () => {
  it("reports a function over 150 lines with its file, line, name and length", () => {
    const root = project({
      "src/engine/plan.ts": `// header\n\n${functionOf("plan", 151)}\n`,
    });
    expect(longFunctions(root)).toEqual([
      { file: "src/engine/plan.ts", line: 3, name: "plan", lines: 151 },
    ]);
  });

  it("accepts a function of exactly 150 lines", () => {
    const root = project({ "src/engine/plan.ts": functionOf("plan", 150) });
    expect(longFunctions(root)).toEqual([]);
  });

  it("names arrow functions, methods and JSX components by what they are assigned to", () => {
    const body = statements(150);
    const root = project({
      "src/web/page.tsx": [
        `export const Page = () => {\n  let total = 0;\n${body}\n  return <p>{total}</p>;\n};`,
        `export class Plan {\n  run() {\n    let total = 0;\n${body}\n    return total;\n  }\n}`,
      ].join("\n"),
    });
    expect(longFunctions(root).map((f) => f.name)).toEqual(["Page", "run"]);
  });

  it("counts a nested function on its own and in the whole text of the function around it", () => {
    const inner = `  const inner = () => {\n    let total = 0;\n${statements(150)}\n    return total;\n  };`;
    const root = project({
      "src/booking/service.ts": `export function outer() {\n${inner}\n  return inner;\n}`,
    });
    expect(longFunctions(root).map((f) => [f.name, f.lines])).toEqual([
      ["outer", 157],
      ["inner", 154],
    ]);
  });

  it("exempts a function whose whole body returns a literal table of data", () => {
    const rows = Array.from({ length: 200 }, (_, i) => `    { code: "c${i}", status: ${i} },`);
    const root = project({
      "src/errors.ts": [
        `export function statusTable() {\n  return [\n${rows.join("\n")}\n  ] as const;\n}`,
        `export const codes = () => ({\n${rows.map((_row, i) => `  k${i}: ${i},`).join("\n")}\n});`,
      ].join("\n"),
    });
    expect(longFunctions(root)).toEqual([]);
  });

  it("does not exempt a returned object that holds functions (a service, not a table)", () => {
    const methods = Array.from(
      { length: 80 },
      (_, i) => `    m${i}() {\n      return ${i};\n    },`,
    );
    const root = project({
      "src/booking/service.ts": `export function createService() {\n  return {\n${methods.join("\n")}\n  };\n}`,
    });
    expect(longFunctions(root).map((f) => f.name)).toEqual(["createService"]);
  });

  it("accepts a listed exception and reports one that is no longer long", () => {
    const root = project(
      { "src/engine/plan.ts": functionOf("plan", 151), "src/engine/fit.ts": functionOf("fit", 10) },
      {
        ...noExceptions,
        longFunctions: [
          { file: "src/engine/plan.ts", name: "plan", reason: "r" },
          { file: "src/engine/fit.ts", name: "fit", reason: "r" },
        ],
      },
    );
    expect(checkFunctionLengths(root)).toEqual({
      tooLong: [],
      staleExceptions: [{ file: "src/engine/fit.ts", name: "fit" }],
    });
  });

  it("finds no unlisted long function in Ally and no stale exception", () => {
    expect(checkFunctionLengths()).toEqual({ tooLong: [], staleExceptions: [] });
  });
});
