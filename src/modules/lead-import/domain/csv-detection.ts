/**
 * Pure helpers of the lead CSV import: what counts as a CSV upload, and which columns look like identifiers.
 */

/** LIMP-1: larger uploads answer 413. */
export const LEAD_IMPORT_MAX_BYTES = 10 * 1024 * 1024;

/** Declared part types a CSV arrives with (browsers send `application/vnd.ms-excel` for .csv on Windows, curl `application/octet-stream`). */
export const CSV_CONTENT_TYPES = new Set([
  '',
  'text/csv',
  'text/plain',
  'text/x-csv',
  'text/comma-separated-values',
  'application/csv',
  'application/x-csv',
  'application/vnd.ms-excel',
  'application/octet-stream',
]);

/** Leading bytes of common binary formats mistaken for CSV uploads (xlsx/zip, xls/OLE, PDF, PNG, JPEG, GIF, gzip). */
const MAGIC: { name: string; bytes: number[] }[] = [
  { name: 'a ZIP archive (e.g. .xlsx)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'an OLE document (e.g. .xls)', bytes: [0xd0, 0xcf, 0x11, 0xe0] },
  { name: 'a PDF document', bytes: [0x25, 0x50, 0x44, 0x46] },
  { name: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'a GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'a gzip archive', bytes: [0x1f, 0x8b] },
];

/** Why a declared content type is not a CSV one, or null when it is. */
export function contentTypeProblem(mimeType: string | undefined): string | null {
  const t = (mimeType ?? '').split(';')[0].trim().toLowerCase();
  return CSV_CONTENT_TYPES.has(t) ? null : `the file was sent as ${t}, not as CSV (text/csv)`;
}

/**
 * Why the first bytes of an upload are not CSV text, or null when they may be: a known binary signature, or a
 * NUL byte (text CSV never holds one; UTF-16 files do, and are not supported).
 */
export function sniffProblem(head: Buffer): string | null {
  for (const m of MAGIC) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) return `the file is ${m.name}, not CSV text`;
  }
  if (head.includes(0)) return 'the file holds binary data (NUL bytes), not UTF-8 CSV text';
  return null;
}

const EMAIL_VALUE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMAIL_HEADER = /e[-_ ]?mail/i;
const PHONE_HEADER = /phone|mobile|(^|[^a-z])(tel|cell|msisdn)([^a-z]|$)/i;
const PHONE_VALUE = /^\+?[0-9 ().\-/]+$/;

function looksLikePhone(v: string): boolean {
  if (!PHONE_VALUE.test(v)) return false;
  const digits = v.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

/**
 * Columns that hold e-mail addresses or phone numbers: by header name (`email`, `E-Mail`, `work_email`; `phone`,
 * `mobile`, `tel`, `cell`), or by the sample values when every non-empty one looks like an address (a@b.c) or a
 * phone number (7–15 digits with at least one value written with `+`, spaces, dashes, dots or parentheses, so
 * that plain numeric ids are not taken for phones). A column is listed once, as e-mail before phone.
 */
export function detectIdentifierColumns(headers: string[], samples: Record<string, string>[]): { email_columns: string[]; phone_columns: string[] } {
  const email_columns: string[] = [];
  const phone_columns: string[] = [];
  for (const h of headers) {
    const values = samples.map((r) => (r[h] ?? '').trim()).filter((v) => v !== '');
    const allEmails = values.length > 0 && values.every((v) => EMAIL_VALUE.test(v));
    if (EMAIL_HEADER.test(h) || allEmails) {
      email_columns.push(h);
      continue;
    }
    const allPhones = values.length > 0 && values.every(looksLikePhone) && values.some((v) => /\D/.test(v));
    if (PHONE_HEADER.test(h) || allPhones) phone_columns.push(h);
  }
  return { email_columns, phone_columns };
}

/** LEAD-10's attribute key rule, used for the metadata field names of `field_mappings`. */
export const METADATA_KEY = /^[A-Za-z0-9_\-. ]{1,64}$/;

/** Problems with a header row: blank or repeated names make mappings ambiguous. */
export function headerProblems(headers: string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  headers.forEach((h, i) => {
    if (h === '') problems.push(`column ${i + 1} has no name`);
    else if (seen.has(h)) problems.push(`column name '${h}' appears more than once`);
    seen.add(h);
  });
  return problems;
}

/** A data row as `{header: value}`; missing cells are empty, cells beyond the header are ignored. */
export function rowObject(headers: string[], cells: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((h, i) => (out[h] = cells[i] ?? ''));
  return out;
}
