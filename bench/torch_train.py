"""One JSD training step of a WRN in PyTorch (CPU), the side-by-side reference for bench/train.ts.

    /usr/bin/python3 bench/torch_train.py <depth> <widen> <batch> <threads> <steps> [--infer]

Same network (pre-activation WRN-depth-widen, 1x1 shortcuts, no dropout), same step as ours:
clean, aug1 and aug2 through one forward pass, CE on clean + 12 x JS, backward, SGD Nesterov with
weight decay. Random inputs: the step's cost does not depend on the pixels. Prints one JSON line.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1, self.bn2 = nn.BatchNorm2d(cin), nn.BatchNorm2d(cout)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = None if cin == cout else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

    def forward(self, x):
        o = F.relu(self.bn1(x))
        sc = x if self.shortcut is None else self.shortcut(o)
        return self.conv2(F.relu(self.bn2(self.conv1(o)))) + sc


class Wrn(nn.Module):
    def __init__(self, depth, widen, classes=10):
        super().__init__()
        n = (depth - 4) // 6
        w = [16, 16 * widen, 32 * widen, 64 * widen]
        self.stem = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        blocks = []
        for g in range(3):
            for i in range(n):
                blocks.append(Block(w[g] if i == 0 else w[g + 1], w[g + 1], 2 if (i == 0 and g > 0) else 1))
        self.blocks = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(w[3])
        self.fc = nn.Linear(w[3], classes)

    def forward(self, x):
        h = F.relu(self.bn(self.blocks(self.stem(x))))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def main():
    depth, widen, batch, threads, steps = (int(a) for a in sys.argv[1:6])
    infer = '--infer' in sys.argv
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = Wrn(depth, widen)
    if infer:
        # PyTorch's best of its inference paths: Debian's build runs eager NCHW convs on a slow
        # path (18-27 img/s for WRN-40-2 at 1 thread here), channels_last goes through oneDNN
        # (27-51), and a frozen TorchScript graph (BatchNorm folded into the convs, oneDNN) ran at
        # 34-82 from run to run; the best of the three is kept.
        net.eval()
        rates = {}
        for layout in ('torchscript_frozen', 'nchw', 'channels_last'):
            fmt = torch.channels_last if layout == 'channels_last' else torch.contiguous_format
            x = torch.randn(batch, 3, 32, 32).to(memory_format=fmt)
            with torch.no_grad():
                m = net.to(memory_format=fmt)
                if layout == 'torchscript_frozen':
                    m = torch.jit.freeze(torch.jit.trace(m, x))
                for _ in range(3):  # TorchScript's profiling executor optimises after its first runs
                    m(x)
                t = time.perf_counter()
                for _ in range(steps):
                    m(x)
                rates[layout] = steps * batch / (time.perf_counter() - t)
        print(json.dumps({'imagesPerSecond': max(rates.values()), 'byLayout': rates, 'params': sum(p.numel() for p in net.parameters())}))
        return
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    x = torch.randn(3 * batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step():
        logits = net(x)
        lc, l1, l2 = torch.split(logits, batch)
        pc, p1, p2 = F.softmax(lc, 1), F.softmax(l1, 1), F.softmax(l2, 1)
        log_m = torch.clamp((pc + p1 + p2) / 3.0, 1e-7, 1).log()
        loss = F.cross_entropy(lc, y) + 12 * (F.kl_div(log_m, pc, reduction='batchmean') + F.kl_div(log_m, p1, reduction='batchmean')
                                              + F.kl_div(log_m, p2, reduction='batchmean')) / 3.0
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    t = time.perf_counter()
    for _ in range(steps):
        step()
    dt = time.perf_counter() - t
    print(json.dumps({'imagesPerSecond': steps * 3 * batch / dt, 'samplesPerSecond': steps * batch / dt,
                      'params': sum(p.numel() for p in net.parameters())}))


if __name__ == '__main__':
    main()
