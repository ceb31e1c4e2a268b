// Public API of src/data: file formats (CIFAR binary, CIFAR-C, .npy, atomic writes) and the in-memory Dataset.
export { allocateShared, sharedBytes, sharedInt32 } from './allocateShared.ts';
export { BUNDLED_DATA, bundledData } from './bundledData.ts';
export { readMsgpack, writeFileAtomic, writeJsonAtomic, writeMsgpackAtomic, type AtomicContent } from './atomic.ts';
export { readCifar10, readCifar100, type Cifar100Options, type CifarSplit } from './cifar.ts';
export { openCifarC, readCorruption, type CifarCHandle, type OpenCifarCOptions } from './cifarC.ts';
export { CIFAR_C_CORRUPTIONS, CIFAR_C_EXTRA_CORRUPTIONS, CIFAR_C_SEVERITIES, sortCorruptions } from '../ops/corruptions/names.ts';
export { concat, imageBytes, subset, type Dataset, type DatasetShape } from './dataset.ts';
export { detectDataset, type DatasetKind } from './detectDataset.ts';
export { encodeNpy, parseNpy, readNpy, writeNpy, type NpyArray, type NpyReadOptions, type NpyWriteOptions } from './npy.ts';
export type { NpyData, NpyDtype, NpyWritable } from './npyDtype.ts';
export { formatNpyHeader, parseNpyHeader, readNpyHeader, type NpyHeader } from './npyHeader.ts';
