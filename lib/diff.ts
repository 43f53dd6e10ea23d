// Line diff (Myers' O(ND) algorithm) and grouping into hunks with context, for showing
// how a program changed between two iterations. Pure; runs on the server or in the browser.

export type DiffOp = 'equal' | 'add' | 'remove';

export interface DiffLine {
  op: DiffOp;
  text: string;
  // 1-based line numbers in the old / new text (absent for lines only on the other side)
  oldLine?: number;
  newLine?: number;
}

export interface DiffResult {
  lines: DiffLine[];
  added: number;
  removed: number;
  // the edit distance exceeded maxEdits: everything old is shown removed, everything new added
  truncated: boolean;
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r\n?/g, '\n').split('\n');
}

// Shortest edit script between two line arrays. Common prefix and suffix are stripped
// first (cheap, and the usual case for prompts that change in one place); past maxEdits
// differences the diff degrades to "replace everything" instead of using quadratic memory.
export function diffLines(a: string[], b: string[], maxEdits = 4000): DiffResult {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }

  const middle = myers(a.slice(start, endA), b.slice(start, endB), maxEdits);
  const truncated = middle === null;
  const ops: DiffOp[] = [
    ...Array<DiffOp>(start).fill('equal'),
    ...(middle ?? [...Array<DiffOp>(endA - start).fill('remove'), ...Array<DiffOp>(endB - start).fill('add')]),
    ...Array<DiffOp>(a.length - endA).fill('equal'),
  ];

  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  for (const op of ops) {
    if (op === 'equal') {
      lines.push({ op, text: a[i]!, oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (op === 'remove') {
      lines.push({ op, text: a[i]!, oldLine: i + 1 });
      i++;
      removed++;
    } else {
      lines.push({ op, text: b[j]!, newLine: j + 1 });
      j++;
      added++;
    }
  }
  return { lines, added, removed, truncated };
}

export function diffText(a: string, b: string, maxEdits?: number): DiffResult {
  return diffLines(splitLines(a), splitLines(b), maxEdits);
}

// Myers' greedy algorithm, keeping each round's frontier to walk the path back.
// Returns the edit script (removals before additions within a change), or null when
// more than maxEdits edits are needed.
function myers(a: string[], b: string[], maxEdits: number): DiffOp[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0) return Array<DiffOp>(m).fill('add');
  if (m === 0) return Array<DiffOp>(n).fill('remove');
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, offset, n, m, d);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], offset: number, n: number, m: number, dEnd: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('equal');
      x--;
      y--;
    }
    ops.push(x === prevX ? 'add' : 'remove');
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push('equal');
    x--;
    y--;
  }
  return ops.reverse();
}

export type DiffChunk =
  | { kind: 'lines'; lines: DiffLine[] }
  | { kind: 'skipped'; count: number; fromOld: number; fromNew: number };

// Long unchanged stretches collapse to a "N unchanged lines" marker, keeping `context`
// lines around every change.
export function withContext(lines: DiffLine[], context = 3): DiffChunk[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.op === 'equal') return;
    for (let i = Math.max(0, index - context); i <= Math.min(lines.length - 1, index + context); i++) keep[i] = true;
  });
  const chunks: DiffChunk[] = [];
  let index = 0;
  while (index < lines.length) {
    const kept = keep[index]!;
    let end = index;
    while (end < lines.length && keep[end] === kept) end++;
    const run = lines.slice(index, end);
    // hiding one or two lines saves nothing
    if (kept || run.length <= 2) {
      const last = chunks[chunks.length - 1];
      if (last?.kind === 'lines') last.lines.push(...run);
      else chunks.push({ kind: 'lines', lines: run });
    } else {
      chunks.push({ kind: 'skipped', count: run.length, fromOld: run[0]!.oldLine!, fromNew: run[0]!.newLine! });
    }
    index = end;
  }
  return chunks;
}
