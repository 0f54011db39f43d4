/**
 * Import and export (A5). PLACEHOLDER: being implemented.
 */
import { EngineError } from '../errors';
import type { KeyInfo, TemplateName } from '../types';
import type { EngineContext } from './context';

export type PublicExportFormat = 'pem' | 'der' | 'jwk';
export type SecretExportFormat = 'jwk' | 'raw' | 'pkcs8-encrypted-pem' | 'fernet';

export type SniffedFormat =
  | 'pem-spki'
  | 'pem-pkcs8'
  | 'pem-encrypted-pkcs8'
  | 'der-spki'
  | 'der-pkcs8'
  | 'der-encrypted-pkcs8'
  | 'jwk'
  | 'fernet'
  | 'raw';

export interface ImportKeyParams {
  /** File bytes or pasted text. */
  data: Uint8Array | string;
  name: string;
  owner?: string;
  /** Needed for encrypted PKCS#8. */
  passphrase?: string;
  /** Disambiguates raw bytes and keys whose encoding fits several templates. */
  template?: TemplateName;
  /** Keep the private/secret part exportable after import. */
  exportable?: boolean;
}

const todo = (): never => {
  throw new EngineError('UNSUPPORTED', 'keys: not implemented yet');
};

export function sniffKeyFormat(_data: Uint8Array | string): SniffedFormat { return todo(); }
export async function exportPublicKey(_ctx: EngineContext, _id: string, _format: PublicExportFormat): Promise<string | Uint8Array> { return todo(); }
export async function exportKey(_ctx: EngineContext, _id: string, _opts: { format: SecretExportFormat; passphrase?: string }): Promise<string | Uint8Array> { return todo(); }
export async function importKey(_ctx: EngineContext, _params: ImportKeyParams): Promise<KeyInfo> { return todo(); }
