// Which of the compared runs' values is best, as the reader sees them: values are compared
// as they are shown (0.81234 and 0.81229 both read 0.812, so both are best), and a row whose
// shown values are all the same marks none.
export function bestShown(
  values: ReadonlyArray<number | null>,
  format: (value: number | null) => string,
  better: 'higher' | 'lower' | undefined,
): boolean[] {
  const present = values.filter((v): v is number => v !== null);
  const none = values.map(() => false);
  if (!better || present.length < 2) return none;
  if (new Set(present.map(format)).size < 2) return none;
  const target = format(better === 'higher' ? Math.max(...present) : Math.min(...present));
  return values.map((v) => v !== null && format(v) === target);
}
