// Step numbers in messages count from 1, as the screen's "Step 3 of 10" does (F2).
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../engine/internal/bytes';
import { kdcSymmetric } from './kdc-symmetric';
import { storageNamespace } from './namespace';
import { createRunner, type WalkthroughRunner } from './runner';
import { WalkthroughStepPage } from './step-page';
import { expectShown } from '../../testing/dom';

const runners: WalkthroughRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.reset();
});

function runner() {
  const r = createRunner(kdcSymmetric, storageNamespace(`clavis-test-wt-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`));
  runners.push(r);
  return r;
}

describe('walkthrough step numbers in messages', () => {
  const n = kdcSymmetric.steps.length;

  it('F2 a step past the end says the steps are 1 to n and links to step 1', () => {
    render(<WalkthroughStepPage walkthroughId="kdc-symmetric" step={n} navigate={vi.fn()} runner={runner()} />);
    expectShown(screen.getByText(new RegExp(`This walkthrough has steps 1 to ${n}\\.`)));
    expect(screen.getByRole('link', { name: 'Start at step 1' }).getAttribute('href')).toBe('#/walkthroughs/kdc-symmetric/0');
  });

  it('F2 the runner refuses a step past the end in the same numbering', async () => {
    await expect(runner().ensure(n)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(`has steps 1 to ${n}`) });
  });
});
