"""Proves the reference recipes' losses against the independent float64 loss fixtures.

    /usr/bin/python3 bench/parity/check_losses.py [--fixtures DIR] [--recipe ID ...]

Every recipe in recipes/ may export FIXTURES = {fixture loss name: fn(inputs, params)}; fn takes the
fixture's inputs as float64 tensors (integer arrays as int64) and its params, and returns the loss tensor,
or a dict with 'loss' and any side outputs the fixture also records (e.g. DINO's new_center). For every
fixture file whose 'loss' a recipe names, the loss and the gradient of every floating-point input (an
input the loss does not reach has gradient zero) must agree with the fixture within 1e-6 relative:
max |ours − expected| ≤ 1e-6 · max(max |expected|, 1e-6). Prints one JSON line with every case; exit
code 1 on any mismatch or on a FIXTURES name with no fixture file, 0 otherwise. The fixtures' README
(DIR/README.md) defines each functional.
"""

import argparse
import glob
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run  # noqa: E402  (recipe loading, shared with run.py)

RELATIVE_TOLERANCE = 1e-6
DEFAULT_FIXTURES = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'fixtures', 'losses'))


def to_tensor(value):
    t = torch.tensor(value)
    if t.is_floating_point():
        return t.to(torch.float64).requires_grad_(True)
    return t.to(torch.int64)


def error(ours, expected):
    """max |ours − expected| over the largest |expected| (floored at 1e-6, so an expected zero needs ~0)."""
    expected = torch.as_tensor(expected, dtype=torch.float64)
    ours = torch.as_tensor(ours, dtype=torch.float64).detach()
    if ours.shape != expected.shape:
        return float('inf')
    scale = max(expected.abs().max().item() if expected.numel() else 0.0, 1e-6)
    return (ours - expected).abs().max().item() / scale if expected.numel() else 0.0


def check_case(recipe_id, fn, path):
    with open(path) as f:
        case = json.load(f)
    inputs = {k: to_tensor(v) for k, v in case['inputs'].items()}
    result = {'file': os.path.basename(path), 'recipe': recipe_id, 'loss': case['loss']}
    try:
        out = fn(inputs, case['params'])
        outputs = out if isinstance(out, dict) else {'loss': out}
        loss = outputs['loss']
        floats = {k: v for k, v in inputs.items() if v.is_floating_point()}
        grads = torch.autograd.grad(loss, list(floats.values()), allow_unused=True)
    except Exception as e:  # a recipe that cannot evaluate the case fails it, with the reason
        return {**result, 'ok': False, 'error': f'{type(e).__name__}: {e}'}
    expected = case['expected']
    errors = {'loss': error(loss, expected['loss'])}
    for name, value in outputs.items():
        if name != 'loss' and name in expected:
            errors[name] = error(value, expected[name])
    for (name, x), g in zip(floats.items(), grads):
        if name in expected.get('grads', {}):
            errors[f'grad {name}'] = error(torch.zeros_like(x) if g is None else g, expected['grads'][name])
    ok = all(e <= RELATIVE_TOLERANCE for e in errors.values())
    return {**result, 'ok': ok, 'errors': errors}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--fixtures', default=DEFAULT_FIXTURES, help='the loss fixtures folder')
    ap.add_argument('--recipe', action='append', help='check only this recipe (repeatable)')
    args = ap.parse_args(argv)
    torch.set_default_dtype(torch.float64)

    files = sorted(glob.glob(os.path.join(args.fixtures, '*.json')))
    by_loss = {}
    for path in files:
        with open(path) as f:
            by_loss.setdefault(json.load(f)['loss'], []).append(path)

    cases, missing = [], []
    for recipe_id in args.recipe or run.recipe_ids():
        try:
            fixtures = getattr(run.load_recipe(recipe_id), 'FIXTURES', {})
        except Exception as e:  # a recipe that does not load fails, with the reason
            cases.append({'recipe': recipe_id, 'ok': False, 'error': f'{type(e).__name__}: {e}'})
            continue
        for loss_name, fn in fixtures.items():
            if loss_name not in by_loss:
                missing.append(f'{recipe_id}: {loss_name}')
            for path in by_loss.get(loss_name, []):
                cases.append(check_case(recipe_id, fn, path))

    ok = bool(cases) and not missing and all(c['ok'] for c in cases)
    print(json.dumps({'ok': ok, 'tolerance': RELATIVE_TOLERANCE, 'fixtures': args.fixtures,
                      'cases': cases, 'missing': missing}))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
