// Field readers for the evidence inputs (trace summaries, CloudTrail events): each value is checked
// where it is read, and a bad one raises an EvidenceInputError naming its path.

/** A trace-summary or change-event input the engine cannot read; `field` is the path to the bad value. */
export class EvidenceInputError extends Error {
  override readonly name = 'EvidenceInputError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field ? `${field}: ${problem}` : problem);
  }
}

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function at(path: string, member: string | number): string {
  const m = typeof member === 'number' ? `[${member}]` : member;
  if (!path) return m;
  return m.startsWith('[') ? `${path}${m}` : `${path}.${m}`;
}

export function shown(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const bad = (field: string, expected: string, v: unknown) =>
  new EvidenceInputError(field, `expected ${expected}, got ${shown(v)}`);

export function optString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw bad(field, 'a string', v);
  return v;
}

export function optBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(field, 'true or false', v);
  return v;
}

export function optSeconds(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(field, 'seconds ≥ 0', v);
  return v + 0;
}

export function optList(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(field, 'a list', v);
  return v;
}

export function object(v: unknown, field: string): Obj {
  if (!isObj(v)) throw bad(field, 'an object', v);
  return v;
}

/** Epoch seconds (wire), ISO-8601 (AWS CLI v2) or a Date (SDK in memory) → epoch milliseconds. */
export function optTime(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  let ms: number | undefined;
  if (v instanceof Date) ms = v.getTime();
  else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) ms = v * 1000;
  else if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) ms = Date.parse(v);
  if (ms === undefined || Number.isNaN(ms) || ms > Date.UTC(9999, 11, 31)) {
    throw bad(field, 'epoch seconds or an ISO-8601 time', v);
  }
  return ms;
}

/** A response, or a list of its pages (NextToken chain): the pages, each with its path. */
export function pagesOf(input: unknown, listField: string, what: string): { page: Obj; path: string }[] {
  const pages = Array.isArray(input) ? input : [input];
  if (pages.length === 0) throw new EvidenceInputError('', `expected ${what}, got an empty list`);
  return pages.map((page, i) => {
    const path = Array.isArray(input) ? `[${i}]` : '';
    if (!isObj(page) || !(listField in page)) {
      throw new EvidenceInputError(path, `not ${what}: expected an object with a "${listField}" list`);
    }
    return { page, path };
  });
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** At most `max` characters, an ellipsis marking a cut. */
export function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}
