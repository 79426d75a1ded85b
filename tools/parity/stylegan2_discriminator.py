"""The StyleGAN2 discriminator of the reference's GAN strategy, written from docs/strategies.md
("GAN"), in plain PyTorch functions over a state dict named as rosinality's module names it.

`channel_table(cm)` is StyleGAN2's table; `state_dict_shapes(size, channels)` lists the keys
in module order (parameters, then the blur `kernel` buffers of the same sub-module);
`discriminator(sd, x, size, channels)` returns -D(x), the stored uncertainty.
Also: SplitMix64 seed weights (identical to the Swift test helper), GAN preprocessing.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

BLUR = [1.0, 3.0, 3.0, 1.0]


def channel_table(cm=2):
    return {4: 512, 8: 512, 16: 512, 32: 512, 64: 256 * cm, 128: 128 * cm, 256: 64 * cm,
            512: 32 * cm, 1024: 16 * cm}


def blur_kernel():
    k = torch.tensor(BLUR, dtype=torch.float32)
    k = k[None, :] * k[:, None]
    return k / k.sum()


def state_dict_shapes(size=256, channels=None):
    ch = channel_table() if channels is None else channels
    log = int(math.log2(size))
    keys = [("convs.0.0.weight", (ch[size], 3, 1, 1)), ("convs.0.1.bias", (ch[size],))]
    cin = ch[size]
    for j, i in enumerate(range(log, 2, -1), start=1):
        cout = ch[2 ** (i - 1)]
        p = f"convs.{j}"
        keys += [(f"{p}.conv1.0.weight", (cin, cin, 3, 3)), (f"{p}.conv1.1.bias", (cin,)),
                 (f"{p}.conv2.0.kernel", (4, 4)), (f"{p}.conv2.1.weight", (cout, cin, 3, 3)),
                 (f"{p}.conv2.2.bias", (cout,)),
                 (f"{p}.skip.0.kernel", (4, 4)), (f"{p}.skip.1.weight", (cout, cin, 1, 1))]
        cin = cout
    c4 = ch[4]
    keys += [("final_conv.0.weight", (c4, c4 + 1, 3, 3)), ("final_conv.1.bias", (c4,)),
             ("final_linear.0.weight", (c4, c4 * 16)), ("final_linear.0.bias", (c4,)),
             ("final_linear.1.weight", (1, c4)), ("final_linear.1.bias", (1,))]
    return keys


def flrelu(x, b):
    shape = [1, -1] + [1] * (x.dim() - 2)
    return F.leaky_relu(x + b.view(shape), 0.2) * (2 ** 0.5)


def upfirdn_blur(x, k, p0, p1):
    c = x.shape[1]
    x = F.pad(x, (p0, p1, p0, p1))
    w = torch.flip(k, [0, 1])[None, None].repeat(c, 1, 1, 1)
    return F.conv2d(x, w, groups=c)


def equal_conv(x, w, stride=1, pad=0):
    s = 1 / math.sqrt(w.shape[1] * w.shape[2] * w.shape[3])
    return F.conv2d(x, w * s, None, stride=stride, padding=pad)


def res_block(sd, p, x):
    y = flrelu(equal_conv(x, sd[f"{p}.conv1.0.weight"], 1, 1), sd[f"{p}.conv1.1.bias"])
    y = upfirdn_blur(y, sd[f"{p}.conv2.0.kernel"], 2, 2)
    y = flrelu(equal_conv(y, sd[f"{p}.conv2.1.weight"], 2, 0), sd[f"{p}.conv2.2.bias"])
    s = upfirdn_blur(x, sd[f"{p}.skip.0.kernel"], 1, 1)
    s = equal_conv(s, sd[f"{p}.skip.1.weight"], 2, 0)
    return (y + s) / math.sqrt(2)


def minibatch_stddev(x):
    b, c, h, w = x.shape
    g = min(b, 4)
    y = x.view(g, -1, 1, c, h, w)             # sample g*M + m -> [g, m]
    y = torch.sqrt(y.var(0, unbiased=False) + 1e-8)
    y = y.mean([2, 3, 4], keepdim=True).squeeze(2)
    y = y.repeat(g, 1, h, w)
    return torch.cat([x, y], 1)


def discriminator(sd, x, size=256):
    log = int(math.log2(size))
    y = flrelu(equal_conv(x, sd["convs.0.0.weight"]), sd["convs.0.1.bias"])
    for j in range(1, log - 1):
        y = res_block(sd, f"convs.{j}", y)
    y = minibatch_stddev(y)
    y = flrelu(equal_conv(y, sd["final_conv.0.weight"], 1, 1), sd["final_conv.1.bias"])
    y = y.reshape(y.shape[0], -1)
    w0 = sd["final_linear.0.weight"]
    y = flrelu(y @ (w0 * (1 / math.sqrt(w0.shape[1]))).t(), sd["final_linear.0.bias"])
    w1 = sd["final_linear.1.weight"]
    y = y @ (w1 * (1 / math.sqrt(w1.shape[1]))).t() + sd["final_linear.1.bias"]
    return -y


# --- SplitMix64 seed weights (the Swift tests' DiscriminatorSeedWeights implements the same) ---
GAMMA = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1


def _mix(z):
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & MASK
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & MASK
    return z ^ (z >> 31)


def stream_state(seed, a):
    """Core's SplitMix64.stream(seed, a, 0, 0): the state of the sub-stream generator."""
    h = _mix((seed + GAMMA) & MASK)
    for part in (a, 0, 0):
        h = _mix(((h ^ (part * 0xD6E8FEB86659FD93 & MASK)) + GAMMA) & MASK)
    return h


