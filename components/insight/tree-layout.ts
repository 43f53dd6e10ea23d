// A tidy layered layout for a candidate lineage: depth from the seed on x, leaves in
// consecutive rows on y, each parent centred on its children. A merge (two or more
// parents) hangs under its first parent; its other parents are extra edges. Linear in the
// number of nodes, so 200 candidates lay out instantly, with no layout library.

export interface LayoutInput {
  id: string;
  parentIds: string[];
}

export interface LayoutNode {
  id: string;
  depth: number;
  row: number;
  treeParent: string | null;
}

export function layoutTree(nodes: LayoutInput[]): { nodes: Map<string, LayoutNode>; depth: number; rows: number } {
  const known = new Set(nodes.map((n) => n.id));
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  const treeParent = new Map<string, string | null>();
  for (const n of nodes) {
    const parent = n.parentIds.find((p) => known.has(p) && p !== n.id) ?? null;
    treeParent.set(n.id, parent);
    if (parent === null) roots.push(n.id);
    else children.set(parent, [...(children.get(parent) ?? []), n.id]);
  }
  const out = new Map<string, LayoutNode>();
  let nextRow = 0;
  let maxDepth = 0;
  // iterative post-order: a cycle in bad data cannot recurse forever (visited once each)
  const seen = new Set<string>();
  const place = (root: string) => {
    if (seen.has(root)) return;
    seen.add(root);
    const stack: Array<{ id: string; depth: number; expanded: boolean }> = [{ id: root, depth: 0, expanded: false }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (!top.expanded) {
        top.expanded = true;
        const kids = (children.get(top.id) ?? []).filter((k) => !seen.has(k));
        for (const k of kids) seen.add(k);
        for (let i = kids.length - 1; i >= 0; i--) stack.push({ id: kids[i]!, depth: top.depth + 1, expanded: false });
        continue;
      }
      stack.pop();
      if (out.has(top.id)) continue;
      const placed = (children.get(top.id) ?? []).map((k) => out.get(k)).filter((k): k is LayoutNode => k !== undefined && k.depth === top.depth + 1);
      const row = placed.length ? (placed[0]!.row + placed[placed.length - 1]!.row) / 2 : nextRow++;
      maxDepth = Math.max(maxDepth, top.depth);
      out.set(top.id, { id: top.id, depth: top.depth, row, treeParent: treeParent.get(top.id) ?? null });
    }
  };
  for (const root of roots) place(root);
  // nodes only on a cycle have no root: placed as roots of their own
  for (const n of nodes) if (!out.has(n.id)) place(n.id);
  return { nodes: out, depth: maxDepth, rows: nextRow };
}
