import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CoreError, OptimizerError, ParamsError, SGD, StepLR, groupParams, nn } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('CoreError', () => {
  it('is the base of OptimizerError and what nn modules throw for bad arguments', () => {
    expect(new OptimizerError('x')).toBeInstanceOf(CoreError);
    expect(() => new nn.Linear(0, 2)).toThrow(CoreError);
    expect(() => new nn.Linear(2, 'three' as unknown as number)).toThrow(
      'Linear: outFeatures must be a positive integer, got "three"'
    );
    expect(() => new nn.BatchNorm2d(4, { momentum: 2 })).toThrow(CoreError);
    expect(() => new nn.Conv2d(1, 1, 3, { padding_mode: 'zeros' } as never)).toThrow(CoreError);
  });

  it('names a tensor by its class, never printing its values', () => {
    const t = tf.ones([1000]);
    let message = '';
    try {
      new SGD([t as unknown as tf.Variable], { lr: 0.1 });
    } catch (error) {
      expect(error).toBeInstanceOf(OptimizerError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/holds a Tensor, not a tf.Variable/);
    expect(message.length).toBeLessThan(200);
    t.dispose();
  });

  it('reports bad scheduler input as an OptimizerError naming the value', () => {
    expect(() => new StepLR(new Map() as never, { stepSize: 1 })).toThrow(
      /expected an optimizer with paramGroups, got a Map/
    );
  });

  it('leaves what params throws (re-exported by core) a ParamsError', () => {
    expect(() => groupParams(42 as never)).toThrow(ParamsError);
  });
});
