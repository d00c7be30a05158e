/**
 * The scalar backend of a rule's program: JavaScript source for one fused loop per variant,
 * compiled once. Values are float64 between operations, as in PyTorch's own scalar CPU loops
 * after their float32 loads; stored values and `f32` nodes are rounded to float32. Worker
 * threads receive the same source (see `node/worker.ts`).
 */
import { arraysRead, useCounts, type ArrayName, type Program, type Value, type Variant, variantFor } from './program';
import type { UpdateKernel } from './rule';

const INFIX = { add: '+', sub: '-', mul: '*', div: '/' } as const;
const ARRAY_OF: Record<ArrayName, string> = { param: 'param', grad: 'grad', slot0: 's0', slot1: 's1', slot2: 's2' };

/**
 * The loop `(param, grad, slots, start, end, scalars, out) => void` of `variant` as a function
 * expression: it updates the arrays over `[start, end)` and adds its sums to `out`.
 */
export function scalarKernelSource(variant: Variant): string {
  const { stores, sums } = variant.step;
  const uses = useCounts(variant.step);
  const stored = new Set(stores.map(([, value]) => value));
  const names = new Map<Value, string>();
  const lines: string[] = [];
  const written = new Set<ArrayName>();
  const scalarLocal = (name: string) => `k${variant.scalars.indexOf(name)}`;

  const expression = (v: Value): string => {
    const named = names.get(v);
    if (named) return named;
    let text: string;
    switch (v.op) {
      case 'load':
        // A bug in an update rule's program (this package's own), not bad input.
        if (written.has(v.array)) throw new Error(`${variant.name}: ${v.array} is read after it is stored`);
        text = `${ARRAY_OF[v.array]}[i]`;
        break;
      case 'scalar':
        return scalarLocal(v.name);
      case 'sqrt':
        text = `Math.sqrt(${expression(v.a)})`;
        break;
      case 'f32':
        text = `Math.fround(${expression(v.a)})`;
        break;
      case 'sign':
        // Math.sign gives NaN for NaN and −0 for −0; `|| 0` makes both +0, as torch.sign does.
        text = `(Math.sign(${expression(v.a)}) || 0)`;
        break;
      case 'max':
        text = `Math.max(${expression(v.a)}, ${expression(v.b)})`;
        break;
      default:
        text = `(${expression(v.a)} ${INFIX[v.op]} ${expression(v.b)})`;
    }
    if (stored.has(v) && v.op !== 'load') text = `Math.fround(${text})`;
    if ((uses.get(v) ?? 0) > 1 || stored.has(v)) {
      const local = `t${names.size}`;
      names.set(v, local);
      lines.push(`const ${local} = ${text};`);
      return local;
    }
    return text;
  };

  for (const [array, value] of stores) {
    const text = expression(value);
    lines.push(`${ARRAY_OF[array]}[i] = ${text};`);
    written.add(array);
  }
  sums.forEach((sum, k) => lines.push(`sum${k} += ${expression(sum)};`));
  const arrays = new Set([...arraysRead(variant.step), ...stores.map(([array]) => array)]);
  const slotLocals = [0, 1, 2].filter((k) => arrays.has(`slot${k}` as ArrayName));
  return [
    'function (param, grad, slots, start, end, scalars, out) {',
    ...slotLocals.map((k) => `  const s${k} = slots[${k}];`),
    ...variant.scalars.map((name) => `  const ${scalarLocal(name)} = scalars[${JSON.stringify(name)}];`),
    ...(sums.length > 0 ? [`  let ${sums.map((_, k) => `sum${k} = 0`).join(', ')};`] : []),
    '  for (let i = start; i < end; i++) {',
    ...lines.map((line) => `    ${line}`),
    '  }',
    ...sums.map((_, k) => `  out[${k}] += sum${k};`),
    '}'
  ].join('\n');
}

const compiled = new WeakMap<Variant, UpdateKernel<unknown>>();

/** The compiled scalar loop of `variant` (built at first use). */
export function scalarKernelOf(variant: Variant): UpdateKernel<unknown> {
  let kernel = compiled.get(variant);
  if (!kernel) {
    kernel = new Function(`return (${scalarKernelSource(variant)});`)() as UpdateKernel<unknown>;
    compiled.set(variant, kernel);
  }
  return kernel;
}

/** Runs the scalar loop of the variant `scalars` select. */
export function runScalarKernel<S>(
  program: Program,
  ...[param, grad, slots, start, end, scalars, out]: Parameters<UpdateKernel<S>>
): void {
  if (end > start) scalarKernelOf(variantFor(program, scalars))(param, grad, slots, start, end, scalars, out);
}
