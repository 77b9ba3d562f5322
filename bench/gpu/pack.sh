#!/usr/bin/env bash
# Packs what a lent GPU machine lacks into .device/ (git-ignored), for bench/gpu/measure.sh there.
# That machine has CUDA, PyTorch and the NVIDIA driver but no Node, no npm registry and maybe no
# Vulkan loader, and only 64 MiB of files travel with a call. So this carries:
#   node.xz              this machine's Node binary (an official build: it needs only glibc)
#   node_modules.tar.xz  the files of node_modules that the measurements open, found by tracing them
#                        here on lavapipe, plus the esbuild binary tsx runs, and the built addon
#   debs/                the Vulkan loader and GL vendor libraries the NVIDIA Vulkan driver needs
#   cifar10.tar.xz       the CIFAR-10 subset from ../shared (which does not travel)
#   torch_simclr_step.py the ResNet-18 PyTorch yardstick from ../shared/bench
# Usage: bash bench/gpu/pack.sh   (from the repository root, after npm ci; about a minute)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=.device
trace=$(mktemp -d)
trap 'rm -rf "$trace"' EXIT
rm -rf "$out" && mkdir -p "$out/debs"

cli=(node bin/contrastlab.js)
tiny=(--backend vulkan --backbone convnet --width 4 --batch-size 8 --steps 1)
cifar=../shared/data/cifar10-subset
echo "pack: tracing the files the measurements open…"
# Opened, executed or only looked at (vite checks that files exist): every such file travels.
calls=openat,execve,newfstatat,statx,access,faccessat2,readlink
strace -f -qq -e trace=$calls -o "$trace/step.log" "${cli[@]}" bench "${tiny[@]}" --compare-torch --threads 1 >/dev/null
strace -f -qq -e trace=$calls -o "$trace/train.log" "${cli[@]}" bench train "${tiny[@]}" \
  --data-dir "$cifar" --train-size 32 --test-size 32 >/dev/null
strace -f -qq -e trace=$calls -o "$trace/tests.log" node node_modules/vitest/vitest.mjs run \
  test/engine/backend/vulkan >/dev/null
cat "$trace"/*.log | grep -v '= -1' | grep -o "\"$root/node_modules/[^\"]*\"" | tr -d '"' |
  sed "s|^$root/||" | sort -u | while read -r f; do [ -f "$f" ] && realpath -s -m --relative-to=. "$f"; done |
  grep -v '^node_modules/@contrastlab/' >"$trace/files"
{
  cat "$trace/files"
  find node_modules/esbuild node_modules/@esbuild -type f
  echo node_modules/@contrastlab/vulkan # a link into src-main
  echo src-main/vulkan-addon/build/Release/contrastlab_vulkan.node
} | sort -u >"$trace/all"
tar -cf - -T "$trace/all" | xz -T0 -6 >"$out/node_modules.tar.xz"
xz -T0 -9 -c "$(command -v node)" >"$out/node.xz"
tar -C "$cifar" -cf - cifar-10-batches-bin | xz -T0 -6 >"$out/cifar10.tar.xz"
cp ../shared/bench/torch_simclr_step.py "$out/"
(cd "$out/debs" && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 2>/dev/null)
echo "pack: $(wc -l <"$trace/all") files of node_modules and the addon"
du -b "$out"/* "$out"/debs | sort -rn
echo "pack: $(du -cb "$out" | tail -1 | cut -f1) bytes in $out, plus the tracked tree"
