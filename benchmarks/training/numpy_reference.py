"""The course's general L-layer network in numpy, as LNetTraining implements it.

It follows the course's notebooks (L_model_forward / L_model_backward, He and "deep"
initialisation, random_mini_batches, momentum, Adam, learning-rate decay, L2 and
inverted dropout) operation for operation, with the variations LNetTraining documents:
the cost is computed from the pre-activation (numerically safe), the output layer's
gradient is dZ = A - Y, dropout masks come from the global generator in forward order,
and the epoch cost is sum_b (m_b / m) * J_b.

Used by bench_numpy.py (timing) and scripts/fixtures/make_numpy_fixtures.py (fixtures).
"""
import math

import numpy as np


def initialize(dims, kind, seed):
    np.random.seed(seed)
    params = {}
    for l in range(1, len(dims)):
        draw = np.random.randn(dims[l], dims[l - 1])
        if kind == "he":
            params["W" + str(l)] = draw * np.sqrt(2 / dims[l - 1])
        elif kind == "deep":
            params["W" + str(l)] = draw / np.sqrt(dims[l - 1])
        else:
            params["W" + str(l)] = draw * 0.01
        params["b" + str(l)] = np.zeros((dims[l], 1))
    return params


def activate(Z, kind):
    if kind == "relu":
        return np.maximum(0, Z)
    if kind == "leakyRelu":
        return np.where(Z > 0, Z, 0.01 * Z)
    if kind == "tanh":
        return np.tanh(Z)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-Z))
    return Z


def activation_backward(dA, Z, G, kind):
    """G is the activation's output before dropout."""
    if kind == "relu":
        return np.where(Z > 0, dA, 0.0)
    if kind == "leakyRelu":
        return np.where(Z > 0, dA, 0.01 * dA)
    if kind == "tanh":
        return dA * (1 - G * G)
    if kind == "sigmoid":
        return dA * (G * (1 - G))
    return dA


def forward(X, params, hidden, output, keep_prob):
    L = len(params) // 2
    A = X
    caches = []
    for l in range(1, L + 1):
        W, b = params["W" + str(l)], params["b" + str(l)]
        A_prev = A
        Z = np.dot(W, A_prev) + b
        if l < L:
            G = activate(Z, hidden[l - 1])
            D = None
            A = G
            if keep_prob < 1:
                D = (np.random.rand(G.shape[0], G.shape[1]) < keep_prob).astype(int)
                A = G * D
                A = A / keep_prob
        else:
            if output == "sigmoid":
                G = 1 / (1 + np.exp(-Z))
            else:
                shifted = np.exp(Z - Z.max(axis=0, keepdims=True))
                G = shifted / shifted.sum(axis=0, keepdims=True)
            D = None
            A = G
        caches.append((A_prev, W, Z, G, D))
    return A, caches


def loss_sum(ZL, labels, output):
    if output == "sigmoid":
        y = labels.reshape(1, -1).astype(float)
        return float(np.sum(np.maximum(ZL, 0) - ZL * y + np.log1p(np.exp(-np.abs(ZL)))))
    shift = ZL.max(axis=0, keepdims=True)
    log_sum = np.log(np.sum(np.exp(ZL - shift), axis=0)) + shift[0]
    return float(np.sum(log_sum - ZL[labels, np.arange(ZL.shape[1])]))


