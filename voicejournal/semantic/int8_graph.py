"""The model's graph rewritten so that its int8 weights are multiplied as int8.

The packaged all-MiniLM-L6-v2 stores each weight matrix as int8 with one scale per output column, but its
graph turns them back into floats on every run (Cast, then Mul by the scale) and multiplies in float32;
the word-embedding table (30,522 x 384) is turned into floats whole for every run, even for one word.
Measured on 2 cores, matrix products were 60% of the time. The rewrite, done in memory on the bytes whose
sha256 was checked (nothing is written anywhere):

- `MatMul(x, Cast(W) * scale)` becomes onnxruntime's `DynamicQuantizeMatMul(x, W, scale)`: the same int8
  weights and scales, x quantised to 8 bits per run, the product done with integer (VNNI) instructions;
- `Gather(Cast(table) * scale, ids)` becomes `Gather(table, ids)` cast and scaled row by row;
- `Where(IsNaN(softmax), 0, softmax)` becomes `softmax`: a softmax row is NaN only when every token is
  masked, and every text has at least [CLS] and [SEP].

Only the protobuf wire format is read (no `onnx` package): the graph's nodes are decoded and encoded
again, every other field (the weights among them) is copied byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How many products (the first, in the graph's order) stay in float: none. Leaving the first layer's four
# in float kept recall@1 on the tuning set (.47 against .39 all in 8 bits) but cost a tenth of the CPU time
# of a 150-word passage; with the layer norms' outliers moved into the weights (smooth_graph) all 36 in
# 8 bits agree with the float model better than that did (benchmarks/embed_profile.py).
FLOAT_PRODUCTS = 0
MS_DOMAIN = "com.microsoft"
_LEN = 2  # wire type of strings, bytes and messages

# field numbers in onnx.proto
MODEL_GRAPH, MODEL_OPSET = 7, 8
GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_OUTPUT = 1, 5, 12
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP, NODE_ATTRIBUTE, NODE_DOMAIN = 1, 2, 3, 4, 5, 7
TENSOR_DIMS, TENSOR_NAME = 1, 8


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def fields(data: bytes | memoryview) -> list[tuple[int, int, memoryview]]:
    """A message's fields in order: (number, wire type, the value's bytes, not copied; a varint is kept
    encoded)."""
    data = memoryview(data)
    out, at = [], 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, end = _varint(data, at)
        elif wire == 1:
            end = at + 8
        elif wire == _LEN:
            size, at = _varint(data, at)
            end = at + size
        elif wire == 5:
            end = at + 4
        else:
            raise ValueError(f"protobuf wire type {wire} is not used by ONNX files")
        out.append((number, wire, data[at:end]))
        at = end
    return out


def encode(message) -> bytes:
    """The bytes of fields as `fields` returns them."""
    return b"".join(_parts(message))


def _parts(message) -> list:
    """`encode`'s pieces, not joined; a value may itself be a list of pieces (a message inside, whose
    bytes are then copied once, by the outermost join: the weights are 23 MB)."""
    parts: list = []
    for number, wire, value in message:
        parts.append(_encode_varint(number << 3 | wire))
        if isinstance(value, list):
            parts.append(_encode_varint(sum(len(p) for p in value)))
            parts += value
            continue
        if wire == _LEN:
            parts.append(_encode_varint(len(value)))
        parts.append(value)
    return parts


def _string(number: int, text: str) -> tuple[int, int, bytes]:
    return (number, _LEN, text.encode("utf-8"))


@dataclass
class Node:
    """One graph node: what the rewrite reads and writes; its other fields (attributes) kept as bytes."""

    op: str
    inputs: list[str]
    outputs: list[str]
    name: str = ""
    domain: str = ""
    rest: list[tuple[int, int, bytes]] = field(default_factory=list)

    @classmethod
    def decode(cls, data: bytes) -> Node:
        node = cls("", [], [])
        for number, wire, value in fields(data):
            if number == NODE_INPUT:
                node.inputs.append(bytes(value).decode("utf-8"))
            elif number == NODE_OUTPUT:
                node.outputs.append(bytes(value).decode("utf-8"))
            elif number == NODE_NAME:
                node.name = bytes(value).decode("utf-8")
            elif number == NODE_OP:
                node.op = bytes(value).decode("utf-8")
            elif number == NODE_DOMAIN:
                node.domain = bytes(value).decode("utf-8")
            else:
                node.rest.append((number, wire, value))
        return node

    def encode(self) -> bytes:
        message = [_string(NODE_INPUT, i) for i in self.inputs]
        message += [_string(NODE_OUTPUT, o) for o in self.outputs]
        message += [_string(NODE_NAME, self.name)] if self.name else []
        message.append(_string(NODE_OP, self.op))
        message += self.rest
        message += [_string(NODE_DOMAIN, self.domain)] if self.domain else []
        return encode(message)


def readers_of(nodes: list[Node]) -> dict[str, list[Node]]:
    """Each tensor's name -> the nodes that read it, in graph order (for the rewrites after this one)."""
    readers: dict[str, list[Node]] = {}
    for n in nodes:
        for i in n.inputs:
            readers.setdefault(i, []).append(n)
    return readers


