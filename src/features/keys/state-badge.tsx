// A badge naming a key's lifecycle state.
import type { KeyState } from '../../engine';
import { Badge } from '../../components/ui/messages';

const LABELS: Readonly<Record<KeyState, string>> = {
  'pre-activation': 'Pre-activation',
  active: 'Active',
  suspended: 'Suspended',
  deactivated: 'Deactivated',
  compromised: 'Compromised',
  destroyed: 'Destroyed',
  'destroyed-compromised': 'Destroyed (compromised)',
};

/** A key's lifecycle state as a badge: the text says the state, the tone only decorates. */
export function KeyStateBadge(props: { state: KeyState }) {
  const s = props.state;
  const tone = s === 'active' ? 'safe' : s === 'suspended' || s === 'compromised' || s === 'destroyed-compromised' ? 'warn' : s === 'pre-activation' ? 'info' : 'neutral';
  return <Badge tone={tone}>{LABELS[s]}</Badge>;
}
