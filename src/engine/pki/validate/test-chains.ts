/**
 * Small generated chains for the validator's rule tests: a certificate and CRL writer on
 * the shared DER encoder and WebCrypto ECDSA P-256, where every field a rule looks at can
 * be set or broken on purpose. Test support only; the product issues certificates through
 * src/engine/pki/issue.ts.
 *
 * Common case:
 * ```ts
 * const root = await party('Root');
 * const rootCert = await cert({ subject: root, issuer: root, ca: true });
 * ```
 */
import { rawToDer } from '../../keys/ecdsa-der';
import { concat, utf8 } from '../../internal/bytes';
import {
  TAG,
  encodeBitString,
  encodeContext,
  encodeElement,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeUnsignedInteger,
} from '../../internal/der';

/** A named key pair that can issue. */
export interface Party {
  cn: string;
  name: Uint8Array;
  keys: CryptoKeyPair;
  spki: Uint8Array;
  ski: Uint8Array;
}

let counter = 0;

/** Encodes a Name of one CN (and optional extra RDNs before it, e.g. O). */
export function nameDer(cn: string, org?: string): Uint8Array<ArrayBuffer> {
  const rdn = (oid: string, v: string) => encodeElement(TAG.SET, encodeSequence(encodeOid(oid), encodeElement(TAG.UTF8_STRING, utf8(v))));
  return org ? encodeSequence(rdn('2.5.4.10', org), rdn('2.5.4.3', cn)) : encodeSequence(rdn('2.5.4.3', cn));
}

