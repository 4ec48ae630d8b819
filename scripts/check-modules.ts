/**
 * Module boundaries, checked on every `npm test`:
 *
 * 1. A module owns its tables. Each `src/<module>/tables.ts` (and `link-tables.ts`) declares an
 *    `interface <Name>Tables { table: Row; … }`; only files under `src/<module>/` may name those
 *    tables in a query (Kysely's `selectFrom`, `insertInto`, `updateTable`, `deleteFrom`, joins,
 *    or raw `sql` text). Other modules call the owner's exported functions.
 * 2. No import cycles between modules (a module is the first folder under `src/`): a cycle
 *    means two modules cannot be understood, tested or replaced apart.
 * 3. A module's handle narrowing (`src/<module>/db.ts`, e.g. `hiringDb(handle)`) is imported
 *    only inside that module: the type checker keeps each handle to its owner's tables, and
 *    this keeps another module from narrowing to them (`foreignNarrowings`).
 * 4. No handle typed to the whole schema outside `src/store/`: a `Kysely<Database>`,
 *    `Transaction<Database>` or `ControlledTransaction<Database>` could query every module's
 *    tables. Modules take the shared `AnyHandle` and narrow it; the composition root passes it
 *    on as one (`wideHandles`).
 * 5. No function over 150 lines (`longFunctions`), tables of data excepted: a reader should be
 *    able to hold one function in view. Split a long one into named steps.
 *
 * Existing exceptions are listed, each with a reason, in `scripts/module-boundaries.json`. The
 * check fails on a new crossing, cycle or long function, and on a listed exception that no
 * longer occurs (so the list only shrinks). Exempt: `src/store/` (migrations build every table) and
 * `src/privacy/data-map.ts`.
 *
 * @example npx tsx scripts/check-modules.ts        # prints nothing, exits 0 when clean
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { z } from "zod";

const projectRoot = resolve(import.meta.dirname, "..");

const QUERY_METHODS = new Set([
  "selectFrom",
  "insertInto",
  "updateTable",
  "deleteFrom",
  "innerJoin",
  "leftJoin",
  "rightJoin",
  "fullJoin",
  "replaceInto",
  "mergeInto",
]);
const EXEMPT_FILES = new Set(["src/privacy/data-map.ts"]);
const EXEMPT_MODULES = new Set(["store"]);

const allowSchema = z.object({
  tableAccess: z.array(z.object({ file: z.string(), table: z.string(), reason: z.string() })),
  cycles: z.array(z.object({ modules: z.array(z.string()).min(2), reason: z.string() })),
  longFunctions: z
    .array(z.object({ file: z.string(), name: z.string(), reason: z.string() }))
    .default([]),
});

function readAllowed(root: string) {
  const allowFile = join(root, "scripts", "module-boundaries.json");
  return allowSchema.parse(JSON.parse(readFileSync(allowFile, "utf8")));
}

interface Tree {
  root: string;
  srcDir: string;
}

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listSourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Table name → owning module, read from each module's `*Tables` interface. */
function tableOwners(tree: Tree, files: string[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const file of files.filter((f) => /(^|\/)(link-)?tables\.ts$/.test(f))) {
    const source = parse(file);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node) || !/Tables$/.test(node.name.text)) return;
      for (const member of node.members) {
        if (member.name && ts.isIdentifier(member.name)) {
          owners.set(member.name.text, moduleOf(tree, file));
        }
      }
    });
  }
  return owners;
}

function parse(file: string): ts.SourceFile {
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, kind);
}

function stringsOf(node: ts.Node): string[] {
  if (ts.isStringLiteralLike(node)) return [node.text];
  if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap(stringsOf);
  return [];
}

const RAW_SQL_TABLE = /\b(?:from|join|into|update|table)\s+"?([a-z_][a-z0-9_]*)"?/gi;

/** Every table a file names in a query position, with the module that file belongs to. */
function tablesNamed(source: ts.SourceFile, owners: Map<string, string>): Set<string> {
  const named = new Set<string>();
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      QUERY_METHODS.has(node.expression.name.text) &&
      node.arguments[0]
    ) {
      for (const text of stringsOf(node.arguments[0])) {
        const table = text.trim().split(/\s+/)[0] ?? "";
        if (owners.has(table)) named.add(table);
      }
    }
    if (ts.isTaggedTemplateExpression(node) && node.tag.getText(source) === "sql") {
      for (const match of node.template.getText(source).matchAll(RAW_SQL_TABLE)) {
        const table = match[1] ?? "";
        if (owners.has(table)) named.add(table);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return named;
}

/** Module → modules it imports (type-only imports count: they couple the two as well). */
function moduleImports(tree: Tree, files: string[]): Map<string, Set<string>> {
  const { srcDir } = tree;
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    const from = moduleOf(tree, file);
    if (!relative(srcDir, file).includes("/")) continue; // src/*.ts: shared leaves
    const source = parse(file);
    for (const statement of source.statements) {
      const specifier =
        (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
        statement.moduleSpecifier &&
        ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      if (!specifier?.startsWith(".")) continue;
      const target = resolve(file, "..", specifier);
      if (!target.startsWith(`${srcDir}/`)) continue;
      const to = moduleOf(tree, target);
      if (to === from || !relative(srcDir, target).includes("/")) continue;
      if (EXEMPT_MODULES.has(to) || EXEMPT_MODULES.has(from)) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)?.add(to);
    }
  }
  return edges;
}