def int_attribute(name: str, value: int) -> tuple[int, int, bytes]:
    # AttributeProto: name = 1, i = 3, type = 20 (INT = 2)
    return (NODE_ATTRIBUTE, _LEN, encode([_string(1, name), (3, 0, _encode_varint(value)), (20, 0, b"\x02")]))


def _tensor_shapes(graph: list[tuple[int, int, bytes]]) -> dict[str, list[int]]:
    """Each initializer's name -> its dims."""
    shapes = {}
    for number, _, value in graph:
        if number != GRAPH_INITIALIZER:
            continue
        name, dims = "", []
        for n, wire, v in fields(value):
            if n == TENSOR_NAME:
                name = bytes(v).decode("utf-8")
            elif n == TENSOR_DIMS and wire == 0:
                dims.append(_varint(v, 0)[0])
            elif n == TENSOR_DIMS:  # packed
                at = 0
                while at < len(v):
                    d, at = _varint(v, at)
                    dims.append(d)
        shapes[name] = dims
    return shapes


def rewrite_nodes(
    nodes: list[Node], shapes: dict[str, list[int]], keep_float: int = 0
) -> tuple[list[Node], dict[str, int]]:
    """The nodes with the three rewrites of the module's docstring, and how many of each were made; the
    first `keep_float` products with int8 weights (in the graph's order) are left in float."""
    producer = {o: n for n in nodes for o in n.outputs}
    uses: dict[str, int] = {}
    for n in nodes:
        for i in n.inputs:
            uses[i] = uses.get(i, 0) + 1

    def int8_weights(name: str):
        """(int8 initializer, scale initializer, the Cast and Mul nodes) if `name` is Cast(int8) * scale."""
        mul = producer.get(name)
        if mul is None or mul.op != "Mul" or uses.get(name) != 1:
            return None
        cast = producer.get(mul.inputs[0])
        if cast is None or cast.op != "Cast" or cast.inputs[0] not in shapes or mul.inputs[1] not in shapes:
            return None
        return cast.inputs[0], mul.inputs[1], cast, mul

    made = {"DynamicQuantizeMatMul": 0, "Gather": 0, "IsNaN": 0}
    dropped: set[int] = set()
    renamed: dict[str, str] = {}
    out: list[Node] = []
    for n in nodes:
        found = (
            int8_weights(n.inputs[1] if n.op == "MatMul" else n.inputs[0])
            if n.op in ("MatMul", "Gather")
            else None
        )
        per_column = n.op == "MatMul" and found and len(shapes[found[1]]) == 2 and shapes[found[1]][0] == 1
        if per_column and keep_float > 0:
            keep_float -= 1
            out.append(n)
        elif per_column:
            weights, scale, cast, mul = found  # scale (1, columns): one per output column
            out.append(
                Node("DynamicQuantizeMatMul", [n.inputs[0], weights, scale], n.outputs, n.name, MS_DOMAIN)
            )
            dropped |= {id(cast), id(mul)}
            made["DynamicQuantizeMatMul"] += 1
        elif n.op == "Gather" and found and len(shapes[found[1]]) == 2 and shapes[found[1]][1] == 1:
            table, scale, cast, mul = found  # scale (rows, 1): one per row of the table
            o, ids = n.outputs[0], n.inputs[1]
            out += [
                Node("Gather", [table, ids], [o + "/int8"], n.name, "", n.rest),
                Node("Cast", [o + "/int8"], [o + "/float"], n.name + "/cast", "", [int_attribute("to", 1)]),
                Node("Gather", [scale, ids], [o + "/scale"], n.name + "/scale", "", n.rest),
                Node("Mul", [o + "/float", o + "/scale"], [o], n.name + "/scaled"),
            ]
            dropped |= {id(cast), id(mul)}
            made["Gather"] += 1
        elif n.op == "Where" and _is_nan_guard(n, producer):
            renamed[n.outputs[0]] = n.inputs[2]
            dropped |= {id(n), id(producer[n.inputs[0]])}
            made["IsNaN"] += 1
        else:
            out.append(n)
    out = [n for n in out if id(n) not in dropped]
    for n in out:
        n.inputs = [renamed.get(i, i) for i in n.inputs]
    return out, made


def _is_nan_guard(where: Node, producer: dict[str, Node]) -> bool:
    """Where(IsNaN(s), c, s) with s a Softmax's output."""
    guard = producer.get(where.inputs[0])
    softmax = producer.get(where.inputs[2])
    return (
        guard is not None
        and guard.op == "IsNaN"
        and guard.inputs[0] == where.inputs[2]
        and softmax is not None
        and softmax.op == "Softmax"
    )


