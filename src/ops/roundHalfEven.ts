/** Python's round() (half to even): scipy's zoom output shape and torchvision's CenterCrop offsets use it. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
