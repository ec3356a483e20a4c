#!/usr/bin/python3
"""Forward + backward to the input, batch 1: the PyTorch side of issue 3's performance goal.

Times `logits = model(x); logits[0, target].backward()` with x requiring grad and the parameters
frozen (so only d logit / d input is computed, as nnlens does), `--runs` times after `--warmup`
untimed runs, and prints one JSON line: median/min/max ms, peak RSS (MiB), RSS after building the
model, the target class, a checksum of the gradient and its relative L2 distance to the zoo's
grad_input.npy (when a built zoo is found), to show both sides computed the same thing.

    /usr/bin/python3 bench/pytorch/fwd_bwd.py --model resnet18 --runs 20
"""
import time
import common


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=20)
    p.add_argument('--warmup', type=int, default=3)
    args = p.parse_args()
    torch, mz, model, row, build_s = common.setup(args)
    shape = tuple(row['input_shape'])
    x0 = torch.from_numpy(mz.make_input(shape, row['seed'] + 200))  # the zoo's input.npy
    model_rss = common.rss_mb()
    with torch.no_grad():
        target = int(model(x0).argmax(1)[0])

    times, grad = [], None
    for i in range(args.warmup + args.runs):
        x = x0.clone().requires_grad_(True)
        t0 = time.perf_counter()
        logits = model(x)
        logits[0, target].backward()
        grad = x.grad
        t = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(t)
    common.emit(torch, args, 'forward+backward to input', {
        'batch': shape[0], 'input_shape': list(shape), 'target': target,
        'runs': args.runs, 'warmup': args.warmup, **common.summary(times),
        'build_s': round(build_s, 3), 'model_rss_mb': round(model_rss, 1),
        'grad_abs_sum': float(grad.abs().sum()),
        # the same gradient as make-zoo's reference (differs only by float summation order)
        'grad_rel_l2_vs_zoo': common.rel_l2_to_zoo(args, 'grad_input.npy', grad.numpy()),
    })


if __name__ == '__main__':
    main()
