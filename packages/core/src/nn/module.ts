/**
 * The base of the PyTorch-style modules: a tree of named children, named parameters (TF.js
 * variables) and buffers, a training flag, and `call` (PyTorch's `__call__`), which runs
 * `forward` and lets a graph trace see where each module starts and ends.
 */
import * as tf from '@tensorflow/tfjs';
import { moduleCallObserver } from './observer';
import { CoreError } from '../errors';

/** A PyTorch-style module on TF.js. Subclasses register parameters, buffers and children. */
export abstract class Module {
  /** The PyTorch class name of this module (`Conv2d`, `BatchNorm2d`, `Bottleneck`, …). */
  abstract readonly kind: string;
  /** Training mode (batch statistics in normalization layers); see {@link train} and {@link eval}. */
  training = true;
  private readonly parameterSlots = new Map<string, tf.Variable | null>();
  private readonly bufferSlots = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /** Computes the output. Call children through {@link call}, not `forward`, so traces see them. */
  abstract forward(input: tf.Tensor): tf.Tensor;

  /** Runs {@link forward} (PyTorch's `module(x)`). */
  call(input: tf.Tensor): tf.Tensor {
    const observer = moduleCallObserver.current;
    if (!observer) return this.forward(input);
    const token = observer.enter(this, input);
    const output = this.forward(input);
    observer.exit(token, output);
    return output;
  }

  /** Registers a parameter (`null` registers an absent one, like PyTorch's `bias=None`). */
  protected registerParameter(name: string, variable: tf.Variable | null): tf.Variable | null {
    this.checkFreeName(name);
    this.parameterSlots.set(name, variable);
    return variable;
  }

  /** Registers a buffer: state that is not trained (running statistics). */
  protected registerBuffer(name: string, variable: tf.Variable): tf.Variable {
    this.checkFreeName(name);
    this.bufferSlots.set(name, variable);
    return variable;
  }

  /** Registers a child module under `name`. */
  registerModule<M extends Module>(name: string, module: M): M {
    this.checkFreeName(name);
    if (name.includes('.') || name === '')
      throw new CoreError(`module name "${name}" must be non-empty and contain no "."`);
    this.children.set(name, module);
    return module;
  }

  private checkFreeName(name: string): void {
    if (this.parameterSlots.has(name) || this.bufferSlots.has(name) || this.children.has(name)) {
      throw new CoreError(`${this.kind}: "${name}" is already registered`);
    }
  }

  /** The direct children, in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children];
  }

  /**
   * Every module of the tree with its dotted path (`''` for this one), parents first, in
   * registration order, each module once (as PyTorch's `named_modules()`).
   */
  namedModules(prefix = ''): Array<[string, Module]> {
    const seen = new Set<Module>();
    const out: Array<[string, Module]> = [];
    const visit = (module: Module, path: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([path, module]);
      for (const [name, child] of module.children) visit(child, path ? `${path}.${name}` : name);
    };
    visit(this, prefix);
    return out;
  }

  /** The parameters this module owns directly, without its children's (absent ones skipped). */
  namedOwnParameters(): Array<[string, tf.Variable]> {
    return [...this.parameterSlots].filter((entry): entry is [string, tf.Variable] => entry[1] !== null);
  }

  /**
   * Every parameter with its dotted name, in PyTorch's order. As in PyTorch, a tensor reachable
   * under several names is listed once (its first name) unless `removeDuplicate` is false.
   */
  namedParameters(prefix = '', removeDuplicate = true): Array<[string, tf.Variable]> {
    return this.collect(prefix, removeDuplicate, (m) => m.namedOwnParameters());
  }

  /** Every buffer (running statistics, counters) with its dotted name. */
  namedBuffers(prefix = ''): Array<[string, tf.Variable]> {
    return this.collect(prefix, true, (m) => [...m.bufferSlots]);
  }

  private collect(
    prefix: string,
    removeDuplicate: boolean,
    own: (module: Module) => Array<[string, tf.Variable]>
  ): Array<[string, tf.Variable]> {
    const seen = new Set<tf.Variable>();
    const out: Array<[string, tf.Variable]> = [];
    const modules = removeDuplicate ? this.namedModules(prefix) : this.allModulePaths(prefix);
    for (const [path, module] of modules) {
      for (const [name, variable] of own(module)) {
        if (removeDuplicate && seen.has(variable)) continue;
        seen.add(variable);
        out.push([path ? `${path}.${name}` : name, variable]);
      }
    }
    return out;
  }

  /** Like {@link namedModules} but a shared module appears under each of its paths. */
  private allModulePaths(prefix: string): Array<[string, Module]> {
    const out: Array<[string, Module]> = [];
    const visit = (module: Module, path: string, ancestors: Set<Module>): void => {
      if (ancestors.has(module)) throw new CoreError(`module cycle at "${path}"`);
      out.push([path, module]);
      const inner = new Set(ancestors).add(module);
      for (const [name, child] of module.children) visit(child, path ? `${path}.${name}` : name, inner);
    };
    visit(this, prefix, new Set());
    return out;
  }

  /** The parameter variables, each once. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, variable]) => variable);
  }

  /** Sets training mode on this module and every descendant (PyTorch's `train(mode)`). */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  /** Sets evaluation mode: normalization layers use their running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Freezes or unfreezes every parameter (PyTorch's `requires_grad_`). */
  requiresGrad(flag = true): this {
    for (const [, variable] of this.namedParameters()) variable.trainable = flag;
    return this;
  }

  /** Releases every parameter and buffer. The module cannot be used afterwards. */
  dispose(): void {
    for (const [, variable] of this.namedParameters()) variable.dispose();
    for (const [, variable] of this.namedBuffers()) variable.dispose();
  }
}
