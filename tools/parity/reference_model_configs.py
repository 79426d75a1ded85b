#!/usr/bin/env python3
"""Writes Tests/Fixtures/model_configs: what the reference makes of each of its shipped model
configs (configs/models/**.yaml and configs/scale/**.yaml), by running the reference's own
`get_required_models` on them, and a small YAML input per config for the Swift tests.

The reference is run, not re-implemented: its `face_lib` is taken from a checkout (or bare git
dir) of stat-ml/face-evaluation, each config is read as the reference reads it
(`yaml.safe_load` into an EasyDict) and handed to `get_required_models` with the strategy the
config is made for (`scale` for a scale predictor section, `classifier` for a pair classifier,
`head` for a head, else `emb_norm`, which builds the backbone only). Only the models'
constructors matter here, so `load_state_dict` is replaced by a no-op and the modules are built
on PyTorch's `meta` device (shapes without values); the state-dict shapes
recorded are those of the constructed modules, i.e. what a checkpoint must hold to load
strictly. Packages the reference imports but model building never uses (OpenCV, MXNet,
scikit-learn, ...) are replaced by empty stand-ins when they are not installed.

For every config the table records the reference's outcome (what it builds, or the exception it
raises) and scaleface's (`expected`): the same values, or a refusal with the reason. scaleface
refuses what the reference cannot load, and additionally what it does not compute (docs/
model-configs.md): SphereNet and spectral-norm backbones (no such network in scaleface) and
half-precision (`fp16: true`) scale predictors.

The YAML inputs keep, verbatim, the top-level sections the model builder reads (`backbone`,
`head`, `scale_predictor`, `pair_classifier`, and the misspelt `scale_predictior`) and drop the
training settings; the script checks that the reference makes the same of the trimmed file as
of the shipped one.

Run: $(SCALEFACE_PYENV=/work/pyenv tools/pyenv.sh torch pyyaml easydict) \
       tools/parity/reference_model_configs.py /work/.mirror/stat-ml+face-evaluation/repo
"""
import collections
import importlib.abc
import importlib.machinery
import json
import os
import re
import subprocess
import sys
import tempfile
import types

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "model_configs")
SECTIONS = ["backbone", "head", "scale_predictor", "scale_predictior", "pair_classifier", "uncertainty_model"]


