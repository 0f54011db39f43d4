// The certificate and CRL structures the path validator decides from, and the object identifiers it understands.
import * as OID from '../../internal/oids';

/** Object identifiers the validator understands, from the engine's one table (src/engine/internal/oids.ts). */
export const VOID = {
  subjectKeyIdentifier: OID.subjectKeyIdentifier,
  keyUsage: OID.keyUsage,
  subjectAltName: OID.subjectAltName,
  issuerAltName: OID.issuerAltName,
  basicConstraints: OID.basicConstraints,
  cRLNumber: OID.cRLNumber,
  reasonCode: OID.reasonCode,
  invalidityDate: OID.invalidityDate,
  deltaCRLIndicator: OID.deltaCRLIndicator,
  issuingDistributionPoint: OID.issuingDistributionPoint,
  certificateIssuer: OID.certificateIssuer,
  nameConstraints: OID.nameConstraints,
  cRLDistributionPoints: OID.cRLDistributionPoints,
  certificatePolicies: OID.certificatePolicies,
  policyMappings: OID.policyMappings,
  authorityKeyIdentifier: OID.authorityKeyIdentifier,
  policyConstraints: OID.policyConstraints,
  extKeyUsage: OID.extKeyUsage,
  freshestCRL: OID.freshestCRL,
  inhibitAnyPolicy: OID.inhibitAnyPolicy,
  authorityInfoAccess: OID.authorityInfoAccess,
  anyPolicy: OID.anyPolicy,
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  commonName: OID.commonName,
  emailAddress: OID.emailAddress,
} as const;

/** One attribute of a distinguished name, with its value normalised for comparison. */
export interface NameAttribute {
  oid: string;
  /** Decoded text for string types, else hex of the encoding. */
  text: string;
  /** RFC 5280 7.1 / RFC 4518 comparison form: case folded, spaces collapsed. */
  norm: string;
}

/** A distinguished name: raw DER, its RDNs, and a key equal for names RFC 5280 calls equal. */
export interface Name {
  der: Uint8Array;
  rdns: NameAttribute[][];
  key: string;
  /** Per-RDN comparison keys, so subtree checks compare strings only. */
  rdnKeys: string[];
  /** Readable form for explanations, e.g. "CN=Root, O=Clavis". */
  text: string;
}

/** One GeneralName (RFC 5280 4.2.1.6). */
export type GeneralName =
  | { type: 'dns' | 'email' | 'uri'; value: string }
  | { type: 'ip'; bytes: Uint8Array }
  | { type: 'dn'; name: Name }
  | { type: 'other'; tag: number; der: Uint8Array };

/** A GeneralSubtree of a name constraint (minimum/maximum are refused unless 0/absent). */
export interface Subtree {
  base: GeneralName;
}

/** An extension as found: OID, critical flag, the extnValue contents. */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** One entry of certificatePolicies. */
export interface PolicyInfo {
  oid: string;
  qualifiers: string[];
}

/** A DistributionPoint (certificate CRLDP) or the IDP of a CRL. */
export interface DistributionPoint {
  fullName?: GeneralName[];
  relativeName?: NameAttribute[];
  reasons?: number; // bit mask, bit i = reason code i
  crlIssuer?: GeneralName[];
}

/** A parsed certificate. */
export interface Cert {
  der: Uint8Array;
  /** Hex SHA-free identity: the whole DER as hex would be large, so a short fingerprint. */
  id: string;
  tbs: Uint8Array;
  sigAlg: { oid: string; params?: Uint8Array };
  /** The TBS signature field, which RFC 5280 4.1.1.2 wants equal to the outer one. */
  tbsSigAlgDer: Uint8Array;
  outerSigAlgDer: Uint8Array;
  signature: Uint8Array;
  version: number;
  /** Serial content octets as hex (sign kept: 0xff and 0x00ff differ). */
  serial: string;
  serialBytes: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  spki: Uint8Array;
  spkiAlg: { oid: string; params?: Uint8Array };
  publicKey: Uint8Array;
  extensions: Extension[];
  /** Problems found in the certificate's structure or extensions. */
  problems: string[];
  basicConstraints?: { ca: boolean; pathLen?: number };
  keyUsage?: { bytes: Uint8Array; unused: number };
  extKeyUsage?: string[];
  san?: GeneralName[];
  ski?: Uint8Array;
  aki?: { keyId?: Uint8Array; issuer?: GeneralName[]; serial?: Uint8Array };
  nameConstraints?: { permitted?: Subtree[]; excluded?: Subtree[] };
  policies?: PolicyInfo[];
  policyMappings?: { issuer: string; subject: string }[];
  policyConstraints?: { requireExplicit?: number; inhibitMapping?: number };
  inhibitAnyPolicy?: number;
  crlDistributionPoints?: DistributionPoint[];
  /** Self-issued: issuer and subject names equal (RFC 5280 6.1). */
  selfIssued: boolean;
}

/** One revoked entry of a CRL. */
export interface CrlEntry {
  serial: string;
  revocationDate: number;
  reason?: number;
  /** For indirect CRLs: the certificate issuer this entry (and the following) speak of. */
  certIssuer?: Name;
  criticalUnknown?: string;
}

/** A parsed CRL. */
export interface Crl {
  der: Uint8Array;
  tbs: Uint8Array;
  sigAlg: { oid: string; params?: Uint8Array };
  signature: Uint8Array;
  issuer: Name;
  thisUpdate: number;
  nextUpdate?: number;
  entries: CrlEntry[];
  extensions: Extension[];
  problems: string[];
  crlNumber?: string;
  deltaBase?: string;
  aki?: { keyId?: Uint8Array };
  idp?: DistributionPoint & { onlyUser: boolean; onlyCA: boolean; onlyAttr: boolean; indirect: boolean };
}
