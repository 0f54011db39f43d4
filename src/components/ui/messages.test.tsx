// Error alerts, status messages and badges say what happened in words.
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatLocal } from './format';
import { ErrorAlert } from './messages';
import { errorHeading, readableMessage, reasonWords } from './readable';

describe('errors written for people (issue 16)', () => {
  it('ErrorAlert shows a sentence first, without the engine module prefix, and keeps the code in a details line', () => {
    render(<ErrorAlert error={{ code: 'KEY_STATE', message: 'keys: key "alpha" is suspended; only an active key may encrypt' }} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).not.toContain('keys:');
    expect(alert.textContent).not.toContain('(KEY_STATE)');
    // A short heading from the code, then the sentence, capitalised and ended.
    expect(alert.querySelector('.alert-title')!.textContent).toBe('⚠ Not allowed in the key’s present state');
    expect(alert.querySelector('.alert-message')!.textContent).toBe('Key "alpha" is suspended; only an active key may encrypt.');
    expect(alert.querySelector('.alert-details')!.textContent).toBe('Error code: KEY_STATE');
  });

  it('ErrorAlert keeps a page title and still names the kind of error in the details line', () => {
    render(<ErrorAlert error={{ code: 'MALFORMED_INPUT', message: 'pki: pem: the CSR is not PEM or DER' }} title="The CSR was not read" />);
    const alert = screen.getByRole('alert');
    expect(alert.querySelector('.alert-title')!.textContent).toBe('⚠ The CSR was not read');
    expect(alert.querySelector('.alert-message')!.textContent).toBe('The CSR is not PEM or DER.');
    expect(alert.querySelector('.alert-details')!.textContent).toBe('Unreadable input · error code: MALFORMED_INPUT');
  });

  it('strips every engine prefix: kdc:, pki:, lifecycle:, clavis:', () => {
    expect(readableMessage('kdc: alice is revoked; reinstate it before rotating its key')).toBe('Alice is revoked; reinstate it before rotating its key.');
    expect(readableMessage('pki: validate: the chain is too long')).toBe('The chain is too long.');
    expect(readableMessage('clavis: an unexpected error occurred')).toBe('An unexpected error occurred.');
    expect(readableMessage('lifecycle: unknown revocation reason.')).toBe('Unknown revocation reason.');
  });

  it('shows times in local time, not raw ISO timestamps', () => {
    const iso = '2030-01-01T12:00:00.000Z';
    const m = readableMessage(`kdc: the key kdk_1 was already revoked on ${iso}`);
    expect(m).toBe(`The key kdk_1 was already revoked on ${formatLocal(iso)}.`);
    expect(m).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it('names revocation reasons in words, whether given as a code or an RFC 5280 name', () => {
    expect(reasonWords('keyCompromise')).toBe('key compromise');
    expect(reasonWords(4)).toBe('superseded');
    expect(reasonWords('cACompromise')).toBe('CA compromise');
    expect(reasonWords(undefined)).toBe('no reason given');
    expect(readableMessage('pki: the certificate is revoked (reason 4)')).toBe('The certificate is revoked (superseded).');
    expect(readableMessage('pki: revoked for keyCompromise on 2030-01-01T12:00:00Z')).toBe(`Revoked for key compromise on ${formatLocal('2030-01-01T12:00:00Z')}.`);
  });

  it('every error code has a short heading', () => {
    for (const code of ['INVALID_ARGUMENT', 'KEY_NOT_FOUND', 'KEY_STATE', 'DECRYPT_FAILED', 'SIGNATURE_INVALID', 'MALFORMED_INPUT', 'WRONG_PASSPHRASE', 'NOT_EXTRACTABLE', 'CERT_INVALID', 'CERT_REVOKED', 'STORAGE', 'UNSUPPORTED', 'UNEXPECTED']) {
      expect(errorHeading(code)).not.toBe(code);
      expect(errorHeading(code).length).toBeLessThan(45);
    }
    expect(errorHeading('SOMETHING_NEW')).toBe('Error');
  });
});
