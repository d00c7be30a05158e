import { describe, expect, it } from 'vitest';
import { checkNonNegative } from './grouping/check';
import {
  ParamsError,
  ParamGroupsError,
  StructureFileError,
  compileRule,
  groupParams,
  paramModelFromStructure,
  toParamModel,
  type GroupingRule,
  type ParamModel
} from './index';

describe('ParamsError', () => {
  it('is the one class params throws for bad input', () => {
    expect(new StructureFileError(['$: x'])).toBeInstanceOf(ParamsError);
    expect(Object.getPrototypeOf(ParamGroupsError.prototype)).toBe(ParamsError.prototype);
    expect(() => toParamModel(new Map() as unknown as ParamModel)).toThrow(ParamsError);
    expect(() => paramModelFromStructure('{')).toThrow(ParamsError);
    expect(() => paramModelFromStructure([])).toThrow(StructureFileError);
    expect(() => checkNonNegative('lr', -1)).toThrow(ParamsError);
    expect(() => compileRule(null as unknown as GroupingRule, 0)).toThrow(ParamsError);
    expect(() =>
      groupParams({ name: 'm', params: [], modules: [], edges: null } as unknown as ParamModel, {
        baseline: 'none' as never
      })
    ).toThrow(ParamsError);
  });

  it('names the value with describeValue', () => {
    expect(() => checkNonNegative('weightDecay', 'big')).toThrow('weightDecay must be a finite number ≥ 0, got "big"');
    expect(() => compileRule(7 as unknown as GroupingRule, 2)).toThrow('rule 2: expected an object, got 7');
  });

  it('keeps the cause of a structure file that is not JSON', () => {
    try {
      paramModelFromStructure('{');
      expect.unreachable();
    } catch (error) {
      expect((error as ParamsError).name).toBe('ParamsError');
      expect((error as ParamsError).cause).toBeInstanceOf(SyntaxError);
    }
  });
});
