// Whether an iteration scored a minibatch or the full dev set, as optimizers log it:
// params.eval_type ('minibatch' | 'full'), params.minibatch (boolean) or params.full_eval (boolean).
export type EvalKind = 'minibatch' | 'full';

export function evalKindOf(params: unknown): EvalKind | null {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return null;
  const p = params as Record<string, unknown>;
  const type = p.eval_type ?? p.evalType;
  if (type === 'minibatch' || type === 'full') return type;
  if (typeof p.minibatch === 'boolean') return p.minibatch ? 'minibatch' : 'full';
  if (typeof p.full_eval === 'boolean') return p.full_eval ? 'full' : 'minibatch';
  if (typeof p.fullEval === 'boolean') return p.fullEval ? 'full' : 'minibatch';
  return null;
}
