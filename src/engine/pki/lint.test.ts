// C1–C8 and R1–R5: the pre-issuance lint reads encoded TBS bytes and names each defect.
import { beforeAll, describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { parseSpki, type SpkiInfo } from './algorithms';
import { TAG, derNull, explicit, oid, printableString, seq, setOf, tlv, uint, uintBytes, utf8String } from '../internal/der';
import { OID, authorityKeyIdentifier, basicConstraints, checkSans, extKeyUsage, extension, keyIdentifier, keyUsage, subjectAltName, subjectKeyIdentifier } from './extensions';
import { encodeTbsCertificate } from './issue';
import { encodeTbsCertList } from './crl';
import { assertLintClean, lintTbsCertList, lintTbsCertificate, type CertLintContext } from './lint';
import { encodeName } from './names';
import { utf8 } from '../internal/bytes';

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const SHA1_RSA = seq(oid('1.2.840.113549.1.1.5'), derNull());
const ISSUER = encodeName({ O: 'Lint', CN: 'Lint Issuer' });
const ISSUER_SKI = new Uint8Array(20).fill(7);
const NB = new Date(Date.UTC(2026, 0, 1));
const NA = new Date(Date.UTC(2026, 6, 1));
const SERIAL = Uint8Array.from([0x42, ...new Uint8Array(16).fill(0xa5)]);
let spki: SpkiInfo;
let ski: Uint8Array;

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  spki = parseSpki(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
  ski = await keyIdentifier(crypto.subtle, spki.subjectPublicKey);
});

function leafExtensions(): Uint8Array[] {
  return [
    basicConstraints(false),
    keyUsage(['digitalSignature']),
    extKeyUsage([OID.serverAuth]),
    subjectKeyIdentifier(ski),
    authorityKeyIdentifier(ISSUER_SKI),
    subjectAltName(checkSans({ dns: ['lint.test'] }, true), false),
  ];
}

function ctx(over: Partial<CertLintContext> = {}): CertLintContext {
  return { profile: 'tls-server', outerAlgorithm: ECDSA_SHA256, issuerName: ISSUER, issuerSki: ISSUER_SKI, subjectSki: ski, maxValidityDays: 398, keyKind: 'ec', ...over };
}

function tbs(over: Partial<Parameters<typeof encodeTbsCertificate>[0]> = {}) {
  return encodeTbsCertificate({
    serial: SERIAL,
    algorithm: ECDSA_SHA256,
    issuer: ISSUER,
    notBefore: NB,
    notAfter: NA,
    subject: encodeName({ CN: 'lint.test' }),
    spki: spki.der,
    extensions: leafExtensions(),
    ...over,
  });
}

const rules = (f: { rule: string }[]) => f.map((x) => x.rule);

