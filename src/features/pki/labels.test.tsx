// The CA screens copy the engine's choices as data (to keep pkijs out of the first page);
// these must stay equal to the engine's own lists.
import { describe, expect, it } from 'vitest';
import { CA_KEY_TEMPLATES, LEAF_PROFILES, REVOCATION_REASONS, VALIDITY_DAYS } from '../../engine/pki';
import { CA_KEY_CHOICES, PROFILE_CHOICES, REASON_CHOICES, VALIDITY, commonName } from './labels';

describe('CA screen choices', () => {
  it('offer exactly the engine’s CA key templates, leaf profiles, validity limits and revocation reasons', () => {
    expect(CA_KEY_CHOICES.map((c) => c.value)).toEqual([...CA_KEY_TEMPLATES]);
    expect(PROFILE_CHOICES.map((c) => c.value)).toEqual([...LEAF_PROFILES]);
    expect(VALIDITY).toEqual(VALIDITY_DAYS);
    expect(REASON_CHOICES.map((c) => c.value).sort()).toEqual(Object.keys(REVOCATION_REASONS).sort());
  });

  it('commonName takes the CN of a display subject and undoes RFC 4514 escapes', () => {
    expect(commonName('C=DE, O=x, CN=app.test')).toBe('app.test');
    expect(commonName('CN=\\<img src\\=x\\>, O=y')).toBe('<img src=x>');
    expect(commonName('O=only')).toBe('O=only');
  });
});
