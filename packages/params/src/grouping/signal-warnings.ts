/**
 * The warnings of a grouping about decisions made on weak evidence, one per module kind and
 * evidence: parameters of a module of unknown kind (placed by timm's ndim ≤ 1 rule), and decayed
 * parameters whose class name alone says normalization.
 */
import type { NormalizationVerdict } from '../model/normalization';
import type { ParamInfo, ParamModelSource } from '../model/types';

interface Doubt {
  verdict: 'unknown-kind' | 'name-only';
  kind: string;
  evidence: string;
  modules: Set<string>;
  names: string[];
  decayed: number;
}

/** `a, b, c and 4 more`. */
function someNames(names: readonly string[], shown = 3): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Collects placed parameters with weak verdicts, then words one warning per kind and evidence. */
export class SignalWarnings {
  private readonly doubts = new Map<string, Doubt>();

  /** `source` chooses the advice: a structure file can be exported again with example inputs. */
  constructor(private readonly source: ParamModelSource) {}

  /** Records `param`, placed with `weightDecay`, when its verdict is one to warn about. */
  note(param: ParamInfo, verdict: NormalizationVerdict, weightDecay: number): void {
    const kind = verdict.verdict;
    if (kind !== 'unknown-kind' && !(kind === 'name-only' && weightDecay > 0)) return;
    const key = `${kind}\u0000${verdict.evidence}`;
    let doubt = this.doubts.get(key);
    if (!doubt) {
      doubt = {
        verdict: kind,
        kind: param.moduleKind,
        evidence: verdict.evidence,
        modules: new Set(),
        names: [],
        decayed: 0
      };
      this.doubts.set(key, doubt);
    }
    doubt.modules.add(param.modulePath);
    doubt.names.push(param.name);
    if (weightDecay > 0) doubt.decayed += 1;
  }

  /** One message per kind and evidence, in the order first seen. */
  messages(): string[] {
    return [...this.doubts.values()].map((d) => {
      const counts = `${plural(d.modules.size, 'module')}, ${plural(d.names.length, 'parameter')}`;
      const where = `${counts}: ${someNames(d.names)}`;
      if (d.verdict === 'name-only') return `${d.evidence}: they keep weight decay (${where})`;
      const decayed =
        d.decayed > 0 ? `; ${d.decayed} of them have weight decay all the same (baseline decay-all or a rule)` : '';
      const advice =
        this.source === 'structure'
          ? 'export the model with example inputs so that the behaviour probe can decide'
          : `a rule such as { moduleKind: ${JSON.stringify(d.kind)}, weightDecay: 0 } makes the choice explicit`;
      const placed = `its parameters with ndim ≤ 1 go without weight decay by timm's rule (${where})${decayed}`;
      return `${d.evidence}: ${placed}; ${advice}`;
    });
  }
}