/** Strongly connected components with more than one module (Tarjan). */
function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  const connect = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) connect(node);
  return components;
}

export interface BoundaryReport {
  newTableAccess: { file: string; table: string; owner: string }[];
  staleTableAccess: { file: string; table: string }[];
  newCycles: string[][];
  staleCycles: string[][];
}

const moduleOf = (tree: Tree, file: string) => relative(tree.srcDir, file).split("/")[0] ?? "";

/** Checks the project under `root` (its `src/` and `scripts/module-boundaries.json`). */
export function checkModules(root = projectRoot): BoundaryReport {
  const tree = { root, srcDir: join(root, "src") };
  const allowed = readAllowed(root);
  const files = listSourceFiles(tree.srcDir);
  const owners = tableOwners(tree, files);
  const crossings: { file: string; table: string; owner: string }[] = [];
  for (const file of files) {
    const rel = relative(root, file);
    if (EXEMPT_FILES.has(rel) || EXEMPT_MODULES.has(moduleOf(tree, file))) continue;
    for (const table of tablesNamed(parse(file), owners)) {
      const owner = owners.get(table)!;
      if (owner !== moduleOf(tree, file)) crossings.push({ file: rel, table, owner });
    }
  }
  const key = (a: { file: string; table: string }) => `${a.file} ${a.table}`;
  const allowedAccess = new Set(allowed.tableAccess.map(key));
  const seenAccess = new Set(crossings.map(key));
  const cycles = cyclesOf(moduleImports(tree, files));
  const cycleKey = (modules: string[]) => [...modules].sort().join(" ");
  const allowedCycles = new Set(allowed.cycles.map((c) => cycleKey(c.modules)));
  const seenCycles = new Set(cycles.map(cycleKey));
  return {
    newTableAccess: crossings.filter((c) => !allowedAccess.has(key(c))),
    staleTableAccess: allowed.tableAccess.filter((a) => !seenAccess.has(key(a))),
    newCycles: cycles.filter((c) => !allowedCycles.has(cycleKey(c))),
    staleCycles: allowed.cycles.map((c) => c.modules).filter((m) => !seenCycles.has(cycleKey(m))),
  };
}

/** Imports of another module's `db.ts` (its handle narrowing): file → the module it narrows to. */
export function foreignNarrowings(root = projectRoot): { file: string; module: string }[] {
  const tree = { root, srcDir: join(root, "src") };
  const found: { file: string; module: string }[] = [];
  for (const file of listSourceFiles(tree.srcDir)) {
    const from = moduleOf(tree, file);
    if (EXEMPT_MODULES.has(from)) continue;
    for (const statement of parse(file).statements) {
      if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
      const specifier = statement.moduleSpecifier;
      if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) continue;
      const target = resolve(file, "..", specifier.text).replace(/\.js$/, ".ts");
      if (!target.startsWith(`${tree.srcDir}/`) || !target.endsWith("/db.ts")) continue;
      const owner = moduleOf(tree, target);
      if (owner !== from && relative(tree.srcDir, target) === `${owner}/db.ts`) {
        found.push({ file: relative(root, file), module: owner });
      }
    }
  }
  return found;
}

const WIDE_HANDLE_TYPES = new Set(["Kysely", "Transaction", "ControlledTransaction"]);

