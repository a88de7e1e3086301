"""`keep_freed_memory`: glibc's malloc keeps freed memory mapped, so XLA's CPU programs stop page-faulting.

XLA's CPU runtime allocates each call's temporary buffers with ``malloc`` and frees them when the call ends; a
training step's temporaries are hundreds of MB. glibc serves a block over 32 MB, or any block too large for a worker
thread's arena, with a fresh ``mmap`` and unmaps it on ``free``, so every call page-faults all of that memory again
(on a 2-core build machine, a VM, ≈3 µs per 4 KiB page: ResNet-50's train step at batch 8 took 277k faults, about
a third of its time). With one arena, no ``mmap`` and no trimming, freed blocks go back to the heap and the next
call reuses them, already mapped. The cost: the process keeps its peak heap instead of returning it to the system.

Importing flaim applies it, on Linux with glibc: it must come before XLA's worker threads first allocate (each
keeps the arena it started with), so import flaim before running anything with jax. ``FLAIM_CPU_MALLOC=system`` in
the environment leaves glibc's defaults alone. Figures in benchmarks/README.md.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys

# glibc's mallopt parameters (malloc.h) and the settings: one arena, never mmap, never trim.
M_TRIM_THRESHOLD, M_MMAP_MAX, M_ARENA_MAX = -1, -4, -8
SETTINGS = ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1))
OPT_OUT = "FLAIM_CPU_MALLOC"  # =system: keep glibc's defaults


@functools.cache
def keep_freed_memory() -> bool:
    """Set glibc's malloc to keep freed memory mapped for reuse (once per process); returns whether it did: not
    where ``FLAIM_CPU_MALLOC=system``, off Linux, or with a C library other than glibc."""
    if os.environ.get(OPT_OUT) == "system" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)  # the C library this process runs on
    except OSError:
        return False
    if not hasattr(libc, "gnu_get_libc_version"):  # musl and others: mallopt is absent or means something else
        return False
    return all(libc.mallopt(option, value) == 1 for option, value in SETTINGS)
