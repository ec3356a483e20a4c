#!/usr/bin/python3
"""Integrated Gradients on a batch of inputs with plain PyTorch autograd: the PyTorch side of issue 4's
IG benchmark.

The whole job for `--batch` inputs (default 32 at 224x224): one forward to pick each input's top-1
class, then for each input the `--steps` (default 50) scaled inputs b + a_k (x - b) on the
straight-line path from the zero baseline b, run through forward + backward to the input in
batches of `--chunk`, and attribution = (x - b) * sum_k w_k dF/dx(b + a_k (x - b))
(Sundararajan et al. 2017, Eq. 3). The nodes a_k and weights w_k are Gauss-Legendre on [0, 1], as
Captum's default method `gausslegendre`. Prints one JSON line with the whole job time and the
completeness error |sum(attr) - (F(x) - F(b))| (Eq. 3's axiom), relative to |F(x) - F(b)|.

    /usr/bin/python3 bench/pytorch/ig.py --model resnet50 --batch 32 --steps 50
"""
import time
import numpy as np
import common


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=32, help='number of inputs (default %(default)s)')
    p.add_argument('--steps', type=int, default=50, help='integration steps per input (default %(default)s)')
    p.add_argument('--chunk', type=int, default=50, help='scaled inputs per forward/backward pass (default %(default)s)')
    args = p.parse_args()
    torch, mz, model, row, build_s = common.setup(args)
    shape = (args.batch, *row['input_shape'][1:])
    xs = torch.from_numpy(mz.make_input(shape, row['seed'] + 300))
    nodes, weights = np.polynomial.legendre.leggauss(args.steps)
    alphas = torch.tensor((nodes + 1) / 2, dtype=torch.float32)  # [-1, 1] -> [0, 1]
    wts = torch.tensor(weights / 2, dtype=torch.float32)
    model_rss = common.rss_mb()

    def attribute(x, target, baseline):
        """IG of logit `target` for one input x (shape [1, ...])."""
        diff = x - baseline
        total = torch.zeros_like(x)
        for a, w in zip(torch.split(alphas, args.chunk), torch.split(wts, args.chunk)):
            scaled = (baseline + a.view(-1, *[1] * (x.dim() - 1)) * diff).requires_grad_(True)
            out = model(scaled)[:, target].sum()
            (g,) = torch.autograd.grad(out, scaled)
            total += (w.view(-1, *[1] * (x.dim() - 1)) * g).sum(0, keepdim=True)
        return diff * total

    # Warm-up at the chunk's shape (oneDNN builds kernels per shape), untimed.
    with torch.no_grad():
        model(xs[:1].expand(min(args.chunk, args.steps), *shape[1:]).contiguous())

    t0 = time.perf_counter()
    with torch.no_grad():
        fx = model(xs)
        targets = fx.argmax(1)
        baseline = torch.zeros_like(xs[:1])
        fb = model(baseline)[0]
    attrs = [attribute(xs[i:i + 1], int(targets[i]), baseline) for i in range(args.batch)]
    job_s = time.perf_counter() - t0

    deltas = []
    for i, attr in enumerate(attrs):
        t = int(targets[i])
        change = float(fx[i, t] - fb[t])
        deltas.append(abs(float(attr.double().sum()) - change) / max(abs(change), 1e-12))
    common.emit(torch, args, 'integrated gradients', {
        'batch': args.batch, 'steps': args.steps, 'chunk': args.chunk, 'method': 'gausslegendre',
        'baseline': 'zeros', 'input_shape': list(shape),
        'job_s': round(job_s, 3), 'per_input_ms': round(job_s * 1000 / args.batch, 3),
        'build_s': round(build_s, 3), 'model_rss_mb': round(model_rss, 1),
        'completeness_rel_err_max': max(deltas), 'completeness_rel_err_median': float(np.median(deltas)),
        'targets': [int(t) for t in targets],
    })


if __name__ == '__main__':
    main()
