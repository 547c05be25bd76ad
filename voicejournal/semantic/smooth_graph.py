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

from voicejournal.semantic.int8_graph import Node, readers_of

ALPHA = 0.7
SPREAD = 4.0


def smooth(nodes: list[Node], weights) -> tuple[list[Node], dict[str, int]]:
    """The nodes with every 8-bit product that reads a layer norm's output smoothed (see the module's
    docstring); `weights` are the graph's (`int8_graph.Weights`: the new scales and weights are added)."""
    readers = readers_of(nodes)
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
        stored = [(weights.array(r.inputs[1]), weights.array(r.inputs[2]).reshape(-1)) for r in products]
        divisors = scales(gain, shift, stored)
        smoothed = weights.add(y + "/smoothing", (1.0 / divisors).astype("float32"))
        out.append(Node("Mul", [y, smoothed], [y + "/smoothed"], n.name + "/smoothed"))
        for product, (q, column_scales) in zip(products, stored, strict=True):
            q, column_scales = requantise(q, column_scales, divisors)
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


def scales(gain, shift, products):
    """Each input column's divisor s_k (float64) for a layer norm's `gain` and `shift` read by 8-bit
    products given as (int8 weights with input columns as rows, one scale per output column)."""
    import numpy as np

    width = np.abs(shift.astype(np.float64)) + SPREAD * np.abs(gain.astype(np.float64))
    largest = np.max([np.max(np.abs(q) * np.abs(c), axis=1) for q, c in products], axis=0)
    s = np.maximum(width, 1e-6) ** ALPHA / np.maximum(largest.astype(np.float64), 1e-8) ** (1 - ALPHA)
    return s / np.exp(np.mean(np.log(s)))


def requantise(q, column_scales, divisors):
    """The int8 weights `q` (scales per output column) with row k multiplied by divisors[k], as int8 with
    new column scales: each column's largest number becomes 127 (its old scale cancels out)."""
    import numpy as np

    t = q.astype(np.float32)
    t *= divisors.astype(np.float32)[:, None]
    largest = np.maximum(np.abs(t).max(axis=0), np.float32(1e-12))
    t *= np.float32(127.0) / largest
    np.rint(t, out=t)
    return t.astype(np.int8), (column_scales * largest / np.float32(127.0)).astype(np.float32)
