"""The book's ch05/gradient_check.py in NumPy, timed: mean |backprop - numerical| for W1, b1, W2, b2 on the
first 3 training images. Prints one JSON line. Run: python3 bench/numpy_gradcheck.py"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from numpy_train import TwoLayerNet, load_mnist  # noqa: E402


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
        it.iternext()
    return grad


start = time.perf_counter()
(x_train, t_train), _ = load_mnist(normalize=True, one_hot_label=True)
np.random.seed(1)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
x_batch = x_train[:3]
t_batch = t_train[:3]
loss_W = lambda W: network.loss(x_batch, t_batch)  # noqa: E731
grad_numerical = {key: numerical_gradient(loss_W, network.params[key]) for key in ('W1', 'b1', 'W2', 'b2')}
grad_backprop = network.gradient(x_batch, t_batch)
diffs = {key: float(np.average(np.abs(grad_backprop[key] - grad_numerical[key]))) for key in grad_numerical}
print(json.dumps({'system': 'numpy', 'seconds': time.perf_counter() - start, 'diffs': diffs}))
