import { readFile } from 'node:fs/promises';

/**
 * Class names from a text file with one name a line, in label order (CIFAR's
 * `batches.meta.txt`, `fine_label_names.txt`, `coarse_label_names.txt`). Blank lines are
 * skipped: the official files end with several.
 *
 * @param expected - how many names the dataset needs
 * @throws Error naming the file, the expected and the actual count (or that it is missing)
 */
export async function readClassNames(path: string, expected: number): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot read class names file (${expected} names, one a line): ${err.code ?? err.message}`, { cause: err });
  });
  const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length !== expected) throw new Error(`${path}: expected ${expected} class names (one a line), found ${names.length}`);
  return names;
}
