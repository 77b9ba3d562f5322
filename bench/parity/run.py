"""Trains one PyTorch reference recipe on the CIFAR-10 subset and prints one JSON line.

    /usr/bin/python3 bench/parity/run.py --config CFG.json --seed N [--threads T] [--json]
    /usr/bin/python3 bench/parity/run.py --capabilities

CFG.json: {"method": ID, "config": <ContrastLab's resolved RunConfig>, "dataset": {"dataDir": ...,
"trainSize": N|null, "testSize": N|null, "imageSize": 32}, "ablation": {...}} where the optional
"ablation" switches one piece of a recipe to ours' way (each recipe's ABLATIONS maps a switch to its
one value and what it does), to measure whether that piece explains a gap. The recipe is bench/parity/recipes/<ID>.py
(its build(cfg, kit) returns a common.Recipe); common.py is the kit. ``--capabilities`` prints the
recipes and backbones the kit has, so `contrastlab bench parity` can refuse before anything trains.
Exit code 2 with one line on stderr for a configuration the kit cannot run.
"""

import argparse
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402  (the kit, next to this file)

RECIPES_DIR = os.path.join(HERE, 'recipes')


def recipe_ids():
    return sorted(f[:-3] for f in os.listdir(RECIPES_DIR) if f.endswith('.py') and not f.startswith('_'))


def load_recipe(method):
    """The module bench/parity/recipes/<method>.py."""
    path = os.path.join(RECIPES_DIR, f'{method}.py')
    if not os.path.isfile(path):
        raise common.Unsupported(f'no PyTorch recipe for {method}; there are: {", ".join(recipe_ids())}')
    spec = importlib.util.spec_from_file_location(f'parity_recipe_{method}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--config', help='CFG.json as described above')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=None, help='torch intra-op threads (default: torch\'s)')
    ap.add_argument('--json', action='store_true', help='only the JSON line on stdout (the default output too)')
    ap.add_argument('--capabilities', action='store_true', help='print the recipes and backbones, then exit')
    ap.add_argument('--quiet', action='store_true', help='no progress lines on stderr')
    args = ap.parse_args(argv)

    if args.capabilities:
        import torch
        ablations = {m: {k: v for k, (v, _) in sorted(getattr(load_recipe(m), 'ABLATIONS', {}).items())}
                     for m in recipe_ids()}
        print(json.dumps({'recipes': recipe_ids(), 'backbones': list(common.BACKBONES),
                          'ablations': ablations, 'torch': torch.__version__}))
        return 0
    if not args.config:
        ap.error('--config is required')
    with open(args.config) as f:
        spec = json.load(f)
    method, cfg, dataset = spec['method'], dict(spec['config']), spec.get('dataset', {})
    # Ours trains with the config's seed; the reference with --seed (the same number, passed by the bench).
    cfg['seed'] = args.seed
    ablation = dict(spec.get('ablation') or {})
    image_size = int(dataset.get('imageSize') or common.CIFAR_SIDE)
    log = None if args.quiet else (lambda line: print(f'reference {method}: {line}', file=sys.stderr, flush=True))
    try:
        if image_size != common.CIFAR_SIDE:
            raise common.Unsupported(
                f'the parity kit trains on {common.CIFAR_SIDE}-px CIFAR-10 only, not {image_size} px')
        module = load_recipe(method)
        if args.threads:
            import torch
            torch.set_num_threads(args.threads)
        data = common.load_cifar(dataset['dataDir'], dataset.get('trainSize'), dataset.get('testSize'))
        common.seed_everything(args.seed)
        known = getattr(module, 'ABLATIONS', {})
        unknown = sorted(set(ablation) - set(known))
        if unknown:
            raise common.Unsupported(
                f'{method} has no ablation {", ".join(unknown)}; it knows: {", ".join(known) or "none"}')
        for key, value in ablation.items():
            if value != known[key][0]:
                raise common.Unsupported(f"{method}'s ablation {key} takes {known[key][0]} only, not {value}")
        recipe = module.build({**cfg, 'ablation': ablation}, common)
        result = common.train(recipe, data, cfg, log=log)
    except common.Unsupported as e:
        print(f'parity: {e}', file=sys.stderr)
        return 2
    import torch
    out = {
        'reference': getattr(module, 'REFERENCE', f'bench/parity/recipes/{method}.py'),
        'method': method,
        'seed': args.seed,
        'backbone': cfg['backbone'],
        'width': int(cfg['width']),
        'train_images': len(data['train_x']),
        'test_images': len(data['test_x']),
        'threads': torch.get_num_threads(),
        'ablation': ablation,
        **result,
    }
    print(json.dumps(out), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
