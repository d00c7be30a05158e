/**
 * Recovers the module graph of an nn model by running one forward pass with TF.js's gradient
 * tape on: the tape lists every kernel with its input and output tensors, and the module-call
 * observer says which kernels ran inside which leaf module. Kernels outside modules (the
 * residual `add`, a `reshape`) appear as operations.
 *
 * The tape is TF.js engine state without a public API, reached through its seam
 * (`tfjs-internals/gradient-tape`), which says so when it is not there.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientDepth, recordKernels, type TapeNode } from '../tfjs-internals/gradient-tape';
import type { Module } from './module';
import { moduleCallObserver } from './observer';
import type { ModuleEdge } from '@paramscope/params';
import { isScaleTransparentOp } from '@paramscope/params';
import { CoreError } from '../errors';

interface LeafCall {
  path: string | null;
  kind: string;
  outputId: number;
  /** Tape indices [start, end) of the kernels that ran inside this call. */
  start: number;
  end: number;
}

/** TF.js kernel names → canonical operation names of {@link ModuleEdge.via}. */
const KERNEL_OPS: Record<string, string> = {
  Reshape: 'reshape',
  Transpose: 'transpose',
  Identity: 'identity',
  Relu: 'relu',
  MaxPool: 'maxpool',
  AvgPool: 'avgpool',
  Mean: 'mean',
  PadV2: 'pad'
};

/** nn module kinds → canonical operation names, for modules that are scale-transparent. */
const MODULE_OPS: Record<string, string> = {
  Identity: 'identity',
  Flatten: 'flatten',
  ReLU: 'relu',
  MaxPool2d: 'maxpool',
  AdaptiveAvgPool2d: 'avgpool',
  Dropout: 'dropout'
};

/**
 * Runs `root` once on `input` (in evaluation mode, so running statistics do not move) and
 * returns the data-flow edges out of every module that owns parameters.
 */
export function traceModuleGraph(root: Module, input: tf.Tensor): ModuleEdge[] {
  if (gradientDepth() > 0) throw new CoreError('traceModuleGraph: cannot trace inside a gradient computation');
  const paths = new Map(root.namedModules().map(([path, module]) => [module, path] as const));
  const modes = root.namedModules().map(([, module]) => [module, module.training] as const);
  const calls: LeafCall[] = [];
  const open: Array<LeafCall | null> = [];
  let tapeLength = (): number => 0;
  let outputId = -1;
  let tape: TapeNode[] = [];
  root.eval();
  moduleCallObserver.current = {
    enter(module) {
      const leaf = module.namedChildren().length === 0;
      open.push(
        leaf ? { path: paths.get(module) ?? null, kind: module.kind, outputId: -1, start: tapeLength(), end: -1 } : null
      );
      return open.length - 1;
    },
    exit(token, output) {
      const call = open[token];
      open.length = token;
      if (!call) return;
      call.outputId = output.id;
      call.end = tapeLength();
      calls.push(call);
    }
  };
  try {
    tape = recordKernels((recorded) => {
      tapeLength = recorded;
      tf.dispose(
        tf.tidy(() => {
          const output = root.call(input);
          outputId = output.id;
          return output;
        })
      );
    });
  } finally {
    moduleCallObserver.current = null;
    for (const [module, training] of modes) module.training = training;
  }
  return edgesFromTape(tape, calls, outputId);
}

function edgesFromTape(tape: TapeNode[], calls: LeafCall[], outputId: number): ModuleEdge[] {
  const callAt: Array<LeafCall | undefined> = new Array(tape.length);
  for (const call of calls) for (let i = call.start; i < call.end; i++) callAt[i] = call;
  const consumers = new Map<number, number[]>();
  tape.forEach((node, index) => {
    for (const tensor of Object.values(node.inputs)) {
      const list = consumers.get(tensor.id) ?? [];
      list.push(index);
      consumers.set(tensor.id, list);
    }
  });
  const edges: ModuleEdge[] = [];
  const seen = new Set<string>();
  const emit = (edge: ModuleEdge): void => {
    const key = `${edge.from}|${edge.to}|${edge.via.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const call of calls) {
    if (call.path === null || !isParameterized(call, tape)) continue;
    const from = call.path;
    const frontier: Array<{ id: number; via: string[] }> = [{ id: call.outputId, via: [] }];
    const visited = new Set<number>();
    while (frontier.length > 0) {
      const { id, via } = frontier.pop()!;
      if (visited.has(id)) continue;
      visited.add(id);
      if (id === outputId) emit({ from, to: 'output', via });
      const reached = new Set<LeafCall>();
      for (const index of consumers.get(id) ?? []) {
        const inside = callAt[index];
        if (inside === call) continue;
        if (inside) {
          if (reached.has(inside)) continue;
          reached.add(inside);
          const op = MODULE_OPS[inside.kind];
          if (op) frontier.push({ id: inside.outputId, via: [...via, op] });
          else emit({ from, to: inside.path ?? `op:${inside.kind}`, via });
          continue;
        }
        const node = tape[index];
        const op = KERNEL_OPS[node.kernelName] ?? node.kernelName.toLowerCase();
        if (isScaleTransparentOp(op)) for (const out of node.outputs) frontier.push({ id: out.id, via: [...via, op] });
        else emit({ from, to: `op:${op}`, via });
      }
    }
  }
  return edges;
}

/** True when a kernel inside the call read a variable (the module has weights of its own). */
function isParameterized(call: LeafCall, tape: TapeNode[]): boolean {
  for (let i = call.start; i < call.end; i++) {
    if (Object.values(tape[i].inputs).some((t) => t instanceof tf.Variable)) return true;
  }
  return false;
}
