import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCases, toOptions, type ConformanceCase } from '../../../../scripts/conformance-cases.mjs';
import { validatePath } from './index';

// A regression guard over the public suites in ../shared/conformance (never copied into the
// project): PKITS in full and a fixed limbo sample that holds every case issue 13 names.
// It asserts verdicts only (no timing): no wrong accepts, and agreement not below what the
// validator reached when the guard was written. `npm run conformance` is the full measure.
const DATA = resolve(__dirname, '../../../../../shared/conformance');

/** Cases issue 13 lists by name: wrong accepts, hangs and wrong rejects of the old verifier. */
const NAMED = [
  'crl::issuer-missing-crlsign',
  'crl::crlnumber-missing',
  'crl::crlnumber-critical',
  'pathological::nc-dos-1',
  'pathological::nc-dos-2',
  'webpki::eku::ee-anyeku',
  'webpki::eku::ee-critical-eku',
  'webpki::eku::root-has-eku',
  'rfc5280::eku::ee-eku-empty',
  'webpki::forbidden-p192-leaf',
  'webpki::forbidden-dsa-leaf',
  'webpki::forbidden-weak-rsa-in-leaf',
  'webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf',
  'rfc5280::nc::not-allowed-in-ee-critical',
  'rfc5280::nc::invalid-dnsname-leading-period',
  'rfc5280::nc::nc-permits-invalid-dns-san',
  'rfc5280::serial::zero',
  'rfc5280::serial::too-long',
  'rfc5280::duplicate-extensions',
  'rfc5280::ca-empty-subject',
  'webpki::ee-basicconstraints-ca',
  'webpki::ca-as-leaf',
  'webpki::malformed-aia',
  'cve::cve-2024-0567',
  'pathological::intermediate-cycle-distinct-cas',
  'pathological::intermediate-cycle-same-logical-ca',
];

/**
 * Limbo's RFC 5280 and PKITS disagree on one rule: PKITS 4.8.6/4.8.10/4.8.11/4.8.13 validate
 * paths whose policyConstraints is not critical, limbo's rfc5280::pc::ica-noncritical-pc
 * refuses one. Clavis follows PKITS and reports the extension as a warning.
 */
const KNOWN_WRONG_ACCEPTS = new Set(['rfc5280::pc::ica-noncritical-pc']);

async function run(cases: ConformanceCase[]) {
  const out = { agreed: 0, unsupported: 0, wrongAccept: [] as string[], wrongReject: [] as string[] };
  for (const c of cases) {
    const r = await validatePath(toOptions(c.job));
    if (r.unsupported && !r.valid) out.unsupported++;
    else if (r.valid === c.expected) out.agreed++;
    else if (r.valid) {
      if (!c.pedantic) out.wrongAccept.push(c.id);
    } else out.wrongReject.push(c.id);
  }
  return out;
}

describe('validate: conformance guard (E8, issue 13)', () => {
  it('the conformance data is where the project expects it', () => {
    expect(existsSync(resolve(DATA, 'pkits/pkits.json'))).toBe(true);
    expect(existsSync(resolve(DATA, 'limbo/limbo.json.gz'))).toBe(true);
  });

  it('PKITS: every non-DSA run agrees, DSA is unsupported, nothing is wrongly accepted', async () => {
    const cases = loadCases(DATA, { suite: 'pkits' });
    expect(cases.length).toBe(249);
    const r = await run(cases);
    expect(r.wrongAccept).toEqual([]);
    expect(r.wrongReject).toEqual([]);
    expect(r.unsupported).toBe(2);
    expect(r.agreed).toBeGreaterThanOrEqual(247);
  }, 180_000);

  it('limbo sample: the named cases, every native case and a fixed BetterTLS stride', async () => {
    const all = loadCases(DATA, { suite: 'limbo' });
    const named = new Set(NAMED);
    const sample = all.filter((c, i) => named.has(c.id) || !c.id.startsWith('bettertls::') || i % 97 === 0);
    for (const id of NAMED) expect(sample.some((c) => c.id === id)).toBe(true);
    const r = await run(sample);
    expect(r.wrongAccept.filter((id) => !KNOWN_WRONG_ACCEPTS.has(id))).toEqual([]);
    expect(r.wrongReject.length).toBeLessThanOrEqual(3);
    expect(r.agreed).toBeGreaterThanOrEqual(sample.length - 6);
  }, 180_000);
});
