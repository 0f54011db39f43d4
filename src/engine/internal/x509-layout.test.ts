// The one X.509 layout reader refuses a CRL, envelope or key whose fields are out of place, of the wrong tag or followed by extra bytes, with MALFORMED_INPUT.
import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes';
import { TAG, bitString, contentOf, explicit, oid, rawOf, seq, setOf, tlv, uint } from './der';
import * as OID from './oids';
import { crlEntries, readCrlEntry, readSigned, readSpki, readTbsCertList } from './x509-layout';

/** `f` throws MALFORMED_INPUT with a message matching `message`. */
const malformed = (f: () => unknown, message: RegExp) => expect(f).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT', message: expect.stringMatching(message) }));

const ALG = seq(oid(OID.ecdsaWithSHA256));
const ISSUER = seq(setOf(seq(oid(OID.commonName), tlv(TAG.UTF8_STRING, utf8('Test CA')))));
const utc = (s: string) => tlv(TAG.UTC_TIME, utf8(s));
const THIS = utc('260110000000Z');
const NEXT = utc('260117000000Z');
const EXTS = explicit(0, seq(seq(oid(OID.cRLNumber), tlv(TAG.OCTET_STRING, uint(5)))));
const reasonExt = seq(seq(oid(OID.reasonCode), tlv(TAG.OCTET_STRING, tlv(TAG.ENUMERATED, Uint8Array.of(1)))));
const entry = (serial: number, ...more: Uint8Array[]) => seq(uint(serial), utc('260109000000Z'), ...more);
const tbsOf = (...fields: Uint8Array[]) => seq(...fields);
const v2 = (list?: Uint8Array) => (list ? tbsOf(uint(1), ALG, ISSUER, THIS, NEXT, list, EXTS) : tbsOf(uint(1), ALG, ISSUER, THIS, NEXT, EXTS));

describe('readTbsCertList: the one TBSCertList reader (RFC 5280 5.1)', () => {
  it('reads every field of a v2 CRL in order, and its entries as spans of the TBS', () => {
    const tbs = v2(seq(entry(3), entry(7, reasonExt)));
    const f = readTbsCertList(tbs);
    expect(f.version).toBe(2);
    expect(rawOf(f.signature)).toEqual(ALG);
    expect(rawOf(f.issuer)).toEqual(ISSUER);
    expect(rawOf(f.thisUpdate)).toEqual(THIS);
    expect(rawOf(f.nextUpdate!)).toEqual(NEXT);
    expect(rawOf(f.extensions!)).toEqual(EXTS);
    const entries = [...crlEntries(f.revoked!)];
    expect(entries.map((e) => contentOf(e.serial)[0])).toEqual([3, 7]);
    expect(entries[0]!.extensions).toBeUndefined();
    expect(rawOf(entries[1]!.extensions!)).toEqual(reasonExt);
    // An entry read again from its offset (as the index pages) is the same entry.
    expect(readCrlEntry(tbs, entries[1]!.start, entries[1]!.end)).toEqual(entries[1]);
    expect(entries[1]!.end).toBe(f.revoked!.end);
  });

  it('reads optional fields as absent: no nextUpdate, no list, no extensions', () => {
    const f = readTbsCertList(tbsOf(uint(1), ALG, ISSUER, THIS));
    expect(f.nextUpdate).toBeUndefined();
    expect(f.revoked).toBeUndefined();
    expect(f.extensions).toBeUndefined();
  });

  it('reads a v1 CRL as version 1, for its callers to judge (the CA lint refuses it, lint.test.ts), and refuses a version above v2', () => {
    expect(readTbsCertList(tbsOf(ALG, ISSUER, THIS, NEXT)).version).toBe(1);
    malformed(() => readTbsCertList(tbsOf(uint(2), ALG, ISSUER, THIS, NEXT, EXTS)), /version/);
    malformed(() => readTbsCertList(tbsOf(tlv(TAG.INTEGER, Uint8Array.of(0, 1)), ALG, ISSUER, THIS, NEXT, EXTS)), /version/);
  });

  it('refuses a field of the wrong tag or a missing field', () => {
    malformed(() => readTbsCertList(tbsOf(uint(1), ALG, setOf(ISSUER), THIS, NEXT, EXTS)), /expected issuer/);
    malformed(() => readTbsCertList(tbsOf(uint(1), ALG, ISSUER, uint(5), NEXT, EXTS)), /expected thisUpdate/);
    malformed(() => readTbsCertList(tbsOf(uint(1), ALG, ISSUER)), /ends before its thisUpdate/);
    malformed(() => readTbsCertList(setOf(uint(1), ALG, ISSUER, THIS)), /SEQUENCE/);
    malformed(() => readTbsCertList(tbsOf(uint(1), ALG, ISSUER, THIS, NEXT, explicit(0, uint(5)))), /crlExtensions/);
  });

  it('refuses fields after the extensions, fields out of order and bytes after the TBS', () => {
    malformed(() => readTbsCertList(tbsOf(uint(1), ALG, ISSUER, THIS, NEXT, EXTS, uint(0))), /unexpected INTEGER/);
    malformed(() => readTbsCertList(tbsOf(uint(1), ALG, ISSUER, THIS, NEXT, EXTS, seq(entry(1)))), /unexpected SEQUENCE/);
    malformed(() => readTbsCertList(Uint8Array.of(...v2(), 0)), /unexpected bytes after/);
    malformed(() => readTbsCertList(v2().subarray(0, 20)), /truncated/);
  });

  it('refuses a garbled entry wherever it stands in the list, with what is wrong', () => {
    const garbled: [Uint8Array, RegExp][] = [
      [setOf(uint(1), utc('260109000000Z')), /not a SEQUENCE/],
      [seq(), /entry is empty/],
      [seq(tlv(TAG.OCTET_STRING, Uint8Array.of(1)), utc('260109000000Z')), /not an INTEGER/],
      [seq(uint(1)), /no revocationDate/],
      [seq(uint(1), uint(2)), /revocationDate is not/],
      [entry(1, setOf(reasonExt)), /crlEntryExtensions are not a SEQUENCE/],
      [entry(1, reasonExt, uint(0)), /extra elements/],
    ];
    for (const [bad, message] of garbled) {
      const f = readTbsCertList(v2(seq(entry(1), bad, entry(9))));
      malformed(() => [...crlEntries(f.revoked!)], message);
    }
  });

  it('keeps the CRL order of the entries (RFC 5280 sets none), a duplicate included, for the callers to judge', () => {
    const f = readTbsCertList(v2(seq(entry(9), entry(2), entry(9))));
    expect([...crlEntries(f.revoked!)].map((e) => contentOf(e.serial)[0])).toEqual([9, 2, 9]);
  });
});

