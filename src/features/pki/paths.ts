/** Hash paths of the certificate-authority screens. The app's router parses the same shapes. */
export const pkiPaths = {
  cas: '#/ca',
  newCa: '#/ca/new',
  /** Bulk issuance: many certificates from one CA in one job. */
  bulk: '#/ca/bulk',
  crl: (caId: string) => `#/ca/${encodeURIComponent(caId)}/crl`,
  certs: '#/certs',
  issue: '#/certs/issue',
  /** Create a CSR, optionally for one vault key. */
  csr: (keyId?: string) => (keyId ? `#/certs/csr/${encodeURIComponent(keyId)}` : '#/certs/csr'),
  cert: (id: string) => `#/certs/${encodeURIComponent(id)}`,
  /** A vault key's page (owned by the keys screens; the shape is the router's). */
  key: (id: string) => `#/keys/${encodeURIComponent(id)}`,
  newKey: '#/keys/new',
} as const;

/** Moves to another screen (the app passes its router's navigate). */
export type Navigate = (hash: string) => void;
