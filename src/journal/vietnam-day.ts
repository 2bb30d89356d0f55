/** Vietnam keeps UTC+7 all year (no daylight saving): the day the journal's users see. */
const VIETNAM_OFFSET_MS = 7 * 3600 * 1000;

/** The Vietnamese calendar day (`YYYY-MM-DD`) of an instant. */
export function vietnamDay(at: Date | number): string {
  return new Date((typeof at === 'number' ? at : at.getTime()) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** The day `days` after `day` (`YYYY-MM-DD`; negative goes back). */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The name of the journal partition holding a Vietnamese day, as the CreateCallJournal migration's function names it. */
export function partitionName(day: string): string {
  return `call_journal_${day.replaceAll('-', '')}`;
}
