/**
 * Light/dark theme. "system" follows prefers-color-scheme; an explicit choice is kept
 * in localStorage, which holds UI preferences only, never keys (SECURITY.md H4).
 */
export type ThemePreference = 'system' | 'light' | 'dark';

/** The localStorage key of the theme preference. */
export const THEME_STORAGE_KEY = 'clavis.theme';

/** The saved preference, or "system". Never throws (storage may be blocked). */
export function loadTheme(): ThemePreference {
  try {
    const v = window.localStorage.getItem(THEME_STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a preference to <html data-theme> (CSS does the rest) and saves it. */
export function applyTheme(pref: ThemePreference, save = true): void {
  const root = document.documentElement;
  if (pref === 'system') delete root.dataset.theme;
  else root.dataset.theme = pref;
  if (!save) return;
  try {
    if (pref === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, pref);
  } catch {
    // Storage blocked: the choice lasts for this page only.
  }
}
