/**
 * One output row of a correlation on a padded image: for each of the row's `length` values v
 * (pixels and channels interleaved), the sum over the taps, in their order, of
 * `weights[i] * pad[start + v + taps[i]]`, into `sums[v]`. With the border in place each tap is a
 * fixed offset; value v of the output reads value v of the padded row at each tap, so four
 * neighbouring values at a time make four independent sums the CPU overlaps (each still summed in
 * tap order, so the results are those of one value at a time).
 */
export function tapRowSums(pad: Float64Array, start: number, length: number, taps: Int32Array, weights: Float64Array, sums: Float64Array): void {
  const n = taps.length;
  let v = 0;
  for (; v + 4 <= length; v += 4) {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (let i = 0; i < n; i++) {
      const q = start + v + taps[i]!;
      const wi = weights[i]!;
      t0 += wi * pad[q]!;
      t1 += wi * pad[q + 1]!;
      t2 += wi * pad[q + 2]!;
      t3 += wi * pad[q + 3]!;
    }
    sums[v] = t0;
    sums[v + 1] = t1;
    sums[v + 2] = t2;
    sums[v + 3] = t3;
  }
  for (; v < length; v++) {
    let t = 0;
    for (let i = 0; i < n; i++) t += weights[i]! * pad[start + v + taps[i]!]!;
    sums[v] = t;
  }
}
