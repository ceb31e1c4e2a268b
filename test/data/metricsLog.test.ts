import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetricsLog } from '../../src/data/metricsLog.ts';
import { tmpDir } from './tmpDir.ts';

describe('MetricsLog', () => {
  const dir = tmpDir('metrics');

  it('reads records in order; a missing file holds none', async () => {
    const path = join(dir, 'a.jsonl');
    expect(await MetricsLog.load(path)).toEqual({ records: [], torn: false });
    writeFileSync(path, '{"type":"header","v":1}\n{"type":"cell","k":"x"}\n');
    expect(await MetricsLog.load(path)).toEqual({ records: [{ type: 'header', v: 1 }, { type: 'cell', k: 'x' }], torn: false });
  });

  it('leaves out a torn last line, says so, and drops it on opening', async () => {
    const path = join(dir, 'b.jsonl');
    writeFileSync(path, '{"type":"header"}\n{"type":"cell","k":');
    expect(await MetricsLog.load(path)).toEqual({ records: [{ type: 'header' }], torn: true });
    expect(readFileSync(path, 'utf8')).toBe('{"type":"header"}\n{"type":"cell","k":'); // reading changes nothing
    const log = await MetricsLog.open(path, () => true);
    expect(log.torn).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"type":"header"}\n');
  });

  it('refuses a damaged line that is not the last, naming the file and line, and changes nothing', async () => {
    const path = join(dir, 'c.jsonl');
    const text = '{"type":"header"}\nnot json\n{"type":"cell"}\n';
    writeFileSync(path, text);
    await expect(MetricsLog.load(path)).rejects.toThrow(`${path}: line 2 is not JSON`);
    await expect(MetricsLog.open(path, () => true)).rejects.toThrow(`${path}: line 2 is not JSON`);
    writeFileSync(path, '{"type":"header"}\n[1,2]\n{"type":"cell"}\n');
    await expect(MetricsLog.load(path)).rejects.toThrow(`${path}: line 2 is not a record with a type`);
    expect(readFileSync(path, 'utf8')).toBe('{"type":"header"}\n[1,2]\n{"type":"cell"}\n');
  });
});
