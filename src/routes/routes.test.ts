// The route table: hashes parse to the screens they always named, links come out as the
// features wrote them before the table existed, and every route survives href → parseHash.
import { describe, expect, it } from 'vitest';
import { hashPath, href, parseHash, queryOfHash, withQuery, type LinkRoute } from './routes';

describe('parseHash', () => {
  it('maps every route, decodes ids, and treats other fragments as home', () => {
    expect(parseHash('')).toStrictEqual({ name: 'home' });
    expect(parseHash('#/')).toStrictEqual({ name: 'home' });
    expect(parseHash('#main')).toStrictEqual({ name: 'home' });
    expect(parseHash('#/keys')).toStrictEqual({ name: 'keys' });
    expect(parseHash('#/keys/')).toStrictEqual({ name: 'keys' });
    expect(parseHash('#/keys/new')).toStrictEqual({ name: 'key-new' });
    expect(parseHash('#/keys/import')).toStrictEqual({ name: 'key-import' });
    expect(parseHash('#/keys/key_ab%2Fcd')).toStrictEqual({ name: 'key', id: 'key_ab/cd' });
    expect(parseHash('#/keys/a/b')).toStrictEqual({ name: 'not-found', path: '/keys/a/b' });
    expect(parseHash('#/keys/%E0%A4%A')).toStrictEqual({ name: 'not-found', path: '/keys/%E0%A4%A' });
    expect(parseHash('#/pki')).toStrictEqual({ name: 'not-found', path: '/pki' });
  });

  it('F2: maps the walkthrough index and each step’s deep link (0-based step index)', () => {
    expect(parseHash('#/walkthroughs')).toStrictEqual({ name: 'walkthroughs' });
    expect(parseHash('#/walkthroughs/key-life')).toStrictEqual({ name: 'walkthrough-step', id: 'key-life', step: 0 });
    expect(parseHash('#/walkthroughs/key-life/4')).toStrictEqual({ name: 'walkthrough-step', id: 'key-life', step: 4 });
    expect(parseHash('#/walkthroughs/key-life/x')).toStrictEqual({ name: 'not-found', path: '/walkthroughs/key-life/x' });
    expect(parseHash('#/walkthroughs/key-life/1000')).toStrictEqual({ name: 'not-found', path: '/walkthroughs/key-life/1000' });
    expect(parseHash('#/walkthroughs/key-life/3/key')).toStrictEqual({ name: 'not-found', path: '/walkthroughs/key-life/3/key' });
    expect(parseHash('#/walkthroughs/key-life/3/key/key_1')).toStrictEqual({ name: 'walkthrough-object', id: 'key-life', step: 3, kind: 'key', objectId: 'key_1' });
    expect(parseHash('#/walkthroughs/key-life/3/vault/key_1')).toStrictEqual({ name: 'not-found', path: '/walkthroughs/key-life/3/vault/key_1' });
  });

  it('maps the certificate, CA, KDC and settings screens, a fixed word winning over an id', () => {
    expect(parseHash('#/ca')).toStrictEqual({ name: 'cas' });
    expect(parseHash('#/ca/new')).toStrictEqual({ name: 'ca-new' });
    expect(parseHash('#/ca/bulk')).toStrictEqual({ name: 'ca-bulk' });
    expect(parseHash('#/ca/ca_1')).toStrictEqual({ name: 'not-found', path: '/ca/ca_1' });
    expect(parseHash('#/ca/new/crl')).toStrictEqual({ name: 'crl', caId: 'new' });
    expect(parseHash('#/certs/issue')).toStrictEqual({ name: 'cert-issue' });
    expect(parseHash('#/certs/issue/x')).toStrictEqual({ name: 'not-found', path: '/certs/issue/x' });
    expect(parseHash('#/certs/csr')).toStrictEqual({ name: 'cert-csr' });
    expect(parseHash('#/certs/csr/key_1')).toStrictEqual({ name: 'cert-csr', keyId: 'key_1' });
    expect(parseHash('#/certs/cert_1')).toStrictEqual({ name: 'cert', id: 'cert_1' });
    expect(parseHash('#/kdc/keys')).toStrictEqual({ name: 'kdc-keys' });
    expect(parseHash('#/kdc/tickets')).toStrictEqual({ name: 'not-found', path: '/kdc/tickets' });
    expect(parseHash('#/settings/lock')).toStrictEqual({ name: 'lock-settings' });
    expect(parseHash('#/settings')).toStrictEqual({ name: 'not-found', path: '/settings' });
    // Segments are decoded before they are matched, as the router always did.
    expect(parseHash('#/keys/n%65w')).toStrictEqual({ name: 'key-new' });
  });

  it('names the screen by the path alone: a query is the screen’s own state', () => {
    expect(parseHash('#/audit?action=key.create&page=2')).toStrictEqual({ name: 'audit' });
    expect(parseHash('#/nowhere?x=1')).toStrictEqual({ name: 'not-found', path: '/nowhere' });
    expect(hashPath('#/audit?action=x')).toBe('#/audit');
    expect(queryOfHash('#/audit?action=x&q=a+b').get('q')).toBe('a b');
    expect([...queryOfHash('#/audit')]).toEqual([]);
  });
});

