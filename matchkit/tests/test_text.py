from matchkit.highlight import highlight
from matchkit.text import Tokenizer, normalize


def test_normalize_full_width_and_traditional():
    assert normalize("ＰＬＣ控制　１２３") == "plc控制 123"
    assert normalize("機器學習與資料") == "机器学习与资料"


def test_one_tokenizer_drops_stopwords_and_keeps_domain_terms():
    tok = Tokenizer()
    toks = tok.tokens("我们需要进行锂离子电池的智能制造技术研发")
    assert "锂离子电池" in toks and "智能制造" in toks
    assert not {"我们", "需要", "进行", "的", "技术"} & set(toks)
    # search mode keeps dictionary sub-words, so a shorter query term still matches
    assert "制造" in toks


def test_records_keywords_extend_the_dictionary():
    tok = Tokenizer()
    assert "四层共挤" not in tok.tokens("四层共挤抗静电内管")
    assert tok.add_terms(["四层共挤"]) == ["四层共挤"]
    assert "四层共挤" in tok.tokens("四层共挤抗静电内管")


def test_highlight_marks_original_characters():
    assert highlight("采用ＰＬＣ控制的鋰電池產線", ["plc", "锂电池"]) == "采用【ＰＬＣ】控制的【鋰電池】產線"
