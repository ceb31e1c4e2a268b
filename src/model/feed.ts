import * as tf from '@tensorflow/tfjs-core';
import { Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../streams/batch.ts';

/** A batch on the tensor backend. `dispose()` frees the tensors and releases the batch upstream. */
export interface TensorBatch {
  readonly epoch: number;
  readonly step: number;
  readonly index: number;
  readonly size: number;
  readonly views: number;
  /**
   * All views stacked along the batch axis, [views·size, H, W, C]: one forward pass sees clean,
   * aug1 and aug2 together, so BatchNorm's statistics cover all three (cifar.py:218).
   */
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
  dispose(): void;
}

/**
 * Moves each batch onto the current tfjs backend. The source batch stays unreleased until the
 * tensor batch is disposed, so the stream's credits also bound tensors waiting for the model.
 */
export function toTensors(): OperatorFunction<Batch, TensorBatch> {
  return (source) =>
    new Observable<TensorBatch>((subscriber) =>
      source.subscribe({
        next: (b) => {
          const { width, height, channels } = b.shape;
          let images: tf.Tensor4D;
          let labels: tf.Tensor1D;
          try {
            images = tf.tensor4d(b.data, [b.views * b.size, height, width, channels], 'float32');
            labels = tf.tensor1d(b.labels, 'int32');
          } catch (err) {
            b.release();
            subscriber.error(err);
            return;
          }
          let disposed = false;
          subscriber.next({
            epoch: b.epoch,
            step: b.step,
            index: b.index,
            size: b.size,
            views: b.views,
            images,
            labels,
            dispose: () => {
              if (disposed) return;
              disposed = true;
              images.dispose();
              labels.dispose();
              b.release();
            },
          });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
