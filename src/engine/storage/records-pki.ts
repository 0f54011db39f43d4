// The stored records of the certificate authority (v2, v5, v8) and of the imported trust material (v6): the value types of their IndexedDB stores.
import type { CaId, CertId, KeyId } from '../ids';

/** Subject alternative names as stored and shown (normalised text). */
export interface StoredSans {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
}

/** A certificate authority: its vault key, its current certificate and its CRL settings. */
export interface CaRecord {
  id: CaId;
  name: string;
  kind: 'root' | 'intermediate';
  /** The vault key that signs for this CA. */
  keyId: KeyId;
  /** This CA's own certificate (in `certs`). */
  certId: CertId;
  /** The CA that signed this CA's certificate; absent for a root. */
  parentId?: CaId;
  /** Display form of the subject. */
  subject: string;
  /** Hex SHA-1 key identifier (RFC 5280 §4.2.1.2 method 1). */
  ski: string;
  notBefore: string;
  notAfter: string;
  /** basicConstraints pathLenConstraint; absent means unlimited. */
  pathLen?: number;
  /** CRL distribution point written into certificates this CA issues. */
  crlUrl?: string;
  /** AIA caIssuers URL written into certificates this CA issues. */
  caIssuersUrl?: string;
  /** Days between thisUpdate and nextUpdate of this CA's CRLs. */
  crlValidityDays: number;
  createdAt: string;
}

/** One issued certificate, with the exact DER that was signed (never re-encoded, P14). */
export interface CertRecord {
  id: CertId;
  /** The CA that signed it (for a root certificate, the root itself). */
  issuerId: CaId;
  /** Lower-case hex of the serial's INTEGER content, minimal. */
  serialHex: string;
  profile: string;
  subject: string;
  issuer: string;
  sans: StoredSans;
  notBefore: string;
  notAfter: string;
  /** Vault key certified, when it came from the vault. */
  keyId?: KeyId;
  source: 'vault' | 'csr' | 'ca';
  /** Hex SHA-256 of the subject's SPKI (the key fingerprint). */
  spkiSha256: string;
  /** Hex SHA-256 of the certificate DER. */
  sha256: string;
  /** Set when this certificate belongs to a CA. */
  caId?: CaId;
  /** True when notAfter was cut to the issuer's notAfter. */
  truncated: boolean;
  der: Uint8Array<ArrayBuffer>;
  createdAt: string;
}

/** A serial reserved for an issuer. `burned` serials were reserved and never used. */
export interface SerialRecord {
  /** `${issuerId}:${serialHex}` */
  id: string;
  issuerId: CaId;
  serialHex: string;
  state: 'reserved' | 'issued' | 'burned';
  certId?: CertId;
  at: string;
}

/** One revocation (E6). Keyed by issuer and serial: the revocation index (M3). */
export interface RevocationRecord {
  /** `${issuerId}:${serialHex}` */
  id: string;
  issuerId: CaId;
  serialHex: string;
  certId: CertId;
  /** RFC 5280 CRLReason code: 1, 3, 4, 5 or 9. */
  reason: number;
  revokedAt: string;
  invalidityDate?: string;
  spkiSha256: string;
  /** The revoked certificate's notAfter; the entry leaves the CRL after it (R6 tidy). */
  certNotAfter: string;
}

/** A signed CRL as published. */
export interface CrlRecord {
  /** `${issuerId}:${number}` */
  id: string;
  issuerId: CaId;
  number: number;
  thisUpdate: string;
  nextUpdate: string;
  entries: number;
  der: Uint8Array<ArrayBuffer>;
  sha256: string;
  /**
   * The issuer's revocation count (`counters` key `revs:<issuerId>`) this CRL was built
   * from: the CRL lists every revocation recorded up to it. A CRL whose value is below
   * the counter is stale and is rebuilt (issue 14). Absent on CRLs stored before it existed.
   */
  revisions?: number;
}

/**
 * A run of an issuer's CRL entries, sorted by serial (v8, see `crl-chunks.ts`): the DER of
 * each `revokedCertificates` entry back to back, with what publication needs to tidy
 * (R6) and date (R2) without decoding them.
 */
export interface CrlChunkRecord {
  issuerId: string;
  /** Sort key (`serialSortKey`) of the first entry: chunks ordered by it list serials in order. */
  lo: string;
  /**
   * A random stamp, new on every write: with issuer and `lo` it is the record's key, so the
   * keys alone (one small request) say which chunks changed since they were last read.
   */
  ver: string;
  count: number;
  /** The entries' DER, concatenated in serial order. */
  der: Uint8Array<ArrayBuffer>;
  /** Offset of each entry in `der`, then `der.length` (count + 1 values). */
  offsets: Uint32Array<ArrayBuffer>;
  /** Epoch ms notAfter of each entry's certificate (R6: it leaves the CRL after). */
  notAfter: Float64Array<ArrayBuffer>;
  /** Epoch ms revocation date of each entry. */
  revokedAt: Float64Array<ArrayBuffer>;
  /** The smallest `notAfter` (NaN when one is unreadable): a chunk with it after thisUpdate is listed whole. */
  minNotAfter: number;
  /** The newest `revokedAt` (R2: thisUpdate is never before it). */
  maxRevokedAt: number;
}

/**
 * A monotonically increasing counter: `crl:<issuerId>` is the issuer's last CRL number,
 * `revs:<issuerId>` counts the issuer's recorded revocations (bumped in the transaction
 * that records them), so a CRL can prove which revocations it was built from.
 */
export interface CounterRecord {
  key: string;
  value: number;
}

/**
 * A certificate imported from outside (v6): a root, an intermediate or a leaf the user
 * brought to verify chains with. Never a Clavis CA; `trusted` only on a self-signed CA
 * certificate whose self-signature verified, set by an explicit act.
 */
export interface ImportedCertRecord {
  /** `imp-cert_` + the SHA-256 of the DER (hex): the same certificate is the same record. */
  id: string;
  sha256: string;
  der: Uint8Array;
  subject: string;
  issuer: string;
  serialHex: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** basicConstraints cA is true. */
  isCa: boolean;
  /** Issuer and subject names equal and the certificate's own key verifies its signature. */
  selfSigned: boolean;
  /** A trust anchor for the Verify screen (explicit act; only self-signed CA certificates). */
  trusted: boolean;
  /** ISO 8601. */
  importedAt: string;
}

/** A CRL imported from outside (v6): used only when the user picks it for a verification. */
export interface ImportedCrlRecord {
  /** `imp-crl_` + the SHA-256 of the DER (hex). */
  id: string;
  sha256: string;
  der: Uint8Array;
  issuer: string;
  /** ISO 8601. */
  thisUpdate: string;
  nextUpdate?: string;
  /** Hex, when the CRL carries a cRLNumber. */
  crlNumber?: string;
  /** How many revoked entries it lists. */
  entries: number;
  importedAt: string;
}
