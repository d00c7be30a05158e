/**
 * Turns a verification report into the snapshot's findings. The report comes from
 * `verifyParamGroups` of `@paramscope/core` (or a function the caller passes); its shape is read
 * structurally so that either a list of findings or `{ findings }` works.
 */
import type { Finding, FindingSeverity } from '@paramscope/protocol';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from '../errors';

/** A finding as a verifier may spell it. */
export interface FindingLike {
  severity?: string;
  level?: string;
  code?: string;
  kind?: string;
  message: string;
  params?: string[];
  param?: string;
  groups?: number[];
  group?: number;
}

/** A verification report: findings, or an object holding them. */
export type ReportLike = FindingLike[] | { findings: FindingLike[] };

const SEVERITIES: readonly FindingSeverity[] = ['error', 'warning', 'info'];

function severityOf(finding: FindingLike): FindingSeverity {
  const value = finding.severity ?? finding.level;
  return SEVERITIES.includes(value as FindingSeverity) ? (value as FindingSeverity) : 'warning';
}

/** Normalizes a report to protocol findings, naming what is wrong with a malformed entry. */
export function findingsFromReport(report: ReportLike): Finding[] {
  const list = Array.isArray(report) ? report : report?.findings;
  if (!Array.isArray(list))
    throw new NotebookError(
      'paramscope inspect: a verification report must be an array of findings or { findings }, ' +
        `got ${describeValue(report)}`
    );
  return list.map((finding, k) => {
    if (typeof finding?.message !== 'string')
      throw new NotebookError(`paramscope inspect: finding ${k} of the verification report has no message`);
    const params = finding.params ?? (finding.param !== undefined ? [finding.param] : []);
    const groups = finding.groups ?? (finding.group !== undefined ? [finding.group] : []);
    return {
      severity: severityOf(finding),
      code: finding.code ?? finding.kind ?? 'finding',
      message: finding.message,
      params: params.map(String),
      groups: groups.filter((g) => Number.isInteger(g) && g >= 0)
    };
  });
}
