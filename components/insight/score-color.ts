// One colour ramp for scores 0–1 on light and dark backgrounds: indigo at an opacity that
// grows with the score, so it reads on both themes; null is transparent.
export function scoreFill(score: number | null | undefined, min = 0, max = 1): string {
  if (score === null || score === undefined || !Number.isFinite(score)) return 'transparent';
  const t = max > min ? Math.min(1, Math.max(0, (score - min) / (max - min))) : 1;
  return `rgba(99, 102, 241, ${(0.12 + 0.78 * t).toFixed(3)})`;
}

// the text colour that stays legible on scoreFill's background
export function scoreInk(score: number | null | undefined, min = 0, max = 1): string {
  if (score === null || score === undefined) return '';
  const t = max > min ? (score - min) / (max - min) : 1;
  return t > 0.55 ? 'text-white' : '';
}
