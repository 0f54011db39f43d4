/**
 * A step's diagram (F2): sequence lanes for protocols, the key state machine for
 * lifecycles, a chain for certificates. Each has a text form next to it, so nothing is
 * conveyed by the drawing alone; the current message draws itself in only when the
 * user has not asked for reduced motion (walkthroughs.css).
 */
import { useId, type ReactNode } from 'react';
import type { StepDiagram } from './types';

/** Renders the app's state-machine diagram for a key state (passed in by the app shell). */
export type LifecycleDiagramRenderer = (state: string, from?: string) => ReactNode;

type SequenceDiagram = Extract<StepDiagram, { kind: 'sequence' }>;
type Message = SequenceDiagram['messages'][number];

const LANE_W = 170;
const HEAD = 44;
const ROW = 58;

function laneIndex(lanes: string[], name: string): number {
  const i = lanes.findIndex((l) => l.toLowerCase() === name.toLowerCase());
  return i < 0 ? 0 : i;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** A message label in at most two lines of `max` characters, broken between words. */
export function labelLines(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const words = text.split(' ');
  let first = '';
  let i = 0;
  for (; i < words.length; i++) {
    const next = first ? `${first} ${words[i]}` : words[i]!;
    if (next.length > max) break;
    first = next;
  }
  if (!first) return [clip(text, max)];
  return [first, clip(words.slice(i).join(' '), max)];
}

const describe = (m: Message) => `${m.from} → ${m.to}: ${m.label}${m.refused ? ' (refused)' : ''}`;

function Sequence(props: { diagram: SequenceDiagram }) {
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const { lanes, messages } = props.diagram;
  const width = Math.max(lanes.length, 2) * LANE_W;
  const height = HEAD + messages.length * ROW + 24;
  const x = (name: string) => laneIndex(lanes, name) * LANE_W + LANE_W / 2;
  const current = messages.filter((m) => m.current);
  const arrow = `${uid}-arrow`;
  const arrowOn = `${uid}-arrow-on`;
  const arrowBad = `${uid}-arrow-bad`;
  return (
    <figure className="wt-diagram wt-sequence">
      {/* On a phone the diagram keeps a readable size and scrolls sideways inside this box. */}
      <div className="wt-sequence-scroll" tabIndex={0} role="region" aria-label="Sequence diagram (scrolls sideways on small screens)">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${uid}-t ${uid}-d`} className={`wt-sequence-svg wt-lanes-${Math.min(Math.max(lanes.length, 2), 6)}`}>
        <title id={`${uid}-t`}>{`Sequence diagram: ${lanes.join(', ')}`}</title>
        <desc id={`${uid}-d`}>{current.length ? `This step: ${current.map(describe).join('; ')}.` : 'No message in this step.'} Every message is listed as text below the diagram.</desc>
        <defs>
          {[
            [arrow, 'wt-arrow'],
            [arrowOn, 'wt-arrow wt-arrow-on'],
            [arrowBad, 'wt-arrow wt-arrow-bad'],
          ].map(([id, cls]) => (
            <marker key={id} id={id} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className={cls} />
            </marker>
          ))}
        </defs>
        {lanes.map((l, i) => (
          <g key={l} className="wt-lane">
            <rect x={i * LANE_W + 14} y={6} width={LANE_W - 28} height={28} rx={6} />
            <text x={i * LANE_W + LANE_W / 2} y={25} textAnchor="middle">
              {l}
            </text>
            <line x1={i * LANE_W + LANE_W / 2} x2={i * LANE_W + LANE_W / 2} y1={34} y2={height - 6} />
          </g>
        ))}
        {messages.map((m, r) => {
          const y = HEAD + r * ROW + 28;
          const x1 = x(m.from);
          const x2 = x(m.to);
          const cls = `wt-msg${m.current ? ' wt-msg-current' : ''}${m.refused ? ' wt-msg-refused' : ''}`;
          const marker = `url(#${m.refused ? arrowBad : m.current ? arrowOn : arrow})`;
          const self = x1 === x2;
          const span = self ? LANE_W : Math.abs(x2 - x1);
          const d = self ? `M ${x1} ${y - 10} h 40 v 20 h -36` : `M ${x1 + (x2 > x1 ? 4 : -4)} ${y} L ${x2 + (x2 > x1 ? -4 : 4)} ${y}`;
          const mid = self ? x1 + 46 : (x1 + x2) / 2;
          return (
            <g key={`${r}-${m.label}`} className={cls}>
              <text x={mid} y={y - 8} textAnchor={self ? 'start' : 'middle'} className="wt-msg-label">
                {labelLines(`${m.refused ? '✗ ' : ''}${m.label}`, Math.floor(span / 6.6)).map((line, k, all) => (
                  <tspan key={k} x={mid} dy={k === 0 ? (all.length - 1) * -13 : 13}>
                    {line}
                  </tspan>
                ))}
              </text>
              <path d={d} markerEnd={marker} className="wt-msg-line" pathLength={1} />
            </g>
          );
        })}
      </svg>
      </div>
      <figcaption>
        <ol className="wt-messages">
          {messages.map((m, r) => (
            <li key={`${r}-${m.label}`} className={m.current ? 'wt-messages-current' : undefined}>
              <span className="wt-parties">
                {m.from} → {m.to}
              </span>{' '}
              {m.label}
              {m.refused ? <strong className="wt-refused"> — refused</strong> : null}
              {m.current ? <span className="wt-now"> (this step)</span> : null}
            </li>
          ))}
        </ol>
      </figcaption>
    </figure>
  );
}

const STATUS_TEXT = { valid: 'valid', revoked: 'revoked', unknown: 'not checked', failed: 'fails verification' } as const;
const STATUS_ICON = { valid: '✓', revoked: '⊘', unknown: '?', failed: '✗' } as const;

/** The diagram of a step. `lifecycle` draws the app's state machine when given. */
export function StepDiagramView(props: { diagram: StepDiagram; lifecycle?: LifecycleDiagramRenderer | undefined }) {
  const d = props.diagram;
  switch (d.kind) {
    case 'sequence':
      return <Sequence diagram={d} />;
    case 'lifecycle':
      return (
        <div className="wt-diagram wt-lifecycle">
          <p className="wt-transition">
            {d.from ? (
              <>
                <span className="wt-state">{d.from}</span> <span aria-hidden="true">→</span>
                <span className="visually-hidden"> to </span> <span className="wt-state wt-state-on">{d.state}</span>
              </>
            ) : (
              <>
                Key state: <span className="wt-state wt-state-on">{d.state}</span>
              </>
            )}
          </p>
          {props.lifecycle ? props.lifecycle(d.state, d.from) : null}
        </div>
      );
    case 'chain':
      return (
        <figure className="wt-diagram wt-chain">
          <ol>
            {d.nodes.map((n, i) => (
              <li key={`${i}-${n.label}`} className={`wt-chain-node wt-chain-${n.status}`}>
                <span aria-hidden="true" className="wt-chain-icon">
                  {STATUS_ICON[n.status]}
                </span>{' '}
                <span className="wt-chain-label">{n.label}</span> <span className="wt-chain-status">({STATUS_TEXT[n.status]})</span>
              </li>
            ))}
          </ol>
          <figcaption>Certificate chain, from the root (top) to the certificate being checked (bottom).</figcaption>
        </figure>
      );
    case 'none':
      return null;
  }
}
