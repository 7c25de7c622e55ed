#!/usr/bin/python3
# Converts the convolutional part of a TensorFlow.js graph model (model.json
# and its float16-quantised .bin shards) to ONNX that OpenCV 4.6's DNN
# module reads: NCHW throughout, explicit asymmetric "SAME" paddings, Relu6
# written as Relu(x) - Relu(x - 6) (OpenCV 4.6 imports no opset-11 Clip),
# upsampling as Resize with constant scales. Only what the graph needs up
# to the requested outputs is converted; post-processing (top-k, gathers)
# is left to the caller.
#
# Usage: tfjs-to-onnx.py MODEL.json OUT.onnx INPUT_NODE WIDTH HEIGHT OUTPUT_NODE...
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import base64
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DTYPES = {"float32": np.float32, "int32": np.int32}


def load_weights(model, folder):
    values = {}
    for group in model["weightsManifest"]:
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            quant = w.get("quantization", {}).get("dtype")
            if quant == "float16":
                raw = np.frombuffer(data, np.float16, count, offset).astype(np.float32)
                offset += 2 * count
            elif quant is not None:
                raise SystemExit(f"unsupported quantisation {quant} of {w['name']}")
            else:
                dtype = DTYPES[w["dtype"]]
                raw = np.frombuffer(data, dtype, count, offset)
                offset += raw.itemsize * count
            values[w["name"]] = raw.reshape(w["shape"]).copy()
    return values


def attr_list(node, name):
    return [int(i) for i in node.get("attr", {}).get(name, {}).get("list", {}).get("i", [])]


def attr_s(node, name):
    s = node.get("attr", {}).get(name, {}).get("s")
    return base64.b64decode(s).decode() if s else None


def attr_b(node, name):
    return node.get("attr", {}).get(name, {}).get("b", False)


