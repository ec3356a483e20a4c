#!/usr/bin/env bash
# Builds the make-zoo model zoo (seeded PyTorch models exported to ONNX, with PyTorch reference
# outputs and gradients) into .zoo/ at the repository root, which is gitignored: the whole zoo is
# about 200 MB. Tests that use the big models (ResNet-18/50, MobileNetV2, SqueezeNet, GoogLeNet,
# MNASNet) look for .zoo/ (or /work/zoo, or $NNLENS_ZOO) and skip, saying so, when it is absent.
#
# Usage:   scripts/make-zoo.sh [--install] [OUTDIR] [NAME ...]
#            --install   first installs Debian's python3-torch python3-torchvision python3-onnx (root, apt)
#            OUTDIR      default .zoo (relative to the repository root)
#            NAME ...    only these models (default: all of make-zoo's ZOO table)
# Env:     MAKE_ZOO     path of make-zoo.py (default ../shared/tools/make-zoo.py beside the repo)
#
# make-zoo.py runs unchanged on Debian 12's torch 1.13 / torchvision 0.14 / onnx 1.12: the whole
# zoo takes about a minute on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
if [[ "${1:-}" == "--install" ]]; then install=1; shift; fi
out="${1:-.zoo}"
[[ $# -gt 0 ]] && shift
make_zoo="${MAKE_ZOO:-../shared/tools/make-zoo.py}"

if [[ ! -f "$make_zoo" ]]; then
  echo "make-zoo.sh: $make_zoo not found (set MAKE_ZOO to the path of make-zoo.py)" >&2
  exit 1
fi
if [[ $install == 1 ]]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision python3-onnx >/dev/null
fi
# Debian's packages live in the system interpreter, not in whatever python3 comes first on PATH.
if ! /usr/bin/python3 -c 'import torch, torchvision, onnx' 2>/dev/null; then
  echo "make-zoo.sh: /usr/bin/python3 cannot import torch, torchvision and onnx;" \
       "run with --install (or: apt-get install -y python3-torch python3-torchvision python3-onnx)" >&2
  exit 1
fi
mkdir -p "$out"
/usr/bin/python3 "$make_zoo" "$out" "$@"
# How precise PyTorch's own float32 references are (float64 gradients beside them); the engine test
# compares against float64 where float32 is not defined to 1e-3 (GoogLeNet, ResNet-50).
MAKE_ZOO="$make_zoo" /usr/bin/python3 scripts/zoo-precision.py "$out" "$@"
echo "make-zoo.sh: zoo in $out ($(du -sh "$out" | cut -f1))"