describe('href', () => {
  it('builds the very links the features wrote by hand before the table', () => {
    const before: Array<[LinkRoute, string]> = [
      [{ name: 'home' }, '#/'],
      [{ name: 'keys' }, '#/keys'],
      [{ name: 'key-new' }, '#/keys/new'],
      [{ name: 'key-import' }, '#/keys/import'],
      [{ name: 'key', id: 'key_ab/cd' }, '#/keys/key_ab%2Fcd'],
      [{ name: 'cas' }, '#/ca'],
      [{ name: 'ca-new' }, '#/ca/new'],
      [{ name: 'ca-bulk' }, '#/ca/bulk'],
      [{ name: 'crl', caId: 'ca_1 2' }, '#/ca/ca_1%202/crl'],
      [{ name: 'certs' }, '#/certs'],
      [{ name: 'cert-issue' }, '#/certs/issue'],
      [{ name: 'cert-csr' }, '#/certs/csr'],
      [{ name: 'cert-csr', keyId: 'key_1' }, '#/certs/csr/key_1'],
      [{ name: 'cert', id: 'cert_?1' }, '#/certs/cert_%3F1'],
      [{ name: 'lifecycle' }, '#/lifecycle'],
      [{ name: 'audit' }, '#/audit'],
      [{ name: 'backup' }, '#/backup'],
      [{ name: 'verify' }, '#/verify'],
      [{ name: 'kdc' }, '#/kdc'],
      [{ name: 'kdc-principals' }, '#/kdc/principals'],
      [{ name: 'kdc-attacks' }, '#/kdc/attacks'],
      [{ name: 'kdc-keys' }, '#/kdc/keys'],
      [{ name: 'exchange' }, '#/exchange'],
      [{ name: 'walkthroughs' }, '#/walkthroughs'],
      [{ name: 'walkthrough-step', id: 'key-life', step: 0 }, '#/walkthroughs/key-life/0'],
      [{ name: 'walkthrough-object', id: 'key-life', step: 3, kind: 'cert', objectId: 'cert_a/b' }, '#/walkthroughs/key-life/3/cert/cert_a%2Fb'],
      [{ name: 'lock-settings' }, '#/settings/lock'],
    ];
    for (const [route, was] of before) expect(href(route), route.name).toBe(was);
  });

  it('adds a list screen’s query as setHashQuery always wrote it, empty values left out', () => {
    expect(href({ name: 'audit' }, { action: 'key.create', object: '', page: '2' })).toBe('#/audit?action=key.create&page=2');
    expect(href({ name: 'audit' }, { action: '', page: undefined })).toBe('#/audit');
    expect(withQuery('#/audit', { q: 'a b&c' })).toBe('#/audit?q=a+b%26c');
  });
});

