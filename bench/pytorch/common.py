"""Shared parts of the PyTorch peer benchmarks (see README.md beside this file).

The models are rebuilt with make-zoo.py's own `build()` and `make_input()` (imported from
../shared/tools/make-zoo.py, or $MAKE_ZOO), so PyTorch runs exactly the seeded network whose ONNX
export nnlens runs from the zoo, on the same inputs (zoo input.npy = make_input(shape, seed + 200)).
Every script prints one JSON line on stdout; everything else goes to stderr.
"""
import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_MAKE_ZOO = os.path.normpath(os.path.join(ROOT, '..', 'shared', 'tools', 'make-zoo.py'))


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--model', default='resnet18', help='a make-zoo model name (default %(default)s)')
    p.add_argument('--threads', type=int, default=2, help='torch.set_num_threads (default %(default)s)')
    p.add_argument('--make-zoo', default=os.environ.get('MAKE_ZOO', DEFAULT_MAKE_ZOO), help='path of make-zoo.py')
    p.add_argument('--zoo', default=default_zoo(), help='a built zoo, to check results against its reference files '
                   '(default: $NNLENS_ZOO, .zoo or /work/zoo when present)')
    return p


def default_zoo():
    for d in (os.environ.get('NNLENS_ZOO'), os.path.join(ROOT, '.zoo'), '/work/zoo'):
        if d and os.path.exists(os.path.join(d, 'zoo.json')):
            return d
    return None


def zoo_file(args, file):
    """Path of the zoo's reference `file` for this model, or None when there is no such file."""
    path = os.path.join(args.zoo, args.model, file) if args.zoo else None
    return path if path and os.path.exists(path) else None


def rel_l2_to_zoo(args, file, value):
    """||value - ref|| / ||ref|| against the zoo's reference `file` (e.g. grad_input.npy), or None without a zoo."""
    import numpy as np
    path = zoo_file(args, file)
    if not path:
        return None
    ref = np.load(path).astype(np.float64)
    v = np.asarray(value, dtype=np.float64)
    return float(np.linalg.norm(v - ref) / np.linalg.norm(ref))


def load_make_zoo(path):
    if not os.path.exists(path):
        sys.exit(f'bench/pytorch: {path} not found (pass --make-zoo or set MAKE_ZOO)')
    spec = importlib.util.spec_from_file_location('make_zoo', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def setup(args):
    """Returns (torch, make_zoo module, frozen eval model, zoo row dict, build seconds)."""
    import torch
    mz = load_make_zoo(args.make_zoo)
    torch.set_num_threads(args.threads)  # after make-zoo's import, which sets 2 itself
    t0 = time.perf_counter()
    model, shape, layer, seed, opset = mz.build(args.model)
    # Only the gradient with respect to the input (or an activation) is asked for, as nnlens computes
    # it: frozen parameters spare autograd the weight gradients, which would be extra work.
    for p in model.parameters():
        p.requires_grad_(False)
    build_s = time.perf_counter() - t0
    row = {'input_shape': list(shape), 'cam_layer': layer, 'seed': seed, 'opset': opset}
    return torch, mz, model, row, build_s


def rss_mb():
    """Current resident set size (VmRSS), MiB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
    return float('nan')


def peak_rss_mb():
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def summary(times_s):
    ms = [t * 1000 for t in times_s]
    return {'median_ms': round(statistics.median(ms), 3), 'min_ms': round(min(ms), 3),
            'max_ms': round(max(ms), 3), 'times_ms': [round(t, 3) for t in ms]}


def emit(torch, args, bench, figures):
    """Prints the one JSON line a TypeScript bench reads (bench/pytorch/peer.ts)."""
    line = {'side': 'pytorch', 'bench': bench, 'model': args.model, 'threads': args.threads,
            'torch': torch.__version__, 'python': platform.python_version(),
            'machine': f'{platform.machine()} {os.cpu_count()} cpu', **figures,
            'peak_rss_mb': round(peak_rss_mb(), 1)}
    print(json.dumps(line), flush=True)
