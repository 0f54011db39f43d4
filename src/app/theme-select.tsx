// The light/dark/system theme choice in the header.
import { useId, useState } from 'react';
import { applyTheme, loadTheme, type ThemePreference } from './theme';

/** The theme toggle: System (prefers-color-scheme), Light or Dark. */
export function ThemeSelect() {
  const id = useId();
  const [pref, setPref] = useState<ThemePreference>(loadTheme);
  return (
    <div className="theme-select">
      <label htmlFor={id}>Theme</label>
      <select
        id={id}
        value={pref}
        onChange={(e) => {
          const next = e.currentTarget.value as ThemePreference;
          setPref(next);
          applyTheme(next);
        }}
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </div>
  );
}