/** Ids with characters that need encoding in a path segment (and one that looks encoded). */
const IDS = ['key_1', 'key_ab/cd', 'id with spaces', 'ä€😀', '?#&=+;,', '%41%2F', '..', 'a.b~c_d-e'];

/** Every route name, each with the values worth trying; tsc fails here when a route is added without a sample. */
const SAMPLES: { [N in LinkRoute['name']]: Array<Extract<LinkRoute, { name: N }>> } = {
  home: [{ name: 'home' }],
  keys: [{ name: 'keys' }],
  'key-new': [{ name: 'key-new' }],
  'key-import': [{ name: 'key-import' }],
  key: IDS.map((id) => ({ name: 'key', id })),
  cas: [{ name: 'cas' }],
  'ca-new': [{ name: 'ca-new' }],
  'ca-bulk': [{ name: 'ca-bulk' }],
  crl: [...IDS.map((caId) => ({ name: 'crl' as const, caId })), { name: 'crl', caId: 'new' }, { name: 'crl', caId: 'crl' }],
  certs: [{ name: 'certs' }],
  'cert-issue': [{ name: 'cert-issue' }],
  'cert-csr': [{ name: 'cert-csr' }, ...IDS.map((keyId) => ({ name: 'cert-csr' as const, keyId }))],
  cert: IDS.map((id) => ({ name: 'cert', id })),
  lifecycle: [{ name: 'lifecycle' }],
  audit: [{ name: 'audit' }],
  backup: [{ name: 'backup' }],
  verify: [{ name: 'verify' }],
  kdc: [{ name: 'kdc' }],
  'kdc-principals': [{ name: 'kdc-principals' }],
  'kdc-attacks': [{ name: 'kdc-attacks' }],
  'kdc-keys': [{ name: 'kdc-keys' }],
  exchange: [{ name: 'exchange' }],
  walkthroughs: [{ name: 'walkthroughs' }],
  'walkthrough-step': [0, 1, 42, 999].flatMap((step) => IDS.map((id) => ({ name: 'walkthrough-step' as const, id, step }))),
  'walkthrough-object': (['key', 'cert', 'crl'] as const).flatMap((kind) =>
    IDS.map((objectId, i) => ({ name: 'walkthrough-object' as const, id: IDS[(i + 1) % IDS.length]!, step: i, kind, objectId })),
  ),
  'lock-settings': [{ name: 'lock-settings' }],
};

describe('parseHash(href(route)) round trip', () => {
  const all = Object.values(SAMPLES).flat();

  it('gives back every route of every name, ids with characters that need encoding included', () => {
    for (const [name, routes] of Object.entries(SAMPLES)) expect(routes.length, name).toBeGreaterThan(0);
    for (const route of all) expect(parseHash(href(route)), href(route)).toStrictEqual(route);
  });

  it('keeps a query beside any route: the route parses as without it, the query reads back whole', () => {
    const query = { action: 'key.create', q: 'a b&c=d/#?%+é', from: '2030-01-01', page: '2', empty: '' };
    for (const route of all) {
      const link = href(route, query);
      expect(parseHash(link), link).toStrictEqual(route);
      expect(hashPath(link)).toBe(href(route));
      expect(Object.fromEntries(queryOfHash(link))).toStrictEqual({ action: 'key.create', q: 'a b&c=d/#?%+é', from: '2030-01-01', page: '2' });
    }
  });

  it('does not round-trip an id that is a sibling route’s fixed word (engine ids are prefixed, so never one)', () => {
    expect(parseHash(href({ name: 'key', id: 'new' }))).toStrictEqual({ name: 'key-new' });
    expect(parseHash(href({ name: 'cert', id: 'issue' }))).toStrictEqual({ name: 'cert-issue' });
  });
});
