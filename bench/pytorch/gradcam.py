#!/usr/bin/python3
"""Grad-CAM on a batch of inputs with plain PyTorch: the PyTorch side of issue 4's Grad-CAM benchmark.

The whole job for `--batch` inputs (default 32 at 224x224): forward with a hook on the CAM layer
(default: the zoo's, `layer4` for ResNet), target = each input's top-1 class, backward of the target
logits to the layer's activation only, channel weights = mean of the gradients over H, W
(Selvaraju et al. 2017, Eq. 1), map = ReLU(sum_k w_k A^k) (Eq. 2), per-image min-max normalization
and bilinear upsampling to the input size, as pytorch-grad-cam's BaseCAM does. Inputs go through in
chunks of `--chunk`. Timed `--runs` times after one untimed warm-up chunk; prints one JSON line,
with the relative L2 distance of the map on the zoo input to the map made from the zoo's act.npy and
grad_act.npy (when a built zoo is found).

    /usr/bin/python3 bench/pytorch/gradcam.py --model resnet50 --batch 32
"""
import time
import common


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=32, help='number of inputs (default %(default)s)')
    p.add_argument('--chunk', type=int, default=32, help='inputs per forward/backward pass (default %(default)s)')
    p.add_argument('--layer', default=None, help="module path of the CAM layer (default: the zoo's)")
    p.add_argument('--runs', type=int, default=3)
    args = p.parse_args()
    torch, mz, model, row, build_s = common.setup(args)
    F = torch.nn.functional
    layer = args.layer or row['cam_layer']
    shape = (args.batch, *row['input_shape'][1:])
    xs = torch.from_numpy(mz.make_input(shape, row['seed'] + 300))
    model_rss = common.rss_mb()

    captured = {}

    def hook(_module, _inputs, output):
        # Cut the graph at the layer: backward then stops there, computing d score / d activation only.
        a = output.detach().requires_grad_(True)
        captured['act'] = a
        return a

    handle = mz.module_at(model, layer).register_forward_hook(hook)

    def raw_cams(x):
        """Grad-CAM maps at the layer's resolution, after ReLU, before normalization; and the targets."""
        logits = model(x)
        target = logits.argmax(1)
        score = logits.gather(1, target[:, None]).sum()  # images are independent: one backward for all
        (grads,) = torch.autograd.grad(score, captured['act'])
        weights = grads.mean(dim=(2, 3), keepdim=True)
        return F.relu((weights * captured['act'].detach()).sum(dim=1, keepdim=True)), target

    def job(x_all):
        maps, targets = [], []
        for x in torch.split(x_all, args.chunk):
            cam, target = raw_cams(x)
            flat = cam.flatten(1)
            lo = flat.min(1).values[:, None, None, None]
            hi = flat.max(1).values[:, None, None, None]
            cam = (cam - lo) / (hi - lo + 1e-7)
            maps.append(F.interpolate(cam, size=x.shape[2:], mode='bilinear', align_corners=False))
            targets.append(target)
        return torch.cat(maps), torch.cat(targets)

    # Check: on the zoo's own input, the map equals the one computed from make-zoo's reference
    # activation and gradient (act.npy, grad_act.npy), so the hook computes the right thing.
    x0 = torch.from_numpy(mz.make_input(tuple(row['input_shape']), row['seed'] + 200))
    cam0 = raw_cams(x0)[0].detach().numpy()
    check = None
    if common.zoo_file(args, 'act.npy') and common.zoo_file(args, 'grad_act.npy'):
        import numpy as np
        act, gact = np.load(common.zoo_file(args, 'act.npy')), np.load(common.zoo_file(args, 'grad_act.npy'))
        ref = np.maximum((gact.mean(axis=(2, 3), keepdims=True) * act).sum(axis=1, keepdims=True), 0)
        check = float(np.linalg.norm(cam0 - ref) / np.linalg.norm(ref))

    job(xs[:args.chunk])  # warm-up at the chunk's shape: oneDNN builds its kernels per shape
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        maps, targets = job(xs)
        times.append(time.perf_counter() - t0)
    handle.remove()
    s = common.summary(times)
    common.emit(torch, args, 'gradcam', {
        'batch': args.batch, 'chunk': args.chunk, 'layer': layer, 'input_shape': list(shape),
        'runs': args.runs, 'job_s': round(s['median_ms'] / 1000, 3), **s,
        'per_input_ms': round(s['median_ms'] / args.batch, 3),
        'build_s': round(build_s, 3), 'model_rss_mb': round(model_rss, 1),
        'cam_rel_l2_vs_zoo': check,
        'targets': [int(t) for t in targets], 'map_shape': list(maps.shape), 'map_mean': float(maps.mean()),
    })


if __name__ == '__main__':
    main()
