import { fileURLToPath } from 'node:url';
import type { Strategy } from '../ops/strategy.ts';

const where = (url: string): string => (url.startsWith('file:') ? fileURLToPath(url) : url);

/** What `describe` shows of a strategy: where it comes from, its primitives and every setting. */
export function describeStrategy(s: Strategy): string[] {
  const from = s.source ? `${where(s.source.url)} (sha256 ${s.source.sha256.slice(0, 12)})` : 'built-in';
  const f = s.fourier;
  return [
    `  strategy ${s.name}: ${from}`,
    `    primitives (${s.ops.length}): ${s.ops.join(', ') || 'none (flip + crop only)'}`,
    `    width ${s.width}, depth ${s.depth === -1 ? '1-3' : s.depth}, severity ${s.severity}, alpha ${s.alpha}, ${s.jsd ? 'JSD loss (clean, aug1, aug2)' : 'one view, cross-entropy'}, flip ${s.flip}, padding ${s.padding}`,
    `    mean ${s.mean.join(',')}, std ${s.std.join(',')}${s.ops.includes('fourier') ? `, fourier ${JSON.stringify(f)}` : ''}`,
    ...s.modules.map((m) => `    primitive module ${where(m.module)}, export ${m.export}${m.sha256 ? ` (sha256 ${m.sha256.slice(0, 12)})` : ''}`),
  ];
}
