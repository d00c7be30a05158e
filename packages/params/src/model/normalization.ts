/**
 * The one place that decides whether a parameter belongs to a normalization. It reads what is
 * known about the owning module — class knowledge (kind, base kind), the exporter's evidence (the
 * torch.nn hierarchy, the behaviour probe, the class name) — and what the model declares, and
 * returns a verdict with the reason text. Grouping, its rules, the graph and verification all
 * ask here, so they never disagree.
 */
import type { NormalizationEvidence, ParamInfo, ScaleProbe } from './types';

/** Normalization module kinds, as PyTorch (and torchvision) name them: class knowledge. */
export const NORMALIZATION_KINDS: ReadonlySet<string> = new Set([
  'BatchNorm1d',
  'BatchNorm2d',
  'BatchNorm3d',
  'SyncBatchNorm',
  'LazyBatchNorm1d',
  'LazyBatchNorm2d',
  'LazyBatchNorm3d',
  'LayerNorm',
  'GroupNorm',
  'InstanceNorm1d',
  'InstanceNorm2d',
  'InstanceNorm3d',
  'LocalResponseNorm',
  'RMSNorm',
  'LayerNorm2d',
  'FrozenBatchNorm2d'
]);

/** The kinds of {@link NORMALIZATION_KINDS} that are torchvision's, not torch.nn's. */
const TORCHVISION_NORMALIZATION_KINDS: ReadonlySet<string> = new Set(['LayerNorm2d', 'FrozenBatchNorm2d']);

/**
 * Classes that own parameters and are known not to normalize: torch.nn's (and this package's
 * `nn`, which uses the same names) and TF.js layers without a PyTorch name. A module of another
 * kind, without a base kind or behaviour evidence, is of unknown kind.
 */
export const KNOWN_ORDINARY_KINDS: ReadonlySet<string> = new Set([
  'Linear',
  'LazyLinear',
  'Bilinear',
  'NonDynamicallyQuantizableLinear',
  'Conv1d',
  'Conv2d',
  'Conv3d',
  'ConvTranspose1d',
  'ConvTranspose2d',
  'ConvTranspose3d',
  'LazyConv1d',
  'LazyConv2d',
  'LazyConv3d',
  'LazyConvTranspose1d',
  'LazyConvTranspose2d',
  'LazyConvTranspose3d',
  'Embedding',
  'EmbeddingBag',
  'MultiheadAttention',
  'PReLU',
  'RNN',
  'LSTM',
  'GRU',
  'RNNCell',
  'LSTMCell',
  'GRUCell',
  'SeparableConv2D',
  'SimpleRNN',
  'SimpleRNNCell',
  'ConvLSTM2D',
  'Bidirectional',
  'TimeDistributed'
]);

/** True when `kind` is a normalization module kind (class knowledge). */
export function isNormalizationKind(kind: string): boolean {
  return NORMALIZATION_KINDS.has(kind);
}

/**
 * A signal about normalization: `class` (a known normalization kind), `hierarchy` (derives from a
 * torch.nn normalization class), `probe` (output unchanged when the input is scaled), `name` (the
 * class name looks like one: weak), `declaration` (the model declares the parameter decay-free),
 * `ndim` (timm's rule for a module of unknown kind).
 */
export type NormalizationSignal = 'class' | 'hierarchy' | 'probe' | 'name' | 'declaration' | 'ndim';

/** What is known about a module, as a `ModuleInfo` or a {@link ParamInfo} mirrors it. */
export interface ModuleFacts {
  kind: string;
  baseKind?: string;
  classPath?: string;
  normalization?: NormalizationEvidence;
}

/** What the signals say about one module. */
export interface ModuleAssessment {
  /** A strong signal calls the module a normalization. */
  normalization: boolean;
  /** The signals that fired: the strong ones first, then `name`. */
  signals: NormalizationSignal[];
  /** What the strongest signal says (for a normalization) or why the module is in doubt (`''` if not). */
  evidence: string;
  /** A probe measurement that contradicts the strong signal (which still decides). */
  contrary?: string;
  /** Neither its class nor its behaviour is known, so timm's ndim ≤ 1 rule applies. */
  unknownKind: boolean;
  /** The class name, when it looks like a normalization (weak signal). */
  nameHint?: string;
}

/** `3e-7`, `0.12`, `4`: two significant digits, exponent form for small and large values. */
export function formatMeasure(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e4) return String(Number(x.toPrecision(2)));
  return x.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
}

