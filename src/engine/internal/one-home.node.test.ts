/**
 * Issue 12 "one ASN.1/DER layer": a scan of the source under src/ for a second DER
 * length decoder, DER writer, PEM codec, OID table or hex/base64 codec. Each pattern is
 * the shape such a copy takes (the copies this scan was written against had exactly
 * these shapes); the homes are src/engine/internal/{der-reader,der-writer,oid-codec,
 * oids,bytes}.ts (the DER ones behind the one entry point internal/der.ts) and
 * src/engine/keys/pem.ts. Tests and test data may spell OIDs and bytes out on purpose.
 * The X.509 layouts (signed envelope, TBSCertificate, SPKI, TBSCertList and its entries)
 * have one reader too: src/engine/internal/x509-layout.ts (a CRL's entries in crl-entry.ts, which
 * it re-exports, so storage reads entries without loading the rest).
 * Each named X.509 extension is decoded in one place too: src/engine/pki/validate/
 * extension-values.ts; elsewhere a branch on the extension's OID may only hand the value
 * to that decoder (or to a view of it), never read its DER itself.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

/** Tests and test data, which spell values out on purpose. */
const isTestData = (rel: string) => /\.test\.tsx?$/.test(rel) || rel.startsWith('src/testing/') || /test-(chains|fixtures|utils)\.tsx?$/.test(rel);

const FILES = sources(SRC)
  .map((p) => ({ rel: relative(ROOT, p).split('\\').join('/'), text: readFileSync(p, 'utf8') }))
  .filter((f) => !isTestData(f.rel));

interface Rule {
  what: string;
  home: string[];
  pattern: RegExp;
}

const RULES: Rule[] = [
  // A DER length decoder masks the long-form length byte with 0x7f (so does the OID codec's base-128 arc reader).
  { what: 'a DER length decoder', home: ['src/engine/internal/der-reader.ts', 'src/engine/internal/oid-codec.ts'], pattern: /&\s*0x7f\b/ },
  // A DER length encoder sets the long-form bit over a byte count.
  { what: 'a DER length encoder', home: ['src/engine/internal/der-writer.ts'], pattern: /0x80\s*\|\s*\w+\.length/ },
  // An OID arc encoder or decoder works in base 128.
  { what: 'an OID codec', home: ['src/engine/internal/oid-codec.ts'], pattern: /\*\s*128\b|\/\s*128\b|%\s*128\b/ },
  { what: 'a PEM codec (armour written from a template)', home: ['src/engine/keys/pem.ts'], pattern: /`-----BEGIN \$\{/ },
  { what: 'a PEM codec (a regular expression over a whole block)', home: ['src/engine/keys/pem.ts'], pattern: /-----BEGIN[^\n]*-----END/ },
  { what: 'a base64 codec', home: ['src/engine/internal/bytes.ts'], pattern: /\batob\(|\bbtoa\(|ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/ },
  { what: 'a base64url codec', home: ['src/engine/internal/bytes.ts'], pattern: /replace\(\/\\\+\/g, '-'\)|replace\(\/-\/g, '\+'\)/ },
  { what: 'a hex encoder over bytes', home: ['src/engine/internal/bytes.ts'], pattern: /(for \(|Array\.from\(|\.map\()[^\n]*toString\(16\)\.padStart\(2/ },
  { what: 'a hex decoder', home: ['src/engine/internal/bytes.ts'], pattern: /match\(\/\.\.\/g\)[^\n]*parseInt|parseInt\(\w+\.slice\(\w+ \* 2/ },
  // A TBSCertList walker tells nextUpdate (or a revocationDate) from what follows it by its time tag.
  { what: 'an X.509 layout reader (a CRL time found by its tag)', home: ['src/engine/internal/crl-entry.ts'], pattern: /===\s*TAG\.UTC_TIME\s*\|\|/ },
  {
    what: 'an OID written as a literal (use OID from internal/oids.ts)',
    home: ['src/engine/internal/oids.ts'],
    pattern: /['"`][012]\.\d+\.\d+\.\d+(\.\d+)*['"`]/,
  },
];

