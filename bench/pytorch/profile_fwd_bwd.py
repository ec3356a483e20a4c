"""Where PyTorch's forward + backward to the input goes (torch.autograd.profiler), per fwd+bwd.

The same work as fwd_bwd.py (parameters frozen, d logit[target] / d input, batch 1), profiled over
`--runs` runs after warm-up; prints the operators with the most self CPU time in ms per fwd+bwd,
to set against nnlens' own profile (`node --import tsx bench/dev/node-profile.ts resnet18`):

    /usr/bin/python3 bench/pytorch/profile_fwd_bwd.py --model resnet18
"""
import common


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument('--runs', type=int, default=10)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--top', type=int, default=12)
    args = p.parse_args()
    torch, mz, model, row, _ = common.setup(args)
    x0 = torch.from_numpy(mz.make_input(tuple(row['input_shape']), row['seed'] + 200))
    with torch.no_grad():
        target = int(model(x0).argmax(1)[0])

    def step():
        x = x0.clone().requires_grad_(True)
        model(x)[0, target].backward()

    for _ in range(args.warmup):
        step()
    with torch.autograd.profiler.profile() as prof:
        for _ in range(args.runs):
            step()
    rows = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in rows) / args.runs / 1000
    print(f'{args.model}, {args.threads} threads, torch {torch.__version__}: {total:.1f} ms of self CPU time per fwd+bwd (profiler on)')
    for e in rows[:args.top]:
        print(f'  {e.key:<45} {e.self_cpu_time_total / args.runs / 1000:8.2f} ms  ({e.count // args.runs} calls)')


if __name__ == '__main__':
    main()
