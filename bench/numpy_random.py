"""Writes the random numbers the book's code draws for a seed — the initial W1 and W2 of
TwoLayerNet(784, 50, 10) (weight_init_std * np.random.randn) and the 10 000 batch masks
(np.random.choice(60000, 100)), in the order bench/numpy_train.py draws them — as little-endian
float64 / uint32 files, so ScratchNet can replay the very same run (bench/accuracy.ts).

    python3 bench/numpy_random.py SEED OUT_DIR
"""
import os
import sys

import numpy as np


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    np.random.seed(seed)
    w1 = 0.01 * np.random.randn(784, 50)
    w2 = 0.01 * np.random.randn(50, 10)
    masks = np.array([np.random.choice(60000, 100) for _ in range(10000)], dtype=np.uint32)
    w1.astype('<f8').tofile(os.path.join(out, 'W1.f64'))
    w2.astype('<f8').tofile(os.path.join(out, 'W2.f64'))
    masks.astype('<u4').tofile(os.path.join(out, 'masks.u32'))


if __name__ == '__main__':
    main()
