// FilterBar and the count message: a named search landmark, "Clear filters" while filtering, "Showing N of M".
import { fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { SelectField } from './field';
import { CountMessage, FilterBar, countText } from './filter-bar';

function Demo() {
  const [colour, setColour] = useState('');
  return (
    <>
      <FilterBar label="Filter things" filtering={colour !== ''} onClear={() => setColour('')}>
        <SelectField
          label="Colour"
          value={colour}
          onChange={(e) => setColour(e.currentTarget.value)}
          any="Any colour"
          choices={[
            { value: 'red', label: 'Red' },
            { value: 'blue', label: 'Blue' },
          ]}
        />
      </FilterBar>
      <CountMessage shown={colour ? 1 : 3} total={3} filtering={colour !== ''} one="thing" many="things" />
    </>
  );
}

describe('FilterBar and CountMessage', () => {
  it('FilterBar is a named search landmark; "Clear filters" appears while filtering and clears; the count follows', () => {
    render(<Demo />);
    const bar = screen.getByRole('search', { name: 'Filter things' });
    const select = within(bar).getByRole('combobox', { name: 'Colour' }) as HTMLSelectElement;
    expect(within(bar).queryByRole('button', { name: 'Clear filters' })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('3 things');

    fireEvent.change(select, { target: { value: 'blue' } });
    expect(screen.getByRole('status').textContent).toBe('Showing 1 of 3 things');
    fireEvent.click(within(bar).getByRole('button', { name: 'Clear filters' }));
    expect(select.value).toBe('');
    expect(screen.getByRole('status').textContent).toBe('3 things');
  });

  it('countText says "Showing N of M" while filtering, and the singular for one otherwise', () => {
    expect(countText(2, 6, true, 'key', 'keys')).toBe('Showing 2 of 6 keys');
    expect(countText(1, 1, true, 'key', 'keys')).toBe('Showing 1 of 1 keys');
    expect(countText(1, 1, false, 'key', 'keys')).toBe('1 key');
    expect(countText(0, 0, false, 'key', 'keys')).toBe('0 keys');
  });
});
