import * as tf from '@tensorflow/tfjs-core';

/** Kernel names of the fused BatchNorm kernels (registered on 'native' only). */
export const FA_BN_TRAIN = 'FaBatchNormTrain';
export const FA_BN_TRAIN_GRAD = 'FaBatchNormTrainGrad';
export const FA_SCALE_SHIFT = 'FaScaleShift';
export interface FusedBnAttrs {
  epsilon: number;
  relu: boolean;
}

/** The gradients of the fused BatchNorm kernels, registered once. */
export function registerFusedBnGradients(): void {
  if (tf.getGradient(FA_BN_TRAIN) == null) {
    tf.registerGradient({
      kernelName: FA_BN_TRAIN,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [true, true, true],
      // The batch statistics (outputs 1 and 2) feed only the running statistics: their gradients
      // are not propagated; the gradient through the normalisation itself is exact.
      gradFunc: (dys, saved, attrs) => {
        const dy = Array.isArray(dys) ? dys[0]! : dys;
        const [x, gamma, y, mean, variance] = saved as tf.Tensor[];
        // One kernel gives all three. Run here, not in the closures: the tape runs each closure
        // in its own tidy, which would dispose the two gradients a closure does not return.
        const [dx, dgamma, dbeta] = tf
          .engine()
          .runKernel(FA_BN_TRAIN_GRAD, { x: x!, dy, gamma: gamma!, mean: mean!, variance: variance!, y: y! }, attrs) as tf.Tensor[];
        return { x: () => dx!, gamma: () => dgamma!, beta: () => dbeta! };
      },
    });
  }
  if (tf.getGradient(FA_SCALE_SHIFT) == null) {
    tf.registerGradient({
      kernelName: FA_SCALE_SHIFT,
      inputsToSave: ['x', 'scale'],
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const [x, scale, y] = saved as tf.Tensor[];
        const g = (): tf.Tensor => ((attrs as unknown as { relu: boolean }).relu ? tf.mul(dy as tf.Tensor, tf.step(y!)) : (dy as tf.Tensor));
        const axes = x!.shape.slice(0, -1).map((_, i) => i);
        return {
          x: () => tf.mul(g(), scale!),
          scale: () => tf.sum(tf.mul(g(), x!), axes),
          shift: () => tf.sum(g(), axes),
        };
      },
    });
  }
}