/** `0.5 and 4`, `0.5, 2 and 4`. */
function listScales(scales: readonly number[]): string {
  const shown = scales.map(formatMeasure);
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function ranProbe(evidence: NormalizationEvidence | undefined): ScaleProbe | undefined {
  const probe = evidence?.probe;
  return probe && !('skipped' in probe) ? probe : undefined;
}

function invariantText(probe: ScaleProbe): string {
  const change = formatMeasure(probe.maxRelChange);
  return `output unchanged when its input is scaled by ${listScales(probe.scales)} (max rel. change ${change})`;
}

function variantText(probe: ScaleProbe): string {
  return (
    `the behaviour probe measured a relative output change of ${formatMeasure(probe.maxRelChange)} > tolerance ` +
    `${formatMeasure(probe.tolerance)} when its input was scaled by ${listScales(probe.scales)}`
  );
}

/** Why nothing is known about a module's behaviour. */
function behaviourUnknown(evidence: NormalizationEvidence | undefined): string {
  const probe = evidence?.probe;
  if (probe && 'skipped' in probe) return `behaviour probe skipped: ${probe.skipped}`;
  return 'no behaviour probe';
}

/**
 * A kind names a class only when the class is torch.nn's or torchvision's (or unknown, as in
 * version 1 files and TF.js models): a user class may reuse a torch.nn name.
 */
function kindIsTrusted(facts: ModuleFacts): boolean {
  return facts.classPath === undefined || /^(torch\.nn\.|torchvision\.)/.test(facts.classPath);
}

/** True when the class is known: a listed kind, a subclass of a torch.nn class, or any torch.nn class. */
function knownClass(facts: ModuleFacts): boolean {
  const listed = NORMALIZATION_KINDS.has(facts.kind) || KNOWN_ORDINARY_KINDS.has(facts.kind);
  if (listed && kindIsTrusted(facts)) return true;
  if (facts.baseKind !== undefined && facts.baseKind !== 'Module') return true;
  if (facts.normalization?.hierarchy !== undefined) return true;
  return facts.classPath !== undefined && facts.classPath.startsWith('torch.nn.');
}

/** The torch.nn normalization class a module is or derives from, when known. */
function normalizationBase(facts: ModuleFacts): string | undefined {
  if (facts.normalization?.hierarchy !== undefined) return facts.normalization.hierarchy;
  return facts.baseKind !== undefined && isNormalizationKind(facts.baseKind) ? facts.baseKind : undefined;
}

/**
 * The strong signals of a module, the most specific first (a subclass names its torch.nn base,
 * then class knowledge, then the probe). Cheap: no text is built.
 */
function strongSignals(facts: ModuleFacts): NormalizationSignal[] {
  const found: NormalizationSignal[] = [];
  const base = normalizationBase(facts);
  if (base !== undefined && base !== facts.kind) found.push('hierarchy');
  if (kindIsTrusted(facts) && isNormalizationKind(facts.kind)) found.push('class');
  if (base !== undefined && base === facts.kind) found.push('hierarchy');
  if (ranProbe(facts.normalization)?.invariant) found.push('probe');
  return found;
}

/** What a strong signal says about a module. */
function strongSignalText(signal: NormalizationSignal, facts: ModuleFacts): string {
  const base = normalizationBase(facts);
  if (signal === 'hierarchy' && base !== facts.kind) return `subclass of torch.nn ${base}`;
  if (signal === 'probe') return `${invariantText(ranProbe(facts.normalization)!)}: normalization`;
  return `${TORCHVISION_NORMALIZATION_KINDS.has(facts.kind) ? 'torchvision' : 'torch.nn'} normalization class`;
}

/** The kind, when it looks like a normalization's name (the weak signal of files without evidence). */
function kindNameHint(kind: string): string | undefined {
  return /norm/i.test(kind) ? kind : undefined;
}

/** Assesses one module from its class and the exporter's evidence. */
export function assessModule(facts: ModuleFacts): ModuleAssessment {
  const signals = strongSignals(facts);
  const probe = ranProbe(facts.normalization);
  // Version 2 files say whether the name looks like a normalization; otherwise the kind is tested.
  const nameHint = facts.normalization ? facts.normalization.nameHint : kindNameHint(facts.kind);
  const strong = signals.length > 0;
  if (nameHint !== undefined) signals.push('name');
  if (strong) {
    const evidence = strongSignalText(signals[0], facts);
    const assessment: ModuleAssessment = { normalization: true, signals, evidence, unknownKind: false, nameHint };
    if (probe && !probe.invariant) assessment.contrary = variantText(probe);
    return assessment;
  }
  const unknownKind = !knownClass(facts) && probe === undefined;
  let evidence = '';
  if (unknownKind) {
    const why = behaviourUnknown(facts.normalization);
    evidence = `${facts.kind} is not a known class and its behaviour is unknown (${why})`;
  }
  if (nameHint !== undefined && unknownKind) evidence += `; its class name ${nameHint} looks like a normalization`;
  else if (nameHint !== undefined) {
    const why = probe ? variantText(probe) : 'its class is known';
    evidence = `its class name ${nameHint} looks like a normalization, but no strong signal says so (${why})`;
  }
  return { normalization: false, signals, evidence, unknownKind, nameHint };
}

/** What a parameter mirrors of its owning module. */
export type ParamModuleFacts = Pick<
  ParamInfo,
  'moduleKind' | 'moduleBaseKind' | 'moduleClassPath' | 'moduleNormalization'
>;

/** The facts about a parameter's owning module, as the parameter mirrors them. */
export function moduleFactsOf(param: ParamModuleFacts): ModuleFacts {
  return {
    kind: param.moduleKind,
    baseKind: param.moduleBaseKind,
    classPath: param.moduleClassPath,
    normalization: param.moduleNormalization
  };
}

/**
 * The verdict on one parameter:
 * - `normalization`: a strong signal calls its module a normalization → no decay;
 * - `declared`: the model declares it decay-free → no decay;
 * - `unknown-kind`: its module is of unknown kind with no behaviour evidence, and it has ndim ≤ 1
 *   and is not a bias → no decay (timm's rule), with a warning;
 * - `name-only`: only the class name says normalization → the ordinary rules, with a warning;
 * - `ordinary`: nothing says normalization (biases and weights follow the ordinary rules).
 */
export type NormalizationVerdictKind = 'normalization' | 'declared' | 'unknown-kind' | 'name-only' | 'ordinary';

/** What {@link normalizationVerdict} decides, with the text that explains it. */
export interface NormalizationVerdict {
  verdict: NormalizationVerdictKind;
  /** True when the verdict alone takes the parameter out of weight decay. */
  noDecay: boolean;
  /** The signals that fired for this parameter. */
  signals: NormalizationSignal[];
  /** What the deciding signal says, for findings and warnings (`''` for `ordinary`). */
  evidence: string;
  /** The placement's reason when {@link noDecay} (`''` otherwise). */
  reason: string;
}

/** A bias: `bias`, or a `…_bias` such as MultiheadAttention's `in_proj_bias`. */
export function isBias(p: Pick<ParamInfo, 'localName'>): boolean {
  return p.localName === 'bias' || p.localName.endsWith('_bias');
}

type VerdictInput = Pick<
  ParamInfo,
  'moduleKind' | 'moduleBaseKind' | 'moduleClassPath' | 'moduleNormalization' | 'noWeightDecay' | 'localName' | 'shape'
>;

/** Decides the normalization verdict of one parameter (see {@link NormalizationVerdictKind}). */
export function normalizationVerdict(param: VerdictInput): NormalizationVerdict {
  const kind = param.moduleKind;
  const module = assessModule(moduleFactsOf(param));
  const signals = [...module.signals];
  if (module.normalization) {
    const contrary = module.contrary ? ` (though ${module.contrary})` : '';
    const evidence = module.contrary ? `${module.evidence}, though ${module.contrary}` : module.evidence;
    const reason = `${kind}: ${module.evidence} → no decay${contrary}`;
    return { verdict: 'normalization', noDecay: true, signals, evidence, reason };
  }
  if (param.noWeightDecay !== undefined) {
    signals.push('declaration');
    const evidence = `declared decay-free: ${param.noWeightDecay}`;
    const reason = `${kind} ${param.localName}: ${evidence} → no decay`;
    return { verdict: 'declared', noDecay: true, signals, evidence, reason };
  }
  if (module.unknownKind && param.shape.length <= 1 && !isBias(param)) {
    signals.push('ndim');
    const rule = `${param.shape.length}-D → no decay (timm's ndim ≤ 1 rule)`;
    const reason = `${kind} ${param.localName}: ${module.evidence}; ${rule}`;
    return { verdict: 'unknown-kind', noDecay: true, signals, evidence: module.evidence, reason };
  }
  if (module.nameHint !== undefined) {
    return { verdict: 'name-only', noDecay: false, signals, evidence: module.evidence, reason: '' };
  }
  return { verdict: 'ordinary', noDecay: false, signals, evidence: '', reason: '' };
}

/** True when a strong signal calls the module owning `param` a normalization (never by parameter name). */
export function isNormalizationParam(param: ParamModuleFacts): boolean {
  return strongSignals(moduleFactsOf(param)).length > 0;
}

/** True when a strong signal calls `module` a normalization. */
export function isNormalizationModule(module: ModuleFacts): boolean {
  return strongSignals(module).length > 0;
}
