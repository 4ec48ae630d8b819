/**
 * Windows time zone names to IANA zones.
 *
 * Outlook and Exchange write Windows zone names as iCalendar TZIDs ("Eastern Standard Time",
 * "W. Europe Standard Time"), and older Outlook versions write the zone's display label
 * ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"). The VTIMEZONE block that
 * comes with them describes only the current rule, so Ally prefers the IANA zone, which knows
 * the history. The table is CLDR's windowsZones.xml territory "001" mapping, written with
 * IANA's current primary names (Asia/Kolkata, not CLDR's Asia/Calcutta).
 */

/** CLDR windowsZones.xml, territory "001": Windows zone name → IANA zone. */
const WINDOWS_TO_IANA: Readonly<Record<string, string>> = {
  "Dateline Standard Time": "Etc/GMT+12",
  "UTC-11": "Etc/GMT+11",
  "Aleutian Standard Time": "America/Adak",
  "Hawaiian Standard Time": "Pacific/Honolulu",
  "Marquesas Standard Time": "Pacific/Marquesas",
  "Alaskan Standard Time": "America/Anchorage",
  "UTC-09": "Etc/GMT+9",
  "Pacific Standard Time (Mexico)": "America/Tijuana",
  "UTC-08": "Etc/GMT+8",
  "Pacific Standard Time": "America/Los_Angeles",
  "US Mountain Standard Time": "America/Phoenix",
  "Mountain Standard Time (Mexico)": "America/Mazatlan",
  "Mountain Standard Time": "America/Denver",
  "Yukon Standard Time": "America/Whitehorse",
  "Central America Standard Time": "America/Guatemala",
  "Central Standard Time": "America/Chicago",
  "Easter Island Standard Time": "Pacific/Easter",
  "Central Standard Time (Mexico)": "America/Mexico_City",
  "Canada Central Standard Time": "America/Regina",
  "SA Pacific Standard Time": "America/Bogota",
  "Eastern Standard Time (Mexico)": "America/Cancun",
  "Eastern Standard Time": "America/New_York",
  "Haiti Standard Time": "America/Port-au-Prince",
  "Cuba Standard Time": "America/Havana",
  "US Eastern Standard Time": "America/Indiana/Indianapolis",
  "Turks And Caicos Standard Time": "America/Grand_Turk",
  "Paraguay Standard Time": "America/Asuncion",
  "Atlantic Standard Time": "America/Halifax",
  "Venezuela Standard Time": "America/Caracas",
  "Central Brazilian Standard Time": "America/Cuiaba",
  "SA Western Standard Time": "America/La_Paz",
  "Pacific SA Standard Time": "America/Santiago",
  "Newfoundland Standard Time": "America/St_Johns",
  "Tocantins Standard Time": "America/Araguaina",
  "E. South America Standard Time": "America/Sao_Paulo",
  "SA Eastern Standard Time": "America/Cayenne",
  "Argentina Standard Time": "America/Argentina/Buenos_Aires",
  "Greenland Standard Time": "America/Nuuk",
  "Montevideo Standard Time": "America/Montevideo",
  "Magallanes Standard Time": "America/Punta_Arenas",
  "Saint Pierre Standard Time": "America/Miquelon",
  "Bahia Standard Time": "America/Bahia",
  "UTC-02": "Etc/GMT+2",
  "Mid-Atlantic Standard Time": "Etc/GMT+2",
  "Azores Standard Time": "Atlantic/Azores",
  "Cape Verde Standard Time": "Atlantic/Cape_Verde",
  UTC: "Etc/UTC",
  "GMT Standard Time": "Europe/London",
  "Greenwich Standard Time": "Atlantic/Reykjavik",
  "Sao Tome Standard Time": "Africa/Sao_Tome",
  "Morocco Standard Time": "Africa/Casablanca",
  "W. Europe Standard Time": "Europe/Berlin",
  "Central Europe Standard Time": "Europe/Budapest",
  "Romance Standard Time": "Europe/Paris",
  "Central European Standard Time": "Europe/Warsaw",
  "W. Central Africa Standard Time": "Africa/Lagos",
  "Jordan Standard Time": "Asia/Amman",
  "GTB Standard Time": "Europe/Bucharest",
  "Middle East Standard Time": "Asia/Beirut",
  "Egypt Standard Time": "Africa/Cairo",
  "E. Europe Standard Time": "Europe/Chisinau",
  "Syria Standard Time": "Asia/Damascus",
  "West Bank Standard Time": "Asia/Hebron",
  "South Africa Standard Time": "Africa/Johannesburg",
  "FLE Standard Time": "Europe/Kyiv",
  "Israel Standard Time": "Asia/Jerusalem",
  "South Sudan Standard Time": "Africa/Juba",
  "Kaliningrad Standard Time": "Europe/Kaliningrad",
  "Sudan Standard Time": "Africa/Khartoum",
  "Libya Standard Time": "Africa/Tripoli",
  "Namibia Standard Time": "Africa/Windhoek",
  "Arabic Standard Time": "Asia/Baghdad",
  "Turkey Standard Time": "Europe/Istanbul",
  "Arab Standard Time": "Asia/Riyadh",
  "Belarus Standard Time": "Europe/Minsk",
  "Russian Standard Time": "Europe/Moscow",
  "E. Africa Standard Time": "Africa/Nairobi",
  "Volgograd Standard Time": "Europe/Volgograd",
  "Iran Standard Time": "Asia/Tehran",
  "Arabian Standard Time": "Asia/Dubai",
  "Astrakhan Standard Time": "Europe/Astrakhan",
  "Azerbaijan Standard Time": "Asia/Baku",
  "Russia Time Zone 3": "Europe/Samara",
  "Mauritius Standard Time": "Indian/Mauritius",
  "Saratov Standard Time": "Europe/Saratov",
  "Georgian Standard Time": "Asia/Tbilisi",
  "Caucasus Standard Time": "Asia/Yerevan",
  "Afghanistan Standard Time": "Asia/Kabul",
  "West Asia Standard Time": "Asia/Tashkent",
  "Qyzylorda Standard Time": "Asia/Qyzylorda",
  "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
  "Pakistan Standard Time": "Asia/Karachi",
  "India Standard Time": "Asia/Kolkata",
  "Sri Lanka Standard Time": "Asia/Colombo",
  "Nepal Standard Time": "Asia/Kathmandu",
  "Central Asia Standard Time": "Asia/Bishkek",
  "Bangladesh Standard Time": "Asia/Dhaka",
  "Omsk Standard Time": "Asia/Omsk",
  "Myanmar Standard Time": "Asia/Yangon",
  "SE Asia Standard Time": "Asia/Bangkok",
  "Altai Standard Time": "Asia/Barnaul",
  "W. Mongolia Standard Time": "Asia/Hovd",
  "North Asia Standard Time": "Asia/Krasnoyarsk",
  "N. Central Asia Standard Time": "Asia/Novosibirsk",
  "Tomsk Standard Time": "Asia/Tomsk",
  "China Standard Time": "Asia/Shanghai",
  "North Asia East Standard Time": "Asia/Irkutsk",
  "Singapore Standard Time": "Asia/Singapore",
  "W. Australia Standard Time": "Australia/Perth",
  "Taipei Standard Time": "Asia/Taipei",
  "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
  "Aus Central W. Standard Time": "Australia/Eucla",
  "Transbaikal Standard Time": "Asia/Chita",
  "Tokyo Standard Time": "Asia/Tokyo",
  "North Korea Standard Time": "Asia/Pyongyang",
  "Korea Standard Time": "Asia/Seoul",
  "Yakutsk Standard Time": "Asia/Yakutsk",
  "Cen. Australia Standard Time": "Australia/Adelaide",
  "AUS Central Standard Time": "Australia/Darwin",
  "E. Australia Standard Time": "Australia/Brisbane",
  "AUS Eastern Standard Time": "Australia/Sydney",
  "West Pacific Standard Time": "Pacific/Port_Moresby",
  "Tasmania Standard Time": "Australia/Hobart",
  "Vladivostok Standard Time": "Asia/Vladivostok",
  "Lord Howe Standard Time": "Australia/Lord_Howe",
  "Bougainville Standard Time": "Pacific/Bougainville",
  "Russia Time Zone 10": "Asia/Srednekolymsk",
  "Magadan Standard Time": "Asia/Magadan",
  "Norfolk Standard Time": "Pacific/Norfolk",
  "Sakhalin Standard Time": "Asia/Sakhalin",
  "Central Pacific Standard Time": "Pacific/Guadalcanal",
  "Russia Time Zone 11": "Asia/Kamchatka",
  "Kamchatka Standard Time": "Asia/Kamchatka",
  "New Zealand Standard Time": "Pacific/Auckland",
  "UTC+12": "Etc/GMT-12",
  "Fiji Standard Time": "Pacific/Fiji",
  "Chatham Islands Standard Time": "Pacific/Chatham",
  "UTC+13": "Etc/GMT-13",
  "Tonga Standard Time": "Pacific/Tongatapu",
  "Samoa Standard Time": "Pacific/Apia",
  "Line Islands Standard Time": "Pacific/Kiritimati",
};

