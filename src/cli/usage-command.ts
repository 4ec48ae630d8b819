/**
 * The operator's usage analytics, from the command line where the database already is: views of
 * the public pages by visitors not signed in (Ally's own site), counted only with their
 * analytics consent. Organisations see their own members' usage at `/app/usage`; this never
 * shows an organisation's rows.
 *
 * `ally usage [DAYS]`: page views per day over the last DAYS (default 30, at most 400), then
 * the top pages, referring sites, browsers, systems and devices.
 */
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE = "usage: ally usage [DAYS]";

export async function usageCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const [daysText, extra] = args;
  if (extra !== undefined || (daysText !== undefined && !/^\d{1,3}$/.test(daysText))) {
    io.stderr(`ally usage: give the number of days, 1 to 400 (${USAGE})`);
    return 2;
  }
  const days = daysText === undefined ? 30 : Number(daysText);
  if (days < 1 || days > 400) {
    io.stderr(`ally usage: give the number of days, 1 to 400 (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { usageReport } = await import("../consent/analytics.js");
  const store = openStore(config.database.url);
  try {
    await migrateToLatest(store.db, store.dialect);
    const report = await usageReport(store.db, { kind: "operator" }, io.nowEpochMs(), days);
    io.stdout(`Public pages, last ${days} days: ${report.totalViews} page views\n`);
    for (const day of report.perDay) {
      if (day.views > 0) io.stdout(`  ${day.day}  ${day.views} views  ${day.visitors} visitors\n`);
    }
    const lists: Array<[string, typeof report.topPages]> = [
      ["Top pages", report.topPages],
      ["Referring sites", report.referrers],
      ["Browsers", report.browsers],
      ["Systems", report.systems],
      ["Devices", report.devices],
    ];
    for (const [title, counts] of lists) {
      io.stdout(`${title}:${counts.length === 0 ? " none" : ""}\n`);
      for (const c of counts) io.stdout(`  ${String(c.count).padStart(6)}  ${c.label}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
