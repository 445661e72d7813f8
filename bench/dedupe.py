"""Duplicate-candidate search benchmark: N generated enterprise names (the demo's naming scheme —
region prefix, two-character trade name, industry words, legal form — so the name space is crowded
the way a real city's register is), with 1% planted duplicates: typos in the trade name that share
the legal representative and phone, legacy records (traditional characters, 有限责任公司, no credit
code) and branches (（常州分公司）). Prints, per size, the seconds (wall and CPU: the machine may be shared) for the whole
candidate search (folding, blocking, rapidfuzz comparisons, reasons), the process's peak RSS, the planted pairs found
(recall) and the other pairs reported. No database: the search is a pure function.
Usage: .venv/bin/python bench/dedupe.py [--sizes 20000 50000 100000] [--min-score 85]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


COMMON_TRADE_CHARS = ("安邦宝北贝倍本必标彬滨波博步才灿昌长常畅超辰晨成诚承驰崇川创春纯聪达大丹道德迪鼎东冬"
                      "栋都多恩发凡方飞丰峰锋风福富高格耕工冠光广贵国海瀚行豪浩禾合和恒弘宏鸿厚华欢辉慧汇"
                      "惠佳嘉坚建健江杰捷金锦劲晶景久聚君俊凯康科克坤蓝朗乐雷力立利联良亮林霖凌龙隆路伦罗"
                      "迈茂美明铭沐纳南能宁鹏朋平浦普奇琪启千谦乾强巧勤青清庆秋全泉群仁荣瑞润森善尚晟盛胜"
                      "诗世仕首舒顺硕思斯松泰腾天通同拓万旺威维伟卫文沃希熙祥翔协昕欣新信星兴旭轩宣雅亚扬"
                      "阳耀业一亿益逸意银盈永优友宇语玉煜元源远跃悦云运泽展兆振正知志智中众卓子宗")


def generate(n: int, seed: int = 7):
    from duijie.dedupe.similarity import EnterpriseRow
    from duijie.demo import content as C
    from duijie.demo.duplicates import legacy, typo

    rng = random.Random(seed)
    # Trade-name characters: the demo's plus common ones, so that distinct enterprises rarely share a
    # trade name within one trade by chance (registration forbids that within one region).
    roots = sorted(set(C.SCHOOL_NAME_ROOTS) | {c for v in C.INDUSTRIES.values() for c in v["name_chars"]}
                   | set(COMMON_TRADE_CHARS))
    words = sorted({w for v in C.INDUSTRIES.values() for w in v["name_words"]})
    prefixes = ["常州", "江苏", "常州市武进", "常州市金坛", "溧阳", "昆山", "常州市"]
    regions = ["320412", "320411", "320402", "320404", "320413", "320481", "320583"]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    names, rows = set(), []
    while len(rows) < n:
        name = (rng.choice(prefixes) + rng.choice(roots) + rng.choice(roots) + rng.choice(words)
                + rng.choice(["有限公司", "有限公司", "有限公司", "股份有限公司"]))
        if name in names:
            continue
        names.add(name)
        i = len(rows) + 1
        rows.append(EnterpriseRow(id=i, name=name, uscc=f"U{i}", region=rng.choice(regions),
                                  legal_representative=rng.choice(surnames) + rng.choice(given) + rng.choice(given),
                                  phone_hash=f"p{i}", address=f"路{rng.randint(1, 999)}号"))
    planted = set()
    for k in range(n // 100):
        src = rows[rng.randrange(n)]
        pk = len(rows) + 1
        how = ("typo", "legacy", "branch")[k % 3]
        if how == "typo":
            dup = EnterpriseRow(id=pk, name=typo(src.name), uscc=f"U{pk}", region=src.region,
                                legal_representative=src.legal_representative, phone_hash=src.phone_hash)
        elif how == "legacy":
            dup = EnterpriseRow(id=pk, name=legacy(src.name), uscc="", region=src.region, address=src.address)
        else:
            dup = EnterpriseRow(id=pk, name=src.name + "（常州分公司）", uscc=f"U{pk}", region=src.region)
        rows.append(dup)
        planted.add((src.id, pk))
    return rows, planted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 50000, 100000])
    parser.add_argument("--min-score", type=int, default=85)
    args = parser.parse_args()
    import django

    django.setup()
    from duijie.dedupe.similarity import enterprise_candidates

    print(f"{'records':>8} {'seconds':>8} {'CPU s':>7} {'peak RSS':>10} {'pairs':>7} {'planted found':>14} "
          f"{'other pairs':>12}")
    for n in args.sizes:
        rows, planted = generate(n)
        t, cpu = time.perf_counter(), time.process_time()
        found = enterprise_candidates(rows, min_score=args.min_score)
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pairs = {(c.a, c.b) for c in found}
        hit = len(planted & pairs)
        print(f"{len(rows):>8} {seconds:>8.2f} {cpu:>7.2f} {rss:>7.0f} MiB {len(found):>7} "
              f"{hit:>6}/{len(planted):<7} {len(pairs - planted):>12}", flush=True)


if __name__ == "__main__":
    main()