/**
 * Windows display labels, the text after "(UTC+01:00) " or "(GMT+01:00) ", as Outlook wrote
 * them in TZIDs across versions → IANA zone.
 */
const LABEL_TO_IANA: Readonly<Record<string, string>> = {
  "International Date Line West": "Etc/GMT+12",
  "Coordinated Universal Time-11": "Etc/GMT+11",
  "Midway Island, Samoa": "Pacific/Pago_Pago",
  Hawaii: "Pacific/Honolulu",
  Alaska: "America/Anchorage",
  "Baja California": "America/Tijuana",
  "Pacific Time (US & Canada)": "America/Los_Angeles",
  "Pacific Time (US & Canada); Tijuana": "America/Los_Angeles",
  "Pacific Time (US and Canada)": "America/Los_Angeles",
  Arizona: "America/Phoenix",
  "Chihuahua, La Paz, Mazatlan": "America/Mazatlan",
  "La Paz, Mazatlan": "America/Mazatlan",
  "Mountain Time (US & Canada)": "America/Denver",
  "Mountain Time (US and Canada)": "America/Denver",
  "Central America": "America/Guatemala",
  "Central Time (US & Canada)": "America/Chicago",
  "Central Time (US and Canada)": "America/Chicago",
  "Guadalajara, Mexico City, Monterrey": "America/Mexico_City",
  Saskatchewan: "America/Regina",
  "Bogota, Lima, Quito": "America/Bogota",
  "Bogota, Lima, Quito, Rio Branco": "America/Bogota",
  Chetumal: "America/Cancun",
  "Eastern Time (US & Canada)": "America/New_York",
  "Eastern Time (US and Canada)": "America/New_York",
  "Indiana (East)": "America/Indiana/Indianapolis",
  Havana: "America/Havana",
  Haiti: "America/Port-au-Prince",
  Caracas: "America/Caracas",
  Asuncion: "America/Asuncion",
  "Atlantic Time (Canada)": "America/Halifax",
  Cuiaba: "America/Cuiaba",
  "Georgetown, La Paz, Manaus, San Juan": "America/La_Paz",
  Santiago: "America/Santiago",
  Newfoundland: "America/St_Johns",
  Brasilia: "America/Sao_Paulo",
  "Buenos Aires": "America/Argentina/Buenos_Aires",
  "City of Buenos Aires": "America/Argentina/Buenos_Aires",
  "Cayenne, Fortaleza": "America/Cayenne",
  Greenland: "America/Nuuk",
  Montevideo: "America/Montevideo",
  "Coordinated Universal Time-02": "Etc/GMT+2",
  "Mid-Atlantic": "Etc/GMT+2",
  Azores: "Atlantic/Azores",
  "Cape Verde Is.": "Atlantic/Cape_Verde",
  "Coordinated Universal Time": "Etc/UTC",
  "Dublin, Edinburgh, Lisbon, London": "Europe/London",
  "Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London": "Europe/London",
  "Greenwich Mean Time: Dublin, Edinburgh, Lisbon, London": "Europe/London",
  "Monrovia, Reykjavik": "Atlantic/Reykjavik",
  "Casablanca, Monrovia, Reykjavik": "Africa/Casablanca",
  Casablanca: "Africa/Casablanca",
  "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "Europe/Berlin",
  "Belgrade, Bratislava, Budapest, Ljubljana, Prague": "Europe/Budapest",
  "Brussels, Copenhagen, Madrid, Paris": "Europe/Paris",
  "Sarajevo, Skopje, Warsaw, Zagreb": "Europe/Warsaw",
  "West Central Africa": "Africa/Lagos",
  Amman: "Asia/Amman",
  "Athens, Bucharest": "Europe/Bucharest",
  "Athens, Bucharest, Istanbul": "Europe/Bucharest",
  "Athens, Istanbul, Minsk": "Europe/Bucharest",
  Bucharest: "Europe/Bucharest",
  Beirut: "Asia/Beirut",
  Cairo: "Africa/Cairo",
  Chisinau: "Europe/Chisinau",
  Damascus: "Asia/Damascus",
  "Gaza, Hebron": "Asia/Hebron",
  "Harare, Pretoria": "Africa/Johannesburg",
  "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius": "Europe/Kyiv",
  "Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius": "Europe/Kyiv",
  Jerusalem: "Asia/Jerusalem",
  Kaliningrad: "Europe/Kaliningrad",
  Tripoli: "Africa/Tripoli",
  Windhoek: "Africa/Windhoek",
  Baghdad: "Asia/Baghdad",
  Istanbul: "Europe/Istanbul",
  "Kuwait, Riyadh": "Asia/Riyadh",
  Minsk: "Europe/Minsk",
  "Moscow, St. Petersburg": "Europe/Moscow",
  "Moscow, St. Petersburg, Volgograd": "Europe/Moscow",
  Nairobi: "Africa/Nairobi",
  Tehran: "Asia/Tehran",
  "Abu Dhabi, Muscat": "Asia/Dubai",
  Baku: "Asia/Baku",
  "Port Louis": "Indian/Mauritius",
  Tbilisi: "Asia/Tbilisi",
  Yerevan: "Asia/Yerevan",
  Kabul: "Asia/Kabul",
  "Ashgabat, Tashkent": "Asia/Tashkent",
  Tashkent: "Asia/Tashkent",
  Ekaterinburg: "Asia/Yekaterinburg",
  "Islamabad, Karachi": "Asia/Karachi",
  "Chennai, Kolkata, Mumbai, New Delhi": "Asia/Kolkata",
  "Sri Jayawardenepura": "Asia/Colombo",
  Kathmandu: "Asia/Kathmandu",
  Dhaka: "Asia/Dhaka",
  Omsk: "Asia/Omsk",
  "Yangon (Rangoon)": "Asia/Yangon",
  "Bangkok, Hanoi, Jakarta": "Asia/Bangkok",
  Krasnoyarsk: "Asia/Krasnoyarsk",
  Novosibirsk: "Asia/Novosibirsk",
  "Beijing, Chongqing, Hong Kong, Urumqi": "Asia/Shanghai",
  Irkutsk: "Asia/Irkutsk",
  "Kuala Lumpur, Singapore": "Asia/Singapore",
  Perth: "Australia/Perth",
  Taipei: "Asia/Taipei",
  Ulaanbaatar: "Asia/Ulaanbaatar",
  "Osaka, Sapporo, Tokyo": "Asia/Tokyo",
  Pyongyang: "Asia/Pyongyang",
  Seoul: "Asia/Seoul",
  Yakutsk: "Asia/Yakutsk",
  Adelaide: "Australia/Adelaide",
  Darwin: "Australia/Darwin",
  Brisbane: "Australia/Brisbane",
  "Canberra, Melbourne, Sydney": "Australia/Sydney",
  "Guam, Port Moresby": "Pacific/Port_Moresby",
  Hobart: "Australia/Hobart",
  Vladivostok: "Asia/Vladivostok",
  Magadan: "Asia/Magadan",
  "Solomon Is., New Caledonia": "Pacific/Guadalcanal",
  "Auckland, Wellington": "Pacific/Auckland",
  "Coordinated Universal Time+12": "Etc/GMT-12",
  Fiji: "Pacific/Fiji",
  "Fiji, Kamchatka, Marshall Is.": "Pacific/Fiji",
  "Chatham Islands": "Pacific/Chatham",
  "Coordinated Universal Time+13": "Etc/GMT-13",
  "Nuku'alofa": "Pacific/Tongatapu",
  Samoa: "Pacific/Apia",
  "Kiritimati Island": "Pacific/Kiritimati",
};

