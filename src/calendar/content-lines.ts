/**
 * RFC 5545 3.1 content lines: unfolding, property names, parameters (quoted or not) and raw
 * values, assembled into a tree of components (BEGIN/END). Values stay raw text; typed reading
 * happens in `ical.ts`.
 */

export interface ContentLine {
  /** Upper-case property name. */
  name: string;
  /** Upper-case parameter names to their values (quotes removed, comma lists split). */
  params: Record<string, string[]>;
  /** The raw value, still escaped. */
  value: string;
  /** 1-based line of the file where the (folded) line begins. */
  line: number;
}

export interface Component {
  /** Upper-case component name, such as "VEVENT". */
  name: string;
  properties: ContentLine[];
  components: Component[];
  line: number;
}

export interface LineProblem {
  line: number;
  message: string;
}

/** Splits text into unfolded logical lines with the physical line each begins on. */
export function unfoldLines(text: string): { text: string; line: number }[] {
  const physical = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const out: { text: string; line: number }[] = [];
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i] as string;
    const first = raw.charCodeAt(0);
    // RFC 5545 3.1: a line that begins with a space or tab continues the previous one.
    if ((first === 32 || first === 9) && out.length > 0) {
      const last = out[out.length - 1] as { text: string; line: number };
      last.text += raw.slice(1);
    } else if (raw.length > 0) {
      out.push({ text: raw, line: i + 1 });
    }
  }
  return out;
}

/**
 * Parses one unfolded content line.
 * @example parseContentLine('DTSTART;TZID="Europe/Berlin":20260301T090000', 1)
 */
export function parseContentLine(text: string, line: number): ContentLine | undefined {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 58 /* : */ || c === 59 /* ; */) break;
    i++;
  }
  if (i >= n || i === 0) return undefined;
  const name = text.slice(0, i).trim().toUpperCase();
  const params: Record<string, string[]> = {};
  while (text.charCodeAt(i) === 59 /* ; */) {
    i++;
    const eq = text.indexOf("=", i);
    if (eq < 0) return undefined;
    const paramName = text.slice(i, eq).trim().toUpperCase();
    i = eq + 1;
    const values: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === 34 /* " */) {
        const close = text.indexOf('"', i + 1);
        if (close < 0) return undefined;
        values.push(text.slice(i + 1, close));
        i = close + 1;
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 58 || c === 59) break;
          j++;
        }
        values.push(text.slice(i, j));
        i = j;
      }
      if (text.charCodeAt(i) === 44 /* , */) {
        i++;
        continue;
      }
      break;
    }
    params[paramName] = values;
  }
  if (text.charCodeAt(i) !== 58 /* : */) return undefined;
  return { name, params, value: text.slice(i + 1), line };
}

/** RFC 5545 3.3.11: unescapes a TEXT value. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));
}

/**
 * Reads the component tree of a file. Returns the top-level components (normally VCALENDARs)
 * and problems with lines that could not be read or blocks that were not closed.
 */
export function parseComponents(text: string): { roots: Component[]; problems: LineProblem[] } {
  const roots: Component[] = [];
  const problems: LineProblem[] = [];
  const stack: Component[] = [];
  for (const { text: lineText, line } of unfoldLines(text)) {
    if (lineText.trim() === "") continue;
    const parsed = parseContentLine(lineText, line);
    if (parsed === undefined) {
      problems.push({ line, message: `cannot read content line: ${lineText.slice(0, 80)}` });
      continue;
    }
    if (parsed.name === "BEGIN") {
      const component: Component = {
        name: parsed.value.trim().toUpperCase(),
        properties: [],
        components: [],
        line,
      };
      const parent = stack[stack.length - 1];
      if (parent === undefined) roots.push(component);
      else parent.components.push(component);
      stack.push(component);
    } else if (parsed.name === "END") {
      const name = parsed.value.trim().toUpperCase();
      let depth = stack.length - 1;
      while (depth >= 0 && (stack[depth] as Component).name !== name) depth--;
      if (depth < 0) {
        const top = stack[stack.length - 1];
        // A misspelt END ("END:VTOOD" for VTODO) closes the innermost block it resembles.
        if (top !== undefined && top.name !== "VCALENDAR" && resembles(top.name, name)) {
          problems.push({ line, message: `END:${name} read as END:${top.name}` });
          stack.length -= 1;
        } else {
          problems.push({ line, message: `END:${name} without BEGIN:${name}` });
        }
        continue;
      }
      for (let d = stack.length - 1; d > depth; d--) {
        const open = stack[d] as Component;
        problems.push({ line: open.line, message: `BEGIN:${open.name} is never closed` });
      }
      stack.length = depth;
    } else {
      const current = stack[stack.length - 1];
      if (current === undefined) {
        problems.push({ line, message: `property ${parsed.name} outside any component` });
      } else {
        current.properties.push(parsed);
      }
    }
  }
  for (const open of stack) {
    problems.push({ line: open.line, message: `BEGIN:${open.name} is never closed` });
  }
  return { roots, problems };
}

function resembles(a: string, b: string): boolean {
  if (a.length !== b.length || a.slice(0, 2) !== b.slice(0, 2)) return false;
  let differences = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differences++;
  return differences <= 2;
}

/** The first property of a name, if any. */
export function property(component: Component, name: string): ContentLine | undefined {
  for (const p of component.properties) if (p.name === name) return p;
  return undefined;
}

/** Every property of a name. */
export function properties(component: Component, name: string): ContentLine[] {
  return component.properties.filter((p) => p.name === name);
}
