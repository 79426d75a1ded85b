"""PyTorch modules written from docs/backbone.md, with the reference's state-dict
key names. Used only to produce parity fixtures and by `make parity`; never needed at run time."""
import torch
import torch.nn as nn
import torch.nn.functional as F

DEPTHS = {"iresnet18": [2, 2, 2, 2], "iresnet34": [3, 4, 6, 3],
          "iresnet50": [3, 4, 14, 3], "iresnet100": [3, 13, 30, 3]}


class Block(nn.Module):
    """BN -> conv3x3 -> BN -> PReLU -> conv3x3(stride) -> BN, plus identity or conv1x1 -> BN."""

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, eps=1e-5)
        self.prelu = nn.PReLU(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes, eps=1e-5)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes, eps=1e-5))

    def forward(self, x):
        out = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        identity = x if self.downsample is None else self.downsample(x)
        return out + identity


class IResNet(nn.Module):
    def __init__(self, blocks, widths=(64, 128, 256, 512), input_size=112, embedding=512):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0], eps=1e-5)
        self.prelu = nn.PReLU(widths[0])
        cin, size = widths[0], input_size
        for i, (n, p) in enumerate(zip(blocks, widths)):
            layers = []
            for b in range(n):
                layers.append(Block(cin, p, 2 if b == 0 else 1))
                cin = p
            size = (size - 1) // 2 + 1
            setattr(self, f"layer{i + 1}", nn.Sequential(*layers))
        self.bn2 = nn.BatchNorm2d(cin, eps=1e-5)
        self.fc = nn.Linear(cin * size * size, embedding)
        self.features = nn.BatchNorm1d(embedding, eps=1e-5)
        nn.init.constant_(self.features.weight, 1.0)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        bottleneck = torch.flatten(self.bn2(x), 1)
        return self.features(self.fc(bottleneck)), bottleneck


ACTIVATIONS = ["exp", "sigm", "sigm_mul", "sigm_sum", "sigm_sum_mul", "relu", "lin"]


def activate(x, activation, c):
    return {"exp": lambda: torch.exp(x), "sigm": lambda: torch.sigmoid(x),
            "sigm_mul": lambda: c * torch.sigmoid(x), "sigm_sum": lambda: c + torch.sigmoid(x),
            "sigm_sum_mul": lambda: c + c * torch.sigmoid(x), "relu": lambda: c * F.relu(x),
            "lin": lambda: x}[activation]()


class MLPHead(nn.Module):
    """Linear(no bias) -> BatchNorm1d(affine=False) -> ReLU repeated, final Linear(no bias)."""

    def __init__(self, num_feats, batch_norm=True):
        super().__init__()
        layers, cin = [], num_feats[0]
        for out in num_feats[1:-1]:
            layers.append(nn.Linear(cin, out, bias=False))
            if batch_norm:
                layers.append(nn.BatchNorm1d(out, affine=False))
            layers.append(nn.ReLU())
            cin = out
        layers.append(nn.Linear(cin, num_feats[-1], bias=False))
        self.mlp = nn.Sequential(*layers)

    def forward(self, bottleneck):
        return self.mlp(bottleneck)


class PFEHead(nn.Module):
    def __init__(self, cin, hidden):
        super().__init__()
        self.fc1 = nn.Linear(cin, hidden)
        self.bn1 = nn.BatchNorm1d(hidden, affine=True)
        self.fc2 = nn.Linear(hidden, hidden)
        self.bn2 = nn.BatchNorm1d(hidden, affine=False)
        self.gamma = nn.Parameter(torch.tensor([1e-4]))
        self.beta = nn.Parameter(torch.tensor([-7.0]))

    def forward(self, x):
        x = x / x.norm(dim=-1, keepdim=True)
        x = self.bn2(self.fc2(F.relu(self.bn1(self.fc1(x)))))
        return torch.log(1e-6 + torch.exp(self.gamma * x + self.beta))


