/**
 * Labels and choices of the CA screens. The lists mirror the engine's constants
 * (CA_KEY_TEMPLATES, LEAF_PROFILES, VALIDITY_DAYS, REVOCATION_REASONS), copied here as data
 * because importing them would pull the lazily loaded CA module (pkijs) into the first
 * page; labels.test.tsx checks they stay equal.
 */
import type { CaKeyTemplate, CertInfo, DistinguishedName, LeafProfile, RevocationReason } from '../../engine';

/** CA key templates with a short explanation. */
export const CA_KEY_CHOICES: ReadonlyArray<{ value: CaKeyTemplate; label: string }> = [
  { value: 'ECDSA-P-256', label: 'ECDSA P-256 (recommended: small, fast, accepted everywhere)' },
  { value: 'ECDSA-P-384', label: 'ECDSA P-384 (stronger curve, slightly larger)' },
  { value: 'RSASSA-PKCS1-v1_5-2048', label: 'RSA 2048, PKCS #1 v1.5 (widest legacy support)' },
  { value: 'RSASSA-PKCS1-v1_5-3072', label: 'RSA 3072, PKCS #1 v1.5' },
  { value: 'RSASSA-PKCS1-v1_5-4096', label: 'RSA 4096, PKCS #1 v1.5 (slow to generate)' },
  { value: 'RSA-PSS-2048', label: 'RSA 2048, PSS' },
  { value: 'RSA-PSS-3072', label: 'RSA 3072, PSS' },
  { value: 'RSA-PSS-4096', label: 'RSA 4096, PSS (slow to generate)' },
];

/** Leaf profiles with what they are for. */
export const PROFILE_CHOICES: ReadonlyArray<{ value: LeafProfile; label: string; what: string }> = [
  { value: 'tls-server', label: 'TLS server', what: 'A web or API server: serverAuth, needs at least one DNS name or IP address; at most 398 days.' },
  { value: 'tls-client', label: 'TLS client', what: 'A client authenticating to a server (mutual TLS): clientAuth.' },
  { value: 'code-signing', label: 'Code signing', what: 'Signing software or scripts: codeSigning.' },
  { value: 'email', label: 'E-mail (S/MIME)', what: 'Signing or encrypting e-mail: emailProtection, needs an e-mail address.' },
];

/** Default and maximum validity per profile, in days (the engine's VALIDITY_DAYS). */
export const VALIDITY: Record<LeafProfile | 'root-ca' | 'sub-ca', { default: number; max: number }> = {
  'root-ca': { default: 3650, max: 9131 },
  'sub-ca': { default: 1825, max: 9131 },
  'tls-server': { default: 397, max: 398 },
  'tls-client': { default: 365, max: 825 },
  'code-signing': { default: 365, max: 1185 },
  email: { default: 365, max: 825 },
};

/** RFC 5280 §5.3.1 reasons the engine accepts, with when to use each. */
export const REASON_CHOICES: ReadonlyArray<{ value: RevocationReason; label: string }> = [
  { value: 'keyCompromise', label: 'Key compromise: the private key was or may have been exposed' },
  { value: 'superseded', label: 'Superseded: replaced by a new certificate' },
  { value: 'cessationOfOperation', label: 'Cessation of operation: the name or service is no longer used' },
  { value: 'affiliationChanged', label: 'Affiliation changed: the subject’s name or organisation changed' },
  { value: 'privilegeWithdrawn', label: 'Privilege withdrawn: the subject may no longer hold it' },
];

/** Name attributes the forms offer, in the order they are shown. */
export const NAME_FIELDS: ReadonlyArray<{ key: keyof DistinguishedName; label: string; hint?: string }> = [
  { key: 'CN', label: 'Common name (CN)' },
  { key: 'O', label: 'Organization (O)' },
  { key: 'OU', label: 'Organizational unit (OU)' },
  { key: 'L', label: 'Locality (L)' },
  { key: 'ST', label: 'State or province (ST)' },
  { key: 'C', label: 'Country (C)', hint: 'Two letters, e.g. DE' },
];

const PROFILE_LABELS: Record<string, string> = {
  'root-ca': 'Root CA',
  'sub-ca': 'Intermediate CA',
  ...Object.fromEntries(PROFILE_CHOICES.map((p) => [p.value, p.label])),
};

/** Display label of a certificate profile. */
export const profileLabel = (p: string) => PROFILE_LABELS[p] ?? p;

/** Display label of a status. */
export function statusLabel(s: CertInfo['status']): string {
  return s === 'valid' ? 'Valid' : s === 'revoked' ? 'Revoked' : s === 'expired' ? 'Expired' : 'Not yet valid';
}

/** The badge tone of a status; the text carries the meaning. */
export function statusTone(s: CertInfo['status']): 'safe' | 'warn' | 'info' | 'neutral' {
  return s === 'valid' ? 'safe' : s === 'revoked' ? 'warn' : 'neutral';
}

/** A distinguished name without empty fields. */
export function cleanName(dn: DistinguishedName): DistinguishedName {
  return Object.fromEntries(Object.entries(dn).map(([k, v]) => [k, (v ?? '').trim()]).filter(([, v]) => v !== '')) as DistinguishedName;
}

/** Lines of a textarea as a list (blank lines and surrounding spaces dropped). */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The first CN of a display subject ("C=DE, CN=x"), or the whole subject. */
export function commonName(subject: string): string {
  const m = /(?:^|, )CN=((?:\\.|[^,\\])*)/.exec(subject);
  return m ? m[1]!.replace(/\\(.)/g, '$1') : subject;
}
