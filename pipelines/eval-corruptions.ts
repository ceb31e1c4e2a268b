import { definePipeline } from '../src/pipeline/pipeline.ts';
import evalCifar10c from './eval-cifar10c.ts';

/** `eval-cifar10c` under the name that fits every size: CIFAR-10-C, Tiny-ImageNet-C and ImageNet-C folders alike. */
export default definePipeline({
  ...evalCifar10c,
  name: 'eval-corruptions',
  description:
    'eval-cifar10c under another name: error and calibration per corruption x severity of any `corrupt` folder (CIFAR-10-C, Tiny-ImageNet-C, ImageNet-C)',
});
