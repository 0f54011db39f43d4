// A key's extractability badge and the sentence explaining why it is or is not exportable.
import type { KeyInfo } from '../../engine';
import { Badge } from '../../components/ui/messages';

/** The A2 badge: "Non-extractable", "Exportable" or "Public key only", as text. */
export function ExtractabilityBadge(props: { info: KeyInfo }) {
  const k = props.info;
  if (k.kind === 'public') return <Badge tone="neutral">Public key only</Badge>;
  return k.extractable ? <Badge tone="warn">Exportable</Badge> : <Badge tone="safe">Non-extractable</Badge>;
}

/** Why the key is or is not extractable, in a sentence. */
export function extractabilityExplanation(k: KeyInfo): string {
  if (k.kind === 'public') return 'Only the public key is stored; there is no secret part to protect.';
  if (k.extractable) return k.extractableReason ?? 'The key was created or imported as exportable.';
  const part = k.kind === 'secret' ? 'secret key' : 'private key';
  return `The browser holds the ${part} and will use it, but refuses to reveal it to anyone, including this page. It cannot be exported or backed up; deleting it destroys the only copy.`;
}