/** A fresh P-256 party. `keys` may be shared to make a second certificate of one CA key. */
export async function party(cn: string, opts: { org?: string; keys?: CryptoKeyPair } = {}): Promise<Party> {
  const keys = opts.keys ?? ((await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair);
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const ski = new Uint8Array(await crypto.subtle.digest('SHA-256', spki)).slice(0, 20);
  return { cn, name: nameDer(cn, opts.org), keys, spki, ski };
}

function time(ms: number): Uint8Array {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? encodeElement(TAG.UTC_TIME, utf8(`${p(y % 100)}${body}`)) : encodeElement(TAG.GENERALIZED_TIME, utf8(`${p(y, 4)}${body}`));
}

/** An extension: OID, criticality, DER value. */
export interface Ext {
  oid: string;
  critical?: boolean;
  value: Uint8Array;
}

function ext(e: Ext): Uint8Array {
  return e.critical ? encodeSequence(encodeOid(e.oid), Uint8Array.of(TAG.BOOLEAN, 1, 0xff), encodeOctetString(e.value)) : encodeSequence(encodeOid(e.oid), encodeOctetString(e.value));
}

/** Named-bit BIT STRING from bit numbers (keyUsage, reasons). */
export function namedBits(bits: number[]): Uint8Array {
  if (bits.length === 0) return encodeElement(TAG.BIT_STRING, Uint8Array.of(0));
  const max = Math.max(...bits);
  const bytes = new Uint8Array((max >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const unused = 7 - (max & 7);
  return encodeElement(TAG.BIT_STRING, Uint8Array.of(unused), bytes);
}

/** A GeneralName for SAN or name constraints. */
export type GN = { dns: string } | { email: string } | { ip: number[] } | { dn: Uint8Array };

/** Encodes one GeneralName. */
export function gn(g: GN): Uint8Array {
  if ('dns' in g) return encodeElement(0x82, utf8(g.dns));
  if ('email' in g) return encodeElement(0x81, utf8(g.email));
  if ('ip' in g) return encodeElement(0x87, Uint8Array.from(g.ip));
  return encodeContext(4, g.dn);
}

const SIG_ALG = encodeSequence(encodeOid('1.2.840.10045.4.3.2'));

/** What a test certificate should say. */
export interface CertSpec {
  subject: Party;
  issuer: Party;
  serial?: number;
  notBefore?: number;
  notAfter?: number;
  ca?: boolean;
  pathLen?: number;
  /** keyUsage bits; default keyCertSign+cRLSign for CAs, digitalSignature for leaves. `null` omits the extension. */
  keyUsage?: number[] | null;
  eku?: string[];
  san?: GN[];
  permitted?: GN[];
  excluded?: GN[];
  policies?: string[];
  /** requireExplicitPolicy skip certs. */
  requireExplicit?: number;
  extra?: Ext[];
  /** Overrides the subject name (e.g. a self-issued certificate of another key). */
  subjectName?: Uint8Array;
}

/** Default validity: 2026-01-01 to 2027-01-01. */
export const NB = Date.UTC(2026, 0, 1);
export const NA = Date.UTC(2027, 0, 1);
/** A time inside the default validity. */
export const AT = Date.UTC(2026, 5, 1);

/** Writes and signs a certificate. */
export async function cert(s: CertSpec): Promise<Uint8Array> {
  const exts: Ext[] = [];
  if (s.ca) {
    const bc = [Uint8Array.of(TAG.BOOLEAN, 1, 0xff)];
    if (s.pathLen !== undefined) bc.push(encodeUnsignedInteger(s.pathLen));
    exts.push({ oid: '2.5.29.19', critical: true, value: encodeSequence(...bc) });
  }
  const ku = s.keyUsage === undefined ? (s.ca ? [5, 6] : [0]) : s.keyUsage;
  if (ku) exts.push({ oid: '2.5.29.15', critical: true, value: namedBits(ku) });
  exts.push({ oid: '2.5.29.14', value: encodeOctetString(s.subject.ski) });
  if (s.issuer !== s.subject || s.subjectName) exts.push({ oid: '2.5.29.35', value: encodeSequence(encodeElement(0x80, s.issuer.ski)) });
  if (s.eku) exts.push({ oid: '2.5.29.37', value: encodeSequence(...s.eku.map(encodeOid)) });
  if (s.san) exts.push({ oid: '2.5.29.17', value: encodeSequence(...s.san.map(gn)) });
  if (s.permitted || s.excluded) {
    const parts: Uint8Array[] = [];
    if (s.permitted) parts.push(encodeContext(0, concat(...s.permitted.map((g) => encodeSequence(gn(g))))));
    if (s.excluded) parts.push(encodeContext(1, concat(...s.excluded.map((g) => encodeSequence(gn(g))))));
    exts.push({ oid: '2.5.29.30', critical: true, value: encodeSequence(...parts) });
  }
  if (s.policies) exts.push({ oid: '2.5.29.32', value: encodeSequence(...s.policies.map((p) => encodeSequence(encodeOid(p)))) });
  if (s.requireExplicit !== undefined) exts.push({ oid: '2.5.29.36', critical: true, value: encodeSequence(encodeElement(0x80, encodeUnsignedInteger(s.requireExplicit).subarray(2))) });
  exts.push(...(s.extra ?? []));
  const tbs = encodeSequence(
    encodeContext(0, encodeUnsignedInteger(2)),
    encodeUnsignedInteger(s.serial ?? ++counter + 1000),
    SIG_ALG,
    s.issuer.name,
    encodeSequence(time(s.notBefore ?? NB), time(s.notAfter ?? NA)),
    s.subjectName ?? s.subject.name,
    s.subject.spki,
    encodeContext(3, encodeSequence(...exts.map(ext))),
  );
  return signed(tbs, s.issuer);
}

async function signed(tbs: Uint8Array, by: Party): Promise<Uint8Array> {
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, by.keys.privateKey, tbs as BufferSource));
  return encodeSequence(tbs, SIG_ALG, encodeBitString(rawToDer(raw)));
}

/** What a test CRL should say. */
export interface CrlSpec {
  issuer: Party;
  /** Sign with another party's key (same issuer name). */
  signer?: Party;
  revoked?: { serial: number; reason?: number }[];
  crlNumber?: number | null;
  thisUpdate?: number;
  nextUpdate?: number;
}

/** Writes and signs a CRL. */
export async function crl(s: CrlSpec): Promise<Uint8Array> {
  const exts: Ext[] = [{ oid: '2.5.29.35', value: encodeSequence(encodeElement(0x80, (s.signer ?? s.issuer).ski)) }];
  if (s.crlNumber !== null) exts.push({ oid: '2.5.29.20', value: encodeUnsignedInteger(s.crlNumber ?? 1) });
  const entries = (s.revoked ?? []).map((r) => {
    const parts = [encodeUnsignedInteger(r.serial), time(NB + 1000)];
    if (r.reason !== undefined) parts.push(encodeSequence(ext({ oid: '2.5.29.21', value: encodeElement(TAG.ENUMERATED, Uint8Array.of(r.reason)) })));
    return encodeSequence(...parts);
  });
  const tbs = encodeSequence(
    encodeUnsignedInteger(1),
    SIG_ALG,
    s.issuer.name,
    time(s.thisUpdate ?? NB),
    time(s.nextUpdate ?? NA),
    ...(entries.length ? [encodeSequence(...entries)] : []),
    encodeContext(0, encodeSequence(...exts.map(ext))),
  );
  return signed(tbs, s.signer ?? s.issuer);
}

/** A root, an intermediate and a leaf for `app.test`, the usual starting point. */
export async function basicChain(opts: { leaf?: Partial<CertSpec>; ica?: Partial<CertSpec>; root?: Partial<CertSpec> } = {}) {
  const root = await party('Test Root');
  const ica = await party('Test Intermediate');
  const leaf = await party('app.test');
  const rootCert = await cert({ subject: root, issuer: root, ca: true, ...opts.root });
  const icaCert = await cert({ subject: ica, issuer: root, ca: true, ...opts.ica });
  const leafCert = await cert({ subject: leaf, issuer: ica, san: [{ dns: 'app.test' }], eku: ['1.3.6.1.5.5.7.3.1'], serial: 77, ...opts.leaf });
  return { root, ica, leaf, rootCert, icaCert, leafCert };
}
