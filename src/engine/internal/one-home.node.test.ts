/**
 * Issue 12 "one ASN.1/DER layer": a scan of the source under src/ for a second DER
 * length decoder, DER writer, PEM codec, OID table or hex/base64 codec. Each pattern is
 * the shape such a copy takes (the copies this scan was written against had exactly
 * these shapes); the homes are src/engine/internal/{der-reader,der-writer,oid-codec,
 * oids,bytes}.ts (the DER ones behind the one entry point internal/der.ts) and
 * src/engine/keys/pem.ts. Tests and test data may spell OIDs and bytes out on purpose.
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
