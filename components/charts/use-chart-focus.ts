'use client';

import { useEffect, type RefObject } from 'react';

// Recharts draws each z-index layer into a React portal, and Chromium makes an SVG element
// with focus listeners (React adds them to every portal container) a tab stop. Keep the
// chart one tab stop (its surface, where arrow keys move the tooltip) by taking the layers
// out of the tab order, also when recharts adds layers after its own re-renders.
export function useChartFocus(container: RefObject<HTMLElement | null>) {
  useEffect(() => {
    const root = container.current;
    if (!root) return;
    const untab = () =>
      root
        .querySelectorAll('g[class^="recharts-zIndex-layer_"]:not([tabindex])')
        .forEach((g) => g.setAttribute('tabindex', '-1'));
    untab();
    const observer = new MutationObserver(untab);
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [container]);
}
