import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { certificateSans } from './extensions';

describe('certificateSans: the SANs a certificate is issued with (issue 16, the issue form previews this)', () => {
  it('adds a TLS server’s host-name common name as a DNS name and says so', () => {
    expect(certificateSans('tls-server', 'no-san', {})).toEqual({ sans: { dns: ['no-san'], ip: [], email: [], uri: [] }, fromCommonName: { kind: 'dns', value: 'no-san' } });
    expect(certificateSans('tls-server', '192.0.2.7', { dns: ['a.test'] })).toEqual({
      sans: { dns: ['a.test'], ip: ['192.0.2.7'], email: [], uri: [] },
      fromCommonName: { kind: 'ip', value: '192.0.2.7' },
    });
  });

  it('adds nothing when the common name is already a SAN, is no host name, or the profile is not a TLS server', () => {
    expect(certificateSans('tls-server', 'a.test', { dns: ['a.test'] })).toEqual({ sans: { dns: ['a.test'], ip: [], email: [], uri: [] } });
    expect(certificateSans('tls-server', 'My Server', {})).toEqual({ sans: { dns: [], ip: [], email: [], uri: [] } });
    expect(certificateSans('tls-client', 'client.test', {})).toEqual({ sans: { dns: [], ip: [], email: [], uri: [] } });
  });

  it('refuses an invalid SAN with INVALID_ARGUMENT', () => {
    let thrown: unknown;
    try {
      certificateSans('tls-server', 'x.test', { dns: ['bad name!'] });
    } catch (e) {
      thrown = e;
    }
    expect(isEngineError(thrown, 'INVALID_ARGUMENT')).toBe(true);
  });
});
