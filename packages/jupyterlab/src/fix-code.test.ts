import { describe, expect, it } from 'vitest';
import { resnet50Params, twoGroupSnapshot } from '../test-utils/snapshots';
import { correctedGroupsCode, fixLanguage } from './fix-code';

const entry = () => twoGroupSnapshot(resnet50Params(), { mistake: 'layer1.0.downsample.1.weight' }).entries[0];

describe('corrected groups code', () => {
  it('writes TypeScript for tslab with the snapshot’s weight decay and optimizer options', () => {
    expect(correctedGroupsCode(entry(), 'typescript')).toBe(
      [
        "// SGD on resnet50: paramscope's structural default (no decay for normalization parameters and biases).",
        "import { groupParams, SGD } from '@paramscope/core';",
        "import { inspect } from '@paramscope/notebook';",
        'const { groups } = groupParams(model, { weightDecay: 0.0001 });',
        'const optimizer = new SGD(groups, { lr: 0.1, momentum: 0.9 });',
        'inspect(optimizer, { model: model, label: "SGD on resnet50" });'
      ].join('\n')
    );
  });

  it('writes PyTorch for a Python kernel, with snake_case options and Python literals', () => {
    const adam = entry();
    adam.optimizer = 'AdamW';
    adam.label = "AdamW 'fine-tune'";
    for (const group of adam.groups) {
      group.hyperparameters = { ...group.hyperparameters, betas: [0.9, 0.999], amsgrad: false, foreach: null };
    }
    delete adam.groups[0].hyperparameters.momentum;
    expect(correctedGroupsCode(adam, 'python').split('\n').slice(3)).toEqual([
      'groups = paramscope.group_params(model, weight_decay=0.0001)',
      'optimizer = torch.optim.AdamW(groups, lr=0.1, betas=(0.9, 0.999), amsgrad=False, foreach=None)',
      `paramscope.inspect(optimizer, model, label="AdamW 'fine-tune'")`
    ]);
  });

  it('takes the language from the kernel, else from the snapshot’s backend', () => {
    expect(fixLanguage('python', 'wasm')).toBe('python');
    expect(fixLanguage('typescript', undefined)).toBe('typescript');
    expect(fixLanguage(undefined, 'PyTorch 2.5.1')).toBe('python');
    expect(fixLanguage(undefined, 'wasm')).toBe('typescript');
  });
});
