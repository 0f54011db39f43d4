// The lifecycle state diagram and its text alternative.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { allowedTransitions, KEY_STATES, TRANSITIONS } from '../../engine/lifecycle/states';
import { edgePath, NODE_H, NODE_POSITIONS, NODE_W, StateDiagram } from './state-diagram';
import { expectShown } from '../../testing/dom';

describe('StateDiagram', () => {
  it('B1: draws every state and every transition of the engine’s table, and highlights the current state and its edges', () => {
    const { container } = render(<StateDiagram state="active" />);
    const img = screen.getByRole('img', { name: /^Key lifecycle state diagram \(SP 800-57 and KMIP\) Current state: Active\./ });
    // Named by its title and description elements (aria-labelledby), not by a copy of their text.
    const labelledBy = img.getAttribute('aria-labelledby')!.split(' ');
    expect(labelledBy).toHaveLength(2);
    expect(labelledBy.map((id) => document.getElementById(id)?.tagName.toLowerCase())).toEqual(['title', 'desc']);
    const nodes = [...container.querySelectorAll('[data-state]')];
    expect(nodes.map((n) => n.getAttribute('data-state'))).toEqual([...KEY_STATES]);
    expect(container.querySelectorAll('[data-edge]')).toHaveLength(TRANSITIONS.length);
    const current = container.querySelector('[data-state="active"]')!;
    expect(current.getAttribute('aria-current')).toBe('true');
    expect(current.textContent).toContain('current state');
    expect(container.querySelectorAll('[aria-current]')).toHaveLength(1);
    const on = [...container.querySelectorAll('.lc-edge-on')].map((e) => e.getAttribute('data-edge'));
    expect(on.sort()).toEqual(allowedTransitions('active').map((t) => `${t.from}>${t.to}`).sort());
    // Each edge carries its rule as a tooltip.
    expect(container.querySelector('[data-edge="active>deactivated"] title')!.textContent).toBe('Active → Deactivated: Deactivate (SP 800-57 #8; KMIP #6)');
  });

  it('B1: the text alternative lists every state and every transition with its cause and explanation', () => {
    render(<StateDiagram state="compromised" />);
    const details = screen.getByText('The state machine as text').closest('details')!;
    const items = within(details).getAllByRole('listitem');
    // Seven states plus one nested item per transition.
    expect(items).toHaveLength(KEY_STATES.length + TRANSITIONS.length);
    expect(details.textContent).toContain('Compromised (current state)');
    expect(details.textContent).toContain('Destroyed (compromised) — Destroy, by operator (SP 800-57 #15; KMIP #9)');
    expect(details.textContent).toContain('Destroyed (compromised) — destroyed phase. Final: no transition leaves it.');
    expect(screen.getByRole('img').textContent).toContain('From here it can move to Destroyed (compromised).');
  });

  it('without a key, draws the machine with nothing highlighted', () => {
    const { container } = render(<StateDiagram />);
    expectShown(screen.getByRole('img', { name: /Seven states and the transitions between them/ }));
    expect(container.querySelectorAll('.lc-edge-on, .lc-node-on')).toHaveLength(0);
  });

  it('every edge runs from the border of its source box to the border of its target box', () => {
    for (const t of TRANSITIONS) {
      const nums = edgePath(t).match(/-?\d+(\.\d+)?/g)!.map(Number);
      expect(nums).toHaveLength(6);
      expect(nums.every(Number.isFinite)).toBe(true);
      const [x0, y0, , , x1, y1] = nums as [number, number, number, number, number, number];
      const a = NODE_POSITIONS[t.from];
      const b = NODE_POSITIONS[t.to];
      const onBorder = (x: number, y: number, c: { x: number; y: number }) =>
        Math.abs(Math.abs(x - c.x) - NODE_W / 2) < 0.2 || Math.abs(Math.abs(y - c.y) - NODE_H / 2) < 0.2;
      expect(onBorder(x0, y0, a), `${t.from}>${t.to} start`).toBe(true);
      expect(onBorder(x1, y1, b), `${t.from}>${t.to} end`).toBe(true);
    }
  });
});
