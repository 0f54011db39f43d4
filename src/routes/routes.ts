/**
 * The one route table: every screen's hash path written once, read by `parseHash` (the
 * app's router) and by `href` (every link and navigation in the features). The only file
 * under src/ that spells a "#/…" path; routes.test.ts scans for others. Imports nothing.
 *
 * Common case:
 * ```tsx
 * <a href={href({ name: 'key', id: key.id })}>…</a>     // "#/keys/key_ab%2Fcd"
 * parseHash('#/keys/key_ab%2Fcd')                        // { name: 'key', id: 'key_ab/cd' }
 * href({ name: 'audit' }, { action: 'key.create' })      // "#/audit?action=key.create"
 * ```
 */

/** Every screen the app can show. */
export type Route =
  | { name: 'home' }
  | { name: 'keys' }
  | { name: 'key-new' }
  | { name: 'key-import' }
  | { name: 'key'; id: string }
  | { name: 'cas' }
  | { name: 'ca-new' }
  | { name: 'ca-bulk' }
  | { name: 'crl'; caId: string }
  | { name: 'certs' }
  | { name: 'cert-issue' }
  | { name: 'cert-csr'; keyId?: string }
  | { name: 'cert'; id: string }
  | { name: 'lifecycle' }
  | { name: 'audit' }
  // Backup and restore (A7)
  | { name: 'backup' }
  // Verifier (E8)
  | { name: 'verify' }
  // KDC
  | { name: 'kdc' }
  | { name: 'kdc-principals' }
  | { name: 'kdc-attacks' }
  | { name: 'kdc-keys' }
  // Key exchange
  | { name: 'exchange' }
  // Walkthroughs: the step index is 0-based (walkthroughs/types.ts)
  | { name: 'walkthroughs' }
  | { name: 'walkthrough-step'; id: string; step: number }
  | { name: 'walkthrough-object'; id: string; step: number; kind: 'key' | 'cert' | 'crl'; objectId: string }
  // Vault lock settings (issue 16)
  | { name: 'lock-settings' }
  | { name: 'not-found'; path: string };

/** A route a link can point at: any but not-found, which only parsing produces. */
export type LinkRoute = Exclude<Route, { name: 'not-found' }>;

/** The query a list screen keeps in its hash (filters, page); empty values are left out. */
export type HashQuery = Readonly<Record<string, string | undefined>>;

/** Moves to another screen, given an `href` (the app passes its router's navigate). */
export type Navigate = (hash: string) => void;

/** Reads one path segment (already URI-decoded) into a field's value, or refuses it. */
interface Codec<T> {
  read(segment: string): T | undefined;
  write(value: T): string;
}

/** Any non-empty text, such as an object id; written URI-encoded. */
const text: Codec<string> = { read: (s) => s, write: encodeURIComponent };
/** A walkthrough's 0-based step index: one to three digits. */
const stepIndex: Codec<number> = { read: (s) => (/^\d{1,3}$/.test(s) ? Number(s) : undefined), write: String };
/** The kind of a walkthrough object. */
const objectKind: Codec<'key' | 'cert' | 'crl'> = { read: (s) => (s === 'key' || s === 'cert' || s === 'crl' ? s : undefined), write: (k) => k };

type Fields<R> = Exclude<keyof R, 'name'>;

/**
 * A segment that holds one field of the route. `optional` only on the last segment: the
 * path may stop before it, and the field then takes `absent` (left out when undefined).
 */
type Slot<R> = { [F in Fields<R>]: { field: F; codec: Codec<NonNullable<R[F]>>; optional?: { absent: R[F] } } }[Fields<R>];

/** A route's path, segment by segment: a fixed word or a field. */
type Shape<R> = ReadonlyArray<string | Slot<R>>;

type RouteTable = { readonly [N in LinkRoute['name']]: Shape<Extract<LinkRoute, { name: N }>> };

/**
 * THE table. Where two shapes match one path, the one with more fixed words wins
 * (`#/keys/new` is key-new, not the key called "new"): ids that are such a word do not
 * round-trip, and the engine's prefixed ids (key_, cert_, ca_) never are.
 */
