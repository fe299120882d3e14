const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * The time between two runs of a cron expression, for the forms CRON_SCHEDULE uses:
 * minutes spread evenly over every hour ("2,17,32,47 * * * *" → 15 min), one minute
 * every hour ("7 * * * *" → 1 h) and once a day ("23 3 * * *" → 24 h). Anything else
 * throws rather than guess, so a schedule change cannot silently skew /health's staleness
 * (the health tests compute every job's interval).
 */
export function intervalMsOf(cron: string): number {
  const [minutes, hours, dayOfMonth, month, dayOfWeek, ...rest] = cron.trim().split(/\s+/);
  const everyDay = dayOfMonth === "*" && month === "*" && dayOfWeek === "*" && rest.length === 0;
  const minuteList = minutes?.split(",").map(Number) ?? [];
  const validMinutes = minuteList.length > 0 && minuteList.every((minute) => Number.isInteger(minute) && minute >= 0 && minute < 60);
  if (everyDay && validMinutes && hours === "*" && 60 % minuteList.length === 0) return HOUR_MS / minuteList.length;
  if (everyDay && validMinutes && minuteList.length === 1 && /^\d{1,2}$/.test(hours ?? "")) return DAY_MS;
  throw new Error(`intervalMsOf: unsupported cron expression "${cron}"`);
}