class _Stub(types.ModuleType):
    """An installed-nowhere package: any attribute is another stand-in."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub(f"{self.__name__}.{name}")

    def __call__(self, *a, **k):
        return _Stub(self.__name__ + "()")

    def __mro_entries__(self, bases):
        return (object,)


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds every package face_lib imports that is not installed (only for face_lib's own
    imports: optional imports inside installed libraries keep failing as they expect)."""

    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".")[0]
        if top == "face_lib" or top in sys.builtin_module_names:
            return None
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen")):
            frame = frame.f_back
        if frame is None or not frame.f_globals.get("__name__", "").startswith("face_lib"):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            try:
                if finder.find_spec(fullname, path, target) is not None:
                    return None
            except Exception:
                return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        m = _Stub(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


def checkout(reference):
    """The reference's face_lib and configs in a temporary folder; the commit."""
    tmp = tempfile.mkdtemp(prefix="scaleface-reference-")
    git = ["git", "-C", reference]
    commit = subprocess.check_output(git + ["rev-parse", "HEAD"], text=True).strip()
    archive = subprocess.check_output(git + ["archive", "HEAD", "face_lib", "configs"])
    subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
    return tmp, commit


def purpose(text_config):
    """The strategy a config is made for."""
    if "scale_predictor" in text_config or "scale_predictior" in text_config:
        return "scale"
    if "pair_classifier" in text_config:
        return "classifier"
    if text_config.get("head"):
        return "head"
    return "emb_norm"


def shapes(module):
    return {k: list(v.shape) for k, v in module.state_dict().items()}


def probe(path, mlib, get_required_models, EasyDict, yaml, torch):
    """What the reference builds from the config at `path` (its own strategy)."""
    with open(path) as f:
        raw = yaml.safe_load(f)
    strategy = purpose(raw)
    out = {"strategy": strategy}
    try:
        models = get_required_models(collections.defaultdict(dict),
                                     EasyDict(uncertainty_strategy=strategy, discriminator_path=None),
                                     EasyDict(raw), device=torch.device("meta"))
    except Exception as e:  # the reference's own failure, recorded as it is
        out["reference_error"] = f"{type(e).__name__}: {e}"
        return out
    backbone, head, _, classifier, scale, _ = models
    out["backbone"] = raw["backbone"]["name"]
    out["backbone_class"] = type(backbone).__name__
    out["embedding_size"] = backbone.fc.out_features if hasattr(backbone, "fc") else None
    if head is not None:
        out["head"] = {"kind": raw["head"]["name"], "class": type(head).__name__, "state_dict": shapes(head)}
    if scale is not None:
        linears = [m for m in scale.mlp if isinstance(m, torch.nn.Linear)]
        out["scale_predictor"] = {
            "num_feats": [linears[0].in_features] + [m.out_features for m in linears],
            "batch_norm_layers": sum(isinstance(m, torch.nn.BatchNorm1d) for m in scale.mlp),
            "activation": scale.activation, "coefficient": float(scale.coefficient), "fp16": bool(scale.fp16),
            "state_dict": shapes(scale),
        }
    if classifier is not None:
        out["pair_classifier"] = {"name": raw["pair_classifier"]["name"], "class": type(classifier).__name__,
                                  "state_dict": shapes(classifier)}
    return out


def scaleface_outcome(row):
    """What scaleface does with the config (docs/model-configs.md). A refusal carries `key`, the
    word its one-line error must name: the offending argument, registry name or section."""
    if "reference_error" in row:
        m = re.search(r"keyword argument '(\w+)'|KeyError: '(\w+)'|no attribute '(\w+)'", row["reference_error"])
        return {"refused": row["reference_error"], "key": next(g for g in m.groups() if g)}
    if row["backbone"] == "spherenet20":
        return {"refused": "spherenet20: scaleface has no SphereNet backbone", "key": "spherenet20"}
    if row["backbone"] == "iresnet50_spectral_normalized":
        return {"refused": "scaleface has no spectral-norm backbone", "key": "iresnet50_spectral_normalized"}
    s = row.get("scale_predictor")
    if s and s["fp16"]:
        return {"refused": "fp16: scaleface computes the scale predictor in float32 only", "key": "fp16"}
    if row["strategy"] == "classifier" and "head" not in row:
        # The reference builds it, then crashes calling the missing head on every image.
        return {"refused": "pair_classifier without head: the reference's extract_features_head calls None",
                "key": "head"}
    e = {"arch": row["backbone"]}
    if "head" in row:
        e["head"] = row["head"]["kind"]
    if s:
        e.update(activation=s["activation"], coefficient=s["coefficient"], num_feats=s["num_feats"],
                 batch_norm_layers=s["batch_norm_layers"])
    if "pair_classifier" in row:
        e["pair_classifier"] = row["pair_classifier"]["name"]
    return {"loaded": e}


def trimmed(text):
    """The top-level sections the model builder reads, verbatim, in file order."""
    keep, lines = False, []
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            keep = line.split(":")[0].strip() in SECTIONS
        if keep and line.strip() and not line.lstrip().startswith("#"):
            lines.append(line)
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: reference_model_configs.py REFERENCE_REPO (checkout or bare git dir)")
    tmp, commit = checkout(sys.argv[1])
    sys.path.insert(0, tmp)
    import numpy  # noqa: F401  (the real packages first; stand-ins only for what is missing)
    import torch
    import yaml
    from easydict import EasyDict
    sys.meta_path.append(_StubFinder())
    try:
        import torch.utils.tensorboard  # noqa: F401  (face_lib.trainer's; needs tensorboard)
    except ImportError:
        sys.modules["torch.utils.tensorboard"] = _Stub("torch.utils.tensorboard")
    torch.nn.Module.load_state_dict = lambda self, *a, **k: None
    torch.set_default_device("meta")  # shapes only: nothing is allocated or initialised
    import face_lib.models as mlib
    from face_lib.evaluation.utils import get_required_models

    names = []
    for base in ["configs/models", "configs/scale"]:
        for d, _, files in os.walk(os.path.join(tmp, base)):
            names += [os.path.relpath(os.path.join(d, f), tmp) for f in files if f.endswith(".yaml")]
    os.makedirs(OUT, exist_ok=True)
    rows = []
    for name in sorted(names):
        row = {"file": name}
        row.update(probe(os.path.join(tmp, name), mlib, get_required_models, EasyDict, yaml, torch))
        with open(os.path.join(tmp, name)) as f:
            small = trimmed(f.read())
        fixture = name.replace("configs/", "").replace("/", "__")
        with open(os.path.join(OUT, fixture), "w") as f:
            f.write(small)
        again = probe(os.path.join(OUT, fixture), mlib, get_required_models, EasyDict, yaml, torch)
        assert again == {k: v for k, v in row.items() if k != "file"}, f"{name}: the trimmed file differs: {again}"
        row["fixture"] = fixture
        row["expected"] = scaleface_outcome(row)
        rows.append(row)
        print(f"{name}: {row['expected']}", file=sys.stderr)
    with open(os.path.join(OUT, "table.json"), "w") as f:
        json.dump({"reference_commit": commit, "torch": torch.__version__, "configs": rows}, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("Written by tools/parity/reference_model_configs.py. Each `*.yaml` here holds, verbatim, the model\n"
                "sections (backbone, head, scale_predictor, pair_classifier) of the reference's shipped config of the\n"
                f"same path (stat-ml/face-evaluation {commit[:12]}, `configs/` with `/` written `__`), training\n"
                "settings dropped; table.json records what the reference's get_required_models builds from each and\n"
                "what scaleface does with it (docs/model-configs.md).\n")


if __name__ == "__main__":
    main()
