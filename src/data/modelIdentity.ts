/**
 * What results files record about a model: its identity (SHA-256 of the file) and how it is fed.
 * A checkpoint has the fields older results have (so they still resume and merge); an ONNX model
 * also records its input contract, since the same file fed differently gives other results.
 */
export interface ModelIdentity {
  readonly sha256: string;
  /** The training strategy, or an ONNX file's base name when its metadata names none. */
  readonly strategy: string;
  readonly classes: number;
  readonly depth?: number;
  readonly widen?: number;
  readonly format?: 'onnx';
  readonly input?: { readonly layout: string; readonly channelOrder: string; readonly scale: number };
}

/** `AugSVF (WRN-16-2)` for our WRNs, `name (ONNX)` for other models. */
export function modelLabel(m: Pick<ModelIdentity, 'strategy' | 'depth' | 'widen'>): string {
  return m.depth === undefined ? `${m.strategy} (ONNX)` : `${m.strategy} (WRN-${m.depth}-${m.widen})`;
}
