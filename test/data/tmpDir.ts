import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder, removed after the calling test file finishes. */
export function tmpDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fourier-augmix-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
