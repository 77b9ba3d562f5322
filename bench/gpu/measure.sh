#!/usr/bin/env bash
# The vulkan backend's measurements on a lent GPU machine, in one call (its time is short): unpack what
# bench/gpu/pack.sh carried, open the device, run the vulkan kernel tests there, time SimCLR steps
# against PyTorch on CUDA in the same invocation, then one epoch of the CIFAR-10 subset end to end.
# Every stage stops at its own time limit, so a slow or failing stage still leaves the others' results.
# What comes back (at most 8 files): log.txt, machine.txt, tests.txt, results.json (every bench's JSON),
# hostprof.txt (where the host's time goes in a step, from a Node CPU profile) and summary.md (the table,
# also printed last).
#   device run: bash bench/gpu/measure.sh      (carry .device)
#   here, on lavapipe, to try it: OUT=/tmp/gpu-out QUICK=1 bash bench/gpu/measure.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
: "${OUT:?OUT must name the folder for the results}"
mkdir -p "$OUT"
work=$(mktemp -d) # each stage's full output; only what is listed above goes back
budget=${BUDGET:-420} # seconds for everything; a stage gets what is left, up to its own limit
start=$(date +%s)
log() { echo "[$(($(date +%s) - start)) s] $*" | tee -a "$OUT/log.txt"; }
# Runs a stage under the lesser of its limit and the time left; its output goes to $work/$1.txt.
stage() {
  local name=$1 limit=$2
  shift 2
  local left=$((budget - ($(date +%s) - start)))
  ((left < limit)) && limit=$left
  if ((limit < 10)); then
    log "$name: skipped, the budget is spent"
    return 1
  fi
  log "$name: $* (at most $limit s)"
  timeout -k 5 "$limit" "$@" >"$work/$name.txt" 2>&1
  local rc=$?
  log "$name: exit $rc$( ((rc == 124)) && echo ' (timed out)')"
  return $rc
}

# 1. Node, the traced node_modules and the addon, the Vulkan loader, the data.
if [ -f .device/node.xz ]; then
  mkdir -p /tmp/contrastlab-node
  xz -dc .device/node.xz >/tmp/contrastlab-node/node && chmod +x /tmp/contrastlab-node/node
  export PATH=/tmp/contrastlab-node:$PATH
  tar -xJf .device/node_modules.tar.xz
  mkdir -p .device/data && tar -C .device/data -xJf .device/cifar10.tar.xz
  # bench finds the ResNet-18 yardstick in ../shared/bench, as on a developer's machine.
  mkdir -p ../shared/bench
  [ -e ../shared/bench/torch_simclr_step.py ] || cp .device/torch_simclr_step.py ../shared/bench/
  if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
    for f in .device/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
fi
cifar=${CIFAR:-.device/data}
[ -d "$cifar/cifar-10-batches-bin" ] || cifar=../shared/data/cifar10-subset
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$icd
fi
{
  node --version
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv 2>&1
  python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())' 2>&1
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
} >"$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
if ! node -e "const v=require('@contrastlab/vulkan'); console.log(JSON.stringify(v.open()))" >"$work/device.txt" 2>&1; then
  VK_LOADER_DEBUG=error,warn node -e "require('@contrastlab/vulkan').open()" >>"$work/device.txt" 2>&1
  cat "$work/device.txt" >>"$OUT/machine.txt"
  log "no Vulkan device:"
  tail -n 20 "$work/device.txt"
  exit 1
fi
cat "$work/device.txt" >>"$OUT/machine.txt"
log "device: $(cat "$work/device.txt")"

export CONTRASTLAB_REQUIRE_VULKAN=1
cli=(node bin/contrastlab.js)
if [ -n "${QUICK:-}" ]; then
  configs=("convnet 4 8")
  epoch=(--backbone convnet --width 4 --batch-size 16 --train-size 128 --test-size 64)
else
  configs=("resnet18 16 128" "convnet 32 128" "resnet18 16 512" "convnet 32 512")
  epoch=(--backbone resnet18 --width 16 --batch-size 256)
fi

# 2. The kernel, gradient and whole-step tests, on this device against the cpu backend.
stage tests 150 node node_modules/vitest/vitest.mjs run test/engine/backend/vulkan
tail -c 400000 "$work/tests.txt" >"$OUT/tests.txt"

