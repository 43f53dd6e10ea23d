import type { JsonValue } from '@/lib/supabase-optimization/schemas';

// A program's state as readable parts, whichever of the usual shapes it was logged in:
//   { signature, instructions: "…", demos: [...] }                 one predictor
//   { instructions: { predict: "…" }, demos: { predict: [...] } }  keyed by predictor
//   { predict: { signature: { instructions, fields }, demos } }    DSPy's dump_state()
export interface Predictor {
  name: string | null;
  signature: string | null;
  instructions: string | null;
  demos: JsonValue[];
}

export interface ProgramModel {
  predictors: Predictor[];
  // top-level fields the model did not use, shown as JSON
  extra: Record<string, JsonValue>;
}

type Obj = Record<string, JsonValue>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function signatureText(sig: JsonValue | undefined): string | null {
  if (typeof sig === 'string') return sig;
  if (isObj(sig) && Array.isArray(sig.fields)) {
    const names = sig.fields
      .map((f) => (isObj(f) ? (f.name ?? f.prefix) : null))
      .filter((n): n is string => typeof n === 'string')
      .map((n) => n.replace(/:$/, ''));
    return names.length ? names.join(', ') : null;
  }
  return null;
}

function predictorFrom(name: string | null, node: Obj): Predictor | null {
  const sig = node.signature;
  const instructions =
    typeof node.instructions === 'string'
      ? node.instructions
      : isObj(sig) && typeof sig.instructions === 'string'
        ? sig.instructions
        : null;
  const demos = Array.isArray(node.demos) ? node.demos : [];
  const signature = signatureText(sig);
  if (instructions === null && signature === null && !Array.isArray(node.demos)) return null;
  return { name, signature, instructions, demos };
}

const PREDICTOR_KEYS = ['signature', 'instructions', 'demos'];

export function programModelOf(state: JsonValue | null | undefined): ProgramModel | null {
  if (!isObj(state)) return null;

  // keyed by predictor: instructions and/or demos are objects of the same names
  const keyedInstructions = isObj(state.instructions) ? state.instructions : null;
  const keyedDemos = isObj(state.demos) ? state.demos : null;
  if (keyedInstructions || keyedDemos) {
    const names = [...new Set([...Object.keys(keyedInstructions ?? {}), ...Object.keys(keyedDemos ?? {})])];
    const predictors = names.map((name) => {
      const ins = keyedInstructions?.[name];
      const demos = keyedDemos?.[name];
      const sig = isObj(state.signature) ? state.signature[name] : undefined;
      return {
        name,
        signature: signatureText(sig),
        instructions: typeof ins === 'string' ? ins : null,
        demos: Array.isArray(demos) ? demos : [],
      };
    });
    return { predictors, extra: omit(state, PREDICTOR_KEYS) };
  }

  const single = predictorFrom(null, state);
  if (single) return { predictors: [single], extra: omit(state, PREDICTOR_KEYS) };

  // dump_state(): one object per predictor
  const predictors: Predictor[] = [];
  const extra: Obj = Object.create(null);
  for (const [key, value] of Object.entries(state)) {
    const p = isObj(value) ? predictorFrom(key, value) : null;
    if (p) predictors.push(p);
    else extra[key] = value;
  }
  return predictors.length ? { predictors, extra } : null;
}

function omit(obj: Obj, keys: string[]): Obj {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

// Demo fields in reading order: inputs first, then reasoning, then outputs (jsonb sorts
// keys by length, which would put "answer" before "question").
const LATE_KEYS = ['reasoning', 'rationale', 'answer', 'output', 'response', 'label', 'prediction', 'completion', 'result'];

export function demoEntries(demo: Obj): Array<[string, JsonValue]> {
  const rank = (key: string) => {
    const i = LATE_KEYS.indexOf(key.toLowerCase());
    return i === -1 ? -1 : i;
  };
  return Object.entries(demo).sort(([a], [b]) => rank(a) - rank(b));
}

function valueText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((line) => prefix + line);
}

// The program as plain text, one thought per line: what the readable diff compares.
export function programText(model: ProgramModel): string {
  const lines: string[] = [];
  for (const p of model.predictors) {
    if (p.name) lines.push(`[${p.name}]`);
    if (p.signature) lines.push(`Signature: ${p.signature}`);
    lines.push('Instructions:');
    lines.push(...indent(p.instructions ?? '(none)', '  '));
    lines.push(`Demos (${p.demos.length}):`);
    p.demos.forEach((demo, i) => {
      if (isObj(demo)) {
        demoEntries(demo).forEach(([key, value], j) => {
          const head = j === 0 ? `  ${i + 1}. ` : '     ';
          const [first = '', ...rest] = valueText(value).split('\n');
          lines.push(`${head}${key}: ${first}`, ...rest.map((r) => `       ${r}`));
        });
      } else {
        lines.push(`  ${i + 1}. ${valueText(demo)}`);
      }
    });
    lines.push('');
  }
  for (const [key, value] of Object.entries(model.extra)) {
    lines.push(`${key}: ${valueText(value)}`);
  }
  while (lines.at(-1) === '') lines.pop();
  return lines.join('\n');
}
