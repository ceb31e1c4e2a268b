import { stat } from 'node:fs/promises';

/**
 * Checks that `dir` is an existing folder before globbing it, since an empty glob result alone
 * cannot tell "wrong path" from "wrong folder".
 *
 * @param lookingFor - what the caller wanted there, for the message, e.g. `'CIFAR-10 binary files (data_batch_*.bin)'`
 * @throws Error naming the path, what was looked for, and whether it is missing or not a folder
 */
export async function requireDir(dir: string, lookingFor: string): Promise<void> {
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new Error(`${dir}: folder does not exist (looking for ${lookingFor})`, { cause: err });
    throw new Error(`${dir}: cannot read folder (looking for ${lookingFor}): ${err.message}`, { cause: err });
  });
  if (!info.isDirectory()) throw new Error(`${dir}: is a file, not a folder (looking for ${lookingFor})`);
}
