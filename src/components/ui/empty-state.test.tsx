// EmptyState is a section named by its heading; NoMatches is the one sentence of a filter that matches nothing.
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { EmptyState, NoMatches } from './empty-state';

describe('EmptyState and NoMatches', () => {
  it('EmptyState is a region named by its level-2 heading, with what to do next', () => {
    render(
      <EmptyState title="No keys yet" headingId="empty-keys">
        <p>
          The vault is empty. <a href="#/keys/new">Generate your first key</a>.
        </p>
      </EmptyState>,
    );
    const region = screen.getByRole('region', { name: 'No keys yet' });
    expect(region.className).toBe('empty-state');
    expect(screen.getByRole('heading', { level: 2, name: 'No keys yet' }).id).toBe('empty-keys');
    expect(screen.getByRole('link', { name: 'Generate your first key' }).closest('section')).toBe(region);
  });

  it('EmptyState without a heading id still names its region by the heading', () => {
    render(<EmptyState title="No CAs yet" />);
    expect(screen.getByRole('region', { name: 'No CAs yet' }).getAttribute('aria-labelledby')).toBe(screen.getByRole('heading', { name: 'No CAs yet' }).id);
  });

  it('NoMatches renders its sentence as the empty state, without a heading', () => {
    render(<NoMatches>No keys match these filters.</NoMatches>);
    expect(screen.getByText('No keys match these filters.').className).toBe('empty-state');
    expect(screen.queryByRole('heading')).toBeNull();
  });
});
