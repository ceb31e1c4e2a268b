/* Shared declarations for the data path's WebAssembly kernels (freestanding: no libc). */
#ifndef KERNELS_H
#define KERNELS_H

typedef unsigned char u8;
typedef unsigned int u32;

#define EXPORT(name) __attribute__((export_name(name)))

#endif
