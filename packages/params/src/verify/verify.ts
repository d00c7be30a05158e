/**
 * Verification of parameter groups against a model, never by parameter name: every trainable
 * parameter in exactly one group, nothing foreign, no decay where the normalization verdict
 * (`normalizationVerdict`: class, torch.nn hierarchy, behaviour probe, declarations, timm's rule
 * for unknown kinds) says none, and the per-group totals. The report's findings have the
 * snapshot's `Finding` shape, so the inspector can show them as they are.
 */
import type { Finding, FindingSeverity } from '@paramscope/protocol';
import type { ParamGroupLike, ParamInfo, ParamModel } from '../model/types';
import { isBias, normalizationVerdict } from '../model/normalization';
import { allNames, toParamModel, type ModelSource } from '../model/source';
import { isVariableLike, type ParamVariable } from '../model/variable';
import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/** Something with parameter groups: an optimizer (`paramGroups`, optional `defaults`) or the groups. */
export type GroupsSource =
  | readonly ParamGroupLike[]
  | { paramGroups: readonly ParamGroupLike[]; defaults?: { weightDecay?: number; lr?: number } };

/** Options of {@link verifyParamGroups}. */
export interface VerifyOptions {
  /**
   * Throw a {@link ParamGroupsError}: `true` or `'errors'` when the report has an error,
   * `'warnings'` when it has an error or a warning.
   */
  strict?: boolean | 'errors' | 'warnings';
  /** Weight decay of a group that sets none (default: the optimizer's `defaults`, else 0 as in torch.optim). */
  defaultWeightDecay?: number;
}

/** Per-group counts and totals. */
export interface GroupSummary {
  index: number;
  label?: string;
  weightDecay: number;
  lr?: number;
  tensorCount: number;
  elementCount: number;
}

/** The worst severity among a report's findings (information does not count). */
export type VerificationVerdict = 'ok' | 'warnings' | 'errors';

/** What {@link verifyParamGroups} found. */
export interface VerificationReport {
  /** True when nothing detectable is wrong: no error and no warning (information findings allowed). */
  ok: boolean;
  /** `'errors'` when a finding is an error, else `'warnings'` when one is a warning, else `'ok'`. */
  verdict: VerificationVerdict;
  findings: Finding[];
  groups: GroupSummary[];
  /** Trainable tensors and values of the model, for comparison with the groups' totals. */
  model: { name: string; tensorCount: number; elementCount: number; trainableCount: number };
}

/** Thrown by strict verification; carries the whole report. Its message lists the findings that failed it. */
export class ParamGroupsError extends ParamsError {
  constructor(readonly report: VerificationReport) {
    // Errors and warnings both, whatever the strictness: nothing detectable is left out (as Python's check).
    const failing = report.findings.filter((f) => f.severity !== 'info');
    const count = (severity: FindingSeverity): string => {
      const n = failing.filter((f) => f.severity === severity).length;
      return n === 0 ? '' : `${n} ${severity}${n === 1 ? '' : 's'}`;
    };
    const counts = [count('error'), count('warning')].filter(Boolean).join(', ');
    const lines = failing.map((f) => `  ${f.severity} ${f.code}: ${f.message}`).join('\n');
    super(`parameter groups of model "${report.model.name}" failed verification (${counts}):\n${lines}`);
    this.name = 'ParamGroupsError';
  }
}

/** The verdict of a list of findings. */
function verdictOf(findings: readonly Finding[]): VerificationVerdict {
  if (findings.some((f) => f.severity === 'error')) return 'errors';
  return findings.some((f) => f.severity === 'warning') ? 'warnings' : 'ok';
}

/** The finding, if any, about decay `decay` on `param` in group `index`. */
function decayFinding(param: ParamInfo, decay: number, index: number): Omit<Finding, 'params' | 'groups'> | undefined {
  const verdict = normalizationVerdict(param);
  const subject = `${param.name} (${param.moduleKind} ${param.localName}) has weight decay ${decay} in group ${index}`;
  switch (verdict.verdict) {
    case 'normalization': {
      const message = `${subject}; ${param.moduleKind}: ${verdict.evidence}`;
      return { severity: 'error', code: 'norm-param-decayed', message };
    }
    case 'declared': {
      const message = `${subject}, but the model ${verdict.evidence}`;
      return { severity: 'warning', code: 'declared-no-decay-decayed', message };
    }
    case 'unknown-kind': {
      const rule = `timm's rule leaves its ${param.shape.length}-D parameter without decay`;
      const message = `${subject}: ${verdict.evidence}; ${rule}`;
      return { severity: 'warning', code: 'unknown-kind-1d-decayed', message };
    }
    case 'name-only':
      return { severity: 'warning', code: 'norm-name-only-decayed', message: `${subject}: ${verdict.evidence}` };
  }
  if (isBias(param)) {
    const message = `${param.name} (bias of ${param.moduleKind}) has weight decay ${decay} in group ${index}`;
    return { severity: 'warning', code: 'bias-decayed', message };
  }
  if (param.feedsNormalization) {
    const message =
      `${param.name} feeds ${param.normalizedBy} (scale-invariant) ` +
      `and has weight decay ${decay} in group ${index}`;
    return { severity: 'info', code: 'scale-invariant-decayed', message };
  }
  return undefined;
}

