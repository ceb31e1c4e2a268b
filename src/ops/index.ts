/** Pure functions on typed arrays: image primitives, Fourier bases, AugMix sampling and mixing, RNG. */
export * from './primitives.ts';
export * from './image.ts';
export { fourierBasis, fourierBasisInto, toolboxPhase, type FourierBasisSpec } from './fourierBasis.ts';
export { waveVectors, conjugate, gridPosition, frequency, type WaveVector } from './waveVectors.ts';
export { perturbFloatInto, perturbUint8Into } from './fourierPerturb.ts';
export { unitBasis } from './basisCache.ts';
export { fourierPrimitive, paperFourierSampling, toolboxFourierSampling, type FourierParam, type FourierSampling } from './fourierPrimitive.ts';
export { builtinPrimitives, primitiveSets } from './augmentations.ts';
export { sampleLevel, intParameter, floatParameter } from './primitive.ts';
export { sampleParams } from './sampleParams.ts';
export { Augmenter } from './augmenter.ts';
export { augmentChunk, type ChunkSpec } from './augmentChunk.ts';
export { flipCropInto } from './flipCrop.ts';
export { normalizationTable, normalizeInto } from './normalize.ts';
export { permutation } from './permutation.ts';
export { threefry2x32 } from './threefry.ts';
export { ALIGNMENTS, cellKey, fourierGrid, paperGrid, type Alignment, type FourierCell, type FourierGridSpec, type PhaseConvention } from './fourierGrid.ts';