def rewrite(model: bytes, keep_float: int = FLOAT_PRODUCTS, then=None) -> tuple[bytes, dict[str, int]]:
    """The model's bytes with its graph rewritten (see the module's docstring), and how many of each
    rewrite were made (none for a graph without the patterns: it then runs as it was). `then`, if given,
    rewrites the nodes further: (nodes, the initializers as `Weights`, graph output names) -> (nodes,
    counts); the initializers it adds (`Weights.add`) are written into the graph."""
    top = fields(model)
    graph_at = next(i for i, (number, _, _) in enumerate(top) if number == MODEL_GRAPH)
    graph = fields(top[graph_at][2])
    nodes = [Node.decode(v) for number, _, v in graph if number == GRAPH_NODE]
    shapes = _tensor_shapes(graph)
    new_nodes, made = rewrite_nodes(nodes, shapes, keep_float)
    weights = Weights(graph, shapes)
    if then is not None:
        outputs = [_name(v) for number, _, v in graph if number == GRAPH_OUTPUT]
        new_nodes, more = then(new_nodes, weights, outputs)
        made = {**made, **more}
    first = next(i for i, (number, _, _) in enumerate(graph) if number == GRAPH_NODE)
    read = {i for n in new_nodes for i in n.inputs}
    # initializers no node reads any more (weights replaced by a rewrite) are left out, not parsed again
    rest = [
        f for f in graph if f[0] != GRAPH_NODE and (f[0] != GRAPH_INITIALIZER or weights.name(f[2]) in read)
    ]
    graph = rest[:first] + [(GRAPH_NODE, _LEN, n.encode()) for n in new_nodes] + rest[first:] + weights.added
    top[graph_at] = (MODEL_GRAPH, _LEN, _parts(graph))
    if any(n.domain == MS_DOMAIN for n in new_nodes):  # OperatorSetIdProto: domain = 1, version = 2
        top.append((MODEL_OPSET, _LEN, encode([_string(1, MS_DOMAIN), (2, 0, _encode_varint(1))])))
    return encode(top), made


# TensorProto's data types that the rewrites read or write, by their number in onnx.proto
_TYPES = {1: "float32", 3: "int8"}
TENSOR_TYPE, TENSOR_RAW = 2, 9


class Weights:
    """The graph's initializers: `name in weights`, their values as numpy arrays (`array`, float32 and
    int8 ones kept as raw bytes, as the packaged file keeps them), and new ones (`add`) for the graph."""

    def __init__(self, graph: list[tuple[int, int, bytes]], shapes: dict[str, list[int]]):
        self.shapes = shapes
        self.tensors = {}
        for number, _, value in graph:
            if number == GRAPH_INITIALIZER:
                parts = fields(value)
                name = next((bytes(v).decode("utf-8") for n, _, v in parts if n == TENSOR_NAME), "")
                self.tensors[name] = parts
        self.added: list[tuple[int, int, bytes]] = []

    @staticmethod
    def name(tensor) -> str:
        """A TensorProto's name."""
        return next((bytes(v).decode("utf-8") for n, _, v in fields(tensor) if n == TENSOR_NAME), "")

    def __contains__(self, name: str) -> bool:
        return name in self.shapes

    def __iter__(self):
        return iter(self.shapes)

    def array(self, name: str):
        """The initializer's values (ValueError for a type or layout the rewrites do not read)."""
        import numpy as np

        parts = self.tensors[name]
        kind = next((_varint(v, 0)[0] for n, w, v in parts if n == TENSOR_TYPE and w == 0), 0)
        raw = next((bytes(v) for n, _, v in parts if n == TENSOR_RAW), None)
        if kind not in _TYPES or raw is None:
            raise ValueError(f"initializer {name} is not raw float32 or int8")
        return np.frombuffer(raw, dtype=_TYPES[kind]).reshape(self.shapes[name])

    def add(self, name: str, values) -> str:
        """A new initializer (a float32 or int8 numpy array) in the graph; its name."""
        kind = next(k for k, t in _TYPES.items() if t == values.dtype.name)
        message = [(TENSOR_DIMS, 0, _encode_varint(d)) for d in values.shape]
        message += [(TENSOR_TYPE, 0, _encode_varint(kind)), _string(TENSOR_NAME, name)]
        message.append((TENSOR_RAW, _LEN, values.tobytes()))
        self.added.append((GRAPH_INITIALIZER, _LEN, encode(message)))
        self.tensors[name] = fields(self.added[-1][2])
        self.shapes[name] = list(values.shape)
        return name


def _name(value_info) -> str:
    """A ValueInfoProto's name (its field 1)."""
    return next(bytes(v).decode("utf-8") for number, _, v in fields(value_info) if number == 1)
