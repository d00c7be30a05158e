import {
  arrayOf,
  isBoolean,
  isCount,
  isNumber,
  isNull,
  isNumberOrNull,
  isString,
  literal,
  object,
  oneOf,
  recordOf,
  type ValidationIssue
} from './check';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './snapshot';

export type { ValidationIssue } from './check';

const paramSnapshot = object(
  {
    name: isString,
    shape: arrayOf(isCount),
    size: isCount,
    moduleKind: isString,
    modulePath: isString,
    trainable: isBoolean,
    reason: isString
  },
  {
    aliases: arrayOf(isString),
    scaleInvariant: isBoolean,
    normalizedBy: isString,
    weightNorm: isNumberOrNull,
    gradNorm: isNumberOrNull,
    effectiveLr: isNumberOrNull
  }
);

const hyperparameter = oneOf(
  'a number, boolean, string, null or array of numbers',
  isNumber,
  isBoolean,
  isString,
  isNull,
  arrayOf(isNumber)
);

const groupSnapshot = object(
  {
    index: isCount,
    hyperparameters: recordOf(hyperparameter),
    tensorCount: isCount,
    elementCount: isCount,
    params: arrayOf(paramSnapshot)
  },
  { label: isString }
);

const finding = object({
  severity: literal('error', 'warning', 'info'),
  code: isString,
  message: isString,
  params: arrayOf(isString),
  groups: arrayOf(isCount)
});

const history = object({
  steps: arrayOf(isNumber),
  series: arrayOf(object({ name: isString, values: arrayOf(isNumberOrNull) }, { group: isCount }))
});

const entry = object(
  {
    id: isString,
    label: isString,
    source: literal('optimizer', 'grouping'),
    model: object({ name: isString, tensorCount: isCount, elementCount: isCount }),
    groups: arrayOf(groupSnapshot),
    findings: arrayOf(finding)
  },
  { optimizer: isString, step: isCount, history, watched: isBoolean }
);

const snapshot = object(
  {
    schemaVersion: literal(SNAPSHOT_SCHEMA_VERSION),
    sessionId: isString,
    sequence: isCount,
    createdAt: isString,
    entries: arrayOf(entry)
  },
  { backend: isString, focus: arrayOf(isString) }
);

/** The result of {@link validateSnapshot}: the typed snapshot, or every problem found. */
export type SnapshotValidation = { ok: true; snapshot: Snapshot } | { ok: false; issues: ValidationIssue[] };

/**
 * Checks that `value` is a version-1 snapshot. Accepts the object itself or its JSON text
 * (tslab's `display.raw` may deliver either). Never throws.
 *
 * @example
 * const result = validateSnapshot(bundle[SNAPSHOT_MIME_TYPE]);
 * if (!result.ok) console.warn(formatIssues(result.issues));
 */
export function validateSnapshot(value: unknown): SnapshotValidation {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      return { ok: false, issues: [{ path: '$', message: `not valid JSON: ${(error as Error).message}` }] };
    }
  }
  if (typeof parsed === 'object' && parsed !== null && 'schemaVersion' in parsed) {
    const version = (parsed as { schemaVersion: unknown }).schemaVersion;
    if (typeof version === 'number' && version > SNAPSHOT_SCHEMA_VERSION) {
      return {
        ok: false,
        issues: [
          {
            path: '$.schemaVersion',
            message:
              `snapshot schema version ${version} is newer than this reader (${SNAPSHOT_SCHEMA_VERSION}): ` +
              'update the paramscope JupyterLab extension'
          }
        ]
      };
    }
  }
  const issues: ValidationIssue[] = [];
  snapshot(parsed, '$', issues);
  return issues.length === 0 ? { ok: true, snapshot: parsed as Snapshot } : { ok: false, issues };
}

/** One line per issue, at most `limit` lines, for error messages and the panel. */
export function formatIssues(issues: readonly ValidationIssue[], limit = 5): string {
  const lines = issues.slice(0, limit).map((issue) => `${issue.path}: ${issue.message}`);
  if (issues.length > limit) lines.push(`… and ${issues.length - limit} more`);
  return lines.join('\n');
}
