// Whether a CSS media query matches now, re-rendering when it changes (the window is resized or a
// phone turns). Layout that only CSS can't do (which elements exist) reads it.
import { useSyncExternalStore } from 'react';

export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => window.matchMedia(query).matches,
  );
}

/** Under 700 px the session's chat and its side panes are tabs of one list, not side by side. */
export const NARROW_SESSION = '(max-width: 699px)';