describe('readSigned and readSpki: the signed envelope and the public key', () => {
  const signed = (...parts: Uint8Array[]) => seq(...parts);

  it('splits a signed object into its TBS, algorithm and signature bits', () => {
    const s = readSigned(signed(v2(), ALG, bitString(Uint8Array.of(1, 2))), 'CRL');
    expect(s.tbs.encoded).toEqual(v2());
    expect(s.algorithm.encoded).toEqual(ALG);
    expect(s.signature).toEqual(Uint8Array.of(1, 2));
  });

  it('refuses a missing or extra part, a signature with unused bits and bytes after the object', () => {
    malformed(() => readSigned(signed(v2(), ALG), 'CRL'), /ends before/);
    malformed(() => readSigned(signed(v2(), ALG, bitString(Uint8Array.of(1)), uint(0)), 'CRL'), /extra elements/);
    malformed(() => readSigned(signed(v2(), ALG, tlv(TAG.BIT_STRING, Uint8Array.of(1, 0xfe))), 'CRL'), /unused bits/);
    malformed(() => readSigned(Uint8Array.of(...signed(v2(), ALG, bitString(Uint8Array.of(1))), 0), 'CRL'), /unexpected bytes after/);
    malformed(() => readSigned(setOf(v2(), ALG, bitString(Uint8Array.of(1))), 'CRL'), /not a signed structure/);
  });

  it('reads a SubjectPublicKeyInfo and refuses one with an extra element or unused key bits', () => {
    const alg = seq(oid(OID.ecPublicKey), oid(OID.p256));
    expect(readSpki(seq(alg, bitString(Uint8Array.of(4, 1)))).publicKey).toEqual(Uint8Array.of(4, 1));
    malformed(() => readSpki(seq(alg, bitString(Uint8Array.of(4)), uint(0))), /extra elements/);
    malformed(() => readSpki(seq(alg, tlv(TAG.BIT_STRING, Uint8Array.of(1, 0xfe)))), /unused bits/);
  });
});
