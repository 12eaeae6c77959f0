"""The numeric runtime, below problems and algorithms.

Everything a kernel and a problem family share lives here, and nothing here imports from the
rest of convlab (but :mod:`convlab.errors`):

- :mod:`.jit`: the typed signatures of oracles and kernel pieces, compile-on-first-use
  functions (:func:`~.jit.lazy_jit`) and numba helpers (:func:`~.jit.njit_helper`);
- :mod:`.random`: counter-based random numbers (SplitMix64), a pure function of (seed, t, j);
- :mod:`.checkpoints`: the schedule of recorded iterations;
- :mod:`.kernel`: the kernel contract (:class:`~.kernel.Kernel`: hyper-parameter slots,
  recorded points and scalars, state, oracles, by name);
- :mod:`.loop`: the one loop every kernel runs in (recording, tracking, divergence, stop,
  flush-to-zero), for one seed and for many seeds in parallel;
- :mod:`.launch`: entering the loop with the compiled functions' addresses resolved once (no
  per-call typing), the seeds of a call side by side on threads.

Importing this package imports neither numba nor numpy's heavy parts; numba is imported the
first time something is compiled.
"""
