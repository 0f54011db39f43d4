// Field, ChoiceField and SelectField: the label names the control; the hint and the error describe it.
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ChoiceField, Field, SelectField } from './field';

describe('Field', () => {
  it('names its control by the label and describes it by the hint and the error', () => {
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

  it('without hint or error leaves the control undescribed and valid', () => {
    render(<Field label="Owner">{(control) => <input {...control} />}</Field>);
    const box = screen.getByRole('textbox', { name: 'Owner' });
    expect(box.hasAttribute('aria-describedby')).toBe(false);
    expect(box.hasAttribute('aria-invalid')).toBe(false);
  });

  it('keeps a fixed id when given one, the hint and error ids following it', () => {
    render(
      <Field id="kdc-name" label="Principal name" hint="Lower-case letters" error="Taken">
        {(control) => <input {...control} />}
      </Field>,
    );
    const box = screen.getByRole('textbox', { name: 'Principal name' });
    expect(box.id).toBe('kdc-name');
    expect(box.getAttribute('aria-describedby')).toBe('kdc-name-hint kdc-name-error');
    expect(document.getElementById('kdc-name-hint')!.textContent).toBe('Lower-case letters');
  });

  it('gives two fields of one page distinct ids, each label naming its own control', () => {
    render(
      <>
        <Field label="From">{(control) => <input {...control} type="date" />}</Field>
        <Field label="To">{(control) => <input {...control} type="date" />}</Field>
      </>,
    );
    const from = screen.getByLabelText('From');
    const to = screen.getByLabelText('To');
    expect(from).not.toBe(to);
    expect(from.id).not.toBe(to.id);
  });
});

describe('SelectField', () => {
  it('is a combobox named by its label, "any" first with the value \'\', then the choices', () => {
    let picked = '';
    render(
      <SelectField
        label="Colour"
        value=""
        onChange={(e) => (picked = e.currentTarget.value)}
        any="Any colour"
        choices={[
          { value: 'red', label: 'Red' },
          { value: 'blue', label: 'Blue' },
        ]}
      />,
    );
    const select = screen.getByRole('combobox', { name: 'Colour' }) as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['', 'Any colour'],
      ['red', 'Red'],
      ['blue', 'Blue'],
    ]);
    fireEvent.change(select, { target: { value: 'blue' } });
    expect(picked).toBe('blue');
  });
});

describe('ChoiceField', () => {
  it('is a combobox named by its label with exactly the choices, handing the chosen value to onChange; disabled when asked', () => {
    const picked: string[] = [];
    const choices = [
      { value: 'superseded', label: 'Superseded' },
      { value: 'keyCompromise', label: 'Key compromise' },
    ] as const;
    const { rerender } = render(<ChoiceField id="why" label="Reason" value="superseded" onChange={(v) => picked.push(v)} choices={choices} />);
    const select = screen.getByRole('combobox', { name: 'Reason' }) as HTMLSelectElement;
    expect(select.id).toBe('why');
    expect([...select.options].map((o) => [o.value, o.textContent])).toEqual([
      ['superseded', 'Superseded'],
      ['keyCompromise', 'Key compromise'],
    ]);
    fireEvent.change(select, { target: { value: 'keyCompromise' } });
    expect(picked).toEqual(['keyCompromise']);
    expect(select.disabled).toBe(false);
    rerender(<ChoiceField id="why" label="Reason" value="superseded" onChange={(v) => picked.push(v)} choices={choices} disabled />);
    expect((screen.getByRole('combobox', { name: 'Reason' }) as HTMLSelectElement).disabled).toBe(true);
  });
});