describe('certificate lint (C7)', () => {
  it('C7 a well-formed TLS server TBS has no findings', () => {
    expect(lintTbsCertificate(tbs(), ctx())).toEqual([]);
  });

  it('C2 refuses a certificate without the v3 version field', () => {
    const good = tbs();
    // Drop the [0] { INTEGER 2 } (5 bytes) from the start of the TBS content.
    const body = good.subarray(good[1]! & 0x80 ? 2 + (good[1]! & 0x7f) : 2);
    const v1 = tlv(TAG.SEQUENCE, body.subarray(5));
    expect(rules(lintTbsCertificate(v1, ctx()))).toContain('e_cert_version_not_v3');
  });

  it('C1 refuses negative, over-long, non-minimal and low-entropy serials', () => {
    const raw = (content: Uint8Array) => {
      // Bypass uintBytes' normalisation to plant the defect.
      const t = tbs();
      const good = uintBytes(SERIAL);
      const at = t.findIndex((_, i) => good.every((b, j) => t[i + j] === b));
      const bad = tlv(TAG.INTEGER, content);
      const out = new Uint8Array(t.length - good.length + bad.length);
      out.set(t.subarray(0, at));
      out.set(bad, at);
      out.set(t.subarray(at + good.length), at + bad.length);
      // Fix the outer SEQUENCE length (both fit the same long form here).
      const inner = out.subarray(good.length === bad.length ? 0 : 0);
      return good.length === bad.length ? inner : tlv(TAG.SEQUENCE, out.subarray(t[1]! & 0x80 ? 2 + (t[1]! & 0x7f) : 2));
    };
    expect(rules(lintTbsCertificate(raw(Uint8Array.from([0x80, ...new Uint8Array(16).fill(1)])), ctx()))).toContain('e_serial_number_invalid');
    expect(rules(lintTbsCertificate(raw(Uint8Array.from([0x01, ...new Uint8Array(20).fill(1)])), ctx()))).toContain('e_serial_number_invalid');
    expect(rules(lintTbsCertificate(raw(Uint8Array.from([0x00, 0x00, 0x01, ...new Uint8Array(14).fill(1)])), ctx()))).toContain('e_serial_number_invalid');
    expect(rules(lintTbsCertificate(tbs({ serial: Uint8Array.of(0x01, 0x02) }), ctx()))).toContain('e_serial_number_low_entropy');
  });

  it('C4 refuses SHA-1 and an inner algorithm that differs from the outer one', () => {
    expect(rules(lintTbsCertificate(tbs({ algorithm: SHA1_RSA }), ctx({ outerAlgorithm: SHA1_RSA })))).toContain('e_signature_algorithm_not_allowed');
    expect(rules(lintTbsCertificate(tbs(), ctx({ outerAlgorithm: seq(oid('1.2.840.10045.4.3.3')) })))).toContain('e_signature_algorithm_mismatch');
  });

  it('C3 refuses UTCTime after 2049, GeneralizedTime before 2050, fractional seconds and inverted validity', () => {
    const withTimes = (nb: Uint8Array, na: Uint8Array) => {
      const good = tbs();
      const v = seq(tlv(TAG.UTC_TIME, utf8('260101000000Z')), tlv(TAG.UTC_TIME, utf8('260701000000Z')));
      const at = good.findIndex((_, i) => v.every((b, j) => good[i + j] === b));
      const nv = seq(nb, na);
      const body = new Uint8Array([...good.subarray(0, at), ...nv, ...good.subarray(at + v.length)]);
      return tlv(TAG.SEQUENCE, body.subarray(body[1]! & 0x80 ? 2 + (body[1]! & 0x7f) : 2));
    };
    const utc = (s: string) => tlv(TAG.UTC_TIME, utf8(s));
    const gen = (s: string) => tlv(TAG.GENERALIZED_TIME, utf8(s));
    const wide = ctx({ maxValidityDays: 100_000 });
    // The asn1js 3 wrap bug: 2051 written as UTCTime "51" reads back as 1951, so the span inverts.
    expect(rules(lintTbsCertificate(withTimes(utc('260101000000Z'), utc('510101000000Z')), wide))).toContain('e_validity_inverted');
    expect(rules(lintTbsCertificate(withTimes(gen('20260101000000Z'), gen('20700101000000Z')), wide))).toContain('e_generalized_time_before_2050');
    expect(rules(lintTbsCertificate(withTimes(utc('260101000000Z'), gen('20700101000000.5Z')), wide))).toContain('e_time_not_der');
    expect(rules(lintTbsCertificate(withTimes(utc('260701000000Z'), utc('260101000000Z')), wide))).toContain('e_validity_inverted');
  });

  it('C3 refuses a TLS server certificate valid for more than 398 days and a leaf outliving its issuer', () => {
    expect(rules(lintTbsCertificate(tbs({ notAfter: new Date(NB.getTime() + 399 * 86_400_000) }), ctx()))).toContain('e_validity_too_long');
    expect(rules(lintTbsCertificate(tbs(), ctx({ issuerNotAfter: new Date(Date.UTC(2026, 3, 1)) })))).toContain('e_validity_exceeds_issuer');
  });

  it('C8 refuses multi-valued RDNs, over-long CNs, control and bidi characters, and other string types', () => {
    const atv = (o: string, v: Uint8Array) => seq(oid(o), v);
    const multi = seq(setOf(atv('2.5.4.10', utf8String('Org')), atv('2.5.4.3', utf8String('lint.test'))));
    expect(rules(lintTbsCertificate(tbs({ subject: multi }), ctx()))).toContain('e_subject_multi_valued_rdn');
    const long = seq(setOf(atv('2.5.4.3', utf8String('a'.repeat(65)))));
    expect(rules(lintTbsCertificate(tbs({ subject: long }), ctx()))).toContain('e_subject_common_name_max_length');
    for (const bad of ['evil\u202Egnp.exe', 'nul\u0000byte', 'line\nbreak']) {
      const s = seq(setOf(atv('2.5.4.3', utf8String(bad))));
      expect(rules(lintTbsCertificate(tbs({ subject: s }), ctx()))).toContain('e_subject_bad_characters');
    }
    const ia5 = seq(setOf(atv('2.5.4.3', tlv(TAG.IA5_STRING, utf8('lint.test')))));
    expect(rules(lintTbsCertificate(tbs({ subject: ia5 }), ctx()))).toContain('e_subject_string_type');
    const badPrintable = seq(setOf(atv('2.5.4.3', printableString('a@b'))));
    expect(rules(lintTbsCertificate(tbs({ subject: badPrintable }), ctx()))).toContain('e_subject_printable_string_badalpha');
  });

  it('C5 refuses a leaf with cA, without EKU, with EC keyEncipherment, with a wrong AKI or an unknown critical extension', () => {
    const ext = leafExtensions();
    const swap = (i: number, e: Uint8Array | null) => tbs({ extensions: e ? ext.map((x, j) => (j === i ? e : x)) : ext.filter((_, j) => j !== i) });
    expect(rules(lintTbsCertificate(swap(0, basicConstraints(true)), ctx()))).toContain('e_leaf_is_ca');
    expect(rules(lintTbsCertificate(swap(0, extension(OID.basicConstraints, false, seq())), ctx()))).toContain('e_basic_constraints_not_critical');
    expect(rules(lintTbsCertificate(swap(2, null), ctx()))).toContain('e_leaf_eku_missing');
    expect(rules(lintTbsCertificate(swap(2, extKeyUsage([OID.clientAuth])), ctx()))).toContain('e_leaf_eku_profile_mismatch');
    expect(rules(lintTbsCertificate(swap(1, keyUsage(['digitalSignature', 'keyEncipherment'])), ctx()))).toContain('e_ec_key_usage_encipherment');
    expect(rules(lintTbsCertificate(swap(1, keyUsage(['digitalSignature', 'keyCertSign'])), ctx()))).toContain('e_leaf_key_usage_cert_sign');
    expect(rules(lintTbsCertificate(swap(4, authorityKeyIdentifier(new Uint8Array(20))), ctx()))).toContain('e_authority_key_identifier_mismatch');
    expect(rules(lintTbsCertificate(swap(3, subjectKeyIdentifier(new Uint8Array(20))), ctx()))).toContain('e_subject_key_identifier_mismatch');
    expect(rules(lintTbsCertificate(swap(5, null), ctx()))).toContain('e_tls_server_san_missing');
    expect(rules(lintTbsCertificate(tbs({ extensions: [...ext, extension('1.2.3.4', true, seq())] }), ctx()))).toContain('e_ext_unknown_critical');
    expect(rules(lintTbsCertificate(tbs({ extensions: [...ext, keyUsage(['digitalSignature'])] }), ctx()))).toContain('e_ext_duplicate');
  });

  it('C5 refuses a CA certificate without keyCertSign', () => {
    const ext = [basicConstraints(true, 0), keyUsage(['digitalSignature']), subjectKeyIdentifier(ski), authorityKeyIdentifier(ISSUER_SKI)];
    expect(rules(lintTbsCertificate(tbs({ extensions: ext }), ctx({ profile: 'sub-ca', maxValidityDays: 9000 })))).toContain('e_ca_key_usage_missing_cert_sign');
  });

  it('C7 a refusal is CERT_INVALID and names the rule: "pki: lint <rule>: …"', () => {
    const f = lintTbsCertificate(tbs({ algorithm: SHA1_RSA }), ctx({ outerAlgorithm: SHA1_RSA }));
    try {
      assertLintClean(f, 'certificate');
      expect.unreachable();
    } catch (e) {
      expect(isEngineError(e, 'CERT_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/^pki: lint e_signature_algorithm_not_allowed: /);
    }
  });
});

describe('CRL lint (R1–R5)', () => {
  const TU = new Date(Date.UTC(2026, 0, 10));
  const base = (over: Partial<Parameters<typeof encodeTbsCertList>[0]> = {}) =>
    encodeTbsCertList({
      algorithm: ECDSA_SHA256,
      issuer: ISSUER,
      thisUpdate: TU,
      nextUpdate: new Date(TU.getTime() + 7 * 86_400_000),
      entries: [{ serial: SERIAL, revocationDate: TU, reason: 1, invalidityDate: new Date(TU.getTime() - 86_400_000) }],
      authorityKeyId: ISSUER_SKI,
      number: 5,
      ...over,
    });
  const cctx = { outerAlgorithm: ECDSA_SHA256, issuerName: ISSUER, issuerSki: ISSUER_SKI, now: new Date(TU.getTime() + 60_000), issuesLeaves: true, previousNumber: 4 };

  it('R1–R4 a well-formed CRL has no findings, with and without entries', () => {
    expect(lintTbsCertList(base(), cctx)).toEqual([]);
    expect(lintTbsCertList(base({ entries: [] }), cctx)).toEqual([]);
  });

  it('R3 an empty list is omitted, never encoded as an empty SEQUENCE; a planted one is refused', () => {
    const empty = base({ entries: [] });
    // version, alg, issuer, thisUpdate, nextUpdate, [0] — no SEQUENCE {} in between.
    expect(rules(lintTbsCertList(empty, cctx))).not.toContain('e_crl_empty_revoked_certificates');
    const parts = [uint(1), ECDSA_SHA256, ISSUER, tlv(TAG.UTC_TIME, utf8('260110000000Z')), tlv(TAG.UTC_TIME, utf8('260117000000Z')), seq(), explicit(0, seq(authorityKeyIdentifier(ISSUER_SKI), extension(OID.cRLNumber, false, uint(5))))];
    expect(rules(lintTbsCertList(seq(...parts), cctx))).toContain('e_crl_empty_revoked_certificates');
  });

  it('R4 refuses reason codes 0 and 6 and critical reason codes', () => {
    expect(rules(lintTbsCertList(base({ entries: [{ serial: SERIAL, revocationDate: TU, reason: 0 }] }), cctx))).toContain('e_crl_reason_code_not_allowed');
    expect(rules(lintTbsCertList(base({ entries: [{ serial: SERIAL, revocationDate: TU, reason: 6 }] }), cctx))).toContain('e_crl_reason_code_not_allowed');
    const critical = seq(uintBytes(SERIAL), tlv(TAG.UTC_TIME, utf8('260110000000Z')), seq(extension(OID.reasonCode, true, tlv(TAG.ENUMERATED, Uint8Array.of(1)))));
    const parts = [uint(1), ECDSA_SHA256, ISSUER, tlv(TAG.UTC_TIME, utf8('260110000000Z')), tlv(TAG.UTC_TIME, utf8('260117000000Z')), seq(critical), explicit(0, seq(authorityKeyIdentifier(ISSUER_SKI), extension(OID.cRLNumber, false, uint(5))))];
    expect(rules(lintTbsCertList(seq(...parts), cctx))).toContain('e_crl_reason_code_critical');
  });

  it('R1 refuses a v1 CRL, a missing AKI or cRLNumber, a wrong issuer and a number that does not increase', () => {
    const noVersion = [ECDSA_SHA256, ISSUER, tlv(TAG.UTC_TIME, utf8('260110000000Z')), tlv(TAG.UTC_TIME, utf8('260117000000Z')), explicit(0, seq(authorityKeyIdentifier(ISSUER_SKI), extension(OID.cRLNumber, false, uint(5))))];
    expect(rules(lintTbsCertList(seq(...noVersion), cctx))).toContain('e_crl_version_not_v2');
    const noExt = [uint(1), ECDSA_SHA256, ISSUER, tlv(TAG.UTC_TIME, utf8('260110000000Z')), tlv(TAG.UTC_TIME, utf8('260117000000Z'))];
    expect(rules(lintTbsCertList(seq(...noExt), cctx))).toEqual(expect.arrayContaining(['e_crl_missing_authority_key_identifier', 'e_crl_missing_crl_number']));
    expect(rules(lintTbsCertList(base({ issuer: encodeName({ CN: 'Someone else' }) }), cctx))).toContain('e_crl_issuer_name_mismatch');
    expect(rules(lintTbsCertList(base({ number: 4 }), cctx))).toContain('e_crl_number_not_increasing');
  });

  it('R2 refuses a future thisUpdate, nextUpdate beyond 10 days, and a missing nextUpdate', () => {
    expect(rules(lintTbsCertList(base(), { ...cctx, now: new Date(TU.getTime() - 1000) }))).toContain('e_crl_this_update_in_future');
    expect(rules(lintTbsCertList(base({ nextUpdate: new Date(TU.getTime() + 11 * 86_400_000) }), cctx))).toContain('e_crl_validity_period_too_long');
    expect(rules(lintTbsCertList(base({ nextUpdate: new Date(TU.getTime() + 10 * 86_400_000) }), cctx))).toEqual([]);
    const noNext = [uint(1), ECDSA_SHA256, ISSUER, tlv(TAG.UTC_TIME, utf8('260110000000Z')), explicit(0, seq(authorityKeyIdentifier(ISSUER_SKI), extension(OID.cRLNumber, false, uint(5))))];
    expect(rules(lintTbsCertList(seq(...noNext), cctx))).toContain('e_crl_next_update_missing');
  });

  it('BR 4.9.7 a CA that issues only CAs may publish CRLs valid up to 365 days, not 366; one that issues leaves only 10', () => {
    const caOnly = { ...cctx, issuesLeaves: false };
    const days = (n: number) => base({ nextUpdate: new Date(TU.getTime() + n * 86_400_000) });
    expect(lintTbsCertList(days(365), caOnly)).toEqual([]);
    expect(lintTbsCertList(days(11), caOnly)).toEqual([]);
    expect(rules(lintTbsCertList(days(366), caOnly))).toEqual(['e_ca_crl_validity_period_too_long']);
    expect(rules(lintTbsCertList(days(365), cctx))).toEqual(['e_crl_validity_period_too_long']);
  });
});
