/**
 * The whole SP 800-57 / KMIP key-lifecycle machine as an SVG, drawn from the transition
 * table in the engine (states.ts), with the key's current state and the edges that
 * leave it highlighted. The same data is given as text next to it (the accessible
 * alternative): a list of every state and where it can go.
 */
import { useId } from 'react';
import type { KeyState } from '../../engine';
import { KEY_STATES, STATE_PHASE, TRANSITIONS, type LifecyclePhase, type TransitionRule } from '../../engine/lifecycle/states';
import { CAUSE_LABELS, PHASE_LABELS, STATE_LABELS } from './labels';
import './lifecycle.css';

interface Point {
  x: number;
  y: number;
}

const W = 800;
const H = 400;
export const NODE_W = 156;
export const NODE_H = 52;

/** Columns follow the SP 800-57 phases, left to right. */
const PHASE_X: Readonly<Record<LifecyclePhase, number>> = {
  'pre-operational': 92,
  operational: 290,
  'post-operational': 500,
  destroyed: 704,
};

/** Where each state sits: its phase's column, upper or lower row. */
const NODE_Y: Readonly<Record<KeyState, number>> = {
  'pre-activation': 220,
  active: 140,
  suspended: 310,
  deactivated: 140,
  compromised: 310,
  destroyed: 140,
  'destroyed-compromised': 310,
};

/** Node centres, from the phase table. */
export const NODE_POSITIONS: Readonly<Record<KeyState, Point>> = Object.fromEntries(
  KEY_STATES.map((s) => [s, { x: PHASE_X[STATE_PHASE[s]], y: NODE_Y[s] }]),
) as Record<KeyState, Point>;

/**
 * Edges that would cross a node if drawn straight get a control point (absolute), and
 * the two edges between active and suspended bend apart.
 */
const CONTROL: Readonly<Record<string, Point>> = {
  'pre-activation>destroyed': { x: 300, y: -90 },
  'pre-activation>compromised': { x: 250, y: 480 },
};
const BEND: Readonly<Record<string, number>> = {
  'active>suspended': 22,
  'suspended>active': 22,
  'active>compromised': 18,
  'suspended>deactivated': 18,
};

/** Where the ray from a node's centre towards `toward` leaves its box. */
function boxExit(c: Point, toward: Point): Point {
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  const tx = dx === 0 ? Infinity : NODE_W / 2 / Math.abs(dx);
  const ty = dy === 0 ? Infinity : NODE_H / 2 / Math.abs(dy);
  const t = Math.min(tx, ty);
  return { x: c.x + dx * t, y: c.y + dy * t };
}

const key = (t: Pick<TransitionRule, 'from' | 'to'>) => `${t.from}>${t.to}`;

/** The SVG path of an edge (a quadratic curve from box edge to box edge). */
export function edgePath(t: Pick<TransitionRule, 'from' | 'to'>): string {
  const a = NODE_POSITIONS[t.from];
  const b = NODE_POSITIONS[t.to];
  let c = CONTROL[key(t)];
  if (!c) {
    const bend = BEND[key(t)] ?? 0;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    // Perpendicular to the right of the direction of travel, so a pair of opposite edges separates.
    c = { x: (a.x + b.x) / 2 - ((b.y - a.y) / len) * bend * 2, y: (a.y + b.y) / 2 + ((b.x - a.x) / len) * bend * 2 };
  }
  const p = boxExit(a, c);
  const q = boxExit(b, c);
  const r = (n: number) => Math.round(n * 10) / 10;
  return `M ${r(p.x)} ${r(p.y)} Q ${r(c.x)} ${r(c.y)} ${r(q.x)} ${r(q.y)}`;
}

/** The diagram plus its text alternative. `state` is highlighted; omit it to show the machine alone. */
export function StateDiagram(props: { state?: KeyState; caption?: string }) {
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const titleId = `${uid}-title`;
  const descId = `${uid}-desc`;
  const arrow = `${uid}-arrow`;
  const arrowOn = `${uid}-arrow-on`;
  const current = props.state;
  const outgoing = TRANSITIONS.filter((t) => t.from === current);
  const description = current
    ? `Current state: ${STATE_LABELS[current]}. ${
        outgoing.length === 0 ? 'No transition leaves it.' : `From here it can move to ${outgoing.map((t) => STATE_LABELS[t.to]).join(', ')}.`
      } The full list of transitions follows the diagram.`
    : 'Seven states and the transitions between them; the full list follows the diagram.';

  return (
    <figure className="lifecycle-diagram">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId} ${descId}`} className="lifecycle-svg">
        <title id={titleId}>Key lifecycle state diagram (SP 800-57 and KMIP)</title>
        <desc id={descId}>{description}</desc>
        <defs>
          <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="lc-arrow" />
          </marker>
          <marker id={arrowOn} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="lc-arrow lc-arrow-on" />
          </marker>
        </defs>
        {(Object.keys(PHASE_X) as LifecyclePhase[]).map((phase) => (
          <text key={phase} x={PHASE_X[phase]} y={18} className="lc-phase" textAnchor="middle">
            {PHASE_LABELS[phase]}
          </text>
        ))}
        {TRANSITIONS.map((t) => {
          const on = t.from === current;
          return (
            <path
              key={key(t)}
              d={edgePath(t)}
              className={on ? 'lc-edge lc-edge-on' : 'lc-edge'}
              markerEnd={`url(#${on ? arrowOn : arrow})`}
              data-edge={key(t)}
            >
              <title>{`${STATE_LABELS[t.from]} → ${STATE_LABELS[t.to]}: ${t.action} (${t.source})`}</title>
            </path>
          );
        })}
        {KEY_STATES.map((s) => {
          const p = NODE_POSITIONS[s];
          const on = s === current;
          const lines = s === 'destroyed-compromised' ? ['Destroyed', '(compromised)'] : [STATE_LABELS[s]];
          const all = on ? [...lines, 'current state'] : lines;
          const top = p.y - ((all.length - 1) * 15) / 2 + 5;
          return (
            <g key={s} className={on ? 'lc-node lc-node-on' : 'lc-node'} data-state={s} aria-current={on ? 'true' : undefined}>
              <rect x={p.x - NODE_W / 2} y={p.y - NODE_H / 2} width={NODE_W} height={NODE_H} rx={8} />
              {all.map((line, i) => (
                <text key={line} x={p.x} y={top + i * 15} textAnchor="middle" className={on && i === all.length - 1 ? 'lc-node-current' : 'lc-node-label'}>
                  {line}
                </text>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption>
        {props.caption ?? 'Solid, thick arrows leave the current state. Hover an arrow for its rule.'}
        <details className="lc-text-alternative">
          <summary>The state machine as text</summary>
          <ul>
            {KEY_STATES.map((s) => {
              const out = TRANSITIONS.filter((t) => t.from === s);
              return (
                <li key={s}>
                  <strong>{STATE_LABELS[s]}</strong>
                  {s === current ? ' (current state)' : ''} — {PHASE_LABELS[STATE_PHASE[s]].toLowerCase()} phase.{' '}
                  {out.length === 0 ? 'Final: no transition leaves it.' : 'Can move to:'}
                  {out.length > 0 ? (
                    <ul>
                      {out.map((t) => (
                        <li key={key(t)}>
                          {STATE_LABELS[t.to]} — {t.action}, by {t.causes.map((c) => CAUSE_LABELS[c]).join(' or ')} ({t.source}): {t.explanation}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </details>
      </figcaption>
    </figure>
  );
}
