/**
 * The two profiles. RFC 5280 judges by the RFC alone (with SHA-1 allowed only when the
 * caller asks); web PKI adds the CA/Browser Forum Baseline Requirements rules limbo marks
 * as webpki: key types and sizes, AKI/SKI presence, serial length, EKU rules, leaf not a CA.
 * Rules are data: each has a name, where it comes from, and a test on one certificate.
 */
import { VOID, type Cert } from './parse';
import { keyInfo } from './signature';
import { canonicalIp, parseIpText } from './names';
import type { ProfileName } from './result';

/** Where a certificate sits in the path. */
export type Position = 'anchor' | 'intermediate' | 'leaf';

/** One certificate-profile rule. */
export interface ProfileRule {
  rule: string;
  section: string;
  profiles: ProfileName[];
  /** Reported as a warning, not a failure: an issuance rule that path validation tolerates. */
  warning?: boolean;
  /** A failure sentence, or undefined when the certificate passes. */
  test(c: Cert, pos: Position): string | undefined;
}

const has = (c: Cert, oid: string) => c.extensions.find((e) => e.oid === oid);

/** Certificate-profile rules, in the order they are reported. */
export const PROFILE_RULES: ProfileRule[] = [
  {
    rule: 'serial-number',
    section: 'RFC 5280 4.1.2.2',
    profiles: ['rfc5280', 'webpki'],
    test: (c, pos) => {
      if (pos === 'anchor') return undefined;
      if (c.serialBytes.length > 20) return 'its serial number is longer than 20 octets';
      if (c.serialBytes[0]! >= 0x80) return 'its serial number is negative';
      if (c.serialBytes.length === 1 && c.serialBytes[0] === 0) return 'its serial number is zero';
      return undefined;
    },
  },
  {
    rule: 'signature-algorithm-match',
    section: 'RFC 5280 4.1.1.2',
    profiles: ['rfc5280', 'webpki'],
    test: (c) => (c.tbsSigAlgDer.length === c.outerSigAlgDer.length && c.tbsSigAlgDer.every((b, i) => b === c.outerSigAlgDer[i]) ? undefined : 'its two signature algorithm fields differ'),
  },
  {
    rule: 'issuer-name',
    section: 'RFC 5280 4.1.2.4',
    profiles: ['rfc5280', 'webpki'],
    test: (c) => (c.issuer.rdns.length === 0 ? 'its issuer name is empty' : undefined),
  },
  {
    rule: 'ca-subject',
    section: 'RFC 5280 4.1.2.6',
    profiles: ['rfc5280', 'webpki'],
    test: (c, pos) => (pos !== 'leaf' && c.subject.rdns.length === 0 ? 'it is a CA with an empty subject name' : undefined),
  },
  {
    rule: 'subject-alt-name',
    section: 'RFC 5280 4.2.1.6',
    profiles: ['rfc5280', 'webpki'],
    test: (c) => {
      const san = has(c, VOID.subjectAltName);
      if (c.subject.rdns.length === 0 && (!san || !san.critical)) return 'its subject is empty but its subjectAltName is missing or not critical';
      return undefined;
    },
  },
  {
    rule: 'authority-key-identifier',
    section: 'RFC 5280 4.2.1.1',
    profiles: ['rfc5280', 'webpki'],
    test: (c, pos) => {
      const aki = has(c, VOID.authorityKeyIdentifier);
      if (aki?.critical) return 'its authorityKeyIdentifier is critical';
      // An anchor is trusted as given (limbo marks a cross-signed anchor without AKI pedantic).
      if (!aki && pos !== 'anchor' && !c.selfIssued) return 'it has no authorityKeyIdentifier';
      if (aki && !c.aki?.keyId && pos !== 'anchor') return 'its authorityKeyIdentifier has no keyIdentifier';
      return undefined;
    },
  },
  {
    rule: 'subject-key-identifier',
    section: 'RFC 5280 4.2.1.2',
    profiles: ['rfc5280', 'webpki'],
    test: (c, pos) => {
      const ski = has(c, VOID.subjectKeyIdentifier);
      if (ski?.critical) return 'its subjectKeyIdentifier is critical';
      if (!ski && pos !== 'leaf' && c.version === 3) return 'it is a CA without a subjectKeyIdentifier';
      return undefined;
    },
  },
  {
    rule: 'anchor-aki',
    section: 'CABF BR 7.1.2.1.3',
    profiles: ['webpki'],
    test: (c, pos) => {
      if (pos !== 'anchor' || !c.aki) return undefined;
      if (!c.aki.keyId) return 'the root has an authorityKeyIdentifier without keyIdentifier';
      if (c.aki.issuer || c.aki.serial) return 'the root has an authorityKeyIdentifier with issuer and serial';
      if (c.ski && !c.ski.every((b, i) => b === c.aki!.keyId![i])) return "the root's authorityKeyIdentifier differs from its subjectKeyIdentifier";
      return undefined;
    },
  },
  {
    rule: 'key-type',
    section: 'CABF BR 6.1.5',
    profiles: ['webpki'],
    test: (c) => {
      const k = keyInfo(c);
      if (k.kind === 'rsa') {
        if ((k.bits ?? 0) < 2048) return `its RSA key of ${k.bits} bits is shorter than 2048`;
        if ((k.bits ?? 0) % 8 !== 0) return `its RSA key size ${k.bits} is not a multiple of 8`;
        return undefined;
      }
      if (k.kind === 'ec') return k.curve === 'P-256' || k.curve === 'P-384' || k.curve === 'P-521' ? undefined : `its EC key is on ${k.curve}, which the web PKI forbids`;
      if (k.kind === 'ed25519') return undefined;
      return `its ${k.kind.toUpperCase()} key is not allowed in the web PKI`;
    },
  },
  {
    rule: 'v3',
    section: 'CABF BR 7.1.1',
    profiles: ['webpki'],
    test: (c) => (c.version !== 3 ? `it is a v${c.version} certificate` : undefined),
  },
  {
    rule: 'leaf-not-ca',
    section: 'CABF BR 7.1.2.7.8',
    profiles: ['webpki'],
    test: (c, pos) => (pos === 'leaf' && c.basicConstraints?.ca ? 'the end-entity certificate says it is a CA' : undefined),
  },
  {
    rule: 'leaf-eku',
    section: 'CABF BR 7.1.2.7.10',
    profiles: ['webpki'],
    test: (c, pos) => {
      if (pos !== 'leaf') return undefined;
      const e = has(c, VOID.extKeyUsage);
      if (!e) return 'the end-entity certificate has no extKeyUsage';
      if (e.critical) return 'its extKeyUsage is critical';
      if (c.extKeyUsage?.includes(VOID.anyExtendedKeyUsage)) return 'its extKeyUsage contains anyExtendedKeyUsage';
      return undefined;
    },
  },
  {
    rule: 'root-eku',
    section: 'CABF BR 7.1.2.1.2',
    profiles: ['webpki'],
    test: (c, pos) => (pos === 'anchor' && has(c, VOID.extKeyUsage) ? 'the root has an extKeyUsage' : undefined),
  },
  {
    rule: 'name-constraints-critical',
    section: 'RFC 5280 4.2.1.10',
    profiles: ['rfc5280'],
    test: (c) => (has(c, VOID.nameConstraints) && !has(c, VOID.nameConstraints)!.critical ? 'its nameConstraints extension is not critical' : undefined),
  },
  {
    // An issuance rule that 6.1 does not check (PKITS 4.6.4 accepts a non-critical one in an
    // intermediate); limbo holds roots to it, and an anchor is what the caller chose to trust.
    rule: 'basic-constraints-critical',
    section: 'RFC 5280 4.2.1.9',
    profiles: ['rfc5280', 'webpki'],
    test: (c, pos) => (pos === 'anchor' && has(c, VOID.basicConstraints) && !has(c, VOID.basicConstraints)!.critical ? 'its basicConstraints extension is not critical' : undefined),
  },
  {
    // PKITS 4.8.6, 4.8.10, 4.8.11 and 4.8.13 expect such paths to validate; limbo's
    // rfc5280::pc::ica-noncritical-pc does not. Validation follows PKITS and says so.
    rule: 'policy-constraints-critical',
    section: 'RFC 5280 4.2.1.11',
    warning: true,
    profiles: ['rfc5280'],
    test: (c) => (has(c, VOID.policyConstraints) && !has(c, VOID.policyConstraints)!.critical ? 'its policyConstraints extension is not critical' : undefined),
  },
  {
    rule: 'name-constraints-in-ca-only',
    section: 'RFC 5280 4.2.1.10',
    profiles: ['rfc5280', 'webpki'],
    test: (c) => (c.nameConstraints && !c.basicConstraints?.ca ? 'it carries nameConstraints but is not a CA' : undefined),
  },
  {
    rule: 'key-cert-sign-in-ca-only',
    section: 'RFC 5280 4.2.1.3',
    profiles: ['rfc5280', 'webpki'],
    test: (c) => (c.keyUsage && (c.keyUsage.bytes[0] ?? 0) & 0x04 && !c.basicConstraints?.ca ? 'its key usage asserts keyCertSign but it is not a CA' : undefined),
  },
  {
    rule: 'san-critical',
    section: 'CABF BR 7.1.2.7.12',
    profiles: ['webpki'],
    test: (c, pos) => (pos === 'leaf' && c.subject.rdns.length > 0 && has(c, VOID.subjectAltName)?.critical ? 'its subjectAltName is critical although its subject is not empty' : undefined),
  },
  {
    rule: 'common-name-in-san',
    section: 'CABF BR 7.1.4.3',
    profiles: ['webpki'],
    test: (c, pos) => {
      if (pos !== 'leaf') return undefined;
      for (const rdn of c.subject.rdns) {
        for (const a of rdn) {
          if (a.oid !== VOID.commonName) continue;
          const cn = a.text;
          const dns = (c.san ?? []).some((g) => g.type === 'dns' && g.value === cn);
          const ip = parseIpText(cn);
          const ipOk = !!ip && canonicalIp(ip) === cn && (c.san ?? []).some((g) => g.type === 'ip' && g.bytes.length === ip.length && g.bytes.every((x, i) => x === ip[i]));
          if (!dns && !ipOk) return `its common name "${cn}" is not one of its subjectAltNames in canonical form`;
        }
      }
      return undefined;
    },
  },
];