def one_hot(labels, output, classes):
    if output == "sigmoid":
        return labels.reshape(1, -1).astype(float)
    Y = np.zeros((classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1
    return Y


def backward(AL, Y, caches, hidden, keep_prob, lambd, input_gradient=False):
    """L_model_backward. The course's version also computes dA0 = W1.T dZ1 (its
    linear_backward always returns dA_prev); LNet skips it, and so does this function
    unless input_gradient=True, which the benchmark uses to time the course's code."""
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    dZ = AL - Y
    for l in range(L, 0, -1):
        A_prev, W, Z, G, D = caches[l - 1]
        if l < L:
            dZ = activation_backward(dA, Z, G, hidden[l - 1])
        grads["dW" + str(l)] = 1. / m * np.dot(dZ, A_prev.T) + (lambd / m) * W
        grads["db" + str(l)] = 1. / m * np.sum(dZ, axis=1, keepdims=True)
        if l > 1:
            dA = np.dot(W.T, dZ)
            D_prev = caches[l - 2][4]
            if D_prev is not None:
                dA = dA * D_prev
                dA = dA / keep_prob
        elif input_gradient:
            grads["dA0"] = np.dot(W.T, dZ)
    return grads


def random_mini_batches(X, labels, batch_size, seed):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_y = labels[permutation]
    batches = []
    complete = math.floor(m / batch_size)
    for k in range(complete):
        batches.append((shuffled_X[:, k * batch_size:(k + 1) * batch_size],
                        shuffled_y[k * batch_size:(k + 1) * batch_size]))
    if m % batch_size != 0:
        batches.append((shuffled_X[:, complete * batch_size:m], shuffled_y[complete * batch_size:m]))
    return batches


def train(X, labels, layers, hidden, output, init, init_seed, optimizer, learning_rate, epochs,
          batch_size=64, shuffle_seed=10, beta=0.9, beta1=0.9, beta2=0.999, epsilon=1e-8,
          decay=None, decay_rate=1.0, decay_interval=1000, l2=0.0, keep_prob=1.0, input_gradient=False):
    params = initialize(layers, init, init_seed)
    L = len(layers) - 1
    m = X.shape[1]
    v = {k: np.zeros_like(p) for k, p in params.items()}
    s = {k: np.zeros_like(p) for k, p in params.items()}
    t = 0
    lr0 = learning_rate
    costs = []
    for i in range(epochs):
        if batch_size >= m:
            batches = [(X, labels)]
        else:
            batches = random_mini_batches(X, labels, batch_size, shuffle_seed + i + 1)
        cost_total = 0.0
        for bx, by in batches:
            mb = bx.shape[1]
            AL, caches = forward(bx, params, hidden, output, keep_prob)
            l2_sum = sum(np.sum(np.square(params["W" + str(l)])) for l in range(1, L + 1))
            cost_total += loss_sum(caches[-1][2], by, output) + l2 / 2 * l2_sum
            grads = backward(AL, one_hot(by, output, layers[-1]), caches, hidden, keep_prob, l2, input_gradient)
            if optimizer == "adam":
                t = t + 1
            for l in range(1, L + 1):
                for name in ("W", "b"):
                    key, g = name + str(l), grads["d" + name + str(l)]
                    if optimizer == "gd":
                        params[key] = params[key] - learning_rate * g
                    elif optimizer == "momentum":
                        v[key] = beta * v[key] + (1 - beta) * g
                        params[key] = params[key] - learning_rate * v[key]
                    else:
                        v[key] = beta1 * v[key] + (1 - beta1) * g
                        v_corrected = v[key] / (1 - np.power(beta1, t))
                        s[key] = beta2 * s[key] + (1 - beta2) * np.power(g, 2)
                        s_corrected = s[key] / (1 - np.power(beta2, t))
                        params[key] = params[key] - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
            del mb
        costs.append(cost_total / m)
        if decay == "inverse":
            learning_rate = 1 / (1 + decay_rate * i) * lr0
        elif decay == "scheduled":
            learning_rate = 1 / (1 + decay_rate * np.floor(i / decay_interval)) * lr0
    flat = []
    for l in range(1, L + 1):
        flat.append(params["W" + str(l)])
        flat.append(params["b" + str(l)])
    return {"costs": costs, "parameters": params, "flat_parameters": flat}


def predict(X, params, hidden, output):
    AL, _ = forward(X, params, hidden, output, 1.0)
    if output == "sigmoid":
        return (AL > 0.5).astype(int)[0]
    return np.argmax(AL, axis=0)