def draws(state, n):
    """The first n outputs of SplitMix64(seed: state), vectorised: output i mixes state + (i+1) gamma."""
    with np.errstate(over="ignore"):
        z = np.uint64(state) + (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(GAMMA))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def seed_weights(seed, size=256, channels=None):
    """Tensor k (state-dict order) draws from SplitMix64.stream(seed, k): 24-bit integers
    j = next() >> 40 become (j - 2^23) / 2^22 in [-2, 2) for weights and (j - 2^23) / 2^26 in
    [-1/8, 1/8) for biases, exactly representable; blur kernels are the fixed [1,3,3,1] kernel."""
    sd = {}
    for k, (name, shape) in enumerate(state_dict_shapes(size, channels)):
        if name.endswith("kernel"):
            sd[name] = blur_kernel()
            continue
        j = (draws(stream_state(seed, k), int(np.prod(shape))) >> np.uint64(40)).astype(np.int64) - (1 << 23)
        scale = 2.0 ** -26 if name.endswith("bias") else 2.0 ** -22
        sd[name] = torch.from_numpy((j.astype(np.float64) * scale).astype(np.float32).reshape(shape))
    return sd


def seed_images(seed, n, h, w):
    """uint8 [n, h, w, 3]: byte i of image b is SplitMix64.stream(seed, 1_000_000 + b) output i >> 56."""
    return np.stack([(draws(stream_state(seed, 1_000_000 + b), h * w * 3) >> np.uint64(56)).astype(np.uint8)
                     .reshape(h, w, 3) for b in range(n)])


def preprocess_gan(u8, out=256):
    """(u8 - 127.5) / 128 in float32, then scipy's mirror bilinear zoom to out x out; NCHW."""
    x = (u8.astype(np.float32) - np.float32(127.5)) / np.float32(128.0)
    res = [ndimage.zoom(im, (out / im.shape[0], out / im.shape[1], 1.0), order=1, mode="mirror",
                        grid_mode=True, output=np.float32) for im in x]
    return torch.from_numpy(np.stack(res).transpose(0, 3, 1, 2).copy())
