// Light, dark, or the system's choice (the default), remembered on this
// browser. The resolved one is set as <html data-theme>, which the CSS follows.
import { useEffect, useState } from 'react';

export type Theme = 'system' | 'light' | 'dark';
const KEY = 'lanboard-theme';
const DARK = '(prefers-color-scheme: dark)';

/** [the choice, set it, the theme in effect]. */
export function useTheme(): [Theme, (t: Theme) => void, 'light' | 'dark'] {
  const [theme, setTheme] = useState<Theme>(
    () => (localStorage.getItem(KEY) as Theme | null) ?? 'system',
  );
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(DARK).matches);
  useEffect(() => {
    const query = window.matchMedia(DARK);
    const onChange = () => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  const effective = theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
  useEffect(() => {
    document.documentElement.dataset.theme = effective;
    localStorage.setItem(KEY, theme);
  }, [theme, effective]);
  return [theme, setTheme, effective];
}

/** The page's resolved colours, for the chart (which draws on a canvas). */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || 'gray';
}