type Member = ParamGroupLike['params'][number];

function groupsOf(source: GroupsSource): { groups: readonly ParamGroupLike[]; defaults: { weightDecay?: number } } {
  if (Array.isArray(source)) return { groups: source, defaults: {} };
  const optimizer = source as { paramGroups?: readonly ParamGroupLike[]; defaults?: { weightDecay?: number } };
  if (!Array.isArray(optimizer.paramGroups))
    throw new ParamsError(
      `verifyParamGroups: expected parameter groups or an optimizer with paramGroups, got ${describeValue(source)}`
    );
  return { groups: optimizer.paramGroups, defaults: optimizer.defaults ?? {} };
}

/**
 * Finds the model's parameter for a group member: the member itself when it is one of the model's
 * `ParamInfo`s, else by variable when both have one, else by name.
 */
function resolver(model: ParamModel): (member: Member) => { param?: ParamInfo; label: string } {
  const own = new Set<unknown>(model.params);
  let byVariable: Map<ParamVariable, ParamInfo> | undefined;
  let byName: Map<string, ParamInfo> | undefined;
  const index = (): void => {
    byVariable = new Map();
    byName = new Map();
    for (const p of model.params) {
      if (p.variable) byVariable.set(p.variable, p);
      for (const name of allNames(p)) byName.set(name, p);
    }
  };
  return (member) => {
    if (own.has(member)) return { param: member as ParamInfo, label: (member as ParamInfo).name };
    if (!byVariable || !byName) index();
    const bare = isVariableLike(member);
    const variable = bare ? member : member.variable;
    const name = bare ? undefined : member.name;
    if (variable && byVariable!.size > 0) {
      const param = byVariable!.get(variable);
      return { param, label: param?.name ?? name ?? `variable "${variable.name}"` };
    }
    if (name === undefined) return { label: `variable "${variable?.name}"` };
    return { param: byName!.get(name), label: name };
  };
}

/**
 * Checks `groups` (or an optimizer's `paramGroups`) against `model`. Errors: `missing` (trainable
 * parameter in no group), `duplicate` (in several groups, or twice in one), `unknown-param` (not in
 * the model), `norm-param-decayed` (decay on a parameter that a strong signal calls normalization:
 * class, torch.nn hierarchy or behaviour probe), `invalid-hyperparameter`, `invalid-group`,
 * `empty-model`. Warnings: `unknown-kind-1d-decayed` (decay on a parameter with ndim ≤ 1 of a
 * module of unknown kind without behaviour evidence), `norm-name-only-decayed` (only the class
 * name says normalization), `declared-no-decay-decayed` (the model declares it decay-free),
 * `bias-decayed`, `frozen-in-group`, `empty-group`. Information: `scale-invariant-decayed` (a
 * weight that feeds normalization has decay). `ok` is true only without errors and warnings;
 * `verdict` says which. With `strict`, errors (or with `'warnings'`, warnings too) throw.
 */