const TABLE: RouteTable = {
  home: [],
  keys: ['keys'],
  'key-new': ['keys', 'new'],
  'key-import': ['keys', 'import'],
  key: ['keys', { field: 'id', codec: text }],
  cas: ['ca'],
  'ca-new': ['ca', 'new'],
  'ca-bulk': ['ca', 'bulk'],
  crl: ['ca', { field: 'caId', codec: text }, 'crl'],
  certs: ['certs'],
  'cert-issue': ['certs', 'issue'],
  'cert-csr': ['certs', 'csr', { field: 'keyId', codec: text, optional: { absent: undefined } }],
  cert: ['certs', { field: 'id', codec: text }],
  lifecycle: ['lifecycle'],
  audit: ['audit'],
  backup: ['backup'],
  verify: ['verify'],
  kdc: ['kdc'],
  'kdc-principals': ['kdc', 'principals'],
  'kdc-attacks': ['kdc', 'attacks'],
  'kdc-keys': ['kdc', 'keys'],
  exchange: ['exchange'],
  walkthroughs: ['walkthroughs'],
  // "#/walkthroughs/<id>" is step 0; links always carry the index.
  'walkthrough-step': ['walkthroughs', { field: 'id', codec: text }, { field: 'step', codec: stepIndex, optional: { absent: 0 } }],
  'walkthrough-object': [
    'walkthroughs',
    { field: 'id', codec: text },
    { field: 'step', codec: stepIndex },
    { field: 'kind', codec: objectKind },
    { field: 'objectId', codec: text },
  ],
  'lock-settings': ['settings', 'lock'],
};

/** The table's entries with the field types erased: the generic reader and writer below. */
type AnySlot = { field: string; codec: Codec<unknown>; optional?: { absent: unknown } };
const ENTRIES = Object.entries(TABLE) as Array<[LinkRoute['name'], ReadonlyArray<string | AnySlot>]>;
const SHAPES = TABLE as unknown as Readonly<Record<LinkRoute['name'], ReadonlyArray<string | AnySlot>>>;

/** The route's fields if the decoded segments fit the shape, else undefined. */
function match(shape: ReadonlyArray<string | AnySlot>, parts: readonly string[]): Record<string, unknown> | undefined {
  const last = shape[shape.length - 1];
  const stopsEarly = typeof last === 'object' && last.optional !== undefined && parts.length === shape.length - 1;
  if (parts.length !== shape.length && !stopsEarly) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [i, seg] of shape.entries()) {
    if (i === parts.length) {
      // Only the optional last slot gets here (stopsEarly).
      const absent = (seg as AnySlot).optional!.absent;
      if (absent !== undefined) fields[(seg as AnySlot).field] = absent;
      break;
    }
    if (typeof seg === 'string') {
      if (parts[i] !== seg) return undefined;
      continue;
    }
    const value = seg.codec.read(parts[i]!);
    if (value === undefined) return undefined;
    fields[seg.field] = value;
  }
  return fields;
}

const fixedWords = (shape: ReadonlyArray<string | AnySlot>) => shape.filter((s) => typeof s === 'string').length;

/** Parses a location hash ("#/keys/abc", any "?query" ignored) into a route. */
export function parseHash(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  // Only "#/..." is a route; other fragments (the skip link's "#main") mean home.
  if (!raw.startsWith('/')) return { name: 'home' };
  const path = raw.split('?')[0]!;
  let parts: string[];
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { name: 'not-found', path };
  }
  let best: { route: Route; words: number } | undefined;
  for (const [name, shape] of ENTRIES) {
    const fields = match(shape, parts);
    const words = fixedWords(shape);
    if (fields && (!best || words > best.words)) best = { route: { name, ...fields } as Route, words };
  }
  return best?.route ?? { name: 'not-found', path };
}

/** Adds a query to a hash path ("#/audit" + {page: "2"} → "#/audit?page=2"); empty values are left out. */
export function withQuery(path: string, query: HashQuery): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The hash that shows a route ("#/keys/key_1"), with a list screen's query if given. */
export function href(route: LinkRoute, query?: HashQuery): string {
  const r = route as unknown as Record<string, unknown>;
  const segments: string[] = [];
  for (const seg of SHAPES[route.name]) {
    if (typeof seg === 'string') {
      segments.push(seg);
      continue;
    }
    const value = r[seg.field];
    if (value === undefined && seg.optional) break;
    segments.push(seg.codec.write(value));
  }
  const path = `#/${segments.join('/')}`;
  return query ? withQuery(path, query) : path;
}

/** The path part of a hash ("#/audit?action=x" → "#/audit"): what names a screen. */
export function hashPath(hash: string): string {
  return hash.split('?')[0]!;
}

/** The query part of a hash ("#/audit?action=x" → action=x). */
export function queryOfHash(hash: string): URLSearchParams {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}