function normalizeKey(text: string): string {
  return text.replace(/\s+/g, " ").trim().toLowerCase();
}

function indexByNormalizedKey(table: Readonly<Record<string, string>>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [key, zone] of Object.entries(table)) index.set(normalizeKey(key), zone);
  return index;
}

const windowsIndex = indexByNormalizedKey(WINDOWS_TO_IANA);
const labelIndex = indexByNormalizedKey(LABEL_TO_IANA);

/** Strips whitespace and one pair of surrounding double or single quotes. */
function unquote(text: string): string {
  const trimmed = text.trim();
  const first = trimmed[0];
  if (trimmed.length >= 2 && (first === '"' || first === "'") && trimmed.endsWith(first)) {
    return trimmed.slice(1, -1).trim();
  }
  return trimmed;
}

/**
 * The IANA zone for a Windows time zone name, per CLDR's "001" mapping; case-insensitive,
 * tolerant of surrounding quotes and whitespace. `undefined` when the name is not a Windows
 * zone name.
 *
 * @example ianaFromWindowsZone("W. Europe Standard Time") // "Europe/Berlin"
 */
export function ianaFromWindowsZone(name: string): string | undefined {
  return windowsIndex.get(normalizeKey(unquote(name)));
}

/** "(UTC+01:00) Amsterdam, …", "(GMT-05:00) Eastern …", "(UTC) Dublin, …", "(GMT) Greenwich …". */
const DISPLAY_LABEL = /^\(\s*(?:UTC|GMT)\s*(?:[-+\u2212]\s*\d{1,2}(?::?\d{2})?)?\s*\)\s*(.+)$/i;

/**
 * Like {@link ianaFromWindowsZone}, and also understands the display labels older Outlook
 * versions write as TZIDs, matched by the label text after the offset.
 *
 * @example ianaFromWindowsZoneOrLabel("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna") // "Europe/Berlin"
 * @example ianaFromWindowsZoneOrLabel("(GMT-05:00) Eastern Time (US & Canada)") // "America/New_York"
 */
export function ianaFromWindowsZoneOrLabel(name: string): string | undefined {
  const text = unquote(name);
  const windows = ianaFromWindowsZone(text);
  if (windows !== undefined) return windows;
  const label = DISPLAY_LABEL.exec(text)?.[1];
  if (label === undefined) return labelIndex.get(normalizeKey(text));
  const key = normalizeKey(label.replace(/&amp;/gi, "&"));
  return labelIndex.get(key) ?? windowsIndex.get(key);
}

/** Every Windows zone name this module knows, for tests and diagnostics. */
export const knownWindowsZoneNames: readonly string[] = Object.keys(WINDOWS_TO_IANA);

/** Every display label this module knows, for tests and diagnostics. */
export const knownWindowsZoneLabels: readonly string[] = Object.keys(LABEL_TO_IANA);