describe('issue 12: one home for each encoder and decoder', () => {
  for (const rule of RULES) {
    it(`no file under src/ holds ${rule.what} outside ${rule.home.join(', ')}`, () => {
      const offenders = FILES.filter((f) => !rule.home.includes(f.rel) && rule.pattern.test(f.text)).map((f) => f.rel);
      expect(offenders).toEqual([]);
    });
  }

  it('each pattern finds the home it protects (so a pattern that matches nothing fails here)', () => {
    for (const rule of RULES) {
      for (const home of rule.home) {
        const file = FILES.find((f) => f.rel === home);
        expect(file, home).toBeDefined();
        expect(rule.pattern.test(file!.text), `${rule.what} in ${home}`).toBe(true);
      }
    }
  });

  it('code outside internal/ reaches the DER layer only through internal/der.ts, which holds no code of its own', () => {
    const parts = /from '[./]*(?:internal\/)?(der-reader|der-decode|der-writer|oid-codec)'/;
    const offenders = FILES.filter((f) => !f.rel.startsWith('src/engine/internal/') && parts.test(f.text)).map((f) => f.rel);
    expect(offenders).toEqual([]);
    const entry = FILES.find((f) => f.rel === 'src/engine/internal/der.ts')!.text;
    const code = entry.replace(/\/\*\*[\s\S]*?\*\//, '').replace(/export \{[^}]*\} from '\.\/[a-z-]+';/g, '').trim();
    expect(code).toBe('');
  });

  it('the readers that were folded into the one reader are gone', () => {
    const rels = new Set(FILES.map((f) => f.rel));
    expect(rels.has('src/engine/pki/der.ts')).toBe(false);
    expect(rels.has('src/features/walkthroughs/asn1.ts')).toBe(false);
    expect(FILES.find((f) => f.rel === 'src/engine/keys/ecdsa-der.ts')!.text).not.toMatch(/export function readDer/);
  });
});

/** The named X.509 certificate and CRL extensions (the `OID.` / `VOID.` names) and their one decoder in EXTENSION_HOME. */
const EXTENSION_DECODERS: Readonly<Record<string, string>> = {
  basicConstraints: 'decodeBasicConstraints',
  keyUsage: 'decodeKeyUsage',
  extKeyUsage: 'decodeExtKeyUsage',
  subjectAltName: 'decodeGeneralNames',
  subjectKeyIdentifier: 'decodeSubjectKeyIdentifier',
  authorityKeyIdentifier: 'decodeAuthorityKeyIdentifier',
  cRLDistributionPoints: 'decodeCrlDistributionPoints',
  nameConstraints: 'decodeNameConstraints',
  certificatePolicies: 'decodeCertificatePolicies',
  policyMappings: 'decodePolicyMappings',
  policyConstraints: 'decodePolicyConstraints',
  inhibitAnyPolicy: 'decodeInhibitAnyPolicy',
  authorityInfoAccess: 'decodeAuthorityInfoAccess',
  cRLNumber: 'decodeCrlNumber',
  deltaCRLIndicator: 'decodeCrlNumber',
  reasonCode: 'decodeReasonCode',
};
const EXTENSION_HOME = 'src/engine/pki/validate/extension-values.ts';
/** Calls that read DER structure by hand (the reader's primitives), as opposed to calling a decoder. */
const RAW_DER_READ = /\b(readTop|readTlv|readSequence|children|contentOf|parseDer|seqOf|decodeOid|oidToString|decodeBoolean|decodeNamedBits|decodeSmallInteger|decodeOctetString|decodeIntegerBytes)\(|new DerReader\(|\.(optional|expect|sequence|next)\(/;
/** A function whose name says it decodes a named extension. */
const DECODER_NAME = /function\s+((?:parse|decode|read)(?:BasicConstraints|KeyUsage|ExtKeyUsage|SubjectAltName|GeneralNames|SubjectKeyIdentifier|AuthorityKeyIdentifier|CrlDistributionPoints|CRLDistributionPoints|NameConstraints|CertificatePolicies|PolicyMappings|PolicyConstraints|InhibitAnyPolicy|AuthorityInfoAccess|CrlNumber|ReasonCode|Aki|Ski))\s*\(/g;
const HOME_CALL = new RegExp(`\\b(${Object.values(EXTENSION_DECODERS).join('|')})\\(`);

/**
 * Branches that pick out one named extension by its OID (`case OID.x:`, `.oid === OID.x`,
 * `find…(exts, OID.x)`) and then read its DER by hand before the next branch: each is a
 * second parser of that extension. Returns "file: extension" for each.
 */
function secondExtensionParsers(file: { rel: string; text: string }): string[] {
  const out: string[] = [];
  const lines = file.text.split('\n');
  for (const name of Object.keys(EXTENSION_DECODERS)) {
    const select = new RegExp(`case\\s+V?OID\\.${name}\\s*:|===\\s*V?OID\\.${name}\\b|\\(\\s*\\w+,\\s*V?OID\\.${name}\\s*\\)`);
    lines.forEach((line, i) => {
      const m = select.exec(line);
      if (!m) return;
      const window = [line.slice(m.index + m[0].length)];
      for (let j = i + 1; j < Math.min(lines.length, i + 8); j++) {
        if (/^\s*(case\s|default:|\}?\s*else\b)/.test(lines[j]!)) break;
        window.push(lines[j]!);
      }
      if (RAW_DER_READ.test(window.join('\n'))) out.push(`${file.rel}:${i + 1}: ${name}`);
    });
  }
  return out;
}

/** Functions named as extension decoders outside the home that do not call the home. */
function rivalDecoders(file: { rel: string; text: string }): string[] {
  const out: string[] = [];
  for (const m of file.text.matchAll(DECODER_NAME)) {
    const rest = file.text.slice(m.index);
    const end = rest.search(/\n\}/);
    const body = rest.slice(0, end < 0 ? undefined : end);
    if (!HOME_CALL.test(body)) out.push(`${file.rel}: ${m[1]}`);
  }
  return out;
}

describe('issue 12: one home for decoding each named X.509 extension', () => {
  const engine = FILES.filter((f) => f.rel.startsWith('src/engine/') && f.rel !== EXTENSION_HOME);

  it(`no branch on a named extension's OID outside ${EXTENSION_HOME} reads the value's DER itself`, () => {
    expect(engine.flatMap(secondExtensionParsers)).toEqual([]);
  });

  it('a function named as an extension decoder outside the home is a view of the home decoder', () => {
    expect(engine.flatMap(rivalDecoders)).toEqual([]);
  });

  it('the home holds one exported decoder per named extension, and the scan recognises a planted copy', () => {
    const home = FILES.find((f) => f.rel === EXTENSION_HOME)!.text;
    for (const fn of new Set(Object.values(EXTENSION_DECODERS))) expect(home, fn).toMatch(new RegExp(`export function ${fn}\\(`));
    const planted = { rel: 'planted.ts', text: "switch (x.oid) {\n  case OID.basicConstraints: {\n    const r = children(readTop(x.value));\n    return r;\n  }\n}\nif (e.oid === VOID.keyUsage) bits = contentOf(readTop(e.value));\nfunction parseNameConstraints(v: Uint8Array) {\n  return children(readTop(v));\n}" };
    expect(secondExtensionParsers(planted)).toEqual(['planted.ts:2: basicConstraints', 'planted.ts:7: keyUsage']);
    expect(rivalDecoders(planted)).toEqual(['planted.ts: parseNameConstraints']);
    // A branch that hands the value to the home, and a view that calls it, are not copies.
    const views = { rel: 'views.ts', text: "case OID.keyUsage:\n  return decodeKeyUsage(value);\nexport function parseKeyUsage(v: Uint8Array) {\n  return decodeKeyUsage(v);\n}" };
    expect(secondExtensionParsers(views)).toEqual([]);
    expect(rivalDecoders(views)).toEqual([]);
  });
});
