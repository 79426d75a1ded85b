"""Full-size parity inputs for `make parity`: iResNet-50 and iResNet-100 with random weights,
BatchNorm statistics and PReLU slopes, saved as zip .pth, with 4 random 112 x 112 images and
PyTorch's feature and bottleneck_feature. Writes the same manifest layout as the committed
fixtures (one manifest per architecture) into the directory given as argument."""
import json
import os
import pathlib
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from reference_models import DEPTHS, IResNet, preprocess, randomise  # noqa: E402


def main(out_dir):
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    g = torch.Generator().manual_seed(7)
    images = torch.randint(0, 256, (4, 112, 112, 3), generator=g, dtype=torch.uint8).numpy()
    x = preprocess(images)
    for arch in ["iresnet50", "iresnet100"]:
        d = out / arch
        d.mkdir(exist_ok=True)
        (d / "images.u8").write_bytes(images.tobytes())
        # gain 0.5 keeps 48 residual blocks of random weights within float32 range.
        net = randomise(IResNet(DEPTHS[arch]), g, gain=0.5)
        with torch.no_grad():
            net.features.weight.fill_(1.0)
            t = time.time()
            feature, bottleneck = net(x)
            print(f"{arch}: PyTorch forward of 4 images in {time.time() - t:.2f} s")
        torch.save(net.state_dict(), d / "backbone.pth")
        files = {}
        for name, tensor in [("feature", feature), ("bottleneck_feature", bottleneck)]:
            (d / f"{name}.f32").write_bytes(tensor.contiguous().numpy().astype("<f4").tobytes())
            files[name] = {"file": f"{name}.f32", "shape": list(tensor.shape)}
        manifest = {"blocks": DEPTHS[arch], "widths": [64, 128, 256, 512], "input_size": 112, "embedding": 512,
                    "images": {"file": "images.u8", "shape": list(images.shape)}, "coefficient": 64,
                    "malicious_marker": "", "torch": torch.__version__,
                    "cases": [{"name": arch, "checkpoint": "backbone.pth", **files}]}
        (d / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".build/parity")
