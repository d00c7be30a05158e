/**
 * The parameter model of a TF.js `LayersModel` (from `tf.sequential` or `tf.model`): layers map
 * to PyTorch module kinds, weights to parameters named `<layer>.<weight>` (`dense_1.kernel`,
 * `batch_normalization_1.gamma`), and inbound nodes give the graph edges. Moving mean and
 * variance are not parameters (PyTorch calls them buffers) and are left out.
 */
import * as tf from '@tensorflow/tfjs';
import { markScaleInvariantWeights } from '@paramscope/params';
import type { ModuleEdge, ModuleInfo, ParamInfo, ParamModel } from '@paramscope/params';

type Layer = tf.layers.Layer;

/** TF.js layer class → PyTorch module kind, where one clearly corresponds. */
const LAYER_KINDS: Record<string, string> = {
  Dense: 'Linear',
  Conv1D: 'Conv1d',
  Conv2D: 'Conv2d',
  Conv3D: 'Conv3d',
  DepthwiseConv2D: 'Conv2d',
  Conv2DTranspose: 'ConvTranspose2d',
  Conv3DTranspose: 'ConvTranspose3d',
  LayerNormalization: 'LayerNorm',
  Embedding: 'Embedding',
  ReLU: 'ReLU',
  Flatten: 'Flatten',
  Dropout: 'Dropout',
  MaxPooling2D: 'MaxPool2d',
  AveragePooling2D: 'AvgPool2d',
  ZeroPadding2D: 'ZeroPad2d'
};

/** Layers that pass scale through, by class, as canonical operation names. */
const TRANSPARENT_LAYERS: Record<string, string> = {
  ReLU: 'relu',
  Flatten: 'flatten',
  Reshape: 'reshape',
  Permute: 'permute',
  Dropout: 'dropout',
  SpatialDropout1D: 'dropout',
  MaxPooling1D: 'maxpool',
  MaxPooling2D: 'maxpool',
  MaxPooling3D: 'maxpool',
  AveragePooling1D: 'avgpool',
  AveragePooling2D: 'avgpool',
  GlobalAveragePooling1D: 'avgpool',
  GlobalAveragePooling2D: 'avgpool',
  GlobalMaxPooling1D: 'maxpool',
  GlobalMaxPooling2D: 'maxpool',
  ZeroPadding2D: 'pad'
};

const NON_PARAMETERS = new Set(['moving_mean', 'moving_variance']);

function layerKind(layer: Layer): string {
  const cls = layer.getClassName();
  if (cls === 'BatchNormalization') {
    const rank = inputRank(layer);
    return rank === 4 ? 'BatchNorm2d' : rank === 5 ? 'BatchNorm3d' : 'BatchNorm1d';
  }
  return LAYER_KINDS[cls] ?? cls;
}

function inputRank(layer: Layer): number | undefined {
  try {
    const input = layer.input;
    return Array.isArray(input) ? undefined : input.shape.length;
  } catch {
    return undefined; // a layer used at several places has no single input
  }
}

/** The activation fused into a layer (`Dense({activation: 'relu'})`), as an operation name. */
function fusedActivation(layer: Layer): string | undefined {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === 'string' && activation !== 'linear' ? activation : undefined;
}

/** The operation a layer applies when it only passes scale through (ReLU, Activation('relu'), pooling). */
function transparentOp(layer: Layer): string | undefined {
  const cls = layer.getClassName();
  if (cls === 'Activation') return fusedActivation(layer) === 'relu' ? 'relu' : undefined;
  return TRANSPARENT_LAYERS[cls];
}

function graphEdges(model: tf.LayersModel, parameterized: Set<Layer>): ModuleEdge[] {
  const consumers = new Map<Layer, Layer[]>();
  for (const layer of model.layers) {
    for (const node of layer.inboundNodes) {
      for (const inbound of node.inboundLayers) consumers.set(inbound, [...(consumers.get(inbound) ?? []), layer]);
    }
  }
  const outputs = new Set(model.outputLayers);
  const edges: ModuleEdge[] = [];
  for (const from of parameterized) {
    const activation = fusedActivation(from);
    const start = activation ? [activation] : [];
    const frontier: Array<{ layer: Layer; via: string[] }> = [{ layer: from, via: start }];
    const visited = new Set<Layer>();
    while (frontier.length > 0) {
      const { layer, via } = frontier.pop()!;
      if (visited.has(layer)) continue;
      visited.add(layer);
      if (outputs.has(layer)) edges.push({ from: from.name, to: 'output', via });
      for (const next of consumers.get(layer) ?? []) {
        const op = transparentOp(next);
        if (op) frontier.push({ layer: next, via: [...via, op] });
        else edges.push({ from: from.name, to: next.name, via });
      }
    }
  }
  return edges;
}

/**
 * Reads a `LayersModel`'s parameters: one per trainable or frozen weight (not moving
 * statistics), with its `tf.Variable`, its layer as module, and scale-invariant weights marked
 * from the layer graph. A nested model's layers get dotted paths; the graph is then unknown.
 */
export function paramModelFromLayersModel(model: tf.LayersModel): ParamModel {
  const params: ParamInfo[] = [];
  const modules: ModuleInfo[] = [{ path: '', kind: model.getClassName(), params: [] }];
  const parameterized = new Set<Layer>();
  let nested = false;
  const seen = new Map<tf.Variable, ParamInfo>();
  const visit = (layers: Layer[], prefix: string): void => {
    for (const layer of layers) {
      const path = prefix ? `${prefix}.${layer.name}` : layer.name;
      const module: ModuleInfo = { path, kind: layerKind(layer), params: [] };
      modules.push(module);
      if (layer instanceof tf.LayersModel) {
        nested = true;
        visit(layer.layers, path);
        continue;
      }
      for (const weight of layer.weights) {
        const local = weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
        if (NON_PARAMETERS.has(local)) continue;
        const name = `${path}.${local}`;
        const variable = weight.read() as tf.Variable;
        const existing = seen.get(variable);
        if (existing) {
          existing.aliases.push(name);
          continue;
        }
        const info: ParamInfo = {
          name,
          aliases: [],
          shape: [...weight.shape] as number[],
          size: weight.shape.reduce((a: number, b) => a * (b ?? 1), 1),
          trainable: weight.trainable,
          modulePath: path,
          moduleKind: module.kind,
          localName: local,
          variable
        };
        seen.set(variable, info);
        params.push(info);
        module.params.push(name);
        parameterized.add(layer);
      }
    }
  };
  visit(model.layers, '');
  const edges = nested ? null : graphEdges(model, parameterized);
  markScaleInvariantWeights(modules, params, edges);
  return { name: model.name, source: 'layers-model', params, modules, edges };
}