class PFEHeadAdjustable(nn.Module):
    def __init__(self, cin, out):
        super().__init__()
        self.fc1 = nn.Parameter(torch.randn(out, cin))
        self.bn1 = nn.BatchNorm1d(out, affine=True)
        self.fc2 = nn.Parameter(torch.randn(out, out))
        self.bn2 = nn.BatchNorm1d(out, affine=False)
        self.gamma = nn.Parameter(torch.tensor([1.0]))
        self.beta = nn.Parameter(torch.tensor([0.0]))

    def forward(self, x):
        x = F.relu(self.bn1(F.linear(x, F.normalize(self.fc1))))
        x = self.bn2(F.linear(x, F.normalize(self.fc2)))
        return torch.log(1e-6 + torch.exp(self.gamma * x + self.beta))



class PFEHeadAdjustableSpectral(nn.Module):
    """PFEHeadAdjustableSpectralSimple: fc1 / fc2 bias-free Linears under torch's own
    spectral_norm (n_power_iterations 3), no row normalisation; keys fc1.weight_orig,
    fc1.weight_u, fc1.weight_v, ... (docs/strategies.md, "Heads")."""

    def __init__(self, cin, out, n_power_iterations=3):
        super().__init__()
        self.fc1 = nn.utils.spectral_norm(nn.Linear(cin, out, bias=False), n_power_iterations=n_power_iterations)
        self.bn1 = nn.BatchNorm1d(out, affine=True)
        self.fc2 = nn.utils.spectral_norm(nn.Linear(out, out, bias=False), n_power_iterations=n_power_iterations)
        self.bn2 = nn.BatchNorm1d(out, affine=False)
        self.gamma = nn.Parameter(torch.tensor([1.0]))
        self.beta = nn.Parameter(torch.tensor([0.0]))

    def forward(self, x):
        x = self.bn2(self.fc2(F.relu(self.bn1(self.fc1(x)))))
        return torch.log(1e-6 + torch.exp(self.gamma * x + self.beta))


class ProbHead(nn.Module):
    """ProbFace's head: biased Linears, no input or weight normalisation, one output
    (fc2 [1, hidden], bn2 of size 1, affine False)."""

    def __init__(self, cin, hidden):
        super().__init__()
        self.fc1 = nn.Linear(cin, hidden)
        self.bn1 = nn.BatchNorm1d(hidden, affine=True)
        self.relu = nn.ReLU(hidden)  # the reference passes in_feat as `inplace`: no numeric effect
        self.fc2 = nn.Linear(hidden, 1)
        self.bn2 = nn.BatchNorm1d(1, affine=False)
        self.gamma = nn.Parameter(torch.tensor([1e-4]))
        self.beta = nn.Parameter(torch.tensor([-7.0]))

    def forward(self, x):
        x = self.bn2(self.fc2(self.relu(self.bn1(self.fc1(x)))))
        return torch.log(1e-6 + torch.exp(self.gamma * x + self.beta))

def randomise(module, generator, gain=1.0):
    """Random weights, BatchNorm statistics and PReLU slopes, so that every folded parameter
    matters. `gain` < 1 keeps deep residual stacks from growing without bound."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0, gain * (2.0 / fan_in) ** 0.5, generator=generator)
                if m.bias is not None:
                    m.bias.normal_(0, 0.1, generator=generator)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.normal_(0, 0.2, generator=generator)
                m.running_var.uniform_(0.5, 1.5, generator=generator)
                m.num_batches_tracked.fill_(1000)
                if m.affine:
                    m.weight.uniform_(0.5, 1.5, generator=generator)
                    m.bias.normal_(0, 0.2, generator=generator)
            elif isinstance(m, nn.PReLU):
                m.weight.uniform_(0.0, 0.5, generator=generator)
    module.eval()
    return module


def preprocess(images_u8, kind="mean_scale"):
    """[N, H, W, 3] uint8 -> [N, 3, H, W] float32 (docs/backbone.md, "Inference")."""
    x = torch.from_numpy(images_u8).float().permute(0, 3, 1, 2).contiguous()
    return (x - 127.5) / 128.0 if kind == "mean_scale" else x / 255.0
