/**
 * `paramscope verify <structure.json> [--groups groups.json] [--strict errors|warnings] [--json]`:
 * groups a structure file's parameters with the structural default (or reads the groups given)
 * and verifies them. The command's logic, with its input and output passed in, so that it runs
 * the same from the `paramscope` binary and from tests.
 */
import { groupParams, type GroupParamsOptions } from '../grouping/structural';
import type { ParamGroupLike, ParamModel } from '../model/types';
import { paramModelFromStructure } from '../structure/load';
import { verifyParamGroups, type VerificationReport, type VerificationVerdict } from '../verify/verify';
import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/** Exit status: the verdict is below the strictness. */
export const EXIT_OK = 0;
/** Exit status: findings at or above the strictness. */
export const EXIT_FINDINGS = 1;
/** Exit status: a usage error or an unreadable input; nothing was verified. */
export const EXIT_USAGE = 2;

/** What the command reads and writes. */
export interface CliIo {
  readFile(path: string): string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export const USAGE = `usage: paramscope verify <structure.json> [--groups <groups.json>] [--strict errors|warnings]
                         [--weight-decay <number>] [--json]

Verifies parameter groups against a model's structure file (written by the Python package:
python -m paramscope.export pkg.module:factory --out model.json).

  <structure.json>         the model's structure file
  --groups <groups.json>   the groups to verify: a JSON list of {"params": [names], "weightDecay": 0.05, ...}
                           (or "weight_decay", as torch's param_groups); default: the structural
                           default's groups, which are printed
  --strict errors|warnings the least severe finding that fails (exit 1); default: errors
  --weight-decay <number>  decay of the structural default's decayed group (default 1e-4; without --groups)
  --json                   print the report as JSON

Exit status: 0 nothing at or above the strictness, 1 findings at or above it, 2 usage or input error.
The verdict line says 'ok', 'warnings' or 'errors' whatever the strictness.`;

/** An error in the command line or an input file: exit 2 with this message. */
export class UsageError extends ParamsError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface VerifyArgs {
  structure: string;
  groups?: string;
  strict: 'errors' | 'warnings';
  weightDecay?: number;
  json: boolean;
}

function parseVerifyArgs(args: readonly string[]): VerifyArgs | 'help' {
  const positional: string[] = [];
  let groups: string | undefined;
  let strict: 'errors' | 'warnings' = 'errors';
  let weightDecay: number | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i += 1;
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--groups':
        groups = value();
        break;
      case '--strict': {
        const level = value();
        if (level !== 'errors' && level !== 'warnings')
          throw new UsageError(`--strict must be "errors" or "warnings", got ${describeValue(level)}`);
        strict = level;
        break;
      }
      case '--weight-decay': {
        const text = value();
        const number = Number(text);
        if (text.trim() === '' || !Number.isFinite(number) || number < 0)
          throw new UsageError(`--weight-decay must be a finite number ≥ 0, got ${describeValue(text)}`);
        weightDecay = number;
        break;
      }
      case '--json':
        if (inline !== undefined) throw new UsageError('--json takes no value');
        json = true;
        break;
      default:
        if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown option ${flag}`);
        positional.push(arg);
    }
  }
  if (positional.length === 0) throw new UsageError('missing <structure.json>');
  if (positional.length > 1)
    throw new UsageError(`expected one structure file, got ${positional.length}: ${positional.join(' ')}`);
  if (groups !== undefined && weightDecay !== undefined)
    throw new UsageError('--weight-decay applies to the structural default: not with --groups');
  const parsed: VerifyArgs = { structure: positional[0], strict, json };
  if (groups !== undefined) parsed.groups = groups;
  if (weightDecay !== undefined) parsed.weightDecay = weightDecay;
  return parsed;
}

function readJson(io: CliIo, path: string, what: string): unknown {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new UsageError(`${what} ${path}: cannot read it (${why})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${path}: not JSON (${(error as Error).message})`);
  }
}

/** Reads a groups file: a list of groups of parameter names, torch's `weight_decay` spelling allowed. */
export function parseGroupsFile(doc: unknown, path: string): ParamGroupLike[] {
  let list = doc;
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const wrapper = doc as Record<string, unknown>;
    list = wrapper.paramGroups ?? wrapper.param_groups;
    if (list === undefined)
      throw new UsageError(`groups file ${path}: expected a list of groups (or an object with "param_groups")`);
  }
  if (!Array.isArray(list))
    throw new UsageError(`groups file ${path}: expected a list of groups, got ${describeValue(list)}`);
  return list.map((group: unknown, index) => {
    const where = `groups file ${path}: group ${index}`;
    if (typeof group !== 'object' || group === null || Array.isArray(group))
      throw new UsageError(`${where}: expected an object with "params"`);
    const { params, weight_decay: snake, ...rest } = group as Record<string, unknown>;
    if (!Array.isArray(params)) throw new UsageError(`${where}: "params" must be a list of parameter names`);
    params.forEach((name, i) => {
      if (typeof name !== 'string')
        throw new UsageError(`${where}: params[${i}] must be a parameter name (a string), got ${describeValue(name)}`);
    });
    if (snake !== undefined && rest.weightDecay !== undefined)
      throw new UsageError(`${where}: both "weight_decay" and "weightDecay"`);
    const out: ParamGroupLike = { ...rest, params: (params as string[]).map((name) => ({ name })) };
    if (snake !== undefined) out.weightDecay = snake as number;
    // Wrong values (a string weight decay, a negative lr) are the verification's `invalid-hyperparameter` errors.
    return out;
  });
}

function loadStructure(io: CliIo, path: string): ParamModel {
  const doc = readJson(io, path, 'structure file');
  try {
    return paramModelFromStructure(doc);
  } catch (error) {
    throw new UsageError(`structure file ${path}: ${(error as Error).message}`);
  }
}

/** Whether `verdict` fails at strictness `strict`. */
export function fails(verdict: VerificationVerdict, strict: 'errors' | 'warnings'): boolean {
  return verdict === 'errors' || (strict === 'warnings' && verdict === 'warnings');
}

/** The JSON output: the report, the verified groups by name, and the grouping's own warnings. */
export interface VerifyJsonOutput {
  structure: string;
  groupsFile: string | null;
  strict: 'errors' | 'warnings';
  verdict: VerificationVerdict;
  ok: boolean;
  /** Whether the exit status is 1. */
  failed: boolean;
  model: VerificationReport['model'];
  /** Each group's summary with its members' names (a valid `--groups` file). */
  groups: Array<VerificationReport['groups'][number] & { params: string[] }>;
  findings: VerificationReport['findings'];
  /** The structural default's warnings (without `--groups`). */
  groupingWarnings: string[];
}

function memberName(member: ParamGroupLike['params'][number]): string {
  return (member as { name: string }).name;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function runVerify(args: VerifyArgs, io: CliIo): number {
  const model = loadStructure(io, args.structure);
  let groups: ParamGroupLike[];
  let groupingWarnings: string[] = [];
  let heading: string;
  if (args.groups !== undefined) {
    groups = parseGroupsFile(readJson(io, args.groups, 'groups file'), args.groups);
    heading = `groups (${args.groups}):`;
  } else {
    const options: GroupParamsOptions = {};
    if (args.weightDecay !== undefined) options.weightDecay = args.weightDecay;
    const result = groupParams(model, options);
    groups = result.groups;
    groupingWarnings = result.warnings;
    heading = 'groups (the structural default):';
  }
  const report = verifyParamGroups(model, groups);
  const failed = fails(report.verdict, args.strict);
  if (args.json) {
    const output: VerifyJsonOutput = {
      structure: args.structure,
      groupsFile: args.groups ?? null,
      strict: args.strict,
      verdict: report.verdict,
      ok: report.ok,
      failed,
      model: report.model,
      groups: report.groups.map((summary) => ({
        ...summary,
        params: (groups[summary.index].params ?? []).map(memberName)
      })),
      findings: report.findings,
      groupingWarnings
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return failed ? EXIT_FINDINGS : EXIT_OK;
  }
  const m = report.model;
  const lines = [
    `model ${m.name}: ${m.tensorCount} tensors (${m.trainableCount} trainable), ${formatCount(m.elementCount)} values`,
    heading
  ];
  for (const g of report.groups) {
    const label = g.label ? ` ${g.label}` : '';
    const lr = g.lr !== undefined ? `, lr ${g.lr}` : '';
    lines.push(
      `  ${g.index}${label}: weight decay ${g.weightDecay}${lr}, ` +
        `${g.tensorCount} tensors, ${formatCount(g.elementCount)} values`
    );
  }
  if (groupingWarnings.length > 0) {
    lines.push('grouping warnings:');
    for (const w of groupingWarnings) lines.push(`  ${w}`);
  }
  if (report.findings.length === 0) lines.push('findings: none');
  else {
    lines.push('findings:');
    for (const f of report.findings) lines.push(`  ${f.severity} ${f.code}: ${f.message}`);
  }
  lines.push(`verdict: ${report.verdict}${failed ? ` (fails --strict ${args.strict})` : ''}`);
  io.stdout(`${lines.join('\n')}\n`);
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

/** Runs `paramscope <args>`; returns the exit status. */
export function runCli(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      (command === undefined ? io.stderr : io.stdout)(`${USAGE}\n`);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command !== 'verify') throw new UsageError(`unknown command "${command}" (expected: verify)`);
    const args = parseVerifyArgs(rest);
    if (args === 'help') {
      io.stdout(`${USAGE}\n`);
      return EXIT_OK;
    }
    return runVerify(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const usageHint =
        error.message.startsWith('groups file') || error.message.startsWith('structure file')
          ? ''
          : "run 'paramscope --help' for usage\n";
      io.stderr(`paramscope: ${error.message}\n${usageHint}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