/** Handles typed to the whole schema (`Kysely<Database>`, ...) outside `src/store/`: file and line. */
export function wideHandles(root = projectRoot): { file: string; line: number; text: string }[] {
  const tree = { root, srcDir: join(root, "src") };
  const found: { file: string; line: number; text: string }[] = [];
  for (const file of listSourceFiles(tree.srcDir)) {
    if (EXEMPT_MODULES.has(moduleOf(tree, file))) continue;
    const source = parse(file);
    const visit = (node: ts.Node) => {
      if (
        ts.isTypeReferenceNode(node) &&
        ts.isIdentifier(node.typeName) &&
        WIDE_HANDLE_TYPES.has(node.typeName.text) &&
        node.typeArguments?.[0]?.getText(source) === "Database"
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push({ file: relative(root, file), line: line + 1, text: node.getText(source) });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** Functions longer than this many lines (first to last, inclusive) fail the check. */
export const MAX_FUNCTION_LINES = 150;

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** `x`, `(x)`, `x as const`, `x satisfies T`, `<T>x` → `x`. */
function unwrapExpression(node: ts.Expression): ts.Expression {
  let inner = node;
  while (
    ts.isParenthesizedExpression(inner) ||
    ts.isAsExpression(inner) ||
    ts.isSatisfiesExpression(inner) ||
    ts.isTypeAssertionExpression(inner)
  ) {
    inner = inner.expression;
  }
  return inner;
}

function containsFunction(node: ts.Node): boolean {
  return isFunctionLike(node) || (ts.forEachChild(node, containsFunction) ?? false);
}

/**
 * A table of data: the function's whole body is one object or array literal it returns (an arrow
 * whose body is the literal, or a block holding only `return <literal>`), and the literal holds
 * no function (methods, arrows, function expressions), so it is data, not a service built of
 * closures. Its length is the length of the table, not of any logic.
 */
function isDataTable(fn: FunctionLike): boolean {
  const body = fn.body;
  if (!body) return false;
  let returned: ts.Expression | undefined;
  if (ts.isBlock(body)) {
    const [only, ...rest] = body.statements;
    if (only && rest.length === 0 && ts.isReturnStatement(only)) returned = only.expression;
  } else {
    returned = body;
  }
  if (!returned) return false;
  const literal = unwrapExpression(returned);
  return (
    (ts.isObjectLiteralExpression(literal) || ts.isArrayLiteralExpression(literal)) &&
    !containsFunction(literal)
  );
}

/** The name a reader would look for: the declaration's, or what the function is assigned to. */
function functionName(fn: FunctionLike, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(fn)) return "constructor";
  if (fn.name) return fn.name.getText(source);
  const parent = fn.parent;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)) &&
    parent.name
  ) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) {
    return `(function passed to ${parent.expression.getText(source).slice(0, 60)})`;
  }
  return "(anonymous function)";
}

/**
 * Every function under `src/` longer than `maxLines`, measured from the line it starts on
 * (after its doc comment) to the line it ends on. Nested functions are measured on their own
 * and also count in the length of the function around them, as a reader sees both.
 */
export function longFunctions(
  root = projectRoot,
  maxLines = MAX_FUNCTION_LINES,
): { file: string; line: number; name: string; lines: number }[] {
  const found: { file: string; line: number; name: string; lines: number }[] = [];
  for (const file of listSourceFiles(join(root, "src"))) {
    const source = parse(file);
    const visit = (node: ts.Node) => {
      if (isFunctionLike(node) && node.body && !isDataTable(node)) {
        const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        if (lines > maxLines) {
          const name = functionName(node, source);
          found.push({ file: relative(root, file), line: first + 1, name, lines });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

export interface FunctionLengthReport {
  tooLong: { file: string; line: number; name: string; lines: number }[];
  staleExceptions: { file: string; name: string }[];
}

/**
 * Long functions not listed in `module-boundaries.json` (`longFunctions`, by file and name), and
 * listed ones that are no longer long (so the list only shrinks).
 */
export function checkFunctionLengths(root = projectRoot): FunctionLengthReport {
  const allowed = readAllowed(root).longFunctions;
  const key = (f: { file: string; name: string }) => `${f.file} ${f.name}`;
  const allowedKeys = new Set(allowed.map(key));
  const found = longFunctions(root);
  const foundKeys = new Set(found.map(key));
  return {
    tooLong: found.filter((f) => !allowedKeys.has(key(f))),
    staleExceptions: allowed
      .filter((a) => !foundKeys.has(key(a)))
      .map(({ file, name }) => ({ file, name })),
  };
}

function main(): number {
  const report = checkModules();
  const lengths = checkFunctionLengths();
  const lines = [
    ...wideHandles().map(
      (w) =>
        `${w.file}:${w.line} types a handle as ${w.text}: take AnyHandle and narrow it to the module's tables`,
    ),
    ...lengths.tooLong.map(
      (f) =>
        `${f.file}:${f.line} ${f.name} (${f.lines} lines) is over ${MAX_FUNCTION_LINES} lines: split it into named steps`,
    ),
    ...lengths.staleExceptions.map(
      (f) =>
        `${f.file} ${f.name} is no longer over ${MAX_FUNCTION_LINES} lines: remove it from module-boundaries.json`,
    ),
    ...foreignNarrowings().map(
      (n) => `${n.file} imports ${n.module}/db.ts: call ${n.module}'s functions with the handle`,
    ),
    ...report.newTableAccess.map(
      (c) => `${c.file} queries "${c.table}", owned by ${c.owner}/: call a function of ${c.owner}/`,
    ),
    ...report.staleTableAccess.map(
      (a) => `${a.file} no longer queries "${a.table}": remove it from module-boundaries.json`,
    ),
    ...report.newCycles.map((c) => `import cycle between modules: ${c.join(" ↔ ")}`),
    ...report.staleCycles.map(
      (c) => `the cycle ${c.join(" ↔ ")} is gone: remove it from module-boundaries.json`,
    ),
  ];
  for (const line of lines) console.error(line);
  return lines.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.exitCode = main();
}