# 3. SimCLR steps against PyTorch on CUDA, each in one invocation; the slowest kernels profiled.
for config in "${configs[@]}"; do
  read -r backbone width batch <<<"$config"
  stage "step-$backbone-$width-$batch" 75 "${cli[@]}" bench --backend vulkan --backbone "$backbone" \
    --width "$width" --batch-size "$batch" --steps 5 --profile 25 --compare-torch --json
done

# 4. One epoch of the CIFAR-10 subset end to end, kNN at step 0 and after.
stage train 180 "${cli[@]}" bench train --backend vulkan "${epoch[@]}" --epochs 1 --data-dir "$cifar" --json

# 5. Where the host's time goes: a Node CPU profile of the largest configuration's steps, by function.
if stage hostprof 60 node --cpu-prof --cpu-prof-dir="$work/prof" bin/contrastlab.js bench --backend vulkan \
  "${epoch[@]:0:4}" --batch-size "${configs[-1]##* }" --steps 3; then
  python3 - "$work/prof" >"$OUT/hostprof.txt" <<'PY'
import collections, glob, json, os, sys
profile = max(glob.glob(os.path.join(sys.argv[1], '*.cpuprofile')), key=os.path.getsize)
p = json.load(open(profile))
nodes = {n['id']: n['callFrame'] for n in p['nodes']}
self_us = collections.Counter()
for sample, dt in zip(p['samples'], p['timeDeltas']):
    f = nodes[sample]
    self_us[(f['functionName'] or '(anonymous)', os.path.basename(f['url']), f['lineNumber'])] += dt
total = sum(self_us.values())
print(f'host time by function (self), {total / 1e6:.1f} s profiled')
for (name, url, line), us in self_us.most_common(40):
    print(f'{us / 1e3:10.1f} ms {100 * us / total:5.1f}%  {name} {url}:{line}')
PY
fi

# 6. The table.
python3 - "$work" "$OUT" <<'PY' | tee "$OUT/summary.md"
import glob, json, os, sys
work, out = sys.argv[1], sys.argv[2]
def load(path):
    try:
        text = open(path).read()
        return json.loads(text[text.index('{'):text.rindex('}') + 1])
    except Exception:
        return None
print('\n| configuration | ours (vulkan), images/s | PyTorch CUDA, images/s | ours / PyTorch | device |')
print('| --- | ---: | ---: | ---: | --- |')
results = {}
for f in sorted(glob.glob(os.path.join(work, 'step-*.txt'))):
    r = load(f)
    results[os.path.basename(f)[:-4]] = r if r else open(f).read()[-4000:]
    name = os.path.basename(f)[5:-4]
    if not r:
        print(f'| {name} | failed: see {os.path.basename(f)} | | | |'); continue
    t = r.get('torch') or {}
    ratio = r.get('ratio')
    print(f"| SimCLR {r['backbone']} w{r['width']}, batch {r['batchSize']} | {r['imagesPerSecond']:.0f} "
          f"| {t.get('images_per_s', float('nan')):.0f} | {ratio if ratio is None else round(ratio, 3)} "
          f"| {r['device'].split(';')[0]}; PyTorch: {t.get('reference', r.get('torchNote'))} |")
    gpu = r.get('gpuShaders') or []
    top = ', '.join(f"{k['shader']} {k['ms']:.1f} ({k['dispatches']})" for k in gpu[:6])
    print(f"|   GPU ms by shader, {sum(k['ms'] for k in gpu):.1f} in all | {top} | | | |")
t = load(os.path.join(work, 'train.txt'))
results['train'] = t if t else open(os.path.join(work, 'train.txt')).read()[-4000:] if os.path.exists(os.path.join(work, 'train.txt')) else None
json.dump(results, open(os.path.join(out, 'results.json'), 'w'), indent=1)
if t:
    run = t['train']
    print(f"\nbench train: {run['backbone']} w{run['width']} batch {run['batchSize']}, {run['steps']} steps: "
          f"end to end {run['imagesPerSecond']} images/s, step {t['step']['imagesPerSecond']:.0f}, ratio {t['ratio']}, "
          f"steady {t['ratioSteady']}; kNN {run['knnStart']} -> {run['knnEnd']}; training {run['trainSeconds']} s")
PY
log "done"
