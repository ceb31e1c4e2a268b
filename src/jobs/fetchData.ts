import { resolve } from 'node:path';
import { concat, defer, from, mergeMap, Observable } from 'rxjs';
import { archives, fetchArchive, type ArchiveSource } from '../data/fetchArchive.ts';
import { event, type PipelineEvent } from '../pipeline/events.ts';
import { UsageError } from '../pipeline/usageError.ts';

/**
 * The archives to fetch for `data fetch <names...>`. `baseUrl` (a mirror, or a local server)
 * replaces everything before each archive's file name; the checksums stay the published ones.
 *
 * @throws UsageError for an unknown name or a base URL that is not http(s)
 */
export function resolveArchives(names: readonly string[], baseUrl?: string): ArchiveSource[] {
  if (names.length === 0) throw new UsageError(`data fetch: name one or more of ${Object.keys(archives).join(', ')}`);
  if (baseUrl !== undefined && !/^https?:\/\//.test(baseUrl))
    throw new UsageError(`data fetch: --base-url ${baseUrl} is invalid: expected an http:// or https:// URL`);
  return names.map((n) => {
    const a = archives[n.toLowerCase()];
    if (!a) throw new UsageError(`data fetch: unknown dataset '${n}'; known: ${Object.keys(archives).join(', ')}`);
    if (baseUrl === undefined) return a;
    return { ...a, url: `${baseUrl.replace(/\/+$/, '')}/${a.url.slice(a.url.lastIndexOf('/') + 1)}` };
  });
}

/** Fetches each archive in turn into `dir`, as progress and artifact events for `render`. */
export function fetchEvents(sources: readonly ArchiveSource[], dir: string, signal?: AbortSignal): Observable<PipelineEvent> {
  const target = resolve(dir);
  const one = (s: ArchiveSource): Observable<PipelineEvent> =>
    new Observable<PipelineEvent>((subscriber) => {
      const stage = `fetch ${s.name}`;
      let last = 0;
      fetchArchive(s, target, {
        ...(signal ? { signal } : {}),
        onProgress: ({ received, total }) => {
          // A progress event per 4 MiB: enough for a live bar, not one per network chunk.
          if (received - last < 4 << 20 && received !== total) return;
          last = received;
          const mib = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
          subscriber.next(event.progress(stage, mib(received), mib(total ?? received), 'MiB'));
        },
      }).then(
        ({ folder, existed }) => {
          subscriber.next(event.artifact(folder, existed ? `${s.name}: already there, kept` : `${s.name}: checked (MD5 ${s.md5}) and unpacked`));
          subscriber.complete();
        },
        (err: unknown) => subscriber.error(err),
      );
    });
  return concat(
    from(sources).pipe(mergeMap(one, 1)),
    defer(() => [event.summary([`data fetch: ${sources.map((s) => s.name).join(', ')} in ${target}`])]),
  );
}
