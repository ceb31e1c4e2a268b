import { existsSync } from 'node:fs';
import { packageFile } from '../packageFiles.ts';

/** The data sets that ship with the package, in its `data/` folder. */
export const BUNDLED_DATA = ['cifar10-mini'] as const;

/**
 * The folder of a data set shipped with the package (`cifar10-mini`: 6,102 CIFAR-10 images in the
 * binary layout), wherever the package is installed: `readCifar10(bundledData('cifar10-mini'), 'train')`.
 *
 * @throws RangeError for a name that is not bundled, listing the ones that are
 */
export function bundledData(name: (typeof BUNDLED_DATA)[number]): string {
  const dir = packageFile('data', name);
  if (!(BUNDLED_DATA as readonly string[]).includes(name) || !existsSync(dir)) throw new RangeError(`bundledData: no bundled data set '${name}'; bundled: ${BUNDLED_DATA.join(', ')}`);
  return dir;
}
