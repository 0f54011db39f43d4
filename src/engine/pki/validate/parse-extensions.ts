// Parsing certificate extensions (RFC 5280 4.2) for the path validator: each decoded by its one home (extension-values.ts) into its field of the certificate, plus the problems the verifier reports.
import { MalformedInputError } from '../../errors';
import { DerReader, TAG, decodeOid, parseDer, type DerElement } from '../../internal/der';
import { VOID, type Cert, type Extension } from './cert-types';
import {
  decodeAuthorityInfoAccess,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeCertificatePolicies,
  decodeCrlDistributionPoints,
  decodeExtKeyUsage,
  decodeExtensionList,
  decodeGeneralNames,
  decodeInhibitAnyPolicy,
  decodeKeyUsage,
  decodeNameConstraints,
  decodePolicyConstraints,
  decodePolicyMappings,
  decodeSubjectKeyIdentifier,
} from './extension-values';

export { distributionPoint, reasonMask, seqOf } from './extension-values';

/** An AlgorithmIdentifier: its OID and the encoding of its parameters, if any. @throws MALFORMED_INPUT */
export function algorithm(el: DerElement): { oid: string; params?: Uint8Array } {
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: an algorithm identifier is not a SEQUENCE');
  const r = new DerReader(el.content, 'AlgorithmIdentifier');
  const oid = decodeOid(r.expect(TAG.OID, 'algorithm'));
  const params = r.done ? undefined : r.next('parameters').encoded;
  r.end();
  return params ? { oid, params } : { oid };
}

/**
 * The extensions inside a wrapper element (`[3]` of a certificate, `[0]` of a CRL, or an
 * entry's SEQUENCE given as content), with the problems RFC 5280 4.2 names: a critical
 * FALSE written out, a repeated extension, an empty list. @throws MALFORMED_INPUT
 */
export function readExtensions(el: DerElement, problems: string[]): Extension[] {
  const list = decodeExtensionList(parseDer(el.content));
  const out: Extension[] = [];
  const seen = new Set<string>();
  for (const { oid, critical, value, explicitFalse } of list) {
    if (explicitFalse) problems.push(`extension ${oid} encodes critical FALSE, which DER omits`);
    if (seen.has(oid)) problems.push(`extension ${oid} appears more than once (RFC 5280 4.2)`);
    seen.add(oid);
    out.push({ oid, critical, value });
  }
  if (out.length === 0) problems.push('the extensions field is present but empty (RFC 5280 4.1)');
  return out;
}

/** Decodes one certificate extension into its field of `c`; unknown ones are left alone. @throws MALFORMED_INPUT */
export function parseCertExtension(c: Cert, e: Extension): void {
  switch (e.oid) {
    case VOID.basicConstraints: {
      const { ca, pathLen, explicitFalse } = decodeBasicConstraints(e.value);
      if (explicitFalse) c.problems.push('basicConstraints encodes cA FALSE, which DER omits');
      c.basicConstraints = pathLen === undefined ? { ca } : { ca, pathLen };
      return;
    }
    case VOID.keyUsage:
      c.keyUsage = decodeKeyUsage(e.value);
      return;
    case VOID.extKeyUsage:
      c.extKeyUsage = decodeExtKeyUsage(e.value);
      return;
    case VOID.subjectAltName:
      c.san = decodeGeneralNames(e.value, 'subjectAltName');
      if (c.san.length === 0) c.problems.push('subjectAltName is empty (RFC 5280 4.2.1.6)');
      return;
    case VOID.subjectKeyIdentifier:
      c.ski = decodeSubjectKeyIdentifier(e.value);
      return;
    case VOID.authorityKeyIdentifier:
      c.aki = decodeAuthorityKeyIdentifier(e.value);
      return;
    case VOID.nameConstraints: {
      const nc = decodeNameConstraints(e.value);
      if ((!nc.permitted && !nc.excluded) || nc.permitted?.length === 0 || nc.excluded?.length === 0) c.problems.push('nameConstraints has no subtrees or an empty one (RFC 5280 4.2.1.10)');
      c.nameConstraints = nc;
      return;
    }
    case VOID.cRLDistributionPoints:
      c.crlDistributionPoints = decodeCrlDistributionPoints(e.value);
      return;
    case VOID.authorityInfoAccess:
      decodeAuthorityInfoAccess(e.value);
      return;
    default:
      parsePolicyExtension(c, e);
  }
}

/** The policy extensions (RFC 5280 4.2.1.4, 4.2.1.5, 4.2.1.11, 4.2.1.14) into `c`; others are left alone. @throws MALFORMED_INPUT */
function parsePolicyExtension(c: Cert, e: Extension): void {
  switch (e.oid) {
    case VOID.certificatePolicies: {
      const policies = decodeCertificatePolicies(e.value);
      const seen = new Set<string>();
      for (const { oid } of policies) {
        if (seen.has(oid)) c.problems.push(`certificatePolicies lists ${oid} twice (RFC 5280 4.2.1.4)`);
        seen.add(oid);
      }
      c.policies = policies;
      return;
    }
    case VOID.policyMappings:
      c.policyMappings = decodePolicyMappings(e.value);
      return;
    case VOID.policyConstraints:
      c.policyConstraints = decodePolicyConstraints(e.value);
      return;
    case VOID.inhibitAnyPolicy:
      c.inhibitAnyPolicy = decodeInhibitAnyPolicy(e.value);
      return;
    default:
      return;
  }
}
