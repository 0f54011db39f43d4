// The shared list pieces: Field, SelectField, FilterBar, CountMessage and NoMatches.
import { fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { CountMessage, Field, FilterBar, NoMatches, SelectField, countText } from './filter-bar';

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

describe('shared list pieces (issue 12)', () => {
  it('Field names its control by the label and describes it by the hint and the error', () => {
    render(
      <Field label="Name" hint="Shown in the list" error="A name is required">
        {(control) => <input {...control} />}
      </Field>,
    );
    const box = screen.getByRole('textbox', { name: 'Name' });
    expect(box.getAttribute('aria-invalid')).toBe('true');
    const described = box.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)!.textContent);
    expect(described).toEqual(['Shown in the list', 'A name is required']);
  });

  it('Field without hint or error leaves the control undescribed and valid', () => {
    render(<Field label="Owner">{(control) => <input {...control} />}</Field>);
    const box = screen.getByRole('textbox', { name: 'Owner' });
    expect(box.hasAttribute('aria-describedby')).toBe(false);
    expect(box.hasAttribute('aria-invalid')).toBe(false);
  });

  it('FilterBar is a named search landmark; "Clear filters" appears while filtering and clears; the count follows', () => {
    render(<Demo />);
    const bar = screen.getByRole('search', { name: 'Filter things' });
    const select = within(bar).getByRole('combobox', { name: 'Colour' }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['Any colour', 'Red', 'Blue']);
    expect(within(bar).queryByRole('button', { name: 'Clear filters' })).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('3 things');

    fireEvent.change(select, { target: { value: 'blue' } });
    expect(screen.getByRole('status').textContent).toBe('Showing 1 of 3 things');
    fireEvent.click(within(bar).getByRole('button', { name: 'Clear filters' }));
    expect(select.value).toBe('');
    expect(screen.getByRole('status').textContent).toBe('3 things');
  });

  it('countText uses the singular for one, and NoMatches renders its sentence as the empty state', () => {
    expect(countText(1, 1, false, 'key', 'keys')).toBe('1 key');
    expect(countText(0, 0, false, 'key', 'keys')).toBe('0 keys');
    render(<NoMatches>No keys match these filters.</NoMatches>);
    expect(screen.getByText('No keys match these filters.').className).toBe('empty-state');
  });
});
