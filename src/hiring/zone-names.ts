/**
 * Time zones as people type them: an IANA name in any case ("europe/london"), or a city the
 * zone is named after ("London", "new york", "São Paulo"), read as that zone when exactly one
 * current zone is named so. Anything else stays as typed, for the schema to refuse by name.
 *
 * @example resolveZoneName("London") // "Europe/London"
 * @example resolveZoneName("Springfield") // "Springfield" (no zone by that name)
 */
let byKey: Map<string, string[]> | undefined;

/** Current IANA zones, UTC first: what the pickers list. */
export function currentZones(): readonly string[] {
  const names =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return ["UTC", ...names.filter((n) => n !== "UTC")];
}

/** Lower case, no accents, spaces for underscores and runs of blanks. */
function keyOf(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/_/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

function index(): Map<string, string[]> {
  if (byKey === undefined) {
    byKey = new Map();
    for (const zone of currentZones()) {
      const city = zone.split("/").at(-1) ?? zone;
      for (const key of new Set([keyOf(zone), keyOf(city)])) {
        byKey.set(key, [...(byKey.get(key) ?? []), zone]);
      }
    }
  }
  return byKey;
}

export function resolveZoneName(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 64) return trimmed;
  const matches = index().get(keyOf(trimmed)) ?? [];
  if (matches.length === 1) return matches[0] as string;
  return trimmed;
}
