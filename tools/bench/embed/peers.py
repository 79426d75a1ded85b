"""Peers for bench_embed.sh: iResNet-50 (the reference topology, tools/parity/reference_models.py)
timed in PyTorch (2 threads) and ONNX Runtime (CPU, 2 intra-op threads, the same network exported
to ONNX). `make CHECKPOINT` writes a random-weight checkpoint; `time CHECKPOINT BATCH SECONDS`
prints `torch <images/s>` and `onnxruntime <images/s>`."""
import os
import pathlib
import sys
import time

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "parity"))
from reference_models import DEPTHS, IResNet, randomise  # noqa: E402

torch.set_num_threads(2)
torch.set_num_interop_threads(1)


def load(checkpoint):
    net = IResNet(DEPTHS["iresnet50"])
    net.load_state_dict(torch.load(checkpoint, weights_only=True))
    return net.eval()


class Feature(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)[0]


def rate(fn, batch, seconds):
    fn()  # warm-up
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or n < 2:
        fn()
        n += 1
    return n * batch / (time.perf_counter() - start)


def main():
    cmd, checkpoint = sys.argv[1], sys.argv[2]
    if cmd == "make":
        net = randomise(IResNet(DEPTHS["iresnet50"]), torch.Generator().manual_seed(1), gain=0.5)
        torch.save(net.state_dict(), checkpoint)
        return
    batch, seconds = int(sys.argv[3]), float(sys.argv[4])
    net = load(checkpoint)
    x = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (batch, 3, 112, 112)).astype(np.float32))
    with torch.inference_mode():
        print(f"torch {rate(lambda: net(x), batch, seconds):.3f}", flush=True)
    import onnxruntime as ort
    onnx_path = checkpoint + ".onnx"
    if not os.path.exists(onnx_path):
        torch.onnx.export(Feature(net), x[:1], onnx_path, input_names=["x"], output_names=["feature"],
                          dynamic_axes={"x": {0: "n"}, "feature": {0: "n"}}, opset_version=17, dynamo=False)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
    xn = x.numpy()
    print(f"onnxruntime {rate(lambda: sess.run(None, {'x': xn}), batch, seconds):.3f}", flush=True)


if __name__ == "__main__":
    main()