class Converter:
    def __init__(self, model, weights, width, height, input_name):
        self.nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
        self.weights = weights
        self.onnx_nodes = []
        self.initializers = []
        self.shapes = {}  # tensor -> [N, C, H, W]
        self.done = {}
        self.counter = 0
        self.input_name = input_name
        self.width, self.height = width, height
        self.channels = input_channels(model)

    def fresh(self, base):
        self.counter += 1
        return f"{base}__{self.counter}"

    def const(self, value, base="c"):
        name = self.fresh(base)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def const_value(self, name):
        name = name.split(":")[0]
        node = self.nodes[name]
        if node["op"] == "Const":
            return self.weights[name]
        if node["op"] == "Identity":
            return self.const_value(node["input"][0])
        return None

    def emit(self, op, inputs, name, **attrs):
        self.onnx_nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def tensor(self, ref):
        """ONNX name of the TF tensor `ref` (converting its producer)."""
        name = ref.split(":")[0]
        if name in self.done:
            return self.done[name]
        node = self.nodes[name]
        # the network may start after the graph's own pre-processing: the
        # named tensor becomes the input
        op = "Placeholder" if name == self.input_name else node["op"]
        out = getattr(self, "op_" + op.lstrip("_"), None)
        if out is None:
            raise SystemExit(f"unsupported op {node['op']} ({name})")
        result = out(node)
        self.done[name] = result
        return result

    # ---- ops
    def op_Placeholder(self, node):
        self.shapes[node["name"]] = [1, self.channels, self.height, self.width]
        return node["name"]

    def op_Identity(self, node):
        src = self.tensor(node["input"][0])
        self.shapes[node["name"]] = self.shapes[src]
        return self.emit("Identity", [src], node["name"])

    def conv(self, node, depthwise):
        x = self.tensor(node["input"][0])
        w = self.const_value(node["input"][1])
        n, c, h, wd = self.shapes[x]
        kh, kw = w.shape[0], w.shape[1]
        sh, sw = attr_list(node, "strides")[1:3] or [1, 1]
        dil = attr_list(node, "dilations")[1:3] or [1, 1]
        if depthwise:  # H W C M -> C*M 1 H W
            cm = w.shape[2] * w.shape[3]
            weight = w.transpose(2, 3, 0, 1).reshape(cm, 1, kh, kw)
            group, out_c = c, cm
        else:  # H W I O -> O I H W
            weight = w.transpose(3, 2, 0, 1)
            group, out_c = 1, w.shape[3]
        if attr_s(node, "padding") == "SAME":
            oh, ow = -(-h // sh), -(-wd // sw)
            ph = max((oh - 1) * sh + (kh - 1) * dil[0] + 1 - h, 0)
            pw = max((ow - 1) * sw + (kw - 1) * dil[1] + 1 - wd, 0)
        else:
            oh = (h - (kh - 1) * dil[0] - 1) // sh + 1
            ow = (wd - (kw - 1) * dil[1] - 1) // sw + 1
            ph = pw = 0
        pads = [ph // 2, pw // 2, ph - ph // 2, pw - pw // 2]
        inputs = [x, self.const(weight.astype(np.float32), node["name"] + "_w")]
        fused = [base64.b64decode(s).decode()
                 for s in node.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])]
        if fused and fused[0] == "BiasAdd":
            bias = self.const_value(node["input"][2]).astype(np.float32)
            inputs.append(self.const(bias, node["name"] + "_b"))
            fused = fused[1:]
        elif fused:
            raise SystemExit(f"unsupported fused ops {fused} ({node['name']})")
        conv = self.emit("Conv", inputs, node["name"] + ("_conv" if fused else ""),
                         kernel_shape=[kh, kw], strides=[sh, sw], pads=pads,
                         dilations=dil, group=group)
        self.shapes[conv] = [n, out_c, oh, ow]
        out = conv
        for op in fused:
            if op == "Relu":
                out = self.emit("Relu", [out], node["name"])
            elif op == "Relu6":
                out = self.relu6(out, node["name"])
            else:
                raise SystemExit(f"unsupported fused op {op} ({node['name']})")
        self.shapes[out] = [n, out_c, oh, ow]
        return out

    def op_Conv2D(self, node):
        return self.conv(node, False)

    def op_FusedConv2D(self, node):
        return self.conv(node, False)

    def op_DepthwiseConv2dNative(self, node):
        return self.conv(node, True)

    def op_FusedDepthwiseConv2dNative(self, node):
        return self.conv(node, True)

    def relu6(self, x, name):
        r1 = self.emit("Relu", [x], self.fresh(name + "_r"))
        shifted = self.emit("Sub", [x, self.const(np.float32(6.0))], self.fresh(name + "_s"))
        r2 = self.emit("Relu", [shifted], self.fresh(name + "_r6"))
        out = self.emit("Sub", [r1, r2], name)
        self.shapes[out] = self.shapes[x]
        return out

    def op_Relu6(self, node):
        return self.relu6(self.tensor(node["input"][0]), node["name"])

    def unary(self, node, op):
        x = self.tensor(node["input"][0])
        out = self.emit(op, [x], node["name"])
        self.shapes[out] = self.shapes[x]
        return out

    def op_Relu(self, node):
        return self.unary(node, "Relu")

    def op_Sigmoid(self, node):
        return self.unary(node, "Sigmoid")

    def binary(self, node, op):
        ins, shape = [], None
        for ref in node["input"][:2]:
            value = self.const_value(ref)
            if value is None:
                t = self.tensor(ref)
                # broadcasting: the larger of both shapes (SE blocks multiply
                # by a 1x1 map)
                shape = (self.shapes[t] if shape is None else
                         [max(a, b) for a, b in zip(shape, self.shapes[t])])
                ins.append(t)
            else:  # NHWC broadcast -> NCHW broadcast
                v = np.asarray(value, np.float32)
                if v.ndim >= 1 and v.size > 1:
                    v = v.reshape(-1, 1, 1)
                ins.append(self.const(v))
        out = self.emit(op, ins, node["name"])
        self.shapes[out] = shape
        return out

    def op_Add(self, node):
        return self.binary(node, "Add")

    def op_AddV2(self, node):
        return self.binary(node, "Add")

    def op_Sub(self, node):
        return self.binary(node, "Sub")

    def op_Mul(self, node):
        return self.binary(node, "Mul")

    def op_Mean(self, node):
        x = self.tensor(node["input"][0])
        axes = [int(a) for a in np.ravel(self.const_value(node["input"][1]))]
        if sorted(axes) != [1, 2]:
            raise SystemExit(f"Mean over {axes} ({node['name']})")
        keep = attr_b(node, "keep_dims")
        out = self.emit("ReduceMean", [x], node["name"], axes=[2, 3], keepdims=1 if keep else 0)
        n, c, _, _ = self.shapes[x]
        self.shapes[out] = [n, c, 1, 1] if keep else [n, c]
        return out

    def op_MaxPool(self, node):
        x = self.tensor(node["input"][0])
        n, c, h, w = self.shapes[x]
        kh, kw = attr_list(node, "ksize")[1:3]
        sh, sw = attr_list(node, "strides")[1:3]
        if attr_s(node, "padding") == "SAME":
            oh, ow = -(-h // sh), -(-w // sw)
            ph, pw = max((oh - 1) * sh + kh - h, 0), max((ow - 1) * sw + kw - w, 0)
        else:
            oh, ow, ph, pw = (h - kh) // sh + 1, (w - kw) // sw + 1, 0, 0
        out = self.emit("MaxPool", [x], node["name"], kernel_shape=[kh, kw], strides=[sh, sw],
                        pads=[ph // 2, pw // 2, ph - ph // 2, pw - pw // 2])
        self.shapes[out] = [n, c, oh, ow]
        return out

    def op_FusedMatMul(self, node):
        """A dense layer after global pooling: Flatten, Gemm (+ Relu)."""
        x = self.tensor(node["input"][0])
        w = self.const_value(node["input"][1]).astype(np.float32)
        fused = [base64.b64decode(s).decode()
                 for s in node.get("attr", {}).get("fused_ops", {}).get("list", {}).get("s", [])]
        if attr_b(node, "transpose_a") or attr_b(node, "transpose_b") or fused[:1] != ["BiasAdd"]:
            raise SystemExit(f"unsupported MatMul form ({node['name']})")
        flat = self.emit("Flatten", [x], self.fresh(node["name"] + "_flat"), axis=1)
        bias = self.const_value(node["input"][2]).astype(np.float32)
        # OpenCV 4.6 reads Gemm's weights as [out, in] (transB = 1) only
        out = self.emit("Gemm", [flat, self.const(np.ascontiguousarray(w.T), node["name"] + "_w"),
                                 self.const(bias, node["name"] + "_b")],
                        node["name"] + ("_gemm" if fused[1:] else ""), transB=1)
        for op in fused[1:]:
            if op != "Relu":
                raise SystemExit(f"unsupported fused op {op} ({node['name']})")
            out = self.emit("Relu", [out], node["name"])
        self.shapes[out] = [self.shapes[x][0], w.shape[1]]
        return out

    def op_Minimum(self, node):
        """min(x, c) for a constant c, as x - Relu(x - c): Keras' clipped Relu
        (OpenCV 4.6 imports no element-wise Min with a constant)."""
        x = self.tensor(node["input"][0])
        c = np.float32(np.ravel(self.const_value(node["input"][1]))[0])
        over = self.emit("Relu", [self.emit("Sub", [x, self.const(c)], self.fresh(node["name"]))],
                         self.fresh(node["name"] + "_r"))
        out = self.emit("Sub", [x, over], node["name"])
        self.shapes[out] = self.shapes[x]
        return out

    def op_Maximum(self, node):
        """max(x, 0) only (the other half of Keras' clipped Relu)."""
        if float(np.ravel(self.const_value(node["input"][1]))[0]) != 0.0:
            raise SystemExit(f"Maximum with a constant other than 0 ({node['name']})")
        return self.unary(node, "Relu")

    def op_ResizeBilinear(self, node):
        x = self.tensor(node["input"][0])
        size = self.const_value(node["input"][1])
        n, c, h, w = self.shapes[x]
        # the graph's sizes are for its own input; keep their ratio
        fy, fx = size[0] / self.native[node["name"]][0], size[1] / self.native[node["name"]][1]
        mode = ("align_corners" if attr_b(node, "align_corners") else
                "half_pixel" if attr_b(node, "half_pixel_centers") else "asymmetric")
        roi = self.const(np.zeros(0, np.float32))
        scales = self.const(np.array([1, 1, fy, fx], np.float32))
        out = self.emit("Resize", [x, roi, scales], node["name"], mode="linear",
                        coordinate_transformation_mode=mode)
        self.shapes[out] = [n, c, int(h * fy), int(w * fx)]
        return out

    def op_ConcatV2(self, node):
        axis = int(self.const_value(node["input"][-1]))
        if axis not in (3, -1):
            raise SystemExit(f"concat on axis {axis} ({node['name']})")
        ins = [self.tensor(r) for r in node["input"][:-1]]
        out = self.emit("Concat", ins, node["name"], axis=1)
        shape = list(self.shapes[ins[0]])
        shape[1] = sum(self.shapes[i][1] for i in ins)
        self.shapes[out] = shape
        return out


def input_channels(model):
    """Channels of the graph's input (3 for RGB, 1 for grey models)."""
    for n in model["modelTopology"]["node"]:
        if n["op"] == "Placeholder":
            return int(n["attr"]["shape"]["shape"]["dim"][3]["size"])
    return 3


def native_resize_inputs(model, weights, input_name):
    """Input H, W of every ResizeBilinear at the graph's own input size."""
    nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
    placeholder = next(n for n in nodes.values() if n["op"] == "Placeholder")
    dims = [int(d["size"]) for d in placeholder["attr"]["shape"]["shape"]["dim"]]
    conv = Converter(model, weights, dims[2], dims[1], input_name)
    conv.native = {}
    found = {}
    for name, node in nodes.items():
        if node["op"] == "ResizeBilinear":
            conv.native[name] = (1, 1)  # placeholder while measuring
    for name, node in nodes.items():
        if node["op"] == "ResizeBilinear":
            x = conv.tensor(node["input"][0])
            found[name] = tuple(conv.shapes[x][2:4])
            conv.native[name] = found[name]
    return found


def main():
    if len(sys.argv) < 7:
        raise SystemExit(__doc__ or "usage: tfjs-to-onnx.py MODEL.json OUT.onnx INPUT W H OUTPUT...")
    path, out_path, input_name = sys.argv[1], sys.argv[2], sys.argv[3]
    width, height = int(sys.argv[4]), int(sys.argv[5])
    outputs = sys.argv[6:]
    model = json.load(open(path))
    weights = load_weights(model, os.path.dirname(os.path.abspath(path)))
    conv = Converter(model, weights, width, height, input_name)
    conv.native = native_resize_inputs(model, weights, input_name)
    names = [conv.tensor(o) for o in outputs]
    graph = helper.make_graph(
        conv.onnx_nodes, os.path.basename(path),
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT,
                                       [1, conv.channels, height, width])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, conv.shapes[n]) for n in names],
        conv.initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)],
                                   producer_name="videoannotator-tfjs-to-onnx")
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, out_path)
    print(f"{out_path}: {len(conv.onnx_nodes)} nodes, outputs "
          + ", ".join(f"{n} {conv.shapes[n]}" for n in names))


if __name__ == "__main__":
    main()
