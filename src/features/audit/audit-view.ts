/**
 * How the audit page reads entries to people: actions in words, the objects an entry is
 * about as links to their own pages, the outcome, and the filters kept in the hash query
 * (`#/audit?action=key.create&object=alpha&actor=operator&from=2030-01-01&to=2030-01-31&q=text`).
 */
import type { AuditEntry } from '../../engine';
import { href } from '../../routes/routes';

/** Every action Clavis records, in words. */
export const ACTION_WORDS: Readonly<Record<string, string>> = {
  'key.create': 'Key created',
  'key.rename': 'Key renamed',
  'key.export': 'Key exported',
  'key.rotate': 'Key rotated',
  'key.transition': 'Key state changed',
  'key.dates': 'Key dates changed',
  'key.delete': 'Key deleted',
  'key.destroy': 'Key destroyed',
  'principal.revoke': 'Owner revoked',
  'principal.reinstate': 'Owner reinstated',
  'ca.create': 'CA created',
  'ca.discard': 'CA discarded',
  'cert.issue': 'Certificate issued',
  'cert.refused': 'Certificate refused',
  'cert.revoke': 'Certificate revoked',
  'crl.publish': 'CRL published',
  'kdc.principal.register': 'KDC principal registered',
  'kdc.principal.suspend': 'KDC principal suspended',
  'kdc.principal.revoke': 'KDC principal revoked',
  'kdc.principal.reinstate': 'KDC principal reinstated',
  'kdc.principal.rotate': 'KDC principal key rotated',
  'kdc.key.store': 'KDC key stored',
  'kdc.key.retrieve': 'KDC key retrieved',
  'kdc.key.revoke': 'KDC key revoked',
  'kdc.ticket.issue': 'KDC ticket issued',
  'kdc.ticket.accept': 'KDC ticket accepted',
  'kdc.ticket.refuse': 'KDC ticket refused',
  'exchange.established': 'Key exchange completed',
  'exchange.refused': 'Key exchange refused',
};

/** An action in words; an action this page does not know is spelled out from its dotted name. */
export function actionWords(action: string): string {
  const known = ACTION_WORDS[action];
  if (known) return known;
  const words = action.replace(/[.-]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Actions that record a refusal rather than a change. */
const REFUSALS = new Set(['cert.refused', 'kdc.ticket.refuse', 'exchange.refused', 'ca.discard']);

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The outcome of an entry in words: "Done", or "Refused" with why when the entry says. */
export function outcomeOf(e: AuditEntry): { refused: boolean; text: string } {
  if (!REFUSALS.has(e.action)) {
    if (e.action === 'key.transition' && text(e.details['from']) && text(e.details['to'])) {
      return { refused: false, text: `Done: ${String(e.details['from'])} → ${String(e.details['to'])}` };
    }
    return { refused: false, text: 'Done' };
  }
  const why = text(e.details['error']) ?? text(e.details['why']) ?? text(e.details['reason']) ?? text(e.details['message']);
  return { refused: true, text: why ? `Refused: ${why}` : 'Refused' };
}

/** One object an entry is about, with the page that shows it (when Clavis has one). */
export interface AuditObject {
  id: string;
  kind: string;
  href?: string;
}

/** The page of an object id, by its prefix: key_, cert_, ca_, kdk_, exch_. */
export function objectOf(id: string): AuditObject {
  if (id.startsWith('key_')) return { id, kind: 'Key', href: href({ name: 'key', id }) };
  if (id.startsWith('cert_')) return { id, kind: 'Certificate', href: href({ name: 'cert', id }) };
  if (id.startsWith('ca_')) return { id, kind: 'CA', href: href({ name: 'crl', caId: id }) };
  if (id.startsWith('kdk_')) return { id, kind: 'KDC key', href: href({ name: 'kdc-keys' }) };
  if (id.startsWith('tkt_')) return { id, kind: 'KDC ticket' };
  if (id.startsWith('exch_')) return { id, kind: 'Key exchange', href: href({ name: 'exchange' }) };
  return { id, kind: 'Object' };
}

/** The principal (owner) an entry names, if any. */
export function principalOf(e: AuditEntry): string | undefined {
  const p = e.details['principal'];
  if (p && typeof p === 'object' && !Array.isArray(p)) return text((p as Record<string, unknown>)['name']);
  return undefined;
}

/** Names of objects as the log itself records them (key names at creation and rename). */
export function objectNames(entries: readonly AuditEntry[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const e of entries) {
    const name = text(e.details['name']);
    if (name && (e.action === 'key.create' || e.action === 'key.rename') && e.subject[0]) names.set(e.subject[0], name);
  }
  return names;
}

/** The audit page's filters, as kept in the hash query. */
export interface AuditListFilter {
  action: string;
  /** An id, or part of a name, of an object the entry is about. */
  object: string;
  actor: string;
  /** Local dates, YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  /** Text anywhere in the entry. */
  text: string;
}

export const NO_FILTER: AuditListFilter = { action: '', object: '', actor: '', from: '', to: '', text: '' };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Filters from a hash query; anything malformed is ignored, and so is the `page` of links
 * from before the log scrolled as one list.
 */
export function parseAuditQuery(q: URLSearchParams): AuditListFilter {
  const get = (k: string) => q.get(k) ?? '';
  const date = (k: string) => (DATE.test(get(k)) ? get(k) : '');
  return { action: get('action'), object: get('object'), actor: get('actor'), from: date('from'), to: date('to'), text: get('q') };
}

/** The hash query values of filters (empty ones are left out by the writer). */
export function auditQuery(f: AuditListFilter): Record<string, string> {
  return { action: f.action, object: f.object, actor: f.actor, from: f.from, to: f.to, q: f.text };
}

/** Local midnight of a YYYY-MM-DD date, in ms. */
function localDay(d: string): number {
  const [y, m, day] = d.split('-').map(Number);
  return new Date(y!, m! - 1, day!).getTime();
}

/**
 * Entries matching the filters: exact action and actor; the object as an id among the
 * subjects (or details' keyId) or part of the recorded name or principal; local date range;
 * text anywhere in the entry.
 */
export function filterAuditEntries(entries: readonly AuditEntry[], f: AuditListFilter, names: ReadonlyMap<string, string> = new Map()): AuditEntry[] {
  const object = f.object.trim().toLowerCase();
  const t = f.text.trim().toLowerCase();
  const from = f.from ? localDay(f.from) : -Infinity;
  const to = f.to ? localDay(f.to) + 86_400_000 : Infinity;
  return entries.filter((e) => {
    if (f.action && e.action !== f.action) return false;
    if (f.actor && e.actor !== f.actor) return false;
    if (from !== -Infinity || to !== Infinity) {
      const at = Date.parse(e.at);
      if (!(at >= from && at < to)) return false;
    }
    if (object) {
      const ids = [...e.subject, ...(typeof e.details['keyId'] === 'string' ? [e.details['keyId']] : [])];
      const hit =
        ids.some((id) => id.toLowerCase() === object || (names.get(id) ?? '').toLowerCase().includes(object)) ||
        (principalOf(e) ?? '').toLowerCase().includes(object);
      if (!hit) return false;
    }
    if (t) {
      const hay = JSON.stringify({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, words: actionWords(e.action), subject: e.subject, details: e.details }).toLowerCase();
      if (!hay.includes(t)) return false;
    }
    return true;
  });
}