export function verifyParamGroups(
  source: ModelSource,
  groupsSource: GroupsSource,
  options: VerifyOptions = {}
): VerificationReport {
  const model = toParamModel(source);
  const { groups, defaults } = groupsOf(groupsSource);
  const findings: Finding[] = [];
  const add = (
    severity: FindingSeverity,
    code: string,
    message: string,
    params: string[],
    groupIndices: number[]
  ): void => {
    findings.push({ severity, code, message, params, groups: groupIndices });
  };
  const resolve = resolver(model);
  // The group of each placed parameter; `alsoIn` only for the rare parameter placed again.
  const placedIn = new Map<ParamInfo, number>();
  const alsoIn = new Map<ParamInfo, number[]>();
  const summaries: GroupSummary[] = [];
  if (model.params.length === 0) add('error', 'empty-model', `model "${model.name}" has no parameters`, [], []);

  groups.forEach((group, index) => {
    const decay = group.weightDecay ?? defaults.weightDecay ?? options.defaultWeightDecay ?? 0;
    for (const key of ['weightDecay', 'lr'] as const) {
      const value = key === 'weightDecay' ? decay : group.lr;
      if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
        add(
          'error',
          'invalid-hyperparameter',
          `group ${index}: ${key} must be a finite number ≥ 0, got ${describeValue(value)}`,
          [],
          [index]
        );
      }
    }
    if (!Array.isArray(group.params)) {
      add('error', 'invalid-group', `group ${index}: params must be an array`, [], [index]);
      return;
    }
    if (group.params.length === 0) add('warning', 'empty-group', `group ${index} has no parameters`, [], [index]);
    let elements = 0;
    let tensors = 0;
    for (const member of group.params) {
      const { param, label } = resolve(member);
      if (!param) {
        add(
          'error',
          'unknown-param',
          `group ${index}: ${label} is not a parameter of model "${model.name}"`,
          [label],
          [index]
        );
        continue;
      }
      const first = placedIn.get(param);
      if (first === undefined) placedIn.set(param, index);
      else {
        const more = alsoIn.get(param) ?? [];
        if (first === index || more[more.length - 1] === index) {
          add('error', 'duplicate', `group ${index}: ${param.name} is listed twice`, [param.name], [index]);
          continue;
        }
        more.push(index);
        alsoIn.set(param, more);
      }
      tensors += 1;
      elements += param.size;
      if (!param.trainable)
        add(
          'warning',
          'frozen-in-group',
          `group ${index}: ${param.name} is frozen (not trainable)`,
          [param.name],
          [index]
        );
      if (!(decay > 0)) continue;
      const finding = decayFinding(param, decay, index);
      if (finding) add(finding.severity, finding.code, finding.message, [param.name], [index]);
    }
    const summary: GroupSummary = { index, weightDecay: decay, tensorCount: tensors, elementCount: elements };
    if (typeof group.label === 'string') summary.label = group.label;
    if (group.lr !== undefined) summary.lr = group.lr;
    summaries.push(summary);
  });

  for (const [param, more] of alsoIn) {
    const indices = [placedIn.get(param)!, ...more];
    add('error', 'duplicate', `${param.name} is in groups ${indices.join(' and ')}`, [param.name], indices);
  }
  const missing = model.params.filter((p) => p.trainable && !placedIn.has(p));
  for (const p of missing)
    add('error', 'missing', `${p.name} (${p.moduleKind}) is trainable but in no group`, [p.name], []);

  const trainable = model.params.filter((p) => p.trainable);
  const verdict = verdictOf(findings);
  const report: VerificationReport = {
    ok: verdict === 'ok',
    verdict,
    findings,
    groups: summaries,
    model: {
      name: model.name,
      tensorCount: model.params.length,
      elementCount: model.params.reduce((s, p) => s + p.size, 0),
      trainableCount: trainable.length
    }
  };
  const strictness = options.strict === true ? 'errors' : options.strict || undefined;
  if (strictness === 'errors' && verdict === 'errors') throw new ParamGroupsError(report);
  if (strictness === 'warnings' && !report.ok) throw new ParamGroupsError(report);
  return report;
}

/**
 * The document's section 7 check, ported as written: for every group member it finds the name and
 * asserts zero decay when the name contains `bn` or `norm`. It passes a ResNet whose
 * `downsample.1` BatchNorm has decay; kept to show that blind spot. Returns the lines it would print.
 */
export function documentVerifyParamGroups(source: ModelSource, groupsSource: GroupsSource): string[] {
  const model = toParamModel(source);
  const resolve = resolver(model);
  const lines: string[] = [];
  groupsOf(groupsSource).groups.forEach((group, index) => {
    const wd = group.weightDecay;
    lines.push(`Group ${index}: weight_decay = ${wd}`);
    for (const member of group.params) {
      const { param } = resolve(member);
      if (!param) continue;
      lines.push(`    - ${param.name}: shape [${param.shape.join(', ')}]`);
      if (param.name.includes('bn') || param.name.includes('norm')) {
        if (wd !== 0) throw new ParamsError(`BN parameter ${param.name} has non-zero weight decay!`);
      }
    }
  });
  return lines;
}
