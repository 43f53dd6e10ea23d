// CSV as RFC 4180 writes it (fields joined by commas, CRLF line ends, a field quoted when it
// holds a quote, comma, CR or LF, quotes doubled), with OWASP's guard against formula
// injection. Hand-written: the rules fit in a dozen lines and every export streams rows of
// its own, so a dependency would bring more surface than it saves.

// A spreadsheet runs text starting with one of these as a formula (OWASP "CSV Injection").
const FORMULA_START = /^[=+\-@\t\r]/;

// One field. Numbers and booleans as written (a negative number stays a number); text
// that would start a formula gets a leading apostrophe and quotes; objects become JSON.
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  let text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
  const formula = FORMULA_START.test(text);
  if (formula) text = `'${text}`;
  // leading or trailing blanks are quoted too, so that readers that trim keep them
  return formula || /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

// One record with its CRLF.
export function csvRow(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
