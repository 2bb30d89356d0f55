/**
 * One CSV field (RFC 4180), as popgate's CSV exports write them: a field with a comma, quote or line break is quoted,
 * its quotes doubled; arrays join with `;`, other objects are JSON; a text a spreadsheet would take for a formula
 * (= + - @ first, such as a client's request id) is led by an apostrophe.
 */
export function csvField(value: unknown): string {
  const raw = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(';') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
