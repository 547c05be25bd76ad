"""Every product in 8 bits without losing the float model's precision: each layer norm's outliers moved
into the weights that read it ("smoothing", as SmoothQuant does, here without calibration data).

An 8-bit product (`DynamicQuantizeMatMul`) scales its whole input by its largest number. A layer norm's
output has a few columns far wider than the rest (its learned gain and shift are large there), so the
others keep only a few of the 256 steps. The rewrite divides each column k of that input by s_k and
multiplies row k of the weights by s_k: the product is the same, the input's columns are closer in width,
and the weights (one scale per output column) take up the difference. A column's width is estimated from
the layer norm itself, |shift| + SPREAD x |gain| (its normalised values are within a few units), and
s_k = width_k^ALPHA / (row k's largest weight)^(1 - ALPHA), scaled to a geometric mean of 1. The weights
are then quantised to int8 again, one scale per output column. The division is one element-wise Mul per
layer norm, after it (its output also feeds the residual sum, which must keep the unscaled numbers).

Chosen by agreement with the packaged float model on 300-600-word transcripts (benchmarks/embed_profile.py:
mean cosine 0.9950 with ALPHA 0.7 and SPREAD 4, against 0.9942 for the graph with the first layer's four
products in float, 0.9942 all in 8 bits unsmoothed, 0.9939-0.9945 for ALPHA 0.3 and 0.5).
"""

from __future__ import annotations

from voicejournal.semantic.int8_graph import Node

ALPHA = 0.7
SPREAD = 4.0


def smooth(nodes: list[Node], weights) -> tuple[list[Node], dict[str, int]]:
    """The nodes with every 8-bit product that reads a layer norm's output smoothed (see the module's
    docstring); `weights` are the graph's (`int8_graph.Weights`: the new scales and weights are added)."""
    readers: dict[str, list[Node]] = {}
    for n in nodes:
        for i in n.inputs:
            readers.setdefault(i, []).append(n)
    out: list[Node] = []
    made = 0
    for n in nodes:
        out.append(n)
        if n.op != "LayerNormalization" or len(n.inputs) < 3:
            continue
        y = n.outputs[0]
        products = [r for r in readers.get(y, []) if r.op == "DynamicQuantizeMatMul" and r.inputs[0] == y]
        if not products or not all(_readable(r, weights) for r in products):
            continue
        gain, shift = weights.array(n.inputs[1]), weights.array(n.inputs[2])
        real = [_float_weights(r, weights) for r in products]
        divisors = scales(gain, shift, real)
        smoothed = weights.add(y + "/smoothing", (1.0 / divisors).astype("float32"))
        out.append(Node("Mul", [y, smoothed], [y + "/smoothed"], n.name + "/smoothed"))
        for product, w in zip(products, real, strict=True):
            w *= divisors.astype("float32")[:, None]
            q, column_scales = quantise(w)
            name = product.outputs[0] + "/smoothed"
            product.inputs = [
                y + "/smoothed",
                weights.add(name + "_q", q),
                weights.add(name + "_scale", column_scales.reshape(1, -1)),
                *product.inputs[3:],
            ]
            made += 1
    return out, {"smoothed": made}


def _readable(product: Node, weights) -> bool:
    return all(name in weights for name in product.inputs[1:3])


def _float_weights(product: Node, weights):
    """A product's int8 weights times their column scales (float32)."""
    w = weights.array(product.inputs[1]).astype("float32")
    w *= weights.array(product.inputs[2]).reshape(1, -1)
    return w


def scales(gain, shift, products):
    """Each input column's divisor s_k (float64) for a layer norm's `gain` and `shift` read by the
    float weight matrices `products` (input columns as rows)."""
    import numpy as np

    width = np.abs(shift.astype(np.float64)) + SPREAD * np.abs(gain.astype(np.float64))
    largest = np.max([np.max(np.abs(w), axis=1) for w in products], axis=0).astype(np.float64)
    s = np.maximum(width, 1e-6) ** ALPHA / np.maximum(largest, 1e-8) ** (1 - ALPHA)
    return s / np.exp(np.mean(np.log(s)))


def quantise(w):
    """`w` (float32, changed in place) as int8 with one float32 scale per column: (int8 matrix, scales)."""
    import numpy as np

    column_scales = np.maximum(np.maximum(w.max(axis=0), -w.min(axis=0)), 1e-12) / np.float32(127.0)
    w /= column_scales[None, :]
    np.rint(w, out=w)
    np.clip(w, -127, 127, out=w)
    return w.astype(np.int8), column_scales.astype(np.float32)
